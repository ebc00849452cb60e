"""The journey API's models (api/journey.py serves them): query parameters, and answers
whose fact models are made from core's fact dataclasses (`starstats_core.journey.facts`), so
the published schema is the fold's own shape."""

import dataclasses
import datetime as dt
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from starstats_core.journey import facts as fact_types
from starstats_server.api.history import Rfc3339
from starstats_server.services import journey


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


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OverviewParams(Params):
    days: int | None = Field(
        None, description=f"The window: the last 1..{journey.MAX_DAYS} days; absent: all time."
    )


class PageParams(Params):
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


class CombatSummaryOut(BaseModel):
    kills: int | None
    vehicle_kills: int | None
    deaths: int
    kills_logged: bool
    note: str
    deaths_by_cause: list[CauseCount]


class CombatOut(CombatSummaryOut):
    items: list[Annotated[KillFact | DeathFact, Field(discriminator="kind")]]
    next_cursor: str | None


class ContractRunOut(ContractFact):
    sessions: list[str] = Field(description="The sessions the contract was seen in.")


class ContractKindOut(BaseModel):
    kind: str = Field(description="The contract kind (hauling, bounty_hunting, …, other).")
    completed: int
    failed: int
    abandoned: int
    other: int = Field(description="Withdrawn or expired.")
    in_progress: int = Field(description="No outcome logged yet.")


class ContractsSummaryOut(BaseModel):
    completed: int
    failed: int
    abandoned: int
    accepted: int
    completion_rate: float | None = Field(
        description="completed ÷ (completed + failed + abandoned); null with none of them."
    )
    by_kind: list[ContractKindOut] = Field(
        description="Outcomes per kind of the missions first taken in the window (each once, "
        "with its last outcome), most first."
    )


class ContractsOut(ContractsSummaryOut):
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


class TradesSummaryOut(BaseModel):
    spent: float
    earned: float
    profit: float
    goods: int = Field(description="Goods traded in the window (`by_good` lists the top 100).")
    by_good: list[GoodOut]


class TradesOut(TradesSummaryOut):
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


class DayOut(BaseModel):
    day: dt.date = Field(description="A UTC day.")
    seconds: float = Field(description="Time played that day.")


class GlanceOut(BaseModel):
    overview: OverviewOut
    recent_sessions: list[SessionFact] = Field(description="The newest sessions (8).")
    play_by_day: list[DayOut] = Field(
        description="Time played per UTC day over the last 378 days (days with play only)."
    )
    places: list[PlaceOut] = Field(description="Time per place in the window: the top 8.")
    ships: list[ShipOut] = Field(description="Time per ship in the window: the top 8.")
    contracts: ContractsSummaryOut
    trades: TradesSummaryOut = Field(description="The window's trade sums; `by_good`: top 8.")
    combat: CombatSummaryOut
    records: RecordsOut
