"""`/journey/places`, `/travel`, `/ships`, `/contracts`, `/trade`, `/lives`: one kind of fact
each, as a chart of the totals and a table of the facts, newest first, paged by the API's
cursor. One template (`journey/list.html`) draws every page from `Section`s. Each page is
also another player's under `/u/{handle}/journey/...`, read as shared (`whose.py`)."""

import asyncio
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from starstats_web import api_models as m
from starstats_web import journeycharts as jc
from starstats_web import journeyview as jv
from starstats_web import present
from starstats_web.pages.deps import get_state
from starstats_web.pages.whose import JourneyReader, Reader

router = APIRouter()

PAGE = 50
TOP = 12  # bars in a chart
Cursor = Query(None, max_length=512)


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    numeric: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    empty: str  # what to do when there is nothing to show
    chart: Markup | None = None
    headers: tuple[str, ...] = ()
    rows: list[list[Cell]] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (name, value) facts
    note: str | None = None


def _when(text: str | None) -> Cell:
    at = jv.parse_at(text)
    return Cell(f"{present.day(at)} {at:%H:%M}" if at else "—")


def _session(fact: Any, reader: JourneyReader) -> Cell:
    return Cell("session", f"{reader.base}/sessions/{fact.session_id}")


def _bars(bars: list[jc.Bar], label: str, kind: str, unit: str) -> Markup | None:
    if not bars:
        return None
    return jc.bars_svg(bars[:TOP], label=label, colour=jc.KIND_COLOURS[kind], unit=unit)


def _render(
    request: Request,
    reader: JourneyReader,
    heading: tuple[str, str],
    sections: list[Section],
    cursors: tuple[str | None, str | None],
) -> Response:
    """The page titled `heading` (title, intro) with its sections; `cursors` are this page's
    and the next page's. The intros speak to the owner; another player's page says whose."""
    title, intro = heading
    if reader.handle is not None:
        intro = f"{reader.possessive} journey, as they share it."
        # The advice after an empty state's colon ("accept one in the game…") is the
        # owner's to follow, not a visitor's.
        sections = [replace(s, empty=s.empty.split(":")[0].rstrip(".") + ".") for s in sections]
    context = {"title": title, "intro": intro, "sections": sections, "whose": reader,
               "next_cursor": cursors[1], "first_page": cursors[0] is None}  # fmt: skip
    state = get_state(request)
    response = state.pages.render(request, "journey/list.html", context)
    return reader.settle(response, secure=state.settings.cookie_secure)


@router.get("/journey/places")
@router.get("/u/{handle}/journey/places")
async def places(request: Request, reader: Reader, cursor: str | None = Cursor) -> Response:
    found = await reader.view("/places", m.PlacesOut, limit=PAGE, cursor=cursor)
    bars = [jc.Bar(p.name or p.place, p.seconds, present.duration(p.seconds)) for p in found.places]
    dwell = Section(
        "Time per place",
        "No place logged yet: a place is named when you open an inventory or arrive by quantum.",
        _bars(bars, "Time per place, all time", "stop", "Time there"),
        ("Place", "System", "Time", "Visits", "Last visit"),
        [
            [
                Cell(p.name or p.place),
                Cell(p.system or "—"),
                Cell(present.duration(p.seconds), numeric=True),
                Cell(present.count(p.visits), numeric=True),
                Cell(present.day(p.last_day)),
            ]
            for p in found.places
        ],
    )
    trail = Section(
        "The trail, newest first",
        "No stops on this page.",
        headers=("Arrived", "Place", "By", "Stayed", ""),
        rows=[
            [
                _when(s.started_at),
                Cell(s.name or "a place"),
                Cell((s.arrived_by or "").replace("_", " ")),
                Cell(present.duration(s.seconds), numeric=True),
                _session(s, reader),
            ]
            for s in found.stops
        ],
    )
    return _render(
        request,
        reader,
        ("Places", "Where you were, and for how long."),
        [dwell, trail],
        (cursor, found.next_cursor),
    )


@router.get("/journey/travel")
@router.get("/u/{handle}/journey/travel")
async def travel(request: Request, reader: Reader, cursor: str | None = Cursor) -> Response:
    found = await reader.view("/legs", m.LegPageOut, limit=PAGE, cursor=cursor)
    legs = [leg for leg in found.items if leg.status == "arrived"]
    # A route needs both ends named; a leg from or to an unlogged place is no route.
    routes = Counter(
        f"{leg.origin_name} → {leg.destination_name}"
        for leg in legs
        if leg.origin_name and leg.destination_name
    )
    quantum = sum(leg.seconds or 0.0 for leg in legs if leg.leg_kind == "quantum")
    summary = Section(
        "Routes most flown",
        "No quantum leg or jump logged yet (4.1 logs have none; 4.4+ logs do).",
        _bars(
            [jc.Bar(r, n, present.plural(n, "leg")) for r, n in routes.most_common(TOP)],
            "Routes most flown, legs on this page",
            "leg",
            "Legs",
        ),
        lines=[
            ("Legs on this page", present.count(len(legs))),
            ("Time in quantum (upper bound)", present.duration(quantum)),
        ],
        note="A leg's time runs from choosing the target to arriving: the log has no "
        "“entered quantum” line.",
    )
    table = Section(
        "Legs, newest first",
        "No legs on this page.",
        headers=("Set off", "From", "To", "Ship", "Took", ""),
        rows=[
            [
                _when(leg.started_at),
                Cell(leg.origin_name or "—"),
                Cell(leg.destination_name or "an unlogged destination"),
                Cell(jv.ship_name(leg.vehicle_name, leg.vehicle) if leg.vehicle else "—"),
                Cell(jv.leg_took(leg), numeric=True),
                _session(leg, reader),
            ]
            for leg in found.items
        ],
    )
    return _render(
        request,
        reader,
        ("Travel", "Quantum legs and jumps between systems."),
        [summary, table],
        (cursor, found.next_cursor),
    )


_FATES = {"destroyed": "destroyed", "stored": "stored", "released": "left the seat"}


@router.get("/journey/ships")
@router.get("/u/{handle}/journey/ships")
async def ships(request: Request, reader: Reader, cursor: str | None = Cursor) -> Response:
    found = await reader.view("/ships", m.ShipsOut, limit=PAGE, cursor=cursor)
    bars = [
        jc.Bar(jv.ship_name(s.name, s.ship), s.seconds, present.duration(s.seconds))
        for s in found.ships
    ]
    fleet = Section(
        "Time at the controls per ship",
        "No time at a ship's controls yet.",
        _bars(
            bars[:TOP], "Time at the controls per ship, all time", "stint", "Time at the controls"
        ),
        ("Ship", "Time", "Stints", "Last flown"),
        [
            [
                Cell(jv.ship_name(s.name, s.ship)),
                Cell(present.duration(s.seconds), numeric=True),
                Cell(present.count(s.stints), numeric=True),
                Cell(present.day(s.last_day)),
            ]
            for s in found.ships
        ],
    )
    stints = Section(
        "Stints, newest first",
        "No stints on this page.",
        headers=("Took the controls", "Ship", "For", "Fate", ""),
        rows=[
            [
                _when(s.started_at),
                Cell(jv.ship_name(s.name, s.ship)),
                Cell(present.duration(s.seconds), numeric=True),
                Cell(_FATES.get(s.end or "", s.end or "—")),
                _session(s, reader),
            ]
            for s in found.stints
        ],
    )
    return _render(
        request,
        reader,
        ("Ships", "The ships you flew, and what became of them."),
        [fleet, stints],
        (cursor, found.next_cursor),
    )


@router.get("/journey/contracts")
@router.get("/u/{handle}/journey/contracts")
async def contracts(request: Request, reader: Reader, cursor: str | None = Cursor) -> Response:
    found = await reader.view("/contracts", m.ContractsOut, limit=PAGE, cursor=cursor)
    kinds = jv.contract_kinds(found.by_kind)
    rate = found.completion_rate
    summary = Section(
        "Completion",
        "No contracts yet: accept one in the game and it appears here.",
        headers=("Kind", "Done", "Failed", "Abandoned", "Rate"),
        rows=[
            [
                Cell(k.kind),
                Cell(str(k.completed), numeric=True),
                Cell(str(k.failed), numeric=True),
                Cell(str(k.abandoned), numeric=True),
                Cell(k.rate, numeric=True),
            ]
            for k in kinds
        ],
        lines=[
            ("Completed", present.count(found.completed)),
            ("Failed", present.count(found.failed)),
            ("Abandoned", present.count(found.abandoned)),
            ("Completion rate", f"{rate:.0%}" if rate is not None else "—"),
        ],
        note="By kind: every contract once, with its last outcome.",
    )
    history = Section(
        "History, newest first",
        "No contracts on this page.",
        headers=("Accepted", "Contract", "Kind", "Outcome", "Took", ""),
        rows=[
            [
                _when(c.started_at),
                Cell(c.title or "an unnamed contract"),
                Cell((c.contract_kind or "other").replace("_", " ")),
                Cell((c.outcome or "in progress").replace("_", " ")),
                Cell(present.duration(c.seconds), numeric=True),
                _session(c, reader),
            ]
            for c in found.items
        ],
    )
    return _render(
        request,
        reader,
        ("Contracts", "Every contract, how it ended and how long it took."),
        [summary, history],
        (cursor, found.next_cursor),
    )


@router.get("/journey/trade")
@router.get("/u/{handle}/journey/trade")
async def trade(request: Request, reader: Reader, cursor: str | None = Cursor) -> Response:
    found = await reader.view("/trades", m.TradesOut, limit=PAGE, cursor=cursor)
    bars = [
        jc.Bar(g.good_name or "Unnamed goods", g.profit, jv.money(g.profit, signed=True))
        for g in found.by_good
    ]
    goods = Section(
        "Profit per good",
        "No trades yet: buy or sell at a terminal and it appears here.",
        _bars(bars[:TOP], "Trade profit per good, all time", "trade", "Profit"),
        ("Good", "Spent", "Earned", "Profit"),
        [
            [
                Cell(g.good_name or "Unnamed goods"),
                Cell(jv.money(g.spent), numeric=True),
                Cell(jv.money(g.earned), numeric=True),
                Cell(jv.money(g.profit, signed=True), numeric=True),
            ]
            for g in found.by_good
        ],
        lines=[
            ("Spent", jv.money(found.spent)),
            ("Earned", jv.money(found.earned)),
            ("Profit", jv.money(found.profit, signed=True)),
        ],
    )
    daily = jv.profit_by_day(found.items)
    days = Section(
        "Profit per day",
        "No trades on this page.",
        _bars(
            [jc.Bar(present.day(d), p, jv.money(p, signed=True)) for d, p in daily],
            "Trade profit per day, trades on this page",
            "trade",
            "Profit",
        ),
    )
    trades = Section(
        "Trades, newest first",
        "No trades on this page.",
        headers=("When", "Side", "Good", "Total", "Where", ""),
        rows=[
            [
                _when(t.started_at),
                Cell("bought" if t.side == "buy" else "sold"),
                Cell(t.good_name or "goods"),
                Cell(jv.money(t.total or 0.0), numeric=True),
                Cell(t.shop_name or t.place_name or "—"),
                _session(t, reader),
            ]
            for t in found.items
        ],
    )
    return _render(
        request,
        reader,
        ("Trade", "What you bought and sold, and what it earned."),
        [goods, days, trades],
        (cursor, found.next_cursor),
    )


@router.get("/journey/lives")
@router.get("/u/{handle}/journey/lives")
async def lives(request: Request, reader: Reader, cursor: str | None = Cursor) -> Response:
    found, combat = await _both(reader, cursor)
    causes = jv.death_causes(combat)
    longest = max((life.seconds or 0.0 for life in found.items), default=0.0)
    counts = [("Deaths", present.count(combat.deaths))]
    if combat.kills_logged and combat.kills is not None:
        counts.append(("Kills", present.count(combat.kills)))
    deaths = Section(
        "Deaths by cause",
        "No deaths logged yet.",
        _bars(
            [jc.Bar(c, n, present.count(n)) for c, n in causes],
            "Deaths by cause",
            "death",
            "Deaths",
        ),
        lines=[*counts, ("Longest life on this page", present.duration(longest))],
        note=None
        if combat.kills_logged
        else "Kills are not logged since 4.4: the game stopped "
        "writing them, so there is no kill count, not a zero.",
    )
    table = Section(
        "Lives, newest first",
        "No lives on this page.",
        headers=("Began", "Lasted", "Ended", "Where", ""),
        rows=[
            [
                _when(life.started_at),
                Cell(present.duration(life.seconds), numeric=True),
                Cell(
                    jv.CAUSES.get(life.cause or "", "died")
                    if life.end == "death"
                    else "alive when the session ended"
                ),
                Cell(life.place_name or "—"),
                _session(life, reader),
            ]
            for life in found.items
        ],
    )
    return _render(
        request,
        reader,
        ("Lives", "Each life from spawn to death, and what ended it."),
        [deaths, table],
        (cursor, found.next_cursor),
    )


async def _both(reader: JourneyReader, cursor: str | None) -> tuple[m.LifePageOut, m.CombatOut]:
    return await asyncio.gather(
        reader.view("/lives", m.LifePageOut, limit=PAGE, cursor=cursor),
        reader.view("/combat", m.CombatOut, limit=1),
    )
