"""An ASGI middleware that refuses oversized request bodies with 413 before they are read
into memory (by Content-Length when given, else while streaming)."""

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from starstats_core.wire import MAX_BATCH_BYTES
from starstats_server.metrics import BatchRejection

DEFAULT_BODY_LIMIT = 64 * 1024


def body_limit_for(path: str) -> int:
    """Ingest carries batches of up to 4 MiB; every other route takes small JSON."""
    return MAX_BATCH_BYTES if path == "/v1/ingest" else DEFAULT_BODY_LIMIT


class _TooLarge(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int] = body_limit_for) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _reply_413(scope, send, limit)
                return
        seen = 0
        too_large = False
        replied = False

        async def counted_receive() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # FastAPI turns any error while reading the body into its own 400; once we know
            # the body was too large, that response is replaced by our 413.
            nonlocal replied
            if not too_large:
                await send(message)
            elif not replied:
                replied = True
                await _reply_413(scope, send, limit)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except _TooLarge:
            if not replied:
                await _reply_413(scope, send, limit)


async def _reply_413(scope: Scope, send: Send, limit: int) -> None:
    if scope["path"] == "/v1/ingest":
        # Starlette puts the app in the scope before any middleware runs.
        app = scope.get("app")
        state = getattr(getattr(app, "state", None), "starstats", None)
        if state is not None:
            state.metrics.batches_rejected.labels(reason=BatchRejection.TOO_LARGE.value).inc()
    body = json.dumps(
        {"error": "payload_too_large", "detail": f"request body exceeds {limit} bytes"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
