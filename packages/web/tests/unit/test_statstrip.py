"""The stat strip says what each number means, and never shows a kill count of 0 for logs
that cannot record kills."""

from datetime import UTC, datetime
from typing import Any

from starstats_web import api_models as m
from starstats_web.statstrip import stat_strip


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
