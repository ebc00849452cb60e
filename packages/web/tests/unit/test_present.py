"""How numbers, durations and times read on a page."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from starstats_web import present

NOW = datetime(2026, 5, 2, 21, 14, 23, tzinfo=UTC)


def test_counts_have_thousands_separators() -> None:
    assert present.count(1234567) == "1,234,567"
    assert present.count(0) == "0"
    assert present.count(None) == "—"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min"),
        (3599, "59 min"),
        (3600, "1 h 00 min"),
        (3 * 3600 + 5 * 60 + 9, "3 h 05 min"),
        (47 * 3600 + 59 * 60, "47 h 59 min"),
        (50 * 3600, "2 d 2 h"),
        (-5, "0 s"),
        (None, "—"),
    ],
)
def test_durations_read_like_play_time(seconds: int | None, text: str) -> None:
    assert present.duration(seconds) == text


def test_times_are_shown_in_utc_whatever_their_offset() -> None:
    cest = datetime(2026, 5, 2, 23, 14, 23, tzinfo=timezone(timedelta(hours=2)))
    assert present.utc(cest) == "2026-05-02 21:14 UTC"
    assert present.utc(cest, seconds=True) == "2026-05-02 21:14:23 UTC"
    assert present.iso(cest) == "2026-05-02T21:14:23Z"
    assert present.utc(None) == "—"


def test_days_read_naturally() -> None:
    assert present.day(date(2026, 5, 2)) == "2 May 2026"
    assert present.day(None) == "—"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=5), "5 min ago"),
        (timedelta(hours=3, minutes=59), "3 h ago"),
        (timedelta(days=1, hours=2), "yesterday"),
        (timedelta(days=6), "6 days ago"),
        (timedelta(days=45), "18 Mar 2026"),
    ],
)
def test_ages_are_relative_until_a_month(delta: timedelta, text: str) -> None:
    assert present.ago(NOW - delta, NOW) == text


def test_a_countdown_shows_minutes_and_seconds_and_stops_at_zero() -> None:
    assert present.remaining(NOW + timedelta(minutes=9, seconds=41), NOW) == "9:41"
    assert present.remaining(NOW - timedelta(seconds=1), NOW) == "0:00"


def test_plurals() -> None:
    assert present.plural(1, "ship") == "1 ship"
    assert present.plural(3, "ship") == "3 ships"
    assert present.plural(2, "day", "days") == "2 days"
