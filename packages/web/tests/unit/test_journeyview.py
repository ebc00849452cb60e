"""The journey's answers shaped for pages: contracts by kind, records in
words, and a session's story as rows that say what the copied text says."""

from datetime import date
from typing import Any

from starstats_core.journey.story import session_story
from starstats_web import api_models as m
from starstats_web import journeyview as jv


def session(**changes: Any) -> m.SessionFact:
    fields: dict[str, Any] = {
        "session_id": "s1",
        "n": 0,
        "started_at": "2026-05-02T23:30:00.000Z",
        "ended_at": "2026-05-03T01:00:00.000Z",
        "seconds": 5400.0,
        "pu_seconds": 5000.0,
        "game_version": "4.7.172",
        "channel": "LIVE",
        "handle": "Jon_Arris",
        "end": "quit",
    }
    return m.SessionFact.model_validate({**fields, **changes})


def test_contract_kinds_read_in_words_with_their_completion_rate() -> None:
    def kind(name: str, **counts: int) -> m.ContractKindOut:
        zero = dict.fromkeys(("completed", "failed", "abandoned", "other", "in_progress"), 0)
        return m.ContractKindOut.model_validate({"kind": name, **zero, **counts})

    rows = jv.contract_kinds(
        [kind("hauling", completed=1, failed=1, in_progress=1),
         kind("bounty_hunting", completed=1), kind("other", other=2)]
    )  # fmt: skip
    assert [(r.kind, r.completed, r.failed, r.open, r.rate) for r in rows] == [
        ("Hauling", 1, 1, 1, "50%"),
        ("Bounty hunting", 1, 0, 0, "100%"),
        ("Other", 0, 0, 0, "—"),  # withdrawn or expired only: no rate to give
    ]


def test_money_is_signed_only_when_asked() -> None:
    assert jv.money(1067040.4) == "1,067,040 aUEC"
    assert jv.money(-944838.0, signed=True) == "−944,838 aUEC"
    assert jv.money(12.0, signed=True) == "+12 aUEC"


def test_a_ship_without_a_readable_name_is_named_by_core() -> None:
    assert jv.ship_name("Aegis Gladius", "AEGS_Gladius") == "Aegis Gladius"
    assert jv.ship_name("AEGS_Gladius", "AEGS_Gladius") == "Aegis Gladius"
    assert jv.ship_name(None, None) == "an unknown ship"


def test_the_story_rows_are_the_cli_lines_with_kinds_and_durations() -> None:
    story = m.SessionStoryOut.model_validate(
        {
            "session": session().model_dump(mode="json"),
            "facts": [
                {"kind": "stop", "session_id": "s1", "n": 2, "name": "Lorville",
                 "arrived_by": "inventory", "started_at": "2026-05-02T23:40:00.000Z",
                 "seconds": 600.0},
                {"kind": "life", "session_id": "s1", "n": 1,
                 "started_at": "2026-05-02T23:35:00.000Z"},
                {"kind": "death", "session_id": "s1", "n": 3, "cause": "suicide",
                 "started_at": "2026-05-02T23:50:00.000Z"},
            ],
        }
    )  # fmt: skip
    text = jv.story_text(story)
    assert text.splitlines() == session_story(
        story.session.model_dump(mode="json"),
        [f.model_dump(mode="json") for f in story.facts],
    )
    rows = jv.story_rows(story)
    assert [(r.kind, r.text) for r in rows] == [
        ("session", "launched 4.7.172 LIVE as Jon_Arris"),
        ("stop", "arrived at Lorville (by inventory)"),
        ("death", "died by their own hand"),
        ("session", "quit — 1 h 30 min played, 1 h 23 min in the verse"),
    ]
    assert rows[1].seconds == 600.0
    assert rows[0].at is not None
    assert rows[0].at.hour == 23


def trade(side: str, total: float | None, at: str, status: str = "confirmed") -> m.TradeFact:
    return m.TradeFact.model_validate(
        {"n": 1, "session_id": "s1", "started_at": at, "side": side, "total": total,
         "status": status}
    )  # fmt: skip


def test_profit_per_day_counts_what_the_totals_count() -> None:
    trades = [
        trade("buy", 100.0, "2026-05-02T10:00:00Z"),
        trade("sell", 250.0, "2026-05-02T11:00:00Z", "submitted"),
        trade("sell", 999.0, "2026-05-02T12:00:00Z", "rejected"),  # refused: no money moved
        trade("buy", 40.0, "2026-05-01T23:59:00Z"),
        trade("sell", None, "2026-05-03T00:00:00Z"),
    ]
    assert jv.profit_by_day(trades) == [(date(2026, 5, 1), -40.0), (date(2026, 5, 2), 150.0)]


def test_a_leg_says_how_long_it_took_or_why_not() -> None:
    def leg(**fields: Any) -> m.LegFact:
        return m.LegFact.model_validate({"n": 1, "session_id": "s1", "started_at": None, **fields})

    assert jv.leg_took(leg(seconds=65.0)) == "1 min"
    assert jv.leg_took(leg(status="aborted", seconds=65.0)) == "did not arrive"
    assert jv.leg_took(leg(leg_kind="jump")) == "jump"
