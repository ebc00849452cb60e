"""`GET /v1/me/journey*`: the player's journey (docs/journey.md); the same views of another
player under `/v1/u/{handle}/journey*` (signed in, where SpiceDB grants `view`) and
`/v1/public/{handle}/journey*` (public profiles, no token).

Fact models are made from core's fact dataclasses (`starstats_core.journey.facts`), so the
published schema is the fold's own shape.
"""

import dataclasses
import datetime as dt
import typing
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field, create_model

from starstats_core.journey import facts as fact_types
from starstats_server.api.deps import AnyPrincipal, State, UserPrincipal, rate_limit
from starstats_server.api.errors import error_responses
from starstats_server.api.fields import HANDLE_PATTERN
from starstats_server.api.history import Rfc3339
from starstats_server.services import journey, sharing
from starstats_server.state import AppState

router = APIRouter(tags=["journey"])

Handle = Annotated[str, Path(pattern=HANDLE_PATTERN, description="A player's handle")]
SessionId = Annotated[str, Path(min_length=1, max_length=128, description="A session's id")]


# -- fact models, from core's dataclasses ----------------------------------------------------------
def _fact_model(cls: type[fact_types.Fact], nested: dict[Any, Any]) -> type[BaseModel]:
    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {"kind": (Literal[cls.KIND], cls.KIND)}
    for f in dataclasses.fields(cls):
        hint = nested.get(hints[f.name], hints[f.name])
        if f.default_factory is not dataclasses.MISSING:
            fields[f.name] = (hint, Field(default_factory=f.default_factory))
        elif f.default is not dataclasses.MISSING:
            fields[f.name] = (hint, f.default)
        else:
            fields[f.name] = (hint, ...)
    return create_model(f"{cls.__name__}Fact", __config__=ConfigDict(extra="ignore"), **fields)


if typing.TYPE_CHECKING:  # the models are made at run time; mypy sees their base
    StretchFact = BaseModel
    StopFact = BaseModel
    LegFact = BaseModel
    StintFact = BaseModel
    LifeFact = BaseModel
    DeathFact = BaseModel
    KillFact = BaseModel
    TradeFact = BaseModel
    SessionFact = BaseModel
    ContractFact = BaseModel
else:
    StretchFact = _fact_model(fact_types.Stretch, {})
    StopFact = _fact_model(fact_types.Stop, {})
    LegFact = _fact_model(fact_types.Leg, {})
    StintFact = _fact_model(fact_types.Stint, {})
    LifeFact = _fact_model(fact_types.Life, {})
    DeathFact = _fact_model(fact_types.Death, {})
    KillFact = _fact_model(fact_types.Kill, {})
    TradeFact = _fact_model(fact_types.Trade, {})
    SessionFact = _fact_model(fact_types.Session, {list[fact_types.Stretch]: list[StretchFact]})
    ContractFact = _fact_model(fact_types.Contract, {})


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OverviewParams(_Params):
    days: int | None = Field(
        None, description=f"The window: the last 1..{journey.MAX_DAYS} days; absent: all time."
    )


class PageParams(_Params):
    limit: int = Field(20, ge=1, le=500)
    cursor: str | None = Field(None, max_length=512, description="`next_cursor` of a page.")
    since: Rfc3339 | None = Field(None, description="Facts that started at or after (RFC 3339).")
    until: Rfc3339 | None = Field(None, description="Facts that started before (RFC 3339).")

    def page(self) -> journey.Page:
        return journey.Page(self.limit, self.cursor, self.since, self.until)


class TotalsOut(BaseModel):
    sessions: int
    play_seconds: float = Field(description="The game was running.")
    pu_seconds: float = Field(description="In the persistent universe.")
    arena_seconds: float
    menu_seconds: float
    quantum_legs: int = Field(description="Quantum jumps that arrived (not target selections).")
    jumps: int = Field(description="Jump-point transits between systems.")
    ship_seconds: float = Field(description="At a ship's controls.")
    deaths: int = Field(description="The player's own deaths, self-inflicted included.")
    kills: int | None = Field(description="People killed; null when no session logs kills.")
    vehicle_kills: int | None = Field(description="Vehicles brought to destroy level 2.")
    contracts_accepted: int
    contracts_completed: int
    contracts_failed: int
    contracts_abandoned: int
    trade_spent: float
    trade_earned: float
    trade_profit: float


class LastSeenOut(BaseModel):
    session_id: str
    at: str | None
    session_open: bool = Field(description="The newest session has not logged its quit.")
    place: str | None
    place_name: str | None
    ship: str | None
    ship_name: str | None


class OverviewOut(BaseModel):
    days: int | None
    since: dt.datetime | None
    until: dt.datetime
    totals: TotalsOut = Field(description="Sessions that started in the window.")
    lifetime: TotalsOut
    previous: TotalsOut | None = Field(
        description="The window before, when the player played in it; else null."
    )
    last_seen: LastSeenOut | None


class SessionPageOut(BaseModel):
    sessions: list[SessionFact]
    next_cursor: str | None


class SessionStoryOut(BaseModel):
    session: SessionFact
    facts: list[
        Annotated[
            StopFact
            | LegFact
            | StintFact
            | LifeFact
            | DeathFact
            | KillFact
            | ContractFact
            | TradeFact,
            Field(discriminator="kind"),
        ]
    ] = Field(description="Every fact of the session, in time order.")


class PlaceOut(BaseModel):
    place: str
    name: str | None = None
    place_kind: str | None = None
    system: str | None = None
    seconds: float
    visits: int
    last_day: dt.date | None = Field(description="The last UTC day with a visit (or stint).")


class PlacesOut(BaseModel):
    places: list[PlaceOut] = Field(description="Time per place in the window, most first.")
    stops: list[StopFact]
    next_cursor: str | None


class ShipOut(BaseModel):
    ship: str
    name: str
    seconds: float
    stints: int
    last_day: dt.date | None = Field(description="The last UTC day with a visit (or stint).")


class ShipsOut(BaseModel):
    ships: list[ShipOut] = Field(description="Time at the controls per ship, most first.")
    stints: list[StintFact]
    next_cursor: str | None


class LegPageOut(BaseModel):
    items: list[LegFact]
    next_cursor: str | None


class LifePageOut(BaseModel):
    items: list[LifeFact]
    next_cursor: str | None


class CauseCount(BaseModel):
    cause: str | None
    count: int


class CombatOut(BaseModel):
    kills: int | None
    vehicle_kills: int | None
    deaths: int
    kills_logged: bool
    note: str
    deaths_by_cause: list[CauseCount]
    items: list[Annotated[KillFact | DeathFact, Field(discriminator="kind")]]
    next_cursor: str | None


class ContractRunOut(ContractFact):
    sessions: list[str] = Field(description="The sessions the contract was seen in.")


class ContractsOut(BaseModel):
    completed: int
    failed: int
    abandoned: int
    accepted: int
    completion_rate: float | None = Field(
        description="completed ÷ (completed + failed + abandoned); null with none of them."
    )
    items: list[ContractRunOut]
    next_cursor: str | None


class GoodOut(BaseModel):
    good: str | None
    good_name: str | None = None
    market: str | None = None
    spent: float
    earned: float
    profit: float = Field(description="earned − spent for this good in the window")
    buys: int
    sells: int


class TradesOut(BaseModel):
    spent: float
    earned: float
    profit: float
    goods: int = Field(description="Goods traded in the window (`by_good` lists the top 100).")
    by_good: list[GoodOut]
    items: list[TradeFact]
    next_cursor: str | None


class RecordOut(BaseModel):
    value: float
    unit: str
    session_id: str | None = None
    at: dt.datetime | None = None
    ship: str | None = None
    label: str | None = None


class RecordsOut(BaseModel):
    longest_session: RecordOut | None
    longest_life: RecordOut | None
    most_quantum_legs: RecordOut | None
    most_contracts_completed: RecordOut | None
    biggest_sale: RecordOut | None
    most_time_in_one_ship: RecordOut | None


# -- the views ---------------------------------------------------------------------------------
Reader = Callable[[AppState, str, Any], Awaitable[dict[str, Any]]]


def _paged(read: Callable[[AppState, str, journey.Page], Awaitable[dict[str, Any]]]) -> Reader:
    async def call(state: AppState, handle: str, params: Any) -> dict[str, Any]:
        return await read(state, handle, params.page())

    return call


async def _overview(state: AppState, handle: str, params: Any) -> dict[str, Any]:
    return await journey.overview(state, handle, params.days)


async def _legs(state: AppState, handle: str, page: journey.Page) -> dict[str, Any]:
    return await journey.facts(state, handle, ("leg",), page)


async def _lives(state: AppState, handle: str, page: journey.Page) -> dict[str, Any]:
    return await journey.facts(state, handle, ("life",), page)


async def _records(state: AppState, handle: str, params: Any) -> dict[str, Any]:
    return await journey.records(state, handle)


_VIEWS: list[tuple[str, type[BaseModel], type[BaseModel] | None, Reader, str]] = [
    ("", OverviewOut, OverviewParams, _overview, "Journey overview: totals for a window"),
    ("/sessions", SessionPageOut, PageParams, _paged(journey.sessions_page), "Sessions"),
    ("/places", PlacesOut, PageParams, _paged(journey.places), "Places and the trail"),
    ("/legs", LegPageOut, PageParams, _paged(_legs), "Quantum legs and jumps"),
    ("/ships", ShipsOut, PageParams, _paged(journey.ships), "Ships and stints"),
    ("/lives", LifePageOut, PageParams, _paged(_lives), "Lives"),
    ("/combat", CombatOut, PageParams, _paged(journey.combat), "Kills and deaths"),
    ("/contracts", ContractsOut, PageParams, _paged(journey.contracts), "Contracts"),
    ("/trades", TradesOut, PageParams, _paged(journey.trades), "Trades"),
    ("/records", RecordsOut, None, _records, "Records"),
]
_public_limit = Depends(rate_limit("public profile", lambda s: s.settings.public_rate_per_minute))


def _register(path: str, out: type[BaseModel], params_model: type[BaseModel] | None,
              read: Reader, title: str) -> None:  # fmt: skip
    async def mine(state: State, principal: AnyPrincipal, params: Any) -> Any:
        return out.model_validate(await read(state, principal.handle.lower(), params))

    async def theirs(state: State, principal: UserPrincipal, handle: Handle, params: Any) -> Any:
        owner = await sharing.visible_handle(state, principal, handle)
        return out.model_validate(await read(state, owner, params))

    async def public(state: State, handle: Handle, params: Any) -> Any:
        owner = await sharing.visible_handle(state, None, handle)
        return out.model_validate(await read(state, owner, params))

    # The query model is chosen per view, so FastAPI is given it here (mypy sees `Any`).
    for endpoint in (mine, theirs, public):
        endpoint.__annotations__["params"] = Annotated[params_model or _Params, Query()]
    doc = f"{title}. See docs/journey.md for every fact."
    name = "journey" + path.replace("/", "_")
    router.get(f"/v1/me/journey{path}", response_model=out, summary=f"My {title.lower()}",
               name=f"my_{name}", responses=error_responses(400, 401),
               description=doc)(mine)  # fmt: skip
    router.get(f"/v1/u/{{handle}}/journey{path}", response_model=out,
               summary=f"Another player's {title.lower()}", name=f"their_{name}",
               responses=error_responses(400, 401, 403, 404, 503),
               description=doc)(theirs)  # fmt: skip
    router.get(f"/v1/public/{{handle}}/journey{path}", response_model=out,
               summary=f"A public player's {title.lower()}", name=f"public_{name}",
               dependencies=[_public_limit], responses=error_responses(400, 404, 429, 503),
               description=doc)(public)  # fmt: skip


for _view in _VIEWS:
    _register(*_view)


@router.get(
    "/v1/me/journey/sessions/{session_id}",
    response_model=SessionStoryOut,
    responses=error_responses(401, 404),
    summary="One of my sessions as a story",
)
async def my_session(state: State, principal: AnyPrincipal, session_id: SessionId) -> Any:
    """The session and every fact in it, in time order. 404 `session_not_found`."""
    found = await journey.session_story(state, principal.handle.lower(), session_id)
    return SessionStoryOut.model_validate(found)


@router.get(
    "/v1/u/{handle}/journey/sessions/{session_id}",
    response_model=SessionStoryOut,
    responses=error_responses(401, 403, 404, 503),
    summary="Another player's session as a story",
)
async def their_session(
    state: State, principal: UserPrincipal, handle: Handle, session_id: SessionId
) -> Any:
    """As `/v1/me/journey/sessions/{session_id}`; 404 `stats_not_found` unless shared."""
    owner = await sharing.visible_handle(state, principal, handle)
    return SessionStoryOut.model_validate(await journey.session_story(state, owner, session_id))


@router.get(
    "/v1/public/{handle}/journey/sessions/{session_id}",
    response_model=SessionStoryOut,
    responses=error_responses(404, 429, 503),
    dependencies=[_public_limit],
    summary="A public player's session as a story",
)
async def public_session(state: State, handle: Handle, session_id: SessionId) -> Any:
    """As `/v1/me/journey/sessions/{session_id}`; no token; 404 unless public."""
    owner = await sharing.visible_handle(state, None, handle)
    return SessionStoryOut.model_validate(await journey.session_story(state, owner, session_id))
