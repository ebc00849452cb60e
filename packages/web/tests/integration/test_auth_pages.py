"""Sign-up, login, logout and email verification through the web app over real HTTP, with
the real API and SMTP server behind it: cookies, redirects, inline errors, CSRF refusals."""

import base64
import json
import re
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest

from starstats_web.session import COOKIE

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    PASSWORD,
    Stack,
    csrf_of,
    logged_in,
    post_form,
    sign_up_via_api,
)


def session_cookie(response: httpx.Response) -> SimpleCookie:
    headers = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    found = [h for h in headers if h.startswith(f"{COOKIE}=")]
    assert len(found) == 1, headers
    jar: SimpleCookie = SimpleCookie()
    jar.load(found[0])
    return jar


def signup(client: httpx.Client, **fields: str) -> httpx.Response:
    return post_form(client, "/auth/signup", fields, "/auth/signup")


def test_signing_up_logs_in_mails_a_link_and_the_link_verifies(stack: Stack) -> None:
    with stack.browser() as client:
        done = signup(client, email="Nova@Example.com", handle="Nova_Pilot", password=PASSWORD)
        assert done.status_code == 303
        assert done.headers["location"] == "/dashboard?notice=welcome"
        morsel = session_cookie(done)[COOKIE]
        assert morsel["httponly"] is True
        assert morsel["samesite"].lower() == "lax"
        assert morsel["path"] == "/"
        assert 3500 < int(morsel["max-age"]) <= 3600  # the API's one-hour token
        assert not morsel["secure"]  # STARSTATS_COOKIE_SECURE=false in this test stack

        dashboard = client.get("/dashboard?notice=welcome")
        assert dashboard.status_code == 200
        assert "Nova_Pilot" in dashboard.text
        assert "We sent you an email" in dashboard.text

        stack.inbox.wait_for(1)
        link = stack.inbox.link()
        assert link.startswith(f"{stack.web_url}/auth/verify?token=")
        verified = client.get(link.removeprefix(stack.web_url))
        assert verified.status_code == 200
        assert "Email verified" in verified.text
        assert "nova@example.com" in verified.text
        me = stack.api("GET", "/v1/auth/me", morsel.value).json()
        assert me["email_verified"] is True

        # A second click (or a mail scanner's first) finds the address already verified.
        again = client.get(link.removeprefix(stack.web_url))
        assert again.status_code == 200
        assert "Already verified" in again.text


@pytest.mark.parametrize(
    ("fields", "status", "message", "kept"),
    [
        (
            {"email": "taken@example.com", "handle": "Someone", "password": PASSWORD},
            409,
            "An account with this email already exists",
            "taken@example.com",
        ),
        (
            {"email": "fresh@example.com", "handle": "taken_HANDLE", "password": PASSWORD},
            409,
            "This handle is already claimed",
            "taken_HANDLE",
        ),
        (
            {"email": "fresh@example.com", "handle": "Fresh", "password": "short-pw"},
            400,
            "Use at least 12 characters",
            "Fresh",
        ),
        (
            {"email": "fresh@example.com", "handle": "has space", "password": PASSWORD},
            400,
            "A handle is 1 to 64 letters",
            "has space",
        ),
        (
            {"email": "nope", "handle": "Fresh", "password": PASSWORD},
            400,
            "Enter an email address like name@example.com",
            'value="nope"',
        ),
    ],
)
def test_signup_errors_show_next_to_the_field_and_keep_what_was_typed(
    stack: Stack, fields: dict[str, str], status: int, message: str, kept: str
) -> None:
    sign_up_via_api(stack, "Taken_Handle")
    stack.api(
        "POST",
        "/v1/auth/signup",
        json={"email": "taken@example.com", "password": PASSWORD, "claimed_handle": "Other1"},
    )
    with stack.browser() as client:
        page = signup(client, **fields)
    assert page.status_code == status
    assert message in page.text
    assert kept in page.text
    assert 'aria-invalid="true"' in page.text
    assert fields["password"] not in page.text  # never echoed back
    assert COOKIE not in page.headers.get("set-cookie", "")


def test_login_goes_back_to_a_same_site_next_and_refuses_a_foreign_one(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    for given, expected in [("/devices", "/devices"), ("//evil.example/x", "/dashboard")]:
        with stack.browser() as client:
            page = client.get("/auth/login", params={"next": given})
            assert f'name="next" value="{expected}"' in page.text
            done = client.post(
                "/auth/login",
                data={
                    "csrf_token": csrf_of(page.text),
                    "email": pilot.email,
                    "password": PASSWORD,
                    "next": given,  # even posted directly, a foreign target is refused
                },
            )
            assert done.status_code == 303
            assert done.headers["location"] == expected


def test_wrong_credentials_say_so_and_keep_the_email(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with stack.browser() as client:
        page = post_form(
            client,
            "/auth/login",
            {"email": pilot.email, "password": "not the password"},
            "/auth/login",
        )
    assert page.status_code == 401
    assert "Email or password is wrong." in page.text
    assert f'value="{pilot.email}"' in page.text
    assert "not the password" not in page.text


@pytest.mark.parametrize("api_overrides", [{"auth_rate_per_minute": 2}])
def test_being_rate_limited_is_explained(stack: Stack, api_overrides: dict[str, Any]) -> None:
    with stack.browser() as client:
        for _ in range(2):
            page = post_form(
                client, "/auth/login", {"email": "a@example.com", "password": "x"}, "/auth/login"
            )
            assert page.status_code == 401
        page = post_form(
            client, "/auth/login", {"email": "a@example.com", "password": "x"}, "/auth/login"
        )
    assert page.status_code == 429
    assert re.search(r"Too many attempts from your address\. Try again in \d+ seconds\.", page.text)


def test_pages_need_a_session_and_come_back_after_login(stack: Stack) -> None:
    with stack.browser() as client:
        for path, login in [
            ("/dashboard", "/auth/login"),
            ("/devices", "/auth/login?next=%2Fdevices"),
            ("/dashboard?days=7", "/auth/login?next=%2Fdashboard%3Fdays%3D7"),
        ]:
            response = client.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == login


def test_a_token_the_api_refuses_sends_the_browser_to_log_in_again(stack: Stack) -> None:
    """A cookie whose token looks fine here (a JWT, not yet expired) but fails the API's
    signature check: the API answers 401, the cookie is cleared, the login page keeps next."""
    pilot = sign_up_via_api(stack)
    header, payload, _ = pilot.token.split(".")
    forged = f"{header}.{payload}.AAAA"
    with stack.browser() as client:
        client.cookies.set(COOKIE, forged)
        response = client.get("/devices")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/login?next=%2Fdevices&notice=session_expired"
    assert f'{COOKIE}="";' in response.headers["set-cookie"]


def test_logout_clears_the_cookie_and_needs_its_csrf_token(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        refused = client.post("/auth/logout", data={})
        assert refused.status_code == 403
        assert client.get("/dashboard").status_code == 200  # still logged in
        done = post_form(client, "/auth/logout", {}, "/dashboard")
        assert done.status_code == 303
        assert done.headers["location"] == "/auth/login?notice=logged_out"
        assert "Max-Age=0" in done.headers["set-cookie"]
        assert client.get("/dashboard").status_code == 303
        assert "You are logged out." in client.get("/auth/login?notice=logged_out").text


def test_a_copy_of_the_session_cookie_is_useless_after_logout(stack: Stack) -> None:
    """Logging out revokes the token at the API: a cookie copied before (another tab, a
    stolen one) is refused from then on, not only when the token expires."""
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        copied = client.cookies[COOKIE]
        assert stack.api("GET", "/v1/auth/me", copied).status_code == 200
        assert post_form(client, "/auth/logout", {}, "/dashboard").status_code == 303
    assert stack.api("GET", "/v1/auth/me", copied).status_code == 401
    with stack.browser() as replay:
        replay.cookies.set(COOKIE, copied)
        back = replay.get("/dashboard")
        assert back.status_code == 303
        assert back.headers["location"].startswith("/auth/login")


def test_a_cross_site_post_is_refused_even_carrying_a_stolen_token(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with stack.browser() as client:
        token = csrf_of(client.get("/auth/login").text)
        fields = {"email": pilot.email, "password": PASSWORD}
        no_token = client.post("/auth/login", data=fields)
        assert no_token.status_code == 403
        assert "That form could not be accepted" in no_token.text
        foreign = client.post(
            "/auth/login",
            data={"csrf_token": token, **fields},
            headers={"Origin": "https://evil.example"},
        )
        assert foreign.status_code == 403
        assert COOKIE not in foreign.headers.get("set-cookie", "")


def test_the_resend_action_mails_a_new_link_until_verified(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    stack.inbox.wait_for(1)
    with logged_in(stack, pilot) as client:
        page = client.get("/dashboard")
        assert "Confirm your email address" in page.text
        sent = post_form(client, "/auth/resend", {}, "/dashboard")
        assert sent.headers["location"] == "/dashboard?notice=verification_sent"
        stack.inbox.wait_for(2)
        old_link = client.get(stack.inbox.link(0).removeprefix(stack.web_url))
        assert old_link.status_code == 400  # the new mail's link replaced it
        assert "Send a new link" in old_link.text
        assert client.get(stack.inbox.link(1).removeprefix(stack.web_url)).status_code == 200
        done = post_form(client, "/auth/resend", {}, "/dashboard")
        assert done.headers["location"] == "/dashboard?notice=already_verified"
        assert "Confirm your email address" not in client.get("/dashboard").text


def test_a_broken_verification_link_explains_itself(stack: Stack) -> None:
    with stack.browser() as client:
        bad = client.get("/auth/verify", params={"token": "0" * 64})
        assert bad.status_code == 400
        assert "invalid or has expired" in bad.text
        empty = client.get("/auth/verify")
        assert empty.status_code == 400
        assert "incomplete" in empty.text


def test_an_expired_session_cookie_says_the_session_ended(stack: Stack) -> None:
    """A token past its `exp` is not even sent to the API: straight to the login page,
    which explains why."""
    pilot = sign_up_via_api(stack)
    header, _, signature = pilot.token.split(".")
    payload = {"exp": 1_000_000_000, "preferred_username": pilot.handle}
    stale = ".".join([header, base64url(json.dumps(payload).encode()), signature])
    with stack.browser() as client:
        client.cookies.set(COOKIE, stale)
        response = client.get("/devices")
        assert response.headers["location"] == (
            "/auth/login?next=%2Fdevices&notice=session_expired"
        )
        page = client.get(response.headers["location"])
    assert "Your session ended. Log in again to carry on." in page.text
    assert 'name="next" value="/devices"' in page.text


def base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
