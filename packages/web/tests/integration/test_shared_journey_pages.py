"""Another player's journey over real HTTP: `/u/{handle}` and the journey pages behind it
(`/u/{handle}/journey/...`) show what the API's `/v1/u/{handle}/journey*` (signed in) and
`/v1/public/{handle}/journey*` (signed out) give, read-only and in readable words; a player
who does not share is the same 404 page as nobody, on the profile, a session and a page."""

import html
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from starstats_server.authz.memory import MemoryAuthorizer
from starstats_web import present

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    Stack,
    logged_in,
    sign_up_via_api,
)
from .test_journey_pages import JOURNEY_PAGES, Player, raw_class_names, stat, upload

NOT_VISIBLE = "No stats visible under this handle"


@pytest.fixture
def authorizer() -> MemoryAuthorizer:
    return MemoryAuthorizer()


@pytest.fixture
def player(stack: Stack, tmp_path: Path) -> Player:
    """Four sessions: 4.1, 4.7, 4.1, 4.7."""
    return upload(stack, tmp_path, seed=21)


def read(stack: Stack, path: str, token: str | None = None, **params: Any) -> Any:
    found = stack.api("GET", path, token, params=params)
    assert found.status_code == 200, found.text
    return found.json()


def story_text(page: str) -> str:
    found = re.search(r'<pre[^>]*id="story-text"[^>]*><code>(.*?)</code></pre>', page, re.S)
    assert found is not None
    return html.unescape(found.group(1))


def shared_pages(handle: str, sessions: list[dict[str, Any]]) -> list[str]:
    base = f"/u/{handle}/journey"
    return [
        f"/u/{handle}",
        f"/u/{handle}?days=all",
        f"{base}/sessions",
        *(f"{base}/sessions/{s['session_id']}" for s in sessions),
        *(f"{base}/{name}" for name in JOURNEY_PAGES),
    ]


def test_a_shared_reader_sees_the_owners_journey(stack: Stack, player: Player) -> None:
    owner, friend = player.pilot, sign_up_via_api(stack)
    shared = stack.api(
        "POST", "/v1/me/share", owner.token, json={"recipient_handle": friend.handle}
    )
    assert shared.status_code == 200, shared.text
    theirs = f"/v1/u/{owner.handle}/journey"
    totals = read(stack, theirs, friend.token)["totals"]  # all time
    assert totals == read(stack, "/v1/me/journey", owner.token)["totals"]
    sessions = read(stack, f"{theirs}/sessions", friend.token, limit=8)["sessions"]
    shards = {shard for s in sessions for shard in s["shards"] or []}
    with logged_in(stack, friend) as client:
        profile = client.get(f"/u/{owner.handle}?days=all").text
        assert stat(profile, "Play time")[0] == present.duration(totals["play_seconds"])
        assert stat(profile, "Quantum legs")[0] == f"{totals['quantum_legs']:,}"
        assert stat(profile, "Deaths")[0] == f"{totals['deaths']:,}"
        # Read-only: no activity filters, no pairing hints; links stay under the profile.
        assert "Filter activity" not in profile
        assert "pair a" not in profile.lower()
        assert 'href="/journey/' not in profile
        for name in JOURNEY_PAGES:
            assert f'href="/u/{owner.handle}/journey/{name}"' in profile
        with logged_in(stack, owner) as own:
            for s in sessions:
                link = f"/u/{owner.handle}/journey/sessions/{s['session_id']}"
                assert f'href="{link}"' in profile
                page = client.get(link)
                assert page.status_code == 200, link
                # The same story, to the byte, as the owner reads it on their own page.
                mine = own.get(f"/journey/sessions/{s['session_id']}").text
                assert story_text(page.text) == story_text(mine)
                assert 'href="/journey/' not in page.text
        for path in shared_pages(owner.handle, sessions):
            page = client.get(path)
            assert page.status_code == 200, path
            assert raw_class_names(page.text, shards) == set(), path
            assert "Log out" in page.text


def test_a_signed_out_visitor_reads_a_public_players_journey(stack: Stack, player: Player) -> None:
    owner = player.pilot
    made = stack.api("POST", "/v1/me/visibility", owner.token, json={"public": True})
    assert made.status_code == 200, made.text
    public = f"/v1/public/{owner.handle}/journey"
    totals = read(stack, public, days=30)["totals"]
    sessions = read(stack, f"{public}/sessions", limit=8)["sessions"]
    ships = read(stack, f"{public}/ships", limit=50)["ships"]
    with stack.browser() as visitor:
        profile = visitor.get(f"/u/{owner.handle}").text
        assert stat(profile, "Play time")[0] == present.duration(totals["play_seconds"])
        assert "You are reading a public profile" in profile
        first = sessions[0]["session_id"]
        page = visitor.get(f"/u/{owner.handle}/journey/sessions/{first}")
        assert page.status_code == 200
        assert story_text(page.text)
        fleet = visitor.get(f"/u/{owner.handle}/journey/ships")
        assert fleet.status_code == 200
        for ship in ships[:3]:
            assert html.escape(ship["name"]) in fleet.text
        # A session the player does not have is the plain 404 page, not "not shared".
        missing = visitor.get(f"/u/{owner.handle}/journey/sessions/no-such-session")
        assert missing.status_code == 404
        assert NOT_VISIBLE not in missing.text


def test_a_stranger_gets_one_404_for_the_profile_a_session_and_a_page(
    stack: Stack, player: Player
) -> None:
    owner, stranger = player.pilot, sign_up_via_api(stack)
    session = read(stack, "/v1/me/journey/sessions", owner.token, limit=1)["sessions"][0]
    paths = [
        "/u/{}",
        "/u/{}/journey/sessions",
        f"/u/{{}}/journey/sessions/{session['session_id']}",
        "/u/{}/journey/places",
        "/u/{}/journey/lives",
    ]

    def hidden(client: httpx.Client, handle: str, path: str) -> str:
        page = client.get(path.format(handle))
        assert page.status_code == 404, path
        assert NOT_VISIBLE in page.text
        return page.text.replace(handle, "HANDLE")

    with stack.browser() as visitor:
        for path in paths:
            assert hidden(visitor, owner.handle, path) == hidden(visitor, "Ghost_Nobody", path)
        assert hidden(visitor, "not.a.handle", "/u/{}/journey/ships")
    with logged_in(stack, stranger) as client:
        for path in paths:
            assert hidden(client, owner.handle, path) == hidden(client, "Ghost_Nobody", path)


def test_empty_states_give_advice_to_the_owner_only(stack: Stack) -> None:
    """A player with nothing uploaded yet: their own pages say what to do ("accept one in the
    game"); a visitor's pages of theirs say only that there is nothing."""
    owner = sign_up_via_api(stack)
    made = stack.api("POST", "/v1/me/visibility", owner.token, json={"public": True})
    assert made.status_code == 200, made.text
    advice = {
        "/journey/contracts": ("No contracts yet", "accept one in the game"),
        "/journey/trade": ("No trades yet", "buy or sell at a terminal"),
        "/journey/places": ("No place logged yet", "when you open an inventory"),
    }
    with logged_in(stack, owner) as own, stack.browser() as visitor:
        for path, (said, told) in advice.items():
            mine = own.get(path).text
            assert said in mine, path
            assert told in mine, path
            theirs = visitor.get(f"/u/{owner.handle}{path}")
            assert theirs.status_code == 200, path
            assert f"{said}." in theirs.text, path
            assert told not in theirs.text, path
        profile = visitor.get(f"/u/{owner.handle}").text
        assert f"{owner.handle} has not uploaded any events" in profile
        assert "pair a" not in profile.lower()
