"""The dashboard's journey cards and the session pages over real HTTP, against the API's own
journey views for a player whose client uploaded synthesized sessions of both eras: the
numbers are the API's, every name is readable, a session's text is the CLI's to the byte."""

import html
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from starstats_core.synth import Era
from starstats_web import present

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    Pilot,
    Stack,
    envelopes_of,
    ingest,
    logged_in,
    sign_up_via_api,
    synthesized_log,
)

# A game class name as the log writes it: segments joined by "_" ending in a number
# (`AEGS_Avenger_Titan_10012175043656`, `behr_rifle_ballistic_01`). One segment before the
# number is a player's handle (`Orbit_5213`), which the page rightly shows as it is.
RAW_CLASS = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+_\d+\b")
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)
SHOWN_ATTRIBUTES = re.compile(r'\b(?:title|aria-label|alt)="([^"]*)"')


JOURNEY_PAGES = ("places", "travel", "ships", "contracts", "trade", "lives")


@dataclass(frozen=True)
class Player:
    pilot: Pilot
    log: Path  # the Game.log the client uploaded


def upload(stack: Stack, tmp_path: Path, *, seed: int, era: Era | None = None) -> Player:
    pilot = sign_up_via_api(stack)
    # Six days back: four sessions up to a day apart all end before now.
    data = synthesized_log(pilot.handle, seed=seed, sessions=4, lines=1500, era=era, days_ago=6)
    log = tmp_path / f"{pilot.handle}.log"
    log.write_bytes(data)
    envelopes = envelopes_of(data, pilot.handle)
    assert ingest(stack, pilot.token, pilot.handle, envelopes) == len(envelopes)
    return Player(pilot, log)


@pytest.fixture
def player(stack: Stack, tmp_path: Path) -> Player:
    """Four sessions: 4.1, 4.7, 4.1, 4.7."""
    return upload(stack, tmp_path, seed=11)


def journey(stack: Stack, pilot: Pilot, view: str = "", **params: Any) -> Any:
    found = stack.api("GET", f"/v1/me/journey{view}", pilot.token, params=params)
    assert found.status_code == 200, found.text
    return found.json()


def shown_text(page: str) -> str:
    """What a reader sees or hears: the text between tags and the attributes read aloud."""
    spoken = " ".join(html.unescape(a) for a in SHOWN_ATTRIBUTES.findall(page))
    return html.unescape(TAGS.sub(" ", page)) + " " + spoken


def raw_class_names(page: str, shards: set[str]) -> set[str]:
    # Shard ids (`pub_euw1b_11966462_036`) are ids the story quotes, not class names.
    return set(RAW_CLASS.findall(shown_text(page))) - shards


def stat(page: str, name: str) -> tuple[str, str | None]:
    found = re.search(
        rf'<span class="name">{name}</span>\s*<span class="value">([^<]*)</span>'
        r'(?:\s*<span class="note">([^<]*)</span>)?',
        page,
    )
    assert found is not None, f"no {name} stat"
    return html.unescape(found.group(1)), found.group(2) and html.unescape(found.group(2))


def test_the_dashboard_tells_where_the_player_was_last(stack: Stack, player: Player) -> None:
    last = journey(stack, player.pilot, days=30)["last_seen"]
    with logged_in(stack, player.pilot) as client:
        page = client.get("/dashboard").text
    line = re.search(r'<p class="since last-seen" id="last-seen">(.*?)</p>', page, re.S)
    assert line is not None
    words = " ".join(shown_text(line.group(1)).split())
    assert words.startswith("Last seen at " + last["place_name"])
    assert f"in the {last['ship_name']}" in words
    assert f'href="/journey/sessions/{last["session_id"]}"' in line.group(1)


@pytest.mark.parametrize("days", ["1", "7", "30", "90", "all"])
def test_the_strip_is_the_windows_totals(stack: Stack, player: Player, days: str) -> None:
    params = {} if days == "all" else {"days": days}
    overview = journey(stack, player.pilot, **params)
    totals, previous = overview["totals"], overview["previous"]
    with logged_in(stack, player.pilot) as client:
        page = client.get("/dashboard", params={"days": days}).text
    play, note = stat(page, "Play time")
    assert play == present.duration(totals["play_seconds"])
    assert stat(page, "Quantum legs")[0] == f"{totals['quantum_legs']:,}"
    assert stat(page, "Deaths")[0] == f"{totals['deaths']:,}"
    # The window before is compared only when the player played in it: never a made-up zero.
    if previous is None:
        assert "▲" not in page
        assert "▼" not in page
        assert note == present.plural(totals["sessions"], "session")
    else:
        assert note is not None
        assert note.endswith(" before")
        assert present.duration(previous["play_seconds"]) in note
    chip = "/dashboard" if days == "30" else f"/dashboard?days={days}"
    assert f'<a class="chip" href="{chip}" aria-current="true">' in page


def test_kills_are_counted_only_where_the_game_logged_them(stack: Stack, tmp_path: Path) -> None:
    modern = upload(stack, tmp_path, seed=12, era=Era.MODERN_4_7)
    legacy = upload(stack, tmp_path, seed=13, era=Era.LEGACY_4_1)
    with logged_in(stack, modern.pilot) as client:
        page = client.get("/dashboard").text
    assert stat(page, "Kills") == ("not logged", "kills are not logged since 4.4")
    assert "Kills are not logged since 4.4" in page
    kills = journey(stack, legacy.pilot, "/combat")["kills"]
    assert kills
    with logged_in(stack, legacy.pilot) as client:
        page = client.get("/dashboard").text
    assert stat(page, "Kills")[0] == f"{kills:,}"
    assert "not logged since 4.4" not in page


def test_the_cards_show_the_apis_facts_in_readable_words(stack: Stack, player: Player) -> None:
    ships = journey(stack, player.pilot, "/ships", limit=1)["ships"]
    places = journey(stack, player.pilot, "/places", limit=1)["places"]
    contracts = journey(stack, player.pilot, "/contracts", limit=1)
    trades = journey(stack, player.pilot, "/trades", limit=1)
    with logged_in(stack, player.pilot) as client:
        page = client.get("/dashboard").text
    text = shown_text(page)
    for ship in ships[:8]:
        assert f"{ship['name']}: {present.duration(ship['seconds'])}" in text
        assert ship["ship"] not in text  # the class name never shows
    for place in places[:8]:
        assert f"{place['name']}: {present.duration(place['seconds'])}" in text
    assert f"<strong>{contracts['completion_rate'] * 100:.0f} %</strong> completed" in page
    assert f"<dd>{trades['spent']:,.0f} aUEC</dd>" in page
    assert f"<dd>{trades['earned']:,.0f} aUEC</dd>" in page
    heatmap = re.search(r'aria-label="Play time per day, last 53 weeks".*?</table>', page, re.S)
    assert heatmap is not None
    sessions = journey(stack, player.pilot, "/sessions", limit=100)["sessions"]
    days = {s["started_at"][:10] for s in sessions}
    # Each day played is a row of the data table behind the heatmap (sessions may run past
    # midnight, so there may be more days than session starts, never fewer).
    assert heatmap.group(0).count("<tr><td>") >= len(days)


def test_recent_sessions_open_as_stories_told_as_the_cli_tells_them(
    stack: Stack, player: Player
) -> None:
    sessions = journey(stack, player.pilot, "/sessions", limit=8)["sessions"]
    assert len(sessions) == 4
    cli = subprocess.run(
        [sys.executable, "-m", "starstats_client", "journey", "--format", "text", str(player.log)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    blocks = cli.split("\n\n")
    with logged_in(stack, player.pilot) as client:
        dashboard = client.get("/dashboard").text
        listed = client.get("/journey/sessions").text
        for session in sessions:
            link = f'href="/journey/sessions/{session["session_id"]}"'
            assert link in dashboard
            assert link in listed
            page = client.get(f"/journey/sessions/{session['session_id']}")
            assert page.status_code == 200
            copied = re.search(
                r'<pre[^>]*id="story-text"[^>]*><code>(.*?)</code></pre>', page.text, re.S
            )
            assert copied is not None
            text = html.unescape(copied.group(1))
            first = text.splitlines()[0]
            told = [b for b in blocks if b.startswith(first)]
            assert told, f"the CLI tells no session starting {first!r}"
            assert text == told[0].rstrip("\n") + "\n"
            # The page's story says the same things, line by line, in the same order.
            rows = re.findall(r'<span class="sentence">(.*?)</span>', page.text, re.S)
            assert [html.unescape(r) for r in rows] == [
                line.strip().split("  ", 1)[1] for line in text.splitlines()
            ]
            assert 'role="img"' in page.text  # the timeline


def test_no_page_shows_a_raw_class_name(stack: Stack, player: Player) -> None:
    sessions = journey(stack, player.pilot, "/sessions", limit=8)["sessions"]
    shards = {shard for s in sessions for shard in s["shards"] or []}
    kinds = stack.api("GET", "/v1/me/summary", player.pilot.token).json()["by_type"]
    paths = [f"/dashboard?days={d}" for d in ("1", "7", "30", "90", "all")]
    # The activity log one kind at a time, so every kind's sentence is read at least once.
    paths += ["/activity"] + [f"/activity?type={k['event_type']}" for k in kinds]
    paths += ["/journey/sessions"] + [f"/journey/sessions/{s['session_id']}" for s in sessions]
    paths += [f"/journey/{name}" for name in JOURNEY_PAGES]
    with logged_in(stack, player.pilot) as client:
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, path
            assert raw_class_names(page.text, shards) == set(), path


def test_the_scan_catches_a_raw_class_name() -> None:
    """The scan above can fail: a class name in text or in a tooltip is found."""
    assert raw_class_names("<p>in the AEGS_Avenger_Titan_10012175043656</p>", set())
    assert raw_class_names("<g><title>behr_rifle_ballistic_01</title></g>", set())
    assert raw_class_names('<a title="MISC_Freelancer_01">x</a>', set())
    assert not raw_class_names("<p>killed Orbit_5213 at pub_euw1b_1_2</p>", {"pub_euw1b_1_2"})


def test_another_players_session_is_not_found(stack: Stack, player: Player) -> None:
    theirs = journey(stack, player.pilot, "/sessions", limit=1)["sessions"][0]["session_id"]
    stranger = sign_up_via_api(stack)
    with logged_in(stack, stranger) as client:
        assert client.get(f"/journey/sessions/{theirs}").status_code == 404
        assert client.get("/journey/sessions/" + "x" * 129).status_code == 404
        empty = client.get("/journey/sessions")
    assert "No game session yet" in empty.text
    assert 'href="/devices">pair a client</a>' in empty.text


def cells(page: str, title: str) -> list[list[str]]:
    """The body cells of the table captioned `title`, as text."""
    table = re.search(
        rf'<caption class="visually-hidden">{re.escape(title)}</caption>.*?<tbody>(.*?)</tbody>',
        page,
        re.S,
    )
    assert table is not None, f"no table {title!r}"
    return [
        [" ".join(shown_text(c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    ]


def test_the_journey_pages_list_the_apis_facts(stack: Stack, player: Player) -> None:
    places = journey(stack, player.pilot, "/places", limit=50)
    ships = journey(stack, player.pilot, "/ships", limit=50)
    contracts = journey(stack, player.pilot, "/contracts", limit=50)
    trades = journey(stack, player.pilot, "/trades", limit=50)
    legs = journey(stack, player.pilot, "/legs", limit=50)
    lives = journey(stack, player.pilot, "/lives", limit=50)
    with logged_in(stack, player.pilot) as client:
        page = {name: client.get(f"/journey/{name}").text for name in JOURNEY_PAGES}
    assert [r[0] for r in cells(page["places"], "Time per place")] == [
        p["name"] for p in places["places"]
    ]
    assert [r[2] for r in cells(page["places"], "Time per place")] == [
        present.duration(p["seconds"]) for p in places["places"]
    ]
    assert len(cells(page["places"], "The trail, newest first")) == len(places["stops"])
    assert [r[0] for r in cells(page["ships"], "Time at the controls per ship")] == [
        s["name"] for s in ships["ships"]
    ]
    assert len(cells(page["ships"], "Stints, newest first")) == len(ships["stints"])
    history = cells(page["contracts"], "History, newest first")
    assert [r[1] for r in history] == [
        c["title"] or "an unnamed contract" for c in contracts["items"]
    ]
    assert f"<dd>{contracts['completion_rate']:.0%}</dd>" in page["contracts"]
    assert [r[0] for r in cells(page["trade"], "Profit per good")] == [
        g["good_name"] for g in trades["by_good"]
    ]
    assert f"<dd>{trades['spent']:,.0f} aUEC</dd>" in page["trade"]
    assert len(trades["items"]) < 50  # one page: the days add up to the whole profit
    daily = re.search(
        r"<caption>Trade profit per day, trades on this page</caption>.*?</table>",
        page["trade"],
        re.S,
    )
    assert daily is not None
    shown = [
        html.unescape(v) for v in re.findall(r"<td>[^<]*</td><td>([^<]*)</td>", daily.group(0))
    ]
    per_day = sum(float(v.replace("−", "-").replace(",", "").split()[0]) for v in shown)
    assert per_day == pytest.approx(trades["profit"], abs=len(shown))  # each day rounded
    assert len(cells(page["travel"], "Legs, newest first")) == len(legs["items"])
    assert len(cells(page["lives"], "Lives, newest first")) == len(lives["items"])
    # Each fact row links to its session's story.
    assert f'href="/journey/sessions/{lives["items"][0]["session_id"]}"' in page["lives"]


def test_the_journey_pages_page_by_the_apis_cursor(stack: Stack, player: Player) -> None:
    first = journey(stack, player.pilot, "/places", limit=50)
    assert first["next_cursor"], "the player should have more than 50 stops"
    second = journey(stack, player.pilot, "/places", limit=50, cursor=first["next_cursor"])
    with logged_in(stack, player.pilot) as client:
        page = client.get("/journey/places").text
        older = re.search(r'href="(/journey/places\?cursor=[^"]+)" rel="next"', page)
        assert older is not None
        shown = client.get(html.unescape(older.group(1))).text
    trail = cells(shown, "The trail, newest first")
    assert [r[1] for r in trail] == [s["name"] for s in second["stops"]]
    assert 'href="/journey/places">Newest</a>' in shown


def test_empty_journey_pages_say_what_to_do(stack: Stack) -> None:
    newcomer = sign_up_via_api(stack)
    with logged_in(stack, newcomer) as client:
        page = {name: client.get(f"/journey/{name}").text for name in JOURNEY_PAGES}
    assert "No contracts yet: accept one in the game" in page["contracts"]
    assert "No trades yet: buy or sell at a terminal" in page["trade"]
    assert "No place logged yet" in page["places"]
    assert "<table" not in page["ships"]


def test_the_journey_pages_ask_to_log_in_first(stack: Stack) -> None:
    with stack.browser() as anonymous:
        for path in ("/journey/sessions", "/journey/sessions/abc", "/journey/trade"):
            page = anonymous.get(path)
            assert page.status_code == 303, path
            assert page.headers["location"].startswith("/auth/login?next=%2Fjourney%2F")


def test_the_window_before_is_compared_when_it_was_played(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    for seed, days_ago in ((21, 12), (22, 2)):  # one launch 12 days ago, one 2 days ago
        data = synthesized_log(pilot.handle, seed=seed, sessions=1, lines=800, days_ago=days_ago)
        ingest(stack, pilot.token, pilot.handle, envelopes_of(data, pilot.handle))
    overview = journey(stack, pilot, days=7)
    before = overview["previous"]
    assert before is not None
    assert before["sessions"] == 1
    with logged_in(stack, pilot) as client:
        page = client.get("/dashboard", params={"days": "7"}).text
    play, note = stat(page, "Play time")
    assert play == present.duration(overview["totals"]["play_seconds"])
    arrow = "▲" if overview["totals"]["play_seconds"] > before["play_seconds"] else "▼"
    assert note == f"{arrow} {present.duration(before['play_seconds'])} the 7 days before"
