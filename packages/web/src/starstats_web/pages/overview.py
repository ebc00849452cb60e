"""A journey at a glance for one window: where the player was last, the window's totals, recent
sessions, places, ships, contracts, trade, lives, records and a year of play. The dashboard
shows mine and `/u/{handle}` another player's, from the same read (the API's
`journey/glance`, everything the page shows in one answer) and the same template
(`journey/overview.html`)."""

from collections.abc import Callable
from datetime import UTC
from typing import Any

from starstats_web import api_models as m
from starstats_web import journeycharts as jc
from starstats_web import journeyview as jv
from starstats_web import present
from starstats_web.activity import WINDOW_NAMES, WINDOWS
from starstats_web.pages.whose import JourneyReader
from starstats_web.statstrip import journey_strip

CARD_ROWS = 8  # rows of a card's chart; the journey pages list the rest


async def read_overview(
    reader: JourneyReader, days: int | None, window_link: Callable[[int | None], str]
) -> dict[str, Any]:
    """The template context of `journey/overview.html` for the last `days` (None: all time);
    `window_link(days)` is the address of this page for another window."""
    glance = await reader.view("/glance", m.GlanceOut, days=days)
    overview, places, ships = glance.overview, glance.places, glance.ships
    contracts, trades, combat = glance.contracts, glance.trades, glance.combat
    shown_ships = [
        jc.Bar(jv.ship_name(s.name, s.ship), s.seconds, present.duration(s.seconds))
        for s in ships[:CARD_ROWS]
    ]
    shown_places = [
        jc.Bar(p.name or p.place, p.seconds, present.duration(p.seconds))
        for p in places[:CARD_ROWS]
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
        "recent": [
            (s, jv.session_title(s), jv.parse_at(s.started_at)) for s in glance.recent_sessions
        ],
        "heatmap": jc.heatmap_svg(
            {d.day: d.seconds for d in glance.play_by_day}, overview.until.astimezone(UTC).date()
        ),
        "places_chart": _chart(shown_places, f"Time per place, {in_window}", "stop", "Time there"),
        "ships_chart": _chart(
            shown_ships,
            f"Time at the controls per ship, {in_window}",
            "stint",
            "Time at the controls",
        ),
        "trade_chart": _chart(goods, f"Trade profit per good, {in_window}", "trade", "Profit"),
        "contracts": contracts,
        "contract_kinds": jv.contract_kinds(contracts.by_kind),
        "trades": trades,
        "combat": combat,
        "causes": jv.death_causes(combat),
        "records": jv.records(glance.records),
        "money": jv.money,
    }


def _chart(bars: list[jc.Bar], label: str, kind: str, unit: str) -> object:
    if not bars:
        return None
    return jc.bars_svg(bars, label=label, colour=jc.KIND_COLOURS[kind], unit=unit)
