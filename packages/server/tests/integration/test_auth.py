"""Sign-up, login, email verification and the account view, on both backends."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from starstats_server.db.tables import users
from starstats_server.state import AppState

PASSWORD = "correct horse battery staple"


def _state(client: TestClient) -> AppState:
    state: AppState = client.app.state.starstats  # type: ignore[attr-defined]
    return state


def _signup(client: TestClient, **overrides: Any) -> Any:
    body = {"email": "pilot@example.com", "password": PASSWORD, "claimed_handle": "Pilot_One"}
    body.update(overrides)
    return client.post("/v1/auth/signup", json=body)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _error(response: Any) -> str:
    body = response.json()
    assert set(body) == {"error", "detail"}
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return str(body["error"])


def test_signup_returns_a_user_token_for_the_new_account(client: TestClient) -> None:
    response = _signup(client)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "user_id", "claimed_handle", "totp_required"}
    assert body["claimed_handle"] == "Pilot_One"
    assert body["totp_required"] is False
    principal = _state(client).tokens.verify(body["token"])
    assert principal.user_id == uuid.UUID(body["user_id"])
    assert principal.handle == "Pilot_One"
    assert principal.token_type == "user"


def test_me_describes_the_new_unverified_account(client: TestClient) -> None:
    signup = _signup(client, email="  Mixed.Case@Example.COM ", claimed_handle=" Pilot_One ").json()
    response = client.get("/v1/auth/me", headers=_bearer(signup["token"]))
    assert response.status_code == 200
    assert response.json() == {
        "user_id": signup["user_id"],
        "email": "mixed.case@example.com",
        "claimed_handle": "Pilot_One",
        "email_verified": False,
        "pending_email": None,
        "rsi_verified": False,
        "totp_enabled": False,
        "staff_roles": [],
    }


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"email": "no-at-sign.example.com"}, "invalid_email"),
        ({"email": "@example.com"}, "invalid_email"),
        ({"email": "pilot@localhost"}, "invalid_email"),
        ({"email": "pilot@.example.com"}, "invalid_email"),
        ({"email": "pi lot@example.com"}, "invalid_email"),
        ({"email": "a@b.com,victim@example.com"}, "invalid_email"),
        ({"email": "pilot@example.com\r\nBcc: x@example.com"}, "invalid_email"),
        ({"email": "p" * 240 + "@example.com"}, "invalid_email"),
        ({"password": "short"}, "password_too_short"),
        ({"password": "elevenbytes"}, "password_too_short"),
        ({"password": "é" * 600}, "password_too_long"),
        ({"claimed_handle": ""}, "missing_handle"),
        ({"claimed_handle": "   "}, "missing_handle"),
        ({"claimed_handle": "two words"}, "invalid_handle"),
        ({"claimed_handle": "bang!"}, "invalid_handle"),
        ({"claimed_handle": "Pilöt"}, "invalid_handle"),
        ({"claimed_handle": "x" * 65}, "invalid_handle"),
    ],
)
def test_signup_refuses_bad_input_with_a_400_code(
    client: TestClient, overrides: dict[str, str], code: str
) -> None:
    response = _signup(client, **overrides)
    assert response.status_code == 400
    assert _error(response) == code


def test_password_length_counts_bytes_not_characters(client: TestClient) -> None:
    # Six two-byte characters are 12 bytes: long enough.
    assert _signup(client, password="éééééé").status_code == 200


def test_handle_of_64_characters_is_accepted(client: TestClient) -> None:
    assert _signup(client, claimed_handle="A-b_9" * 12 + "abcd").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"email": 123, "password": PASSWORD, "claimed_handle": "Pilot"},
        {"email": "pilot@example.com", "password": True, "claimed_handle": "Pilot"},
        {"email": "pilot@example.com", "password": PASSWORD, "claimed_handle": None},
        {"email": "pilot@example.com", "password": PASSWORD},
        {"email": "pilot@example.com", "password": "x" * 1025, "claimed_handle": "Pilot"},
        {"email": "p" * 300 + "@example.com", "password": PASSWORD, "claimed_handle": "Pilot"},
        [],
    ],
)
def test_signup_refuses_wrong_types_and_shapes_with_422(client: TestClient, body: Any) -> None:
    response = client.post("/v1/auth/signup", json=body)
    assert response.status_code == 422
    assert _error(response) == "invalid_request"


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/v1/auth/signup", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert _error(response) == "malformed_json"


def test_email_is_unique_case_insensitively(client: TestClient) -> None:
    assert _signup(client).status_code == 200
    response = _signup(client, email="PILOT@Example.com", claimed_handle="Other")
    assert response.status_code == 409
    assert _error(response) == "email_taken"


def test_handle_is_unique_case_insensitively(client: TestClient) -> None:
    assert _signup(client).status_code == 200
    response = _signup(client, email="other@example.com", claimed_handle="PILOT_one")
    assert response.status_code == 409
    assert _error(response) == "handle_taken"


@pytest.mark.parametrize(
    ("vary", "code"), [("claimed_handle", "email_taken"), ("email", "handle_taken")]
)
def test_concurrent_signups_for_one_email_or_handle_have_one_winner(
    client: TestClient, vary: str, code: str
) -> None:
    app = client.app

    async def _race() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as ac:
            bodies = [
                {
                    "email": "pilot@example.com",
                    "password": PASSWORD,
                    "claimed_handle": "Pilot",
                    vary: f"n{n}@example.com" if vary == "email" else f"Pilot{n}",
                }
                for n in range(4)
            ]
            return await asyncio.gather(*(ac.post("/v1/auth/signup", json=b) for b in bodies))

    responses = client.portal.call(_race)  # type: ignore[union-attr]
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]
    assert {r.json()["error"] for r in responses if r.status_code == 409} == {code}


def test_login_returns_a_token_for_the_right_password(client: TestClient) -> None:
    signup = _signup(client).json()
    response = client.post(
        "/v1/auth/login", json={"email": " PILOT@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == signup["user_id"]
    assert body["claimed_handle"] == "Pilot_One"
    assert body["totp_required"] is False
    me = client.get("/v1/auth/me", headers=_bearer(body["token"]))
    assert me.json()["user_id"] == signup["user_id"]


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "pilot@example.com", "password": PASSWORD + "!"},
        {"email": "nobody@example.com", "password": PASSWORD},
        {"email": "not an email", "password": ""},
    ],
)
def test_login_gives_the_same_401_for_unknown_email_and_wrong_password(
    client: TestClient, credentials: dict[str, str]
) -> None:
    _signup(client)
    response = client.post("/v1/auth/login", json=credentials)
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_credentials",
        "detail": "email or password is wrong",
    }


def test_login_refuses_wrong_types_with_422(client: TestClient) -> None:
    response = client.post("/v1/auth/login", json={"email": ["a"], "password": 1})
    assert response.status_code == 422


@pytest.mark.parametrize("token", ["", "   ", "0" * 64, "not-a-token"])
def test_email_verify_refuses_unknown_tokens(client: TestClient, token: str) -> None:
    _signup(client)
    response = client.post("/v1/auth/email/verify", json={"token": token})
    assert response.status_code == 400
    assert _error(response) == "invalid_or_expired"


def test_resend_for_a_verified_account_is_a_409(client: TestClient, make_user: Any) -> None:
    user = make_user("Verified", verified=True)
    response = client.post("/v1/auth/email/resend", headers=user.headers)
    assert response.status_code == 409
    assert _error(response) == "already_verified"


def test_resend_needs_a_token(client: TestClient) -> None:
    response = client.post("/v1/auth/email/resend")
    assert response.status_code == 401
    assert _error(response) == "unauthorized"


def test_me_needs_a_token(client: TestClient) -> None:
    response = client.get("/v1/auth/me")
    assert response.status_code == 401
    assert response.json() == {
        "error": "unauthorized",
        "detail": "missing or malformed bearer token",
    }
    assert response.headers["www-authenticate"] == "Bearer"


def _delete_user(client: TestClient, user_id: uuid.UUID) -> None:
    state = _state(client)

    async def _delete() -> None:
        async with state.engine.begin() as conn:
            await conn.execute(sa.delete(users).where(users.c.id == user_id))

    client.portal.call(_delete)  # type: ignore[union-attr]


def test_me_for_a_deleted_account_is_user_not_found(
    client: TestClient, make_user: Callable[..., Any]
) -> None:
    user = make_user("Ghost")
    _delete_user(client, user.id)
    response = client.get("/v1/auth/me", headers=user.headers)
    assert response.status_code == 401
    assert _error(response) == "user_not_found"


def test_resend_for_a_deleted_account_is_user_not_found(
    client: TestClient, make_user: Callable[..., Any]
) -> None:
    user = make_user("Ghost", verified=False)
    _delete_user(client, user.id)
    response = client.post("/v1/auth/email/resend", headers=user.headers)
    assert response.status_code == 401
    assert _error(response) == "user_not_found"


def test_auth_outcomes_are_counted_in_metrics(client: TestClient) -> None:
    _signup(client)
    _signup(client)  # email_taken
    client.post("/v1/auth/login", json={"email": "pilot@example.com", "password": PASSWORD})
    client.post("/v1/auth/login", json={"email": "pilot@example.com", "password": "wrong" * 3})
    text = client.get("/metrics").text
    assert 'starstats_auth_attempts_total{action="signup",outcome="ok"} 1.0' in text
    assert 'starstats_auth_attempts_total{action="signup",outcome="rejected"} 1.0' in text
    assert 'starstats_auth_attempts_total{action="login",outcome="ok"} 1.0' in text
    assert 'starstats_auth_attempts_total{action="login",outcome="rejected"} 1.0' in text


@pytest.mark.parametrize("path", ["/v1/auth/signup", "/v1/auth/login"])
def test_lone_surrogates_are_refused_as_schema_errors(client: TestClient, path: str) -> None:
    body = b'{"email": "a@example.com", "password": "\\ud800 twelve bytes", "claimed_handle": "P"}'
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert _error(response) == "invalid_request"


def test_nul_characters_never_reach_the_database(client: TestClient) -> None:
    # PostgreSQL text cannot hold NUL; these must be refused before any query.
    login = client.post("/v1/auth/login", json={"email": "a\x00@example.com", "password": "x"})
    assert login.status_code == 401
    verify = client.post("/v1/auth/email/verify", json={"token": "ab\x00cd"})
    assert verify.status_code == 400
    signup = _signup(client, email="pilot\x00@example.com")
    assert _error(signup) == "invalid_email"


def test_logout_revokes_that_token_only_and_is_audited(
    client: TestClient, make_user: Callable[..., Any], app: FastAPI
) -> None:
    user = make_user("Leaver")
    state = app.state.starstats
    other, _ = state.tokens.mint(user.id, user.handle, state.clock.now())  # a second session
    assert client.post("/v1/auth/logout", headers=user.headers).status_code == 204
    refused = client.get("/v1/auth/me", headers=user.headers)
    assert refused.status_code == 401
    assert refused.json()["error"] == "unauthorized"
    assert client.post("/v1/auth/logout", headers=user.headers).status_code == 401
    assert (
        client.get("/v1/auth/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    )
    audit = client.get("/v1/me/audit", headers={"Authorization": f"Bearer {other}"}).json()
    assert [e["action"] for e in audit["entries"]].count("user.logged_out") == 1


def test_a_device_token_cannot_log_out(client: TestClient, make_user: Callable[..., Any]) -> None:
    user = make_user("Pilot")
    code = client.post("/v1/auth/devices/start", json={"label": "pc"}, headers=user.headers)
    device = client.post("/v1/auth/devices/redeem", json={"code": code.json()["code"]}).json()
    headers = {"Authorization": f"Bearer {device['token']}"}
    assert client.post("/v1/auth/logout", headers=headers).status_code == 403
    assert client.get("/v1/auth/me", headers=headers).status_code == 200
