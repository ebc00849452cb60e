"""Sharing in a real browser (Chromium via Playwright) against the real API backed by a real
SpiceDB (the root conftest's `spicedb`: the embedded engine behind its gRPC port): a player
makes their stats public and a signed-out visitor reads them at the public URL; they share
with a second player, who opens the profile from "Shared with me"; they revoke, and the
second player, who opens the profile from "Shared with me", reads the journey (the API's
numbers), opens a session and a journey page (no serious or critical axe-core finding); they
revoke, and the second player gets the 404 page on the profile and on the session; they create
an org, add the second player, share with it, and the second player sees the org and, through
it, the journey. Screenshots of the sharing, profile (web-profile-journey.png, the shared
journey) and org pages are saved at laptop and phone width."""

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from starstats_web import present

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    PASSWORD,
    Pilot,
    Stack,
    envelopes_for,
    ingest,
    sign_up_via_api,
)
from .conftest import Audit, Shot

pytestmark = pytest.mark.slow


@pytest.fixture
def api_overrides(spicedb: Any) -> dict[str, Any]:
    """The API talks to the session's SpiceDB (emptied for each test)."""
    return {"spicedb_endpoint": spicedb.endpoint, "spicedb_preshared_key": spicedb.key}


def log_in(context: BrowserContext, web: str, pilot: Pilot) -> Page:
    page = context.new_page()
    page.goto(f"{web}/auth/login")
    page.get_by_label("Email").fill(pilot.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{web}/dashboard")
    return page


def stat_values(page: Page) -> dict[str, str]:
    names = page.locator("ul.stats .name").all_inner_texts()
    values = page.locator("ul.stats .value").all_inner_texts()
    return {n.strip().lower(): v.strip() for n, v in zip(names, values, strict=True)}


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_two_players_share_revoke_and_meet_in_an_org(
    *, stack: Stack, browser: Browser, context: BrowserContext, shot: Shot, audit: Audit
) -> None:
    web = stack.web_url
    nova, wing = sign_up_via_api(stack, "Nova_Pilot"), sign_up_via_api(stack, "Wing_Mate")
    ingest(stack, nova.token, nova.handle, envelopes_for(nova.handle, seed=31, sessions=3))
    totals = stack.api("GET", "/v1/me/journey?days=30", nova.token).json()["totals"]
    newest = stack.api("GET", "/v1/me/journey/sessions?limit=1", nova.token).json()["sessions"][0]

    # -- Nova makes her stats public; a signed-out visitor reads them at the public URL ------
    page = log_in(context, web, nova)
    nav(page, "Sharing")
    page.wait_for_url(f"{web}/sharing")
    expect(page.get_by_text("Your stats are private")).to_be_visible()
    page.get_by_role("button", name="Make my stats public").click()
    page.wait_for_url(f"{web}/sharing?notice=now_public")
    public_url = f"{web}/u/Nova_Pilot"
    expect(page.locator("#public-url")).to_have_text(public_url)

    visitor = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    try:
        outside = visitor.new_page()
        outside.goto(public_url)
        expect(outside.get_by_role("heading", level=1)).to_have_text("Nova_Pilot's journey")
        strip = stat_values(outside)
        assert strip["play time"] == present.duration(totals["play_seconds"])
        assert strip["deaths"] == f"{totals['deaths']:,}"
        expect(outside.get_by_role("img", name="Play time per day, last 53 weeks")).to_be_visible()
        expect(outside.get_by_role("link", name="Log in").first).to_be_visible()
        assert outside.evaluate("document.cookie") == ""
        assert audit(outside) == []
        shot(outside, "profile")
        outside.get_by_role("navigation", name="Window").get_by_role("link", name="7 days").click()
        outside.wait_for_url(f"{public_url}?days=7")
        expect(outside.get_by_role("heading", name="In the last 7 days")).to_be_visible()
        outside.get_by_role("link", name="Every place").click()
        outside.wait_for_url(f"{public_url}/journey/places")
        expect(outside.get_by_role("heading", level=1)).to_have_text("Places")
    finally:
        visitor.close()

    # -- back to private; share with Wing_Mate by handle ---------------------------------------
    page.get_by_role("button", name="Make my stats private").click()
    page.wait_for_url(f"{web}/sharing?notice=now_private")
    page.get_by_label("Player's handle").fill("nobody_here")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator("#e-handle")).to_have_text("No player has the handle “nobody_here”.")
    page.get_by_label("Player's handle").fill("wing_mate")
    page.get_by_role("button", name="Share", exact=True).click()
    page.wait_for_url(f"{web}/sharing?notice=shared")
    shares = page.get_by_role("list", name="Players you share with")
    expect(shares.locator("li .who")).to_have_text(["Wing_Mate"])

    # -- Wing_Mate opens Nova's profile from "Shared with me" ---------------------------------
    wing_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    try:
        other = log_in(wing_context, web, wing)
        nav(other, "Sharing")
        with_me = other.get_by_role("list", name="Players who share with you")
        with_me.get_by_role("link", name="Nova_Pilot").click()
        other.wait_for_url(public_url)
        assert stat_values(other)["play time"] == present.duration(totals["play_seconds"])
        expect(other.get_by_role("heading", name="In the last 30 days")).to_be_visible()
        expect(other.get_by_role("search", name="Filter activity")).to_have_count(0)
        assert audit(other) == []
        shot(other, "profile-journey")
        # ... opens the newest session, told as its owner reads it, and a journey page.
        session_url = f"{public_url}/journey/sessions/{newest['session_id']}"
        other.locator(f'.session-list a[href="{session_url.removeprefix(web)}"]').click()
        other.wait_for_url(session_url)
        expect(other.get_by_role("img", name="The session as a timeline")).to_be_visible()
        expect(other.locator("ol.story > li").first).to_be_visible()
        assert audit(other) == []
        other.get_by_role("navigation", name="Journey").get_by_role("link", name="Ships").click()
        other.wait_for_url(f"{public_url}/journey/ships")
        expect(other.get_by_role("heading", level=1)).to_have_text("Ships")
        assert audit(other) == []

        # -- Nova revokes (after the confirmation step); Wing_Mate gets the 404 page -----------
        page.get_by_role("link", name="Revoke Wing_Mate").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Stop sharing with Wing_Mate?")
        page.get_by_role("button", name="Stop sharing").click()
        page.wait_for_url(f"{web}/sharing?notice=share_revoked")
        expect(page.get_by_text("You have not shared your stats with anyone yet.")).to_be_visible()
        response = other.goto(public_url)
        assert response is not None
        assert response.status == 404
        expect(other.get_by_role("heading", level=1)).to_have_text(
            "No stats visible under this handle"
        )
        response = other.goto(session_url)
        assert response is not None
        assert response.status == 404
        expect(other.get_by_role("heading", level=1)).to_have_text(
            "No stats visible under this handle"
        )
        assert audit(other) == []

        # -- Nova creates an org, adds Wing_Mate and shares with it ----------------------------
        nav(page, "Orgs")
        page.get_by_label("Name").fill("Red Wing Squadron")
        page.get_by_label("Slug").fill("red-wing")
        page.get_by_role("button", name="Create org").click()
        page.wait_for_url(f"{web}/orgs/red-wing?notice=org_created")
        page.get_by_label("Player's handle").fill("Wing_Mate")
        page.get_by_label("Role", exact=True).select_option("member")
        page.get_by_role("button", name="Add member").click()
        page.wait_for_url(f"{web}/orgs/red-wing?notice=member_saved")
        members = page.get_by_role("list", name="Members of Red Wing Squadron")
        expect(members.locator("li")).to_have_count(2)
        page.get_by_role("button", name="Share my stats with Red Wing Squadron").click()
        page.wait_for_url(f"{web}/orgs/red-wing?notice=org_shared")
        shared = page.get_by_role("list", name="Stats shared with Red Wing Squadron")
        expect(shared.get_by_role("link")).to_have_text(["Nova_Pilot"])
        shot(page, "org")
        nav(page, "Sharing")
        expect(
            page.get_by_role("list", name="Orgs you share with").get_by_role("link")
        ).to_have_text(["Red Wing Squadron", "Revoke Red Wing Squadron"])
        shot(page, "sharing")

        # -- Wing_Mate sees the org and, through it, Nova's stats again ------------------------
        nav(other, "Orgs")
        other.get_by_role("link", name="Red Wing Squadron").click()
        other.wait_for_url(f"{web}/orgs/red-wing")
        expect(other.get_by_text("you are member")).to_be_visible()
        expect(other.get_by_role("heading", name="Add a member")).to_have_count(0)
        other.get_by_role("list", name="Stats shared with Red Wing Squadron").get_by_role(
            "link", name="Nova_Pilot"
        ).click()
        other.wait_for_url(public_url)
        assert stat_values(other)["play time"] == present.duration(totals["play_seconds"])
        nav(other, "Sharing")
        expect(other.get_by_text("through red-wing")).to_be_visible()
    finally:
        wing_context.close()


def test_the_sharing_pages_fit_a_phone(stack: Stack, browser: Browser, shot: Shot) -> None:
    """At 390 px the sharing, profile and org pages do not scroll sideways (charts scroll in
    their own box) and the navigation stays reachable."""
    nova, wing = sign_up_via_api(stack, "Nova_Pilot"), sign_up_via_api(stack, "Wing_Mate")
    ingest(stack, nova.token, nova.handle, envelopes_for(nova.handle, seed=32))
    stack.api("POST", "/v1/me/share", nova.token, json={"recipient_handle": wing.handle})
    stack.api("POST", "/v1/me/share", wing.token, json={"recipient_handle": nova.handle})
    stack.api("POST", "/v1/orgs", nova.token, json={"name": "Red Wing Squadron", "slug": "red"})
    stack.api("POST", "/v1/orgs/red/members", nova.token, json={"handle": wing.handle})
    stack.api("POST", "/v1/me/share/org", nova.token, json={"org_slug": "red"})
    stack.api("POST", "/v1/me/visibility", nova.token, json={"public": True})
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = log_in(phone, stack.web_url, nova)
        for path, name in [
            ("/sharing", "sharing-phone"),
            ("/u/Nova_Pilot", "profile-phone"),
            ("/orgs/red", "org-phone"),
        ]:
            page.goto(f"{stack.web_url}{path}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
            main_nav = page.get_by_role("navigation", name="Main")
            for link in ("Dashboard", "Devices", "Sharing", "Orgs", "Settings"):
                expect(main_nav.get_by_role("link", name=link)).to_be_visible()
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            shot(page, name)
    finally:
        phone.close()
