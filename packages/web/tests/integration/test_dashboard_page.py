"""`/dashboard` and `/activity` over real HTTP with events uploaded through the real ingest
path: the empty state, the numbers against the API's own, the activity log's sentences,
filters, bad parameters and paging."""

import html
import re

import httpx
import pytest

from starstats_web import present, sentences

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    Pilot,
    Stack,
    envelopes_for,
    ingest,
    logged_in,
    sign_up_via_api,
)

ROW = re.compile(
    r'<li data-seq="(\d+)" data-type="([a-z0-9_]+)">.*?<span class="sentence">(.*?)</span>',
    re.S,
)


def rows(page: httpx.Response) -> list[tuple[int, str, str]]:
    return [(int(s), t, html.unescape(text)) for s, t, text in ROW.findall(page.text)]


@pytest.fixture
def player(stack: Stack) -> tuple[Pilot, int]:
    """A player whose client uploaded three synthesized launches; (pilot, events stored)."""
    pilot = sign_up_via_api(stack)
    return pilot, ingest(stack, pilot.token, pilot.handle, envelopes_for(pilot.handle, seed=5))


def test_a_new_player_is_told_how_to_pair(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        page = client.get("/dashboard")
    assert page.status_code == 200
    assert f'Welcome back, <span class="handle-inline">{pilot.handle}</span>' in page.text
    assert "No events yet — pair your desktop client" in page.text
    assert f"starstats-client pair --api {stack.api_url} --code &lt;CODE&gt;" in page.text
    assert "Settings</em> tab" in page.text
    assert 'href="/devices"' in page.text
    assert 'class="stats"' not in page.text


def test_the_numbers_are_the_journeys(stack: Stack, player: tuple[Pilot, int]) -> None:
    pilot, _ = player
    overview = stack.api("GET", "/v1/me/journey?days=30", pilot.token).json()
    with logged_in(stack, pilot) as client:
        page = client.get("/dashboard")
    totals = overview["totals"]
    assert f'<span class="value">{present.duration(totals["play_seconds"])}</span>' in page.text
    assert f'<span class="value">{totals["deaths"]:,}</span>' in page.text
    sessions = stack.api("GET", "/v1/me/journey/sessions?limit=8", pilot.token).json()
    listed = re.findall(r'<li>\s*<a href="/journey/sessions/([^"]+)">', page.text)
    assert listed == [s["session_id"] for s in sessions["sessions"]]


def test_each_event_reads_as_its_sentence(stack: Stack, player: tuple[Pilot, int]) -> None:
    pilot, stored = player
    events = stack.api("GET", "/v1/me/events?limit=25", pilot.token).json()["events"]
    with logged_in(stack, pilot) as client:
        shown = rows(client.get("/activity"))
    assert [seq for seq, _, _ in shown] == list(range(stored, stored - 25, -1))
    for (seq, kind, sentence), event in zip(shown, events, strict=True):
        assert (seq, kind) == (event["seq"], event["event_type"])
        assert sentence == sentences.describe(event["event_type"], event["payload"], None)


def test_filtering_by_type_and_day(stack: Stack, player: tuple[Pilot, int]) -> None:
    pilot, _ = player
    summary = stack.api("GET", "/v1/me/summary", pilot.token).json()
    rare = summary["by_type"][-1]
    with logged_in(stack, pilot) as client:
        page = client.get("/activity", params={"type": rare["event_type"]})
        assert {kind for _, kind, _ in rows(page)} == {rare["event_type"]}
        assert len(rows(page)) == min(25, rare["count"])
        assert f'<option value="{rare["event_type"]}" selected>' in page.text
        nothing = client.get("/activity", params={"since": "2001-01-01", "until": "2001-01-02"})
        assert rows(nothing) == []
        assert "No events match these filters." in nothing.text


def test_bad_parameters_are_explained_not_fatal(stack: Stack, player: tuple[Pilot, int]) -> None:
    pilot, _ = player
    with logged_in(stack, pilot) as client:
        dashboard = client.get(
            "/dashboard", params={"days": "13", "type": "NOT A TYPE", "since": "May 1st"}
        )
        log = client.get(
            "/activity", params={"days": "13", "type": "NOT A TYPE", "since": "May 1st"}
        )
    assert dashboard.status_code == log.status_code == 200
    # Each page explains its own parameters and ignores the other's.
    assert "That window is not offered; showing 30 days." in dashboard.text
    assert "Unknown event type" not in dashboard.text
    assert "Unknown event type; showing all types." in log.text
    assert "The From date was not understood" in log.text
    assert "That window is not offered" not in log.text
    assert len(rows(log)) == 25


def test_the_dashboard_leads_to_the_activity_log(stack: Stack, player: tuple[Pilot, int]) -> None:
    pilot, stored = player
    with logged_in(stack, pilot) as client:
        dashboard = client.get("/dashboard")
        log = client.get("/activity")
    assert rows(dashboard) == []  # the raw events are the log's, not the dashboard's
    assert '<a href="/activity">open the activity log</a>' in dashboard.text
    assert f"Every event your client uploaded ({stored:,})" in dashboard.text
    assert '<a href="/activity" aria-current="page">Activity</a>' in log.text
    assert len(rows(log)) == 25


def test_the_activity_log_of_a_new_player_says_how_to_fill_it(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        page = client.get("/activity")
    assert page.status_code == 200
    assert "No events yet." in page.text
    assert 'href="/devices"' in page.text


def test_paging_by_seq_forwards_and_back(stack: Stack, player: tuple[Pilot, int]) -> None:
    pilot, stored = player
    with logged_in(stack, pilot) as client:
        first = client.get("/activity")
        assert 'rel="prev"' not in first.text
        older = client.get("/activity", params={"before": stored - 24})
        assert [s for s, _, _ in rows(older)] == list(range(stored - 25, stored - 50, -1))
        assert f'href="/activity?after={stored - 25}#activity-title" rel="prev"' in older.text
        back = client.get("/activity", params={"after": stored - 25})
        assert [s for s, _, _ in rows(back)] == list(range(stored, stored - 25, -1))
        oldest = client.get("/activity", params={"before": 26})
        assert [s for s, _, _ in rows(oldest)] == list(range(25, 0, -1))
        assert 'rel="next"' not in oldest.text
