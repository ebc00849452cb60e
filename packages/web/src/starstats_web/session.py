"""The browser session: the API's user JWT in the `starstats_session` cookie.

HttpOnly (page scripts never see the token), SameSite=Lax (not sent on cross-site posts),
Secure unless `STARSTATS_COOKIE_SECURE=false` (local http), Path=/, and Max-Age equal to the
token's remaining lifetime. The claims are read without verifying the signature, only to
size the cookie and greet the user: the API verifies the token on every call.
"""

import base64
import binascii
import json
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "starstats_session"


@dataclass(frozen=True)
class TokenView:
    """What the unverified payload says; trusted for display only."""

    handle: str
    expires_at: int  # Unix seconds


def read_claims(token: str) -> dict[str, Any] | None:
    """The JWT's payload as a dict, unverified; None when it is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def view_of(token: str) -> TokenView | None:
    claims = read_claims(token)
    if claims is None:
        return None
    expires = claims.get("exp")
    handle = claims.get("preferred_username")
    if not isinstance(expires, int) or not isinstance(handle, str):
        return None
    return TokenView(handle=handle, expires_at=expires)


def session_token(request: Request, now: float | None = None) -> str | None:
    """The cookie's token while its own `exp` has not passed (an expired one would only earn
    a 401 from the API), else None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    view = view_of(token)
    if view is None or view.expires_at <= (time.time() if now is None else now):
        return None
    return token


def set_session(response: Response, token: str, *, secure: bool, now: float | None = None) -> None:
    """Store `token` for exactly as long as it is valid."""
    view = view_of(token)
    if view is None:
        raise ValueError("the API returned a token that is not a JWT")
    max_age = max(0, view.expires_at - int(time.time() if now is None else now))
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session(response: Response, *, secure: bool) -> None:
    response.delete_cookie(COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
