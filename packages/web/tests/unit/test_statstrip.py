"""The journey stat strip says what each number means, compares only with a window that was
played, and never shows a kill count of 0 for logs that cannot record kills."""

from typing import Any

from starstats_web import api_models as m
from starstats_web.statstrip import journey_strip


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
