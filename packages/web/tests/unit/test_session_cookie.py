"""The session cookie: flags, lifetime from the token's own `exp`, and tokens that are not
(or no longer) usable are ignored rather than sent to the API."""

import base64
import json
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response

from starstats_web.session import (
    COOKIE,
    clear_session,
    read_claims,
    session_token,
    set_session,
    view_of,
)

NOW = 1_800_000_000


def jwt_with(claims: dict[str, Any]) -> str:
    """A token shaped like the API's (header.payload.signature); the signature is never
    checked here, only by the API."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'kid': 'k'})}.{part(claims)}.c2lnbmF0dXJl"


def request_with(cookie: str | None) -> Request:
    headers = [] if cookie is None else [(b"cookie", f"{COOKIE}={cookie}".encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


def set_cookie_header(response: Response) -> str:
    values = [v.decode() for k, v in response.raw_headers if k == b"set-cookie"]
    assert len(values) == 1
    return values[0]


TOKEN = jwt_with({"exp": NOW + 3600, "preferred_username": "Pilot_One", "sub": "x"})


def test_the_cookie_is_httponly_lax_path_root_and_lives_as_long_as_the_token() -> None:
    response = Response()
    set_session(response, TOKEN, secure=True, now=NOW)
    header = set_cookie_header(response)
    assert header.startswith(f"{COOKIE}={TOKEN};")
    attributes = {a.strip().split("=")[0].lower() for a in header.split(";")[1:]}
    assert {"httponly", "secure", "path", "samesite", "max-age"} <= attributes
    assert "Max-Age=3600" in header
    assert "Path=/" in header
    assert "SameSite=lax" in header


def test_secure_is_left_off_only_when_configured_for_local_http() -> None:
    response = Response()
    set_session(response, TOKEN, secure=False, now=NOW)
    assert "secure" not in set_cookie_header(response).lower()


def test_a_token_with_a_few_minutes_left_gets_a_cookie_of_those_minutes() -> None:
    response = Response()
    set_session(response, TOKEN, secure=True, now=NOW + 3000)
    assert "Max-Age=600" in set_cookie_header(response)


def test_logout_expires_the_cookie_with_the_same_flags() -> None:
    response = Response()
    clear_session(response, secure=True)
    header = set_cookie_header(response)
    assert header.startswith(f'{COOKIE}="";')
    assert "Max-Age=0" in header
    assert "HttpOnly" in header
    assert "Path=/" in header


def test_the_claims_are_read_without_verifying() -> None:
    view = view_of(TOKEN)
    assert view is not None
    assert (view.handle, view.expires_at) == ("Pilot_One", NOW + 3600)


@pytest.mark.parametrize(
    "token", ["", "abc", "a.b", "a.!!!.c", "a.b.c.d", jwt_with({"exp": "soon"}), "x.W10.y"]
)
def test_something_that_is_not_our_jwt_has_no_view(token: str) -> None:
    assert view_of(token) is None


def test_a_payload_that_is_not_an_object_has_no_claims() -> None:
    assert read_claims("x.W10.y") is None  # W10 = base64 of "[]"


def test_the_session_token_is_read_while_it_is_valid() -> None:
    assert session_token(request_with(TOKEN), now=NOW) == TOKEN


def test_an_expired_or_missing_or_garbled_cookie_is_no_session() -> None:
    assert session_token(request_with(TOKEN), now=NOW + 3600) is None
    assert session_token(request_with(None), now=NOW) is None
    assert session_token(request_with("garbage"), now=NOW) is None


def test_a_token_that_is_not_a_jwt_is_refused_before_setting_the_cookie() -> None:
    with pytest.raises(ValueError, match="not a JWT"):
        set_session(Response(), "opaque-token", secure=True)
