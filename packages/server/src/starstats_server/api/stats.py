"""`GET /v1/me/stats` and `GET /v1/me/timeline/types`: the dashboard's stat strip and its
per-day chart by event type, read from the rollups (services/stats.py).

Any valid token may read, as for the rest of `/v1/me/*`.
"""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from starstats_server.api.deps import AnyPrincipal, State
from starstats_server.api.errors import error_responses
from starstats_server.api.history import TypeCountOut
from starstats_server.services import stats

router = APIRouter(prefix="/v1/me", tags=["stats"])


class TypeTimelineParams(BaseModel):
    """Query parameters: an unknown one is refused (422) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")

    days: int = Field(30, description="1..366, else 400 invalid_days.")
    top: int = Field(
        8,
        ge=1,
        le=stats.MAX_TOP_TYPES,
        description="How many of the window's most frequent types to list; the rest is `other`.",
    )


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class StatsOverviewOut(_Out):
    total_events: int
    sessions: int = Field(description="Game sessions (GET /v1/me/sessions counts the same way).")
    play_time_seconds: int = Field(description="Summed session durations, whole seconds.")
    active_days: int = Field(description="UTC days with at least one timed event.")
    deaths: int = Field(description="Logged deaths plus deaths_inferred.")
    deaths_inferred: int = Field(
        description="Deaths inferred from 4.4+ logs (the 'Incapacitated:' banner), which have "
        "no death lines; included in `deaths`."
    )
    kills: int | None = Field(
        description="Kills from 3.24-4.3 kill lines; null when the player's logs carry none "
        "(the game stopped logging kills in 4.4)."
    )
    kills_logged: bool = Field(
        description="True when kill lines are stored or a launch ran a version that writes them."
    )
    ships_flown: int = Field(description="Distinct vehicles the player controlled or navigated.")
    locations_visited: int = Field(description="Distinct places whose inventory was opened.")
    shards_joined: int
    first_event_at: dt.datetime | None
    last_event_at: dt.datetime | None


class TypeDayOut(_Out):
    date: dt.date
    total: int
    by_type: list[TypeCountOut] = Field(
        description="Counts of the listed `types` on this day, in their order; zeros omitted."
    )
    other: int = Field(description="Events of all other types on this day.")


class TypeTimelineOut(_Out):
    days: int
    types: list[str] = Field(description="The window's most frequent types, most frequent first.")
    buckets: list[TypeDayOut]


@router.get(
    "/stats",
    response_model=StatsOverviewOut,
    responses=error_responses(401),
    summary="My stats overview",
)
async def overview(state: State, principal: AnyPrincipal) -> StatsOverviewOut:
    """The dashboard's stat strip, from rollups kept by ingest (exact, not sampled)."""
    return StatsOverviewOut.model_validate(await stats.overview(state, principal.handle))


@router.get(
    "/timeline/types",
    response_model=TypeTimelineOut,
    responses=error_responses(400, 401),
    summary="My events per day by type",
)
async def timeline_by_type(
    state: State, principal: AnyPrincipal, params: Annotated[TypeTimelineParams, Query()]
) -> TypeTimelineOut:
    """Exactly `days` UTC days ending today, oldest first, zero-filled; each day split into
    the window's `top` most frequent types and `other`. 400 `invalid_days`; `top` outside
    1..64 is 422."""
    found = await stats.timeline_by_type(state, principal.handle, params.days, params.top)
    return TypeTimelineOut.model_validate(found)
