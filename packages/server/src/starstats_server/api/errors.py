"""The one place errors become HTTP: every 4xx/5xx body is `{"error": code, "detail": text}`.

Also `error_responses(...)`, which documents a route's error statuses in OpenAPI so the
committed contract lists every error a client can see.
"""

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from starstats_server.errors import ServiceError, ServiceUnavailable, TooManyRequests

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """Every error response."""

    error: str
    detail: str


def error_body(
    status: int, code: str, detail: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, malformed, expired or revoked token",
    403: "Authenticated but not allowed",
    404: "Not found",
    409: "Conflict with existing state",
    410: "Expired",
    413: "Request body too large",
    422: "Body or parameters do not match the schema",
    429: "Rate limited; see Retry-After",
    503: "The database (or, for sharing, SpiceDB) is unavailable; see Retry-After",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the given error statuses. 422 (any route with parameters or a
    body can return it) and 503 (every such route reads or writes the database) are always
    included."""
    wanted = sorted({*statuses, 422, 503})
    return {s: {"model": ErrorBody, "description": _DESCRIPTIONS[s]} for s in wanted}


_UNPARSEABLE_BODY = "There was an error parsing the body"


def _allowed(request: Request) -> str | None:
    """Every method the contract gives this path. Starlette's own 405 names only the first
    route that matched the path, and FastAPI makes one route per method. Where templates
    overlap (`/devices/start`, `/devices/{id}`) the most literal one is the resource."""
    path = request.url.path
    matches: dict[int, set[str]] = {}
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^/}]+\}", "[^/]+", template), path):
            methods = matches.setdefault(template.count("{"), set())
            methods.update(method.upper() for method in operations)
    return ", ".join(sorted(matches[min(matches)])) if matches else None


def _snake(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "http_error"


def _validation_detail(exc: RequestValidationError) -> tuple[str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return "malformed_json", "request body is not valid JSON"
    parts = []
    for error in errors[:5]:
        loc = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{loc or 'body'}: {error.get('msg', 'invalid')}")
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return "invalid_request", "; ".join(parts) + more


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception to the JSON error body; nothing internal leaks."""

    @app.exception_handler(ServiceError)
    async def _service(_: Request, exc: ServiceError) -> JSONResponse:
        headers = (
            {"Retry-After": str(exc.retry_after)}
            if isinstance(exc, TooManyRequests | ServiceUnavailable)
            else None
        )
        if exc.status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return error_body(exc.status, exc.code, exc.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        code, detail = _validation_detail(exc)
        return error_body(400 if code == "malformed_json" else 422, code, detail)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNPARSEABLE_BODY:
            # FastAPI's answer to a body it cannot decode (not UTF-8): the same code as for
            # broken JSON, so clients handle one "your body is unreadable" case.
            return error_body(400, "malformed_json", "request body is not valid UTF-8 JSON")
        detail = exc.detail if isinstance(exc.detail, str) else _snake(exc.status_code)
        headers = exc.headers
        allowed = _allowed(request) if exc.status_code == 405 else None
        if allowed is not None:  # else Starlette's own (a route outside the contract)
            headers = {**(headers or {}), "Allow": allowed}
        return error_body(exc.status_code, _snake(exc.status_code), detail, headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_body(500, "internal", "internal server error")
