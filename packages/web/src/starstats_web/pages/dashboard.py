"""`/dashboard`: the player's journey at a glance (where they were last, the window's totals,
sessions, places, ships, contracts, trade, lives, records, a year of play) above the raw
activity stream. Every API read the page needs runs at once; the page costs the slowest of
them plus the template."""

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from starstats_web import api_models as m
from starstats_web import journeycharts as jc
from starstats_web import journeyview as jv
from starstats_web import present, sentences
from starstats_web.activity import PAGE_SIZE, WINDOW_NAMES, WINDOWS, DashboardQuery, pager
from starstats_web.pages.deps import State, Token
from starstats_web.state import WebState
from starstats_web.statstrip import journey_strip

router = APIRouter()

SESSIONS_SHOWN = 8
CARD_ROWS = 8  # rows of a card's chart; the journey pages list the rest
HEATMAP_DAYS = 53 * 7 + 7  # 53 weeks back to the Monday of the first column


@dataclass(frozen=True)
class EventRow:
    seq: int
    at: datetime | None
    event_type: str
    label: str
    sentence: str


@dataclass(frozen=True)
class TypeRow:
    event_type: str
    label: str
    count: int


def _row(event: m.EventOut) -> EventRow:
    # The row shows the full date and time in its own column (in the reader's zone, once the
    # page script runs), so the sentence is asked for without its own "at HH:MM".
    sentence = sentences.describe(event.event_type, event.payload, None)
    return EventRow(
        event.seq,
        event.event_timestamp,
        event.event_type,
        sentences.label(event.event_type),
        sentence,
    )


async def _events(
    state: WebState, token: str, query: DashboardQuery
) -> tuple[DashboardQuery, m.EventPageOut]:
    """The activity page for `query`; an `after` page that reaches the newest event is
    replaced by the first page, so "newer" never leads to a half-empty page."""
    args: dict[str, Any] = {
        "event_type": query.event_type,
        "since": query.since_at(),
        "until": query.until_at(),
        "limit": PAGE_SIZE,
    }
    page = await state.api.events(token, before_seq=query.before, after_seq=query.after, **args)
    if query.after is not None and len(page.events) < PAGE_SIZE:
        query = replace(query, after=None)
        page = await state.api.events(token, **args)
    return query, page


@router.get("/dashboard")
async def dashboard(request: Request, state: State, token: Token) -> Response:
    query = DashboardQuery.parse(request.query_params)
    now = datetime.now(UTC)
    window = {} if query.days is None else {"since": now - timedelta(days=query.days)}
    year_ago = now - timedelta(days=HEATMAP_DAYS)
    api = state.api
    # Two groups of six: `asyncio.gather` keeps each answer's type up to six arguments.
    (me, summary, overview, recent, year, (query, page)), facts = await asyncio.gather(
        asyncio.gather(
            api.me(token),
            api.summary(token),
            api.journey(token, "", m.OverviewOut, days=query.days),
            api.journey(token, "/sessions", m.SessionPageOut, limit=SESSIONS_SHOWN),
            api.journey(token, "/sessions", m.SessionPageOut, limit=500, since=year_ago),
            _events(state, token, query),
        ),
        asyncio.gather(
            api.journey(token, "/places", m.PlacesOut, limit=1, **window),
            api.journey(token, "/ships", m.ShipsOut, limit=1, **window),
            api.journey(token, "/contracts", m.ContractsOut, limit=500, **window),
            api.journey(token, "/trades", m.TradesOut, limit=1, **window),
            api.journey(token, "/combat", m.CombatOut, limit=1, **window),
            api.journey(token, "/records", m.RecordsOut),
        ),
    )
    places, ships, contracts, trades, combat, found_records = facts
    events = page.events if query.after is None else list(reversed(page.events))
    rows = [_row(e) for e in events]
    shown_ships = [
        jc.Bar(jv.ship_name(s.name, s.ship), s.seconds, present.duration(s.seconds))
        for s in ships.ships[:CARD_ROWS]
    ]
    shown_places = [
        jc.Bar(p.name or p.place, p.seconds, present.duration(p.seconds))
        for p in places.places[:CARD_ROWS]
    ]
    goods = [
        jc.Bar(g.good_name or "Unnamed goods", g.profit, jv.money(g.profit, signed=True))
        for g in trades.by_good[:CARD_ROWS]
    ]
    in_window = f"in the last {query.window_name}" if query.days else "of all time"
    return state.pages.render(
        request,
        "dashboard.html",
        {
            "me": me,
            "summary": summary,
            "last_seen": overview.last_seen,
            "last_ship": (
                jv.ship_name(overview.last_seen.ship_name, overview.last_seen.ship)
                if overview.last_seen and overview.last_seen.ship
                else None
            ),
            "last_at": jv.parse_at(overview.last_seen.at) if overview.last_seen else None,
            "stat_strip": journey_strip(overview.totals, overview.previous, query.window_name),
            "windows": [(d, WINDOW_NAMES[d]) for d in WINDOWS],
            "in_window": in_window,
            "recent": [
                (s, jv.session_title(s), jv.parse_at(s.started_at)) for s in recent.sessions
            ],
            "heatmap": jc.heatmap_svg(jv.play_by_day(year.sessions), now.date()),
            "places_chart": jc.bars_svg(
                shown_places,
                label=f"Time per place, {in_window}",
                colour=jc.KIND_COLOURS["stop"],
                unit="Time there",
            )
            if shown_places
            else None,
            "ships_chart": jc.bars_svg(
                shown_ships,
                label=f"Time at the controls per ship, {in_window}",
                colour=jc.KIND_COLOURS["stint"],
                unit="Time at the controls",
            )
            if shown_ships
            else None,
            "trade_chart": jc.bars_svg(
                goods,
                label=f"Trade profit per good, {in_window}",
                colour=jc.KIND_COLOURS["trade"],
                unit="Profit",
            )
            if goods
            else None,
            "type_counts": [
                TypeRow(t.event_type, sentences.label(t.event_type), t.count)
                for t in summary.by_type
            ],
            "contracts": contracts,
            "contract_kinds": jv.contracts_by_kind(contracts.items),
            "trades": trades,
            "combat": combat,
            "causes": jv.death_causes(combat),
            "records": jv.records(found_records),
            "money": jv.money,
            "query": query,
            "rows": rows,
            "pager": pager(query, [r.seq for r in rows], page.next_before),
            "api_url": state.settings.public_api_base,
        },
    )
