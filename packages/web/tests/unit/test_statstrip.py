"""The stat strip says what each number means, and never shows a kill count of 0 for logs
that cannot record kills."""

from datetime import UTC, datetime
from typing import Any

from starstats_web import api_models as m
from starstats_web.statstrip import journey_strip, stat_strip


def overview(**changes: Any) -> m.StatsOverviewOut:
    fields: dict[str, Any] = {
        "total_events": 12345,
        "sessions": 1,
        "play_time_seconds": 3 * 3600 + 5 * 60,
        "active_days": 2,
        "deaths": 4,
        "deaths_inferred": 0,
        "kills": 7,
        "kills_logged": True,
        "ships_flown": 3,
        "locations_visited": 9,
        "shards_joined": 1,
        "first_event_at": datetime(2026, 5, 1, tzinfo=UTC),
        "last_event_at": datetime(2026, 5, 2, tzinfo=UTC),
    }
    return m.StatsOverviewOut.model_validate({**fields, **changes})


def by_name(stats: m.StatsOverviewOut) -> dict[str, tuple[str, str | None]]:
    return {s.name: (s.value, s.note) for s in stat_strip(stats)}


def test_the_strip_formats_each_number() -> None:
    strip = by_name(overview())
    assert strip["Play time"] == ("3 h 05 min", "1 session")
    assert strip["Active days"] == ("2", "1 shard joined")
    assert strip["Events"] == ("12,345", "read from your Game.log")
    assert strip["Kills"] == ("7", None)
    assert strip["Deaths"] == ("4", None)
    assert strip["Ships flown"][0] == "3"
    assert strip["Locations"][0] == "9"


def test_kills_are_not_logged_rather_than_zero_for_modern_logs() -> None:
    assert by_name(overview(kills=None, kills_logged=False))["Kills"] == (
        "not logged",
        "not logged by the game since 4.4",
    )


def test_inferred_deaths_are_explained() -> None:
    strip = by_name(overview(deaths=5, deaths_inferred=2))
    assert strip["Deaths"] == ("5", "2 inferred from incapacitation")


def totals(**changes: Any) -> m.TotalsOut:
    fields: dict[str, Any] = {
        "sessions": 3,
        "play_seconds": 2 * 3600,
        "pu_seconds": 3600,
        "arena_seconds": 0.0,
        "menu_seconds": 3600,
        "quantum_legs": 12,
        "jumps": 1,
        "ship_seconds": 1800,
        "deaths": 2,
        "kills": None,
        "vehicle_kills": None,
        "contracts_accepted": 7,
        "contracts_completed": 6,
        "contracts_failed": 1,
        "contracts_abandoned": 1,
        "trade_spent": 1000.0,
        "trade_earned": 3500.0,
        "trade_profit": 2500.0,
    }
    return m.TotalsOut.model_validate({**fields, **changes})


def journey_by_name(now: m.TotalsOut, before: m.TotalsOut | None) -> dict[str, Any]:
    return {s.name: (s.value, s.note) for s in journey_strip(now, before, "7 days")}


def test_the_journey_strip_compares_only_with_a_window_that_was_played() -> None:
    alone = journey_by_name(totals(), None)
    assert alone["Play time"] == ("2 h 00 min", "3 sessions")
    assert alone["Contracts"] == ("8", "75% completed")
    assert alone["Trade profit"][0] == "+2,500"
    compared = journey_by_name(totals(), totals(play_seconds=3 * 3600, quantum_legs=4))
    assert compared["Play time"] == ("2 h 00 min", "▼ 3 h 00 min the 7 days before")
    assert compared["Quantum legs"] == ("12", "▲ 4 the 7 days before")


def test_the_journey_strip_never_shows_zero_kills_for_logs_without_kill_lines() -> None:
    assert journey_by_name(totals(), None)["Kills"] == (
        "not logged",
        "kills are not logged since 4.4",
    )
    assert journey_by_name(totals(kills=0), None)["Kills"][0] == "0"
    assert journey_by_name(totals(trade_profit=-5.0), None)["Trade profit"][0] == "−5"
