"""A player's journey in a real browser (Chromium via Playwright): four synthesized sessions
(4.1 with kills, 4.7 without) uploaded as the desktop client does; the dashboard tells where
they were and what they did, a session opens as its story and copies as the CLI's text, the
activity log lists the raw events, at laptop and phone width, with no serious or critical
axe-core finding. Screenshots: web-dashboard.png, web-session.png, web-activity.png and
their -phone twins."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from starstats_web import api_models as m
from starstats_web import journeyview, present

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    PASSWORD,
    Pilot,
    Stack,
    envelopes_of,
    ingest,
    sign_up_via_api,
    synthesized_log,
)
from .conftest import Audit, Shot

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}


@dataclass(frozen=True)
class Played:
    pilot: Pilot
    overview: dict[str, Any]
    sessions: list[dict[str, Any]]


@pytest.fixture
def played(stack: Stack) -> Played:
    pilot = sign_up_via_api(stack, "Vela_Nyx")
    started = stack.api("POST", "/v1/auth/devices/start", pilot.token, json={"label": "Rig"})
    device = stack.api("POST", "/v1/auth/devices/redeem", json={"code": started.json()["code"]})
    token = device.json()["token"]
    data = synthesized_log(pilot.handle, seed=31, sessions=4, lines=2000, days_ago=6)
    envelopes = envelopes_of(data, pilot.handle)
    assert ingest(stack, token, pilot.handle, envelopes) == len(envelopes)
    overview = stack.api("GET", "/v1/me/journey?days=30", pilot.token).json()
    sessions = stack.api("GET", "/v1/me/journey/sessions?limit=8", pilot.token).json()
    return Played(pilot, overview, sessions["sessions"])


@pytest.fixture
def clipboard_context(browser: Browser, stack: Stack) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    made.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.web_url)
    made.set_default_timeout(15_000)
    yield made
    made.close()


def log_in(page: Page, stack: Stack, pilot: Pilot) -> None:
    page.goto(f"{stack.web_url}/auth/login")
    page.get_by_label("Email").fill(pilot.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{stack.web_url}/dashboard")


def sideways_overflow(page: Page) -> tuple[int, list[str]]:
    """How far the page scrolls sideways, and the elements that stick out (to fix them)."""
    over = int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )
    culprits = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
            .slice(0, 8).map(e => e.tagName + '.' + e.className)"""
    )
    return over, culprits


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_player_reads_their_journey_and_copies_a_session(
    *, stack: Stack, played: Played, clipboard_context: BrowserContext, shot: Shot, audit: Audit
) -> None:
    page = clipboard_context.new_page()
    log_in(page, stack, played.pilot)
    totals, last = played.overview["totals"], played.overview["last_seen"]

    # -- the dashboard: where, how much, and the cards -----------------------------------------
    expect(page.locator("#last-seen")).to_contain_text(f"at {last['place_name']}")
    expect(page.locator("#last-seen")).to_contain_text(f"in the {last['ship_name']}")
    strip = page.locator("ul.stats")
    expect(strip.locator(".stat").first.locator(".value")).to_have_text(
        present.duration(totals["play_seconds"])
    )
    kills = strip.locator(".stat", has_text="Kills").locator(".value")
    expect(kills).to_have_text(f"{totals['kills']:,}")  # two of the sessions are 4.1: logged
    expect(page.get_by_role("img", name="Play time per day, last 53 weeks")).to_be_visible()
    for card in ("Recent sessions", "Places", "Ships", "Contracts", "Trade", "Lives and deaths"):
        expect(page.get_by_role("heading", name=card, exact=True)).to_be_visible()
    recent = page.get_by_role("region", name="Recent sessions").get_by_role("link")
    expect(recent.filter(has_text=re.compile(r"\d"))).to_have_count(len(played.sessions))
    assert audit(page) == []
    shot(page, "dashboard")

    # The window chips change the numbers to that window's.
    page.get_by_role("navigation", name="Window").get_by_role("link", name="All time").click()
    page.wait_for_url(f"{stack.web_url}/dashboard?days=all")
    lifetime = played.overview["lifetime"]
    expect(strip.locator(".stat", has_text="Quantum legs").locator(".value")).to_have_text(
        f"{lifetime['quantum_legs']:,}"
    )

    # -- open the newest session: its story, its timeline, its text ------------------------------
    newest = played.sessions[0]
    page.goto(f"{stack.web_url}/dashboard")
    page.locator(f'.session-list a[href="/journey/sessions/{newest["session_id"]}"]').click()
    page.wait_for_url(f"{stack.web_url}/journey/sessions/{newest['session_id']}")
    story = stack.api("GET", f"/v1/me/journey/sessions/{newest['session_id']}", played.pilot.token)
    text = journeyview.story_text(m.SessionStoryOut.model_validate_json(story.content))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        journeyview.session_title(m.SessionFact.model_validate(newest))
    )
    expect(page.get_by_role("img", name="The session as a timeline")).to_be_visible()
    lines = text.splitlines()
    expect(page.locator("ol.story > li")).to_have_count(len(lines))
    page.get_by_role("button", name="Copy as text").click()
    expect(page.locator("[data-copied]")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == text
    assert audit(page) == []
    page.evaluate("window.scrollTo(0, 0)")  # the sticky bar stays at the top of the picture
    shot(page, "session")

    # -- the sessions list leads to every session ------------------------------------------------
    page.get_by_role("navigation", name="Journey").get_by_role("link", name="Sessions").click()
    rows = page.locator("table.sessions tbody tr")
    expect(rows).to_have_count(len(played.sessions))
    assert audit(page) == []

    # -- the activity log: the raw events, from the main menu -----------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    page.wait_for_url(f"{stack.web_url}/activity")
    expect(page.locator("ol.activity > li")).to_have_count(25)
    assert audit(page) == []
    shot(page, "activity")


JOURNEY_PAGES = [
    ("Places", "Time per place, all time"),
    ("Travel", "Routes most flown, legs on this page"),
    ("Ships", "Time at the controls per ship, all time"),
    ("Contracts", None),
    ("Trade", "Trade profit per good, all time"),
    ("Lives", "Deaths by cause"),
]


def test_each_journey_page_opens_from_the_journey_menu(
    *, stack: Stack, played: Played, context: BrowserContext, shot: Shot, audit: Audit
) -> None:
    page = context.new_page()
    log_in(page, stack, played.pilot)
    page.goto(f"{stack.web_url}/journey/sessions")
    for name, chart in JOURNEY_PAGES:
        page.get_by_role("navigation", name="Journey").get_by_role("link", name=name).click()
        page.wait_for_url(f"{stack.web_url}/journey/{name.lower()}")
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        menu = page.get_by_role("navigation", name="Journey").get_by_role("link", name=name)
        expect(menu).to_have_attribute("aria-current", "true")
        if chart is not None:
            expect(page.get_by_role("img", name=chart)).to_be_visible()
        expect(page.locator("table.table tbody tr").first).to_be_visible()
        assert audit(page) == [], name
        shot(page, f"journey-{name.lower()}")


def test_the_journey_fits_a_phone(
    *, stack: Stack, played: Played, browser: Browser, shot: Shot
) -> None:
    phone = browser.new_context(**PHONE)
    try:
        page = phone.new_page()
        log_in(page, stack, played.pilot)
        newest = played.sessions[0]["session_id"]
        pages = [
            ("/dashboard", "dashboard-phone"),
            (f"/journey/sessions/{newest}", "session-phone"),
            ("/activity", "activity-phone"),
        ]
        pages += [(f"/journey/{name.lower()}", None) for name, _ in JOURNEY_PAGES]
        for path, name in pages:
            page.goto(f"{stack.web_url}{path}")
            if name is not None:
                shot(page, name)  # first: a failure below is easier to read with its picture
            over, culprits = sideways_overflow(page)
            assert over <= 0, f"{path} scrolls sideways by {over}px: {culprits}"
            if name == "session-phone":
                # The timeline is drawn for a phone: it fits, its labels stay readable.
                box = page.get_by_role("img", name="The session as a timeline").bounding_box()
                assert box is not None
                assert box["width"] <= 390
    finally:
        phone.close()
