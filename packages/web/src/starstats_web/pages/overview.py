"""A journey at a glance for one window: where the player was last, the window's totals, recent
sessions, places, ships, contracts, trade, lives, records and a year of play. The dashboard
shows mine and `/u/{handle}` another player's, from the same reads and the same template
(`journey/overview.html`); every read runs at once."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from starstats_web import api_models as m
from starstats_web import journeycharts as jc
from starstats_web import journeyview as jv
from starstats_web import present
from starstats_web.activity import WINDOW_NAMES, WINDOWS
from starstats_web.pages.whose import JourneyReader
from starstats_web.statstrip import journey_strip

SESSIONS_SHOWN = 8
CARD_ROWS = 8  # rows of a card's chart; the journey pages list the rest
HEATMAP_DAYS = 53 * 7 + 7  # 53 weeks back to the Monday of the first column


async def read_overview(
    reader: JourneyReader, days: int | None, window_link: Callable[[int | None], str]
) -> dict[str, Any]:
    """The template context of `journey/overview.html` for the last `days` (None: all time);
    `window_link(days)` is the address of this page for another window."""
    now = datetime.now(UTC)
    year_ago = now - timedelta(days=HEATMAP_DAYS)
    window = {} if days is None else {"since": now - timedelta(days=days)}
    read = reader.view
    # Two groups: `asyncio.gather` keeps each answer's type up to six arguments.
    (overview, recent, year, places, ships), facts = await asyncio.gather(
        asyncio.gather(
            read("", m.OverviewOut, days=days),
            read("/sessions", m.SessionPageOut, limit=SESSIONS_SHOWN),
            read("/sessions", m.SessionPageOut, limit=500, since=year_ago),
            read("/places", m.PlacesOut, limit=1, **window),
            read("/ships", m.ShipsOut, limit=1, **window),
        ),
        asyncio.gather(
            read("/contracts", m.ContractsOut, limit=500, **window),
            read("/trades", m.TradesOut, limit=1, **window),
            read("/combat", m.CombatOut, limit=1, **window),
            read("/records", m.RecordsOut),
        ),
    )
    contracts, trades, combat, found_records = facts
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
    window_name = WINDOW_NAMES[days]
    in_window = f"in the last {window_name}" if days else "of all time"
    last = overview.last_seen
    return {
        "whose": reader,
        "last_seen": last,
        "last_ship": jv.ship_name(last.ship_name, last.ship) if last and last.ship else None,
        "last_at": jv.parse_at(last.at) if last else None,
        "stat_strip": journey_strip(overview.totals, overview.previous, window_name),
        "windows": [(d, WINDOW_NAMES[d], window_link(d)) for d in WINDOWS],
        "window_days": days,
        "in_window": in_window,
        "recent": [(s, jv.session_title(s), jv.parse_at(s.started_at)) for s in recent.sessions],
        "heatmap": jc.heatmap_svg(jv.play_by_day(year.sessions), now.date()),
        "places_chart": _chart(shown_places, f"Time per place, {in_window}", "stop", "Time there"),
        "ships_chart": _chart(
            shown_ships,
            f"Time at the controls per ship, {in_window}",
            "stint",
            "Time at the controls",
        ),
        "trade_chart": _chart(goods, f"Trade profit per good, {in_window}", "trade", "Profit"),
        "contracts": contracts,
        "contract_kinds": jv.contracts_by_kind(contracts.items),
        "trades": trades,
        "combat": combat,
        "causes": jv.death_causes(combat),
        "records": jv.records(found_records),
        "money": jv.money,
    }


def _chart(bars: list[jc.Bar], label: str, kind: str, unit: str) -> object:
    if not bars:
        return None
    return jc.bars_svg(bars, label=label, colour=jc.KIND_COLOURS[kind], unit=unit)
