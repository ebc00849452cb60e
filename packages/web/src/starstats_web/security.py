"""An ASGI middleware that puts the security headers on every response, marks pages as
private (never cached) and content-hashed static files as immutable, caps request bodies
(every form here is tiny), records when the request arrived (for the page timing), and sets
the CSRF cookie when a page minted a new browser value."""

import time
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from starstats_web.csrf import COOKIE_MAX_AGE, CsrfGuard, minted_value

# No inline script or style anywhere: scripts and styles come from /static, charts are SVG
# drawn with presentation attributes. Forms may only post back to this site.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

_ALWAYS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
STARTED_KEY = "started_at"  # scope["state"]: perf_counter() when the request arrived
TOO_LARGE_KEY = "body_too_large"  # scope["state"]: the body was refused unread
MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    """A request body over `MAX_BODY_BYTES` (the app answers 413)."""


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, guard: CsrfGuard, *, secure: bool) -> None:
        self.app = app
        self.guard = guard
        self.fixed = dict(_ALWAYS)
        if secure:
            self.fixed["strict-transport-security"] = "max-age=31536000"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[STARTED_KEY] = time.perf_counter()
        versioned = scope["path"].startswith("/static/") and b"v=" in scope["query_string"]
        seen = 0
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            # Not read at all; the page's CSRF check sees the flag and answers 413.
            state[TOO_LARGE_KEY] = True
            receive = _no_body

        async def capped_receive() -> Message:
            # Counted as it streams, so a body without Content-Length is capped as well (the
            # framework reports that one as an unreadable form, 400).
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY_BYTES:
                    raise BodyTooLarge
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.fixed.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    # Pages show one player's data: never keep them in a shared cache.
                    headers["cache-control"] = "no-store"
                elif versioned and message["status"] == 200:
                    # `?v=` is the file's content hash (render.py): a change is a new URL.
                    headers["cache-control"] = "public, max-age=31536000, immutable"
                minted = minted_value(state)
                if minted is not None:
                    for cookie in _cookie_lines(self.guard, minted):
                        headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, capped_receive, with_headers)


def _cookie_lines(guard: CsrfGuard, value: str) -> Iterable[str]:
    # Let Starlette format the cookie so its quoting rules match the session cookie's.
    carrier = Response()
    carrier.set_cookie(
        guard.cookie,
        value,
        max_age=COOKIE_MAX_AGE,
        path="/",
        secure=guard.secure,
        httponly=True,
        samesite="lax",
    )
    return [v.decode("latin-1") for k, v in carrier.raw_headers if k == b"set-cookie"]
