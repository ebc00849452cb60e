"""`POST /v1/ingest`: a batch of events from a player's client (user or device token).

The body is read by the route, not declared as a FastAPI body parameter: FastAPI parses a
declared body before it resolves dependencies, and ingest must refuse a missing or bad token
before it looks at the body (upstream does too). The schema is still published in OpenAPI.
"""

from typing import Any

from fastapi import APIRouter, Request
from starlette.requests import ClientDisconnect

from starstats_core.wire import IngestBatch, IngestResponse
from starstats_server.api.deps import AnyPrincipal, State
from starstats_server.api.errors import error_responses
from starstats_server.errors import BadRequest
from starstats_server.services import ingest as ingest_service

router = APIRouter(tags=["ingest"])


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its local `$defs` references replaced by the definitions (the wire models
    are not recursive), so it can sit in the operation without touching `components`."""
    definitions: dict[str, Any] = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


_REQUEST_BODY = {
    "required": True,
    "content": {"application/json": {"schema": _inlined(IngestBatch.model_json_schema())}},
}


@router.post(
    "/v1/ingest",
    response_model=IngestResponse,
    responses=error_responses(400, 401, 403, 413),
    openapi_extra={"requestBody": _REQUEST_BODY},
    summary="Store a batch of events",
)
async def ingest(request: Request, state: State, principal: AnyPrincipal) -> IngestResponse:
    """Store up to 1,000 envelopes for the token's handle. Each envelope is `accepted` (new),
    `duplicate` (its idempotency key is already stored) or `rejected` (invalid: quarantined
    with its problems). Refusals of the whole batch: 400 `malformed_json`,
    `unsupported_schema_version`, `missing_claimed_handle`; 403 `handle_mismatch`; 413
    `too_many_events` or a body over 4 MiB; 422 `invalid_request`."""
    try:
        body = await request.body()
    except ClientDisconnect:
        # Nobody will read the answer; a 400 keeps a dropped upload out of the error log.
        raise BadRequest("incomplete_body", "the client went away mid-body") from None
    return await ingest_service.ingest(state, principal, body)
