"""`/u/{handle}` over real HTTP: the journey of a public or shared profile, signed out and
signed in; one 404 page for "no such player" and "not shared with you"; a cookie the API no
longer takes falls back to the public view; the window; the public rate limit. The journey
pages behind a profile: test_shared_journey_pages.py."""

import base64
import json
import re
from typing import Any

import httpx
import pytest

from starstats_server.authz.memory import MemoryAuthorizer
from starstats_web import present
from starstats_web.session import COOKIE

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    Pilot,
    Stack,
    envelopes_for,
    ingest,
    logged_in,
    sign_up_via_api,
)


@pytest.fixture
def authorizer() -> MemoryAuthorizer:
    return MemoryAuthorizer()


@pytest.fixture
def star(stack: Stack) -> Pilot:
    """A player with uploaded events and public stats."""
    pilot = sign_up_via_api(stack)
    ingest(stack, pilot.token, pilot.handle, envelopes_for(pilot.handle, seed=12))
    made = stack.api("POST", "/v1/me/visibility", pilot.token, json={"public": True})
    assert made.status_code == 200, made.text
    return pilot


def strip(page: httpx.Response) -> dict[str, str]:
    pairs = re.findall(
        r'<span class="name">([^<]+)</span>\s*<span class="value">([^<]+)</span>', page.text
    )
    return {name.lower(): value for name, value in pairs}


def totals(stack: Stack, path: str, token: str | None = None, **params: Any) -> Any:
    found = stack.api("GET", path, token, params=params)
    assert found.status_code == 200, found.text
    return found.json()["totals"]


def test_a_visitor_reads_a_public_profile_with_its_journey(stack: Stack, star: Pilot) -> None:
    public = totals(stack, f"/v1/public/{star.handle}/journey", days=30)
    assert public == totals(stack, "/v1/me/journey", star.token, days=30)
    with stack.browser() as visitor:
        page = visitor.get(f"/u/{star.handle}")
    assert page.status_code == 200
    assert f'<span class="handle-inline">{star.handle}</span>\'s journey' in page.text
    numbers = strip(page)
    assert numbers["play time"] == present.duration(public["play_seconds"])
    assert numbers["deaths"] == f"{public['deaths']:,}"
    assert '<h2 id="window-title">In the last 30 days</h2>' in page.text
    assert "A year of play" in page.text
    for days in ("1", "7", "90", "all"):
        assert f'href="/u/{star.handle}?days={days}"' in page.text
    assert f'href="/u/{star.handle}" aria-current="true">30 days' in page.text
    # Read-only: none of the owner's filters or pairing hints.
    assert "Filter activity" not in page.text
    assert 'href="/devices"' not in page.text
    # Signed out: the way to log in comes back here; none of the signed-in navigation.
    assert f'href="/auth/login?next=%2Fu%2F{star.handle}"' in page.text
    assert 'href="/sharing"' not in page.text
    assert "Log out" not in page.text


def test_the_window_comes_from_the_chips_and_a_bad_one_is_ignored(
    stack: Stack, star: Pilot
) -> None:
    with stack.browser() as visitor:
        week = visitor.get(f"/u/{star.handle}?days=7")
        odd = visitor.get(f"/u/{star.handle}?days=12")
    assert f'href="/u/{star.handle}?days=7" aria-current="true"' in week.text
    assert "in the last 7 days" in week.text
    assert odd.status_code == 200
    assert f'href="/u/{star.handle}" aria-current="true"' in odd.text


def test_nobody_and_not_shared_are_the_same_404(stack: Stack) -> None:
    private = sign_up_via_api(stack, "Quiet_One")
    ingest(stack, private.token, private.handle, envelopes_for(private.handle, seed=2))
    viewer = sign_up_via_api(stack)

    def page_for(client: httpx.Client, handle: str) -> str:
        response = client.get(f"/u/{handle}")
        assert response.status_code == 404
        assert "No stats visible under this handle" in response.text
        return response.text.replace(handle, "HANDLE")

    with stack.browser() as visitor:
        assert page_for(visitor, "Quiet_One") == page_for(visitor, "Ghost_One")
        bad = visitor.get("/u/not.a.handle")
        assert bad.status_code == 404
        assert "No stats visible under this handle" in bad.text
        assert 'href="/auth/login?next=%2Fu%2FQuiet_One"' in visitor.get("/u/Quiet_One").text
    with logged_in(stack, viewer) as client:
        signed_in = page_for(client, "Quiet_One")
        # The CSRF token of the logout form is the same in both: one browser.
        assert signed_in == page_for(client, "Ghost_One")
        assert "Back to your dashboard" in signed_in


def test_a_signed_in_player_reads_what_was_shared_with_them_and_their_own(
    stack: Stack,
) -> None:
    owner, friend = sign_up_via_api(stack), sign_up_via_api(stack)
    ingest(stack, owner.token, owner.handle, envelopes_for(owner.handle, seed=13))
    shared = stack.api(
        "POST", "/v1/me/share", owner.token, json={"recipient_handle": friend.handle}
    )
    assert shared.status_code == 200, shared.text
    with stack.browser() as visitor:
        assert visitor.get(f"/u/{owner.handle}").status_code == 404  # not public
    with logged_in(stack, friend) as client:
        page = client.get(f"/u/{owner.handle}")
        assert page.status_code == 200
        mine = totals(stack, "/v1/me/journey", owner.token, days=30)
        assert mine == totals(stack, f"/v1/u/{owner.handle}/journey", friend.token, days=30)
        assert strip(page)["play time"] == present.duration(mine["play_seconds"])
        assert "Log out" in page.text
        assert "You are reading a public profile" not in page.text
    with logged_in(stack, owner) as client:
        own = client.get(f"/u/{owner.handle.lower()}")
        assert own.status_code == 200
        assert "This is your profile as the players you share with see it." in own.text
        # The window chips link to the handle as the player claimed it.
        assert f'href="/u/{owner.handle}?days=7"' in own.text


def test_a_player_without_events_gets_a_profile_that_says_so(stack: Stack) -> None:
    fresh = sign_up_via_api(stack)
    stack.api("POST", "/v1/me/visibility", fresh.token, json={"public": True})
    with stack.browser() as visitor:
        page = visitor.get(f"/u/{fresh.handle}")
    assert page.status_code == 200
    assert "has not uploaded any events" in page.text
    assert 'class="stats"' not in page.text


def test_a_cookie_the_api_refuses_reads_on_as_a_visitor(stack: Stack, star: Pilot) -> None:
    """A revoked session (logged out elsewhere) is not sent to the login page: the profile
    is readable without one, so it shows the public view and forgets the cookie."""
    reader = sign_up_via_api(stack)
    assert stack.api("POST", "/v1/auth/logout", reader.token).status_code == 204
    with stack.browser() as client:
        client.cookies.set(COOKIE, reader.token)
        page = client.get(f"/u/{star.handle}")
        assert page.status_code == 200
        assert f'{COOKIE}="";' in page.headers["set-cookie"]
        assert "You are reading a public profile" in page.text
        assert "Log out" not in page.text


def test_an_expired_cookie_is_not_even_tried(stack: Stack, star: Pilot) -> None:
    reader = sign_up_via_api(stack)
    header, _, signature = reader.token.split(".")
    payload = {"exp": 1_000_000_000, "preferred_username": reader.handle}
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    with stack.browser() as client:
        client.cookies.set(COOKIE, f"{header}.{encoded}.{signature}")
        page = client.get(f"/u/{star.handle}")
    assert page.status_code == 200
    assert "You are reading a public profile" in page.text


# One profile is two API reads (the summary and the journey's glance, at once).
@pytest.mark.parametrize("api_overrides", [{"public_rate_per_minute": 2}])
def test_too_many_public_reads_are_explained(
    stack: Stack, star: Pilot, api_overrides: dict[str, Any]
) -> None:
    with stack.browser() as visitor:
        assert visitor.get(f"/u/{star.handle}").status_code == 200  # two API reads
        page = visitor.get(f"/u/{star.handle}")
    assert page.status_code == 429
    assert "Too many requests" in page.text
    assert re.search(r"Try again in \d+ seconds\.", page.text)
    assert page.headers["retry-after"].isdigit()
