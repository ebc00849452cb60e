"""`/settings` over real HTTP: the account's facts, and deleting the account only with the
password typed again (a wrong one is explained, not taken for an ended session)."""

from typing import Any

import pytest

from starstats_server.authz.memory import MemoryAuthorizer
from starstats_web.session import COOKIE

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    PASSWORD,
    Stack,
    csrf_of,
    envelopes_for,
    ingest,
    logged_in,
    post_form,
    sign_up_via_api,
)


@pytest.fixture
def authorizer() -> MemoryAuthorizer:
    return MemoryAuthorizer()


def test_the_settings_page_shows_the_account(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        page = client.get("/settings")
    assert page.status_code == 200
    assert pilot.handle in page.text
    assert pilot.email in page.text
    assert "(not confirmed yet)" in page.text
    assert 'href="/settings/delete"' in page.text


def test_a_wrong_password_deletes_nothing_and_keeps_the_session(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        empty = post_form(client, "/settings/delete", {"password": ""}, "/settings/delete")
        assert empty.status_code == 400
        assert "Type your password to confirm." in empty.text
        wrong = post_form(
            client, "/settings/delete", {"password": "not my password"}, "/settings/delete"
        )
        assert wrong.status_code == 400
        assert "That password is wrong. Nothing was deleted." in wrong.text
        assert "set-cookie" not in wrong.headers or COOKIE not in wrong.headers["set-cookie"]
        assert client.get("/dashboard").status_code == 200
    assert stack.api("GET", "/v1/auth/me", pilot.token).status_code == 200


def test_deleting_the_account_needs_csrf_then_logs_out_for_good(stack: Stack) -> None:
    pilot, friend = sign_up_via_api(stack), sign_up_via_api(stack)
    ingest(stack, pilot.token, pilot.handle, envelopes_for(pilot.handle, seed=9))
    stack.api("POST", "/v1/me/share", pilot.token, json={"recipient_handle": friend.handle})
    with logged_in(stack, pilot) as client:
        confirm = client.get("/settings/delete")
        assert "Delete your account?" in confirm.text
        refused = client.post("/settings/delete", data={"password": PASSWORD})
        assert refused.status_code == 403
        assert stack.api("GET", "/v1/auth/me", pilot.token).status_code == 200
        done = client.post(
            "/settings/delete", data={"password": PASSWORD, "csrf_token": csrf_of(confirm.text)}
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/auth/login?notice=account_deleted"
        assert f'{COOKIE}="";' in done.headers["set-cookie"]
        page = client.get(done.headers["location"])
        assert "Your account and everything it held are deleted." in page.text
        assert client.get("/dashboard").status_code == 303
    assert stack.api("GET", "/v1/auth/me", pilot.token).status_code == 401
    login = {"email": pilot.email, "password": PASSWORD}
    assert stack.api("POST", "/v1/auth/login", json=login).status_code == 401
    assert stack.api("GET", f"/v1/u/{pilot.handle}/stats", friend.token).status_code == 404


@pytest.mark.parametrize("api_overrides", [{"auth_rate_per_minute": 1}])
def test_guessing_the_password_is_rate_limited(stack: Stack, api_overrides: dict[str, Any]) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        pages = [
            post_form(client, "/settings/delete", {"password": "guess"}, "/settings/delete")
            for _ in range(2)
        ]
    assert pages[-1].status_code == 429
    assert "Too many attempts from your address" in pages[-1].text
