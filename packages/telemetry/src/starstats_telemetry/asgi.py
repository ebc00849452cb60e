"""Per-request observation for the API and the web app: the request duration histogram by
route template, the in-flight gauge, a request id, and one access log line. A pure ASGI
middleware, so streaming bodies are untouched.

The route label is the matched template (`/v1/u/{handle}/summary`), never the raw path, and
unmatched paths share one `unmatched` label: a scanner walking random URLs cannot grow the
series count. Methods outside the standard set are `_OTHER` (OpenTelemetry's convention).
A caller's own `X-Request-ID` is kept when it is a short token (a proxy's, the web app's);
anything else could smuggle text into the logs, so it is replaced.
"""

import functools
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from starstats_core.logline import request_id

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_CONVERTER = re.compile(r"\{(\w+):[^}]+\}")


class Labelled(Protocol):
    """A Prometheus metric with labels (Histogram, Gauge): what the middleware records."""

    def labels(self, *values: str) -> Any: ...


@functools.cache  # one entry per route of the app: bounded
def _template(path: str) -> str:
    """`/v1/auth/devices/{device_id:uuid}` → `/v1/auth/devices/{device_id}` (as OpenAPI and
    OpenTelemetry's `http.route` write it)."""
    return _CONVERTER.sub(r"{\1}", path)


def route_of(scope: Scope, static_prefix: str | None = None) -> str:
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return _template(path)
    if static_prefix is not None and scope.get("path", "").startswith(static_prefix + "/"):
        return static_prefix  # a static mount: one label, whatever the file
    return "unmatched"


class ObserveMiddleware:
    """`duration` is `http_server_request_duration_seconds{method,route,status}` and `active`
    `http_server_active_requests{method}` of the app's registry; `access` its access logger."""

    def __init__(
        self,
        app: App,
        *,
        duration: Labelled,
        active: Labelled,
        access: logging.Logger,
        static_prefix: str | None = None,
    ) -> None:
        self.app = app
        self.duration = duration
        self.active = active
        self.access = access
        self.static_prefix = static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in _METHODS else "_OTHER"
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500  # what the client sees if the app dies before answering
        active = self.active.labels(method)
        active.inc()
        started = time.perf_counter()

        async def tagged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, tagged_send)
        finally:
            elapsed = time.perf_counter() - started
            active.dec()
            route = route_of(scope, self.static_prefix)
            self.duration.labels(method, route, str(status)).observe(elapsed)
            self.access.info(
                "%s %s %d %.1f ms",
                method,
                route,
                status,
                elapsed * 1000,
                extra={
                    "http_method": method,
                    "http_route": route,
                    "http_status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                },
            )
            request_id.reset(token)
