"""`GET /v1/me/*`: the caller's own events, summary, timeline and sessions.

Any valid token may read (user or device, as upstream): a paired client showing the player's
own stats needs no user login, and a device token only ever sees its owner's handle.
"""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from starstats_server.api.deps import AnyPrincipal, State
from starstats_server.api.errors import error_responses
from starstats_server.services import history
from starstats_server.services.envelopes import MAX_BIGINT, RFC3339

router = APIRouter(prefix="/v1/me", tags=["history"])


def _rfc3339_text(value: object) -> object:
    # Without this, pydantic would also read "1700000000" or "0.5" as a Unix time.
    if isinstance(value, str) and RFC3339.fullmatch(value) is None:
        raise ValueError("must be an RFC 3339 date-time with an offset")
    return value


def _in_utc(value: dt.datetime) -> dt.datetime:
    # `0001-01-01T00:30:00+01:00` is a valid RFC 3339 text but has no UTC form to compare.
    try:
        return value.astimezone(dt.UTC)
    except OverflowError as err:
        raise ValueError("must be an instant between years 1 and 9999 in UTC") from err


Seq = Annotated[int, Field(ge=0, le=MAX_BIGINT)]
Rfc3339 = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_in_utc)]


class _Params(BaseModel):
    """Query parameters: an unknown one is refused (422) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class EventsParams(_Params):
    before_seq: Seq | None = Field(None, description="Only events older than this seq.")
    after_seq: Seq | None = Field(None, description="Only events newer than this seq.")
    event_type: str | None = Field(None, description="[a-z0-9_]{1,64}, else 400.")
    since: Rfc3339 | None = Field(None, description="event_timestamp >= since (RFC 3339).")
    until: Rfc3339 | None = Field(None, description="event_timestamp < until (RFC 3339).")
    limit: int = Field(100, ge=1, le=500)


class TimelineParams(_Params):
    days: int = Field(30, description="1..366, else 400 invalid_days.")


class SessionsParams(_Params):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=100_000)


class _Out(BaseModel):
    """Response bodies read straight from the services' result dataclasses."""

    model_config = ConfigDict(from_attributes=True)


class EventOut(_Out):
    seq: int
    event_type: str
    event_timestamp: dt.datetime | None
    log_source: str
    source_offset: int
    payload: dict[str, Any] | None


class EventPageOut(_Out):
    events: list[EventOut]
    next_after: int | None = Field(
        description="Pass as after_seq to read what is newer than this page."
    )
    next_before: int | None = Field(
        description="Pass as before_seq for the next, older page; null when there is none."
    )


class TypeCountOut(_Out):
    event_type: str
    count: int


class SummaryOut(_Out):
    claimed_handle: str
    total: int
    by_type: list[TypeCountOut]


class DayCountOut(_Out):
    date: dt.date
    count: int


class TimelineOut(_Out):
    days: int
    buckets: list[DayCountOut]


class SessionOut(_Out):
    start_at: dt.datetime
    end_at: dt.datetime
    duration_seconds: int
    event_count: int
    game_version: str | None
    shard: str | None = Field(description="The first shard joined in the session.")
    ships: list[str] = Field(description="Vehicles flown in the session, in order of first use.")


class SessionListOut(_Out):
    sessions: list[SessionOut]


@router.get(
    "/events",
    response_model=EventPageOut,
    responses=error_responses(400, 401),
    summary="A page of my events",
)
async def list_events(
    state: State, principal: AnyPrincipal, params: Annotated[EventsParams, Query()]
) -> EventPageOut:
    """Newest first; oldest first when reading forward with `after_seq`. 400
    `conflicting_cursors` (both cursors), `invalid_event_type`; a `limit` outside 1..500 or a
    timestamp without an offset is 422."""
    filters = history.EventFilter(**params.model_dump())
    page = await history.list_events(state, principal.handle, filters)
    return EventPageOut.model_validate(page)


@router.get(
    "/summary",
    response_model=SummaryOut,
    responses=error_responses(401),
    summary="My event counts by type",
)
async def summary(state: State, principal: AnyPrincipal) -> SummaryOut:
    """Total and per-type counts, most frequent first. (SpiceDB is asked too, in advisory
    mode: the answer is counted, never enforced, on a player's own stats.)"""
    return SummaryOut.model_validate(await history.own_summary(state, principal.handle))


@router.get(
    "/timeline",
    response_model=TimelineOut,
    responses=error_responses(400, 401),
    summary="My events per day",
)
async def timeline(
    state: State, principal: AnyPrincipal, params: Annotated[TimelineParams, Query()]
) -> TimelineOut:
    """Exactly `days` UTC days ending today, oldest first, zero-filled. 400 `invalid_days`."""
    return TimelineOut.model_validate(await history.timeline(state, principal.handle, params.days))


@router.get(
    "/sessions",
    response_model=SessionListOut,
    responses=error_responses(401),
    summary="My game sessions",
)
async def sessions(
    state: State, principal: AnyPrincipal, params: Annotated[SessionsParams, Query()]
) -> SessionListOut:
    """Newest first: from each launch's `session_started` to its `session_end`, else runs of
    events split by gaps over 30 minutes. `shard` is the first shard joined, `ships` the
    vehicles flown (control seat, ship spawns, quantum navigation) in order of first use."""
    found = await history.sessions(state, principal.handle, params.limit, params.offset)
    return SessionListOut(sessions=[SessionOut.model_validate(s) for s in found])
