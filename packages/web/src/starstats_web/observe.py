"""Per-request observation of the web app: `http_server_request_duration_seconds` by route
template (the same series name and labels as the API's, under the `starstats-web` job), the
in-flight gauge, a request id passed on to the API, and one access log line per request."""

import functools
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from starstats_core.logline import request_id
from starstats_web.metrics import WebMetrics

access = logging.getLogger("starstats_web.access")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # a proxy's id; anything else is replaced
_CONVERTER = re.compile(r"\{(\w+):[^}]+\}")


@functools.cache  # one entry per route: bounded
def _template(path: str) -> str:
    return _CONVERTER.sub(r"{\1}", path)


def route_of(scope: Scope) -> str:
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return _template(path)
    # Static files are one mount: one label, whatever the file.
    return "/static" if scope.get("path", "").startswith("/static/") else "unmatched"


class ObserveMiddleware:
    def __init__(self, app: ASGIApp, metrics: WebMetrics) -> None:
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
        status = 500
        active = self.metrics.http_active.labels(method)
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
