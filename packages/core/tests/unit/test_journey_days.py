"""Time played per UTC day (the heatmap's numbers): a session past midnight counts on each
day it covers, for its part there."""

from datetime import UTC, date, datetime, timedelta, timezone

from starstats_core.journey.days import seconds_per_day


def test_a_session_past_midnight_counts_on_both_days() -> None:
    start = datetime(2026, 5, 2, 23, 30, tzinfo=UTC)
    assert seconds_per_day([(start, 5400.0)]) == {
        date(2026, 5, 2): 1800.0,  # 23:30 to midnight
        date(2026, 5, 3): 3600.0,  # midnight to 01:00
    }


def test_days_are_utc_whatever_the_zone_of_the_start() -> None:
    # 01:00 at UTC+02:00 is 23:00 UTC the day before.
    start = datetime(2026, 5, 3, 1, 0, tzinfo=timezone(timedelta(hours=2)))
    assert seconds_per_day([(start, 600.0)]) == {date(2026, 5, 2): 600.0}


def test_spans_of_a_day_add_up_and_empty_ones_count_nowhere() -> None:
    noon = datetime(2026, 5, 2, 12, 0, tzinfo=UTC)
    days = seconds_per_day([(noon, 60.0), (noon + timedelta(hours=2), 90.0), (noon, 0.0)])
    assert days == {date(2026, 5, 2): 150.0}


def test_a_span_of_several_days_fills_each_whole_day() -> None:
    start = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
    days = seconds_per_day([(start, 2 * 86400.0)])
    assert days == {
        date(2026, 5, 1): 6 * 3600.0,
        date(2026, 5, 2): 86400.0,
        date(2026, 5, 3): 18 * 3600.0,
    }


def test_posix_seconds_give_the_days_aware_datetimes_give() -> None:
    start = datetime(2026, 5, 2, 23, 30, tzinfo=UTC)
    spans = [(start, 5400.0), (start - timedelta(days=3, minutes=7), 200_000.0)]
    assert seconds_per_day((s.timestamp(), n) for s, n in spans) == seconds_per_day(spans)
