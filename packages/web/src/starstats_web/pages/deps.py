"""What page routes depend on: the app state, the session token (or a trip to the login
page), the browser's address, and the CSRF check of a posted form."""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request

from starstats_web.csrf import FIELD
from starstats_web.metrics import AuthAction, AuthOutcome
from starstats_web.security import TOO_LARGE_KEY, BodyTooLarge
from starstats_web.session import COOKIE, session_token
from starstats_web.state import WebState


def get_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


State = Annotated[WebState, Depends(get_state)]


class LoginRequired(Exception):
    """No usable session: send the browser to log in, then back to `next_path`. `expired`:
    there was one (its token ran out), so the login page says so."""

    def __init__(self, next_path: str, *, expired: bool = False) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.expired = expired


class CsrfRefused(Exception):
    """A posted form without a valid token, or from another origin (403)."""


def here(request: Request) -> str:
    """This page's path and query, to come back to after logging in."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def require_token(request: Request) -> str:
    token = session_token(request)
    if token is None:
        had_one = COOKIE in request.cookies
        target = here(request) if request.method == "GET" else "/dashboard"
        raise LoginRequired(target, expired=had_one)
    return token


Token = Annotated[str, Depends(require_token)]


def optional_token(request: Request) -> str | None:
    """The session's token when there is a live one; pages readable signed out use it."""
    return session_token(request)


MaybeToken = Annotated[str | None, Depends(optional_token)]


def browser_address(request: Request) -> str | None:
    """The browser's IP as this server sees it (behind a proxy, run uvicorn with
    `--proxy-headers` so this is the real client); forwarded to the API's rate limits."""
    return request.client.host if request.client else None


ClientIp = Annotated[str | None, Depends(browser_address)]


def csrf_protected(
    action: AuthAction | None = None,
) -> Callable[[Request], Coroutine[Any, Any, None]]:
    """A dependency refusing a posted form that fails the CSRF check (see `csrf.py`)."""

    async def _check(request: Request) -> None:
        state = get_state(request)
        if getattr(request.state, TOO_LARGE_KEY, False):
            raise BodyTooLarge
        form = await request.form()
        submitted = form.get(FIELD)
        reason = state.guard.refusal(request, submitted if isinstance(submitted, str) else None)
        if reason is not None:
            if action is not None:
                state.metrics.record_auth(action, AuthOutcome.CSRF)
            raise CsrfRefused(reason)

    return _check
