"""The dashboard's query string: lenient parsing (a bad value is dropped with a note), links
that keep the other filters, and the pager around a page of events."""

from datetime import UTC, date, datetime

import pytest

from starstats_web.activity import DEFAULT_DAYS, DashboardQuery, pager


def parse(**params: str) -> DashboardQuery:
    return DashboardQuery.parse(params)


def test_an_empty_query_is_the_first_page_of_everything_over_30_days() -> None:
    query = parse()
    assert query == DashboardQuery()
    assert query.days == DEFAULT_DAYS
    assert not query.filtered
    assert query.link() == "/dashboard"


def test_filters_and_cursors_are_read() -> None:
    query = parse(days="90", type="join_pu", since="2026-05-01", until="2026-05-03", before="77")
    assert (query.days, query.event_type, query.before, query.after) == (90, "join_pu", 77, None)
    assert query.since_at() == datetime(2026, 5, 1, tzinfo=UTC)
    assert query.until_at() == datetime(2026, 5, 4, tzinfo=UTC)  # the To day is included
    assert query.filtered
    assert query.problems == ()


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"days": "12"}, "That window is not offered"),
        ({"days": "-7"}, "That window is not offered"),
        ({"days": "everything"}, "That window is not offered"),
        ({"type": "Robert'); DROP"}, "Unknown event type"),
        ({"since": "yesterday"}, "The From date was not understood"),
        ({"until": "2026-13-01"}, "The To date was not understood"),
    ],
)
def test_a_bad_value_is_dropped_with_a_note(params: dict[str, str], problem: str) -> None:
    query = DashboardQuery.parse(params)
    assert query.problems[0].startswith(problem)
    assert (query.days, query.event_type, query.since, query.until) == (30, None, None, None)


def test_dates_given_the_wrong_way_round_are_swapped() -> None:
    query = parse(since="2026-05-09", until="2026-05-01")
    assert (query.since, query.until) == (date(2026, 5, 1), date(2026, 5, 9))
    assert query.problems


def test_cursors_that_are_not_seqs_are_ignored_and_before_wins_over_after() -> None:
    assert parse(before="abc", after="-1") == DashboardQuery()
    assert parse(before="9" * 30).before is None
    assert (parse(before="5", after="9").before, parse(before="5", after="9").after) == (5, None)


def test_links_keep_the_other_filters_and_drop_the_cursor() -> None:
    query = parse(days="7", type="join_pu", since="2026-05-01", before="50")
    assert query.link(days=90) == "/dashboard?days=90&type=join_pu&since=2026-05-01"
    assert query.link(event_type=None) == "/dashboard?days=7&since=2026-05-01"
    assert query.link(before=10) == "/dashboard?days=7&type=join_pu&since=2026-05-01&before=10"


def test_the_first_page_links_only_to_older_events() -> None:
    links = pager(DashboardQuery(), [100, 99, 98], next_before=98)
    assert links.newer is None
    assert links.newest is None
    assert links.older == "/dashboard?before=98"


def test_the_last_page_links_back_but_not_further() -> None:
    links = pager(parse(before="3"), [2, 1], next_before=None)
    assert links.older is None
    assert links.newer == "/dashboard?after=2"
    assert links.newest == "/dashboard"


def test_a_page_read_forward_links_older_below_its_lowest_seq() -> None:
    links = pager(parse(after="40", type="join_pu"), [60, 55, 41], next_before=None)
    assert links.older == "/dashboard?type=join_pu&before=41"
    assert links.newer == "/dashboard?type=join_pu&after=60"


def test_an_empty_page_offers_the_way_back() -> None:
    assert pager(DashboardQuery(), [], None) == pager(DashboardQuery(), [], 5)
    assert pager(parse(before="1"), [], None).newest == "/dashboard"


def test_the_window_is_a_day_a_week_a_month_a_quarter_or_all_time() -> None:
    assert [parse(days=d).days for d in ("1", "7", "30", "90", "all")] == [1, 7, 30, 90, None]
    assert parse(days="all").window_name == "All time"
    assert parse(days="1").window_name == "24 h"
    assert parse(days="all").link() == "/dashboard?days=all"
    assert parse(days="365").problems  # the profile's year is no dashboard window


def test_the_activity_log_links_to_itself() -> None:
    query = DashboardQuery.parse({"type": "player_death", "before": "90"}, page="/activity")
    assert query.link() == "/activity?type=player_death"
    assert pager(query, [89, 88], 88).older == "/activity?type=player_death&before=88"
