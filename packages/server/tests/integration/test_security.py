"""Attacks on tokens and on the auth routes, on both backends: forged and stale JWTs,
revoked devices, pairing-code reuse and expiry, and per-IP and global rate limits."""

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network
from types import SimpleNamespace
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from starstats_server.app import create_app
from starstats_server.auth.tokens import TokenService
from starstats_server.clock import ManualClock
from starstats_server.ratelimit import Limit
from starstats_server.services import pairing
from starstats_server.settings import Settings
from starstats_server.state import AppState

MakeUser = Callable[..., Any]
PASSWORD = "correct horse battery staple"


def _state(client: TestClient) -> AppState:
    state: AppState = client.app.state.starstats  # type: ignore[attr-defined]
    return state


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _claims(state: AppState, user_id: uuid.UUID, handle: str) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    return {
        "sub": str(user_id),
        "iss": state.tokens.issuer,
        "aud": state.tokens.audience,
        "iat": now,
        "exp": now + 3600,
        "preferred_username": handle,
        "token_type": "user",
    }


def _me(client: TestClient, token: str) -> Any:
    return client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def _refused(response: Any, detail_start: str) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "unauthorized"
    assert body["detail"].startswith(detail_start), body["detail"]


def test_a_well_formed_token_is_accepted(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Pilot")
    assert _me(client, user.token).status_code == 200


def test_alg_none_is_refused(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Pilot")
    state = _state(client)
    header = {"alg": "none", "typ": "JWT", "kid": state.tokens.key.kid}
    token = f"{_segment(header)}.{_segment(_claims(state, user.id, user.handle))}."
    _refused(_me(client, token), "token uses unsupported algorithm")


def test_hs256_signed_with_the_public_key_is_refused(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Pilot")
    state = _state(client)
    header = {"alg": "HS256", "typ": "JWT", "kid": state.tokens.key.kid}
    signing_input = f"{_segment(header)}.{_segment(_claims(state, user.id, user.handle))}"
    mac = hmac.new(state.tokens.key.public_pem(), signing_input.encode(), hashlib.sha256)
    _refused(_me(client, f"{signing_input}.{_b64(mac.digest())}"), "token uses unsupported")


def test_an_unknown_kid_is_refused(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Pilot")
    state = _state(client)
    token = jwt.encode(
        _claims(state, user.id, user.handle),
        state.tokens.key.private,
        algorithm="RS256",
        headers={"kid": "000000000000"},
    )
    _refused(_me(client, token), "token references unknown signing key")


def test_our_kid_on_another_keys_signature_is_refused(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Pilot")
    state = _state(client)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(
        _claims(state, user.id, user.handle),
        other,
        algorithm="RS256",
        headers={"kid": state.tokens.key.kid},
    )
    _refused(_me(client, token), "token rejected: Signature verification failed")


@pytest.mark.parametrize(
    ("issuer", "audience", "detail"),
    [
        ("http://evil.example", None, "token rejected: Invalid issuer"),
        (None, "someone-else", "token rejected: Audience doesn't match"),
    ],
)
def test_wrong_issuer_or_audience_is_refused(
    client: TestClient,
    make_user: MakeUser,
    issuer: str | None,
    audience: str | None,
    detail: str,
) -> None:
    user = make_user("Pilot")
    state = _state(client)
    service = TokenService(
        state.tokens.key, issuer or state.tokens.issuer, audience or state.tokens.audience
    )
    token, _ = service.mint(user.id, user.handle, datetime.now(UTC))
    _refused(_me(client, token), detail)


def test_expiry_allows_60_seconds_of_clock_skew_and_no_more(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Pilot")
    tokens = _state(client).tokens
    now = datetime.now(UTC)
    just_expired, _ = tokens.mint(user.id, user.handle, now - timedelta(hours=1, seconds=30))
    long_expired, _ = tokens.mint(user.id, user.handle, now - timedelta(hours=1, seconds=120))
    assert _me(client, just_expired).status_code == 200
    _refused(_me(client, long_expired), "token rejected: Signature has expired")


@pytest.mark.parametrize(
    "token", ["garbage", "a.b.c", "a.b", "....", "eyJhbGciOiJSUzI1NiJ9.e30.", "%%%", "x" * 5000]
)
def test_garbage_tokens_are_refused(client: TestClient, token: str) -> None:
    _refused(_me(client, token), "token")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"Authorization": "Basic x"}],
)
def test_a_missing_or_non_bearer_authorization_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get("/v1/auth/me", headers=headers)
    _refused(response, "missing or malformed bearer token")
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_token_verifies_with_only_the_published_jwks(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Pilot")
    (published,) = client.get("/.well-known/jwks.json").json()["keys"]
    assert jwt.get_unverified_header(user.token)["kid"] == published["kid"]
    key = jwt.PyJWK(published)
    claims = jwt.decode(
        user.token,
        key.key,
        algorithms=[published["alg"]],
        audience="starstats",
        issuer="http://testserver",
    )
    assert claims["sub"] == str(user.id)
    assert claims["preferred_username"] == "Pilot"


def _pair(client: TestClient, user: Any) -> dict[str, Any]:
    code = client.post("/v1/auth/devices/start", json={}, headers=user.headers).json()["code"]
    body: dict[str, Any] = client.post("/v1/auth/devices/redeem", json={"code": code}).json()
    return body


def test_a_revoked_device_token_is_refused(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Pilot")
    paired = _pair(client, user)
    assert _me(client, paired["token"]).status_code == 200
    client.delete(f"/v1/auth/devices/{paired['device_id']}", headers=user.headers)
    _refused(_me(client, paired["token"]), "token rejected: device revoked")


def test_a_device_token_for_a_device_that_never_existed_is_refused(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Pilot")
    token, _ = _state(client).tokens.mint(
        user.id, user.handle, datetime.now(UTC), device_id=uuid.uuid4()
    )
    _refused(_me(client, token), "token rejected: device revoked")


def test_a_pairing_code_cannot_be_reused_or_used_late(
    client: TestClient, make_user: MakeUser, clock: ManualClock
) -> None:
    user = make_user("Pilot")
    used = client.post("/v1/auth/devices/start", json={}, headers=user.headers).json()["code"]
    unused = client.post("/v1/auth/devices/start", json={}, headers=user.headers).json()["code"]
    assert client.post("/v1/auth/devices/redeem", json={"code": used}).status_code == 200
    assert client.post("/v1/auth/devices/redeem", json={"code": used}).status_code == 409
    clock.advance(timedelta(minutes=10, seconds=1))
    assert client.post("/v1/auth/devices/redeem", json={"code": unused}).status_code == 410
    assert client.post("/v1/auth/devices/redeem", json={"code": used}).status_code == 409


# --- rate limits ------------------------------------------------------------------------

LIMIT = 3


@pytest.fixture
def limited_client(settings: Settings, clock: ManualClock) -> Iterator[TestClient]:
    """An app with small per-IP limits that trusts X-Forwarded-For (as behind a proxy)."""
    app = create_app(
        settings.model_copy(
            update={
                "auth_rate_per_minute": LIMIT,
                "redeem_rate_per_minute": LIMIT,
                "trust_forwarded_for": True,
            }
        ),
        clock=clock,
    )
    with TestClient(app) as test_client:
        yield test_client


def _from(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": f"{ip}, 10.0.0.1"}


def _assert_rate_limited(response: Any) -> None:
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
    assert response.json()["detail"]
    assert 1 <= int(response.headers["retry-after"]) <= 60


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/auth/signup", {"email": "bad", "password": PASSWORD, "claimed_handle": "P"}),
        ("/v1/auth/login", {"email": "nobody@example.com", "password": PASSWORD}),
        ("/v1/auth/devices/redeem", {"code": "ABCDEFGH"}),
    ],
)
def test_the_request_over_the_per_ip_limit_gets_429_and_other_ips_do_not(
    limited_client: TestClient, path: str, body: dict[str, str]
) -> None:
    for _ in range(LIMIT):
        assert limited_client.post(path, json=body, headers=_from("203.0.113.7")).status_code != 429
    _assert_rate_limited(limited_client.post(path, json=body, headers=_from("203.0.113.7")))
    assert limited_client.post(path, json=body, headers=_from("198.51.100.2")).status_code != 429


def test_rate_limited_attempts_are_counted_in_metrics(limited_client: TestClient) -> None:
    body = {"email": "nobody@example.com", "password": PASSWORD}
    for _ in range(LIMIT + 2):
        limited_client.post("/v1/auth/login", json=body, headers=_from("203.0.113.7"))
    text = limited_client.get("/metrics").text
    assert 'starstats_auth_attempts_total{action="login",outcome="rejected"} 3.0' in text
    assert 'starstats_auth_attempts_total{action="login",outcome="rate_limited"} 2.0' in text


def test_email_resend_is_rate_limited_per_ip(limited_client: TestClient) -> None:
    # Without a token each call is a 401, but it still counts against the address.
    for _ in range(LIMIT):
        assert limited_client.post("/v1/auth/email/resend").status_code == 401
    _assert_rate_limited(limited_client.post("/v1/auth/email/resend"))


def test_forwarded_for_is_ignored_unless_trusted(client: TestClient) -> None:
    body = {"code": "ABCDEFGH"}
    per_minute = _state(client).settings.redeem_rate_per_minute
    for n in range(per_minute):
        # A new spoofed address each time: all count against the real peer.
        response = client.post("/v1/auth/devices/redeem", json=body, headers=_from(f"10.1.0.{n}"))
        assert response.status_code == 404
    _assert_rate_limited(
        client.post("/v1/auth/devices/redeem", json=body, headers=_from("10.2.0.1"))
    )


def test_failed_redeems_are_capped_across_all_ips(
    limited_client: TestClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pairing, "_FAILED_REDEEMS", Limit("failed_redeem", 2))
    user = make_user("Pilot")  # same database; the session key signs for both apps
    start = limited_client.post("/v1/auth/devices/start", json={}, headers=user.headers)
    live_code = start.json()["code"]
    for n in range(2):
        response = limited_client.post(
            "/v1/auth/devices/redeem", json={"code": "ABCDEFGH"}, headers=_from(f"192.0.2.{n}")
        )
        assert response.status_code == 404
    # Malformed codes never reach the database, so they do not spend the shared budget...
    response = limited_client.post(
        "/v1/auth/devices/redeem", json={"code": "short"}, headers=_from("192.0.2.50")
    )
    assert response.status_code == 400
    # ...but once it is spent, even a fresh address with a live code is turned away: letting
    # a right guess through would make the cap useless.
    _assert_rate_limited(
        limited_client.post(
            "/v1/auth/devices/redeem", json={"code": live_code}, headers=_from("192.0.2.99")
        )
    )
    text = limited_client.get("/metrics").text
    assert 'starstats_auth_attempts_total{action="redeem",outcome="rate_limited"} 1.0' in text


# --- which address a request is counted against ------------------------------------------------
def _address(peer: str, forwarded: str | None, **settings: Any) -> str:
    from starlette.requests import Request

    from starstats_server.api.deps import client_address

    headers = [] if forwarded is None else [(b"x-forwarded-for", forwarded.encode())]
    request = Request({"type": "http", "headers": headers, "client": (peer, 5000)})
    state = SimpleNamespace(settings=Settings(**settings))
    return client_address(request, state)  # type: ignore[arg-type]


def test_a_forwarded_address_counts_only_from_a_trusted_proxy() -> None:
    proxies = "10.0.0.0/8, 127.0.0.1"
    # Nobody trusted: the header is the client's own claim and is ignored.
    assert _address("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    # The web app (trusted) forwards the browser's address.
    assert _address("127.0.0.1", "198.51.100.1", trusted_proxies=proxies) == "198.51.100.1"
    # A client sending its own header through the proxy chain cannot pick its address: the
    # rightmost untrusted hop (what our proxy saw) wins, not the leftmost (what it claimed).
    chain = "1.2.3.4, 198.51.100.1, 10.1.2.3"
    assert _address("10.0.0.5", chain, trusted_proxies=proxies) == "198.51.100.1"
    # A direct caller outside the list: its header is ignored.
    assert _address("203.0.113.9", "1.2.3.4", trusted_proxies=proxies) == "203.0.113.9"
    # A trusted proxy with no header is itself the client; garbage hops are not trusted.
    assert _address("127.0.0.1", None, trusted_proxies=proxies) == "127.0.0.1"
    assert _address("127.0.0.1", "not-an-ip", trusted_proxies=proxies) == "not-an-ip"
    # IPv6 networks work too.
    assert _address("::1", "2001:db8::7", trusted_proxies="::1/128") == "2001:db8::7"


def test_trusted_proxies_is_a_comma_separated_list_and_a_bad_one_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from starstats_server.errors import SettingsError
    from starstats_server.settings import load_settings

    monkeypatch.setenv("STARSTATS_TRUSTED_PROXIES", "10.0.0.0/8, ::1")
    assert [str(n) for n in load_settings().trusted_proxies] == ["10.0.0.0/8", "::1/128"]
    monkeypatch.setenv("STARSTATS_TRUSTED_PROXIES", "10.0.0.300")
    with pytest.raises(SettingsError, match="STARSTATS_TRUSTED_PROXIES"):
        load_settings()


def test_over_real_http_a_trusted_web_server_gets_a_budget_per_browser(
    settings: Settings, uvicorn_thread: Any
) -> None:
    """uvicorn on loopback, the API trusting 127.0.0.1 (where the web app runs)."""
    app = create_app(
        settings.model_copy(
            update={"auth_rate_per_minute": 2, "trusted_proxies": [ip_network("127.0.0.1")]}
        )
    )
    server = uvicorn_thread(app).start()
    body = {"email": "nobody@example.com", "password": PASSWORD}
    try:
        with httpx.Client(base_url=server.url) as http:
            for _ in range(2):
                assert (
                    http.post(
                        "/v1/auth/login", json=body, headers={"X-Forwarded-For": "198.51.100.1"}
                    ).status_code
                    == 401
                )
            assert (
                http.post(
                    "/v1/auth/login", json=body, headers={"X-Forwarded-For": "198.51.100.1"}
                ).status_code
                == 429
            )
            assert (
                http.post(
                    "/v1/auth/login", json=body, headers={"X-Forwarded-For": "198.51.100.2"}
                ).status_code
                == 401
            )
    finally:
        server.stop()
