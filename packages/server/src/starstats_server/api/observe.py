"""Per-request observation: RED metrics by route template, the in-flight gauge, a request id
and one access log line. A pure ASGI middleware, so streaming bodies are untouched.

The route label is the matched template (`/v1/u/{handle}/summary`), never the raw path, and
unmatched paths share one `unmatched` label: a scanner walking random URLs cannot grow the
series count. Methods outside the standard set are `_OTHER` (OpenTelemetry's convention).
"""

import functools
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from starstats_core.logline import request_id
from starstats_server.metrics import Metrics

access = logging.getLogger("starstats_server.access")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A caller's own request id is kept when it is a short token (a proxy's, the web app's);
# anything else could smuggle text into our logs, so it is replaced.
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


_CONVERTER = re.compile(r"\{(\w+):[^}]+\}")


@functools.cache  # one entry per route of the app: bounded
def _template(path: str) -> str:
    """`/v1/auth/devices/{device_id:uuid}` → `/v1/auth/devices/{device_id}` (as OpenAPI and
    OpenTelemetry's `http.route` write it)."""
    return _CONVERTER.sub(r"{\1}", path)


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return _template(path) if isinstance(path, str) else "unmatched"


class ObserveMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in _METHODS else "_OTHER"
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500  # what the client sees if the app dies before answering
        active = self.metrics.http_active.labels(method)
        active.inc()
        started = time.perf_counter()

        async def tagged_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, tagged_send)
        finally:
            elapsed = time.perf_counter() - started
            active.dec()
            route = route_of(scope)
            self.metrics.http_duration.labels(method, route, str(status)).observe(elapsed)
            access.info(
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
