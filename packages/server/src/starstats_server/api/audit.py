"""`GET /v1/me/audit` (the caller's own audit entries, user tokens only) and
`GET /v1/me/ingest-history` (the caller's ingest batches per device, from the audit log;
any token, as the other `/v1/me` reads)."""

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from starstats_server.api.deps import AnyPrincipal, State, UserPrincipal
from starstats_server.api.errors import error_responses
from starstats_server.services import audit
from starstats_server.services.envelopes import MAX_BIGINT

router = APIRouter(prefix="/v1/me", tags=["audit"])


class _Params(BaseModel):
    """Query parameters: an unknown one is refused (422) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class AuditParams(_Params):
    before_seq: int | None = Field(
        None, ge=1, le=MAX_BIGINT, description="Only entries older than this seq."
    )
    limit: int = Field(50, ge=1, le=200)


class IngestHistoryParams(_Params):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=100_000)
    device_id: uuid.UUID | None = Field(None, description="Only batches from this device.")


class _Out(BaseModel):
    """Response bodies read straight from the services' result dataclasses."""

    model_config = ConfigDict(from_attributes=True)


class AuditEntryOut(_Out):
    seq: int = Field(description="Position in the server-wide audit chain")
    occurred_at: dt.datetime
    action: str = Field(description="e.g. user.logged_in, device.paired, ingest.batch_processed")
    actor_handle: str | None
    payload: dict[str, Any]
    row_hash: str = Field(description="SHA-256 of the entry in the chain, lowercase hex")


class AuditPageOut(_Out):
    entries: list[AuditEntryOut]
    next_before: int | None = Field(
        description="Pass as before_seq for the next, older page; null when there is none."
    )


class IngestBatchOut(_Out):
    seq: int
    occurred_at: dt.datetime
    batch_id: str
    game_build: str | None
    device_id: uuid.UUID | None = Field(description="Null for batches sent with a user token")
    total: int
    accepted: int
    duplicate: int
    rejected: int


class IngestHistoryOut(_Out):
    batches: list[IngestBatchOut]


@router.get(
    "/audit",
    response_model=AuditPageOut,
    responses=error_responses(401, 403),
    summary="My audit log entries",
)
async def my_audit(
    state: State, principal: UserPrincipal, params: Annotated[AuditParams, Query()]
) -> AuditPageOut:
    """What the server recorded about my account (sign-up, logins and failed logins, email
    verification, pairing, revocations, ingest batches), newest first."""
    page = await audit.my_entries(state, principal.user_id, params.before_seq, params.limit)
    return AuditPageOut.model_validate(page)


@router.get(
    "/ingest-history",
    response_model=IngestHistoryOut,
    responses=error_responses(401),
    summary="My ingest batches",
)
async def ingest_history(
    state: State, principal: AnyPrincipal, params: Annotated[IngestHistoryParams, Query()]
) -> IngestHistoryOut:
    """Each batch the server processed for me (replays included), newest first, with what
    became of its events."""
    found = await audit.ingest_history(
        state, principal.user_id, params.device_id, params.limit, params.offset
    )
    return IngestHistoryOut(batches=[IngestBatchOut.model_validate(b) for b in found])
