"""A player's whole journey in a real browser (Chromium via Playwright) against the real API
(SQLite, and PostgreSQL), the real SMTP server and the web app: sign up, confirm the email
from the mail, log out and back in, pair a device from the page and redeem its code as the
desktop client does, upload events with the device token, read the dashboard (the journey's
numbers, sessions), filter and page through the activity log, revoke the device, refuse a
cross-site form, log out. Screenshots of the main pages are saved on every run, at laptop
and phone width."""

import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from starstats_web import present

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    PASSWORD,
    Stack,
    envelopes_for,
    ingest,
    sign_up_via_api,
)
from .conftest import Shot

pytestmark = pytest.mark.slow


class _EvilSite(BaseHTTPRequestHandler):
    """Another site: a page whose form posts to the web app without a CSRF token."""

    target = ""

    def do_GET(self) -> None:
        body = (
            "<!doctype html><title>Free ships</title>"
            f'<form method="post" action="{self.target}/auth/logout">'
            '<button type="submit">Claim your free ship</button></form>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def evil_site(stack: Stack) -> Iterator[str]:
    """Served on `localhost`: another site than the web app's `127.0.0.1`."""
    handler = type("Evil", (_EvilSite,), {"target": stack.web_url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def activity_seqs(page: Page) -> list[int]:
    return [
        int(s)
        for s in page.locator("ol.activity > li").evaluate_all(
            "items => items.map(li => li.dataset.seq)"
        )
    ]


def stat_values(page: Page) -> dict[str, str]:
    names = page.locator("ul.stats .name").all_inner_texts()
    values = page.locator("ul.stats .value").all_inner_texts()
    return {n.strip().lower(): v.strip() for n, v in zip(names, values, strict=True)}


def log_in(page: Page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_player_signs_up_pairs_a_client_and_reads_their_stats(
    *, stack: Stack, context: BrowserContext, shot: Shot, evil_site: str, backend: str
) -> None:
    web = stack.web_url
    page = context.new_page()

    # -- sign up: logged in at once, told how to pair ------------------------------------------
    page.goto(f"{web}/auth/signup")
    shot(page, "signup")
    page.get_by_label("Email").fill("Nova@Example.com")
    page.get_by_label("RSI handle").fill("Nova_Pilot")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{web}/dashboard?notice=welcome")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Nova_Pilot")
    expect(page.get_by_text("No events yet — pair your desktop client")).to_be_visible()
    expect(page.locator("pre.command").first).to_have_text(
        f"starstats-client pair --api {stack.api_url} --code <CODE>"
    )

    # The token never reaches page scripts; the cookie's flags are what the issue asks.
    assert page.evaluate("document.cookie") == ""
    cookies = {c["name"]: c for c in context.cookies()}
    session = cookies["starstats_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert session["path"] == "/"
    assert session["secure"] is False  # STARSTATS_COOKIE_SECURE=false: plain http here
    assert 3500 < session["expires"] - time.time() <= 3601
    assert cookies["starstats_csrf"]["httpOnly"] is True

    # -- the verification mail's link ---------------------------------------------------------
    stack.inbox.wait_for(1)
    page.goto(stack.inbox.link())
    expect(page.get_by_role("heading", level=1)).to_have_text("✓ Email verified")
    expect(page.get_by_text("nova@example.com")).to_be_visible()

    # -- log out, then a protected page sends to the login form and back ----------------------
    page.goto(f"{web}/dashboard")
    expect(page.get_by_text("Confirm your email address")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{web}/auth/login?notice=logged_out")
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    page.goto(f"{web}/devices")
    page.wait_for_url(f"{web}/auth/login?next=%2Fdevices")
    log_in(page, "nova@example.com")
    page.wait_for_url(f"{web}/devices")

    # -- pair a device on the page; the client redeems the code -------------------------------
    page.get_by_label("Device name").fill("Gaming rig")
    page.get_by_role("button", name="Get a pairing code").click()
    code = page.locator("#pairing-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    expect(page.locator("pre.command")).to_have_text(
        f"starstats-client pair --api {stack.api_url} --code {code}"
    )
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_have_text(re.compile(r"^\((9|10):\d\d left\)$"))  # the script ticks
    redeemed = stack.api("POST", "/v1/auth/devices/redeem", json={"code": code})
    assert redeemed.status_code == 200, redeemed.text
    device_token, device_id = redeemed.json()["token"], redeemed.json()["device_id"]

    # -- the client uploads (core's synthesizer and parser, the client's envelopes) ------------
    envelopes = envelopes_for("Nova_Pilot", seed=21, sessions=3, lines=2500)
    accepted = ingest(stack, device_token, "Nova_Pilot", envelopes)
    assert accepted == len(envelopes)
    summary = stack.api("GET", "/v1/me/summary", device_token).json()
    overview = stack.api("GET", "/v1/me/journey?days=30", device_token).json()
    sessions = stack.api("GET", "/v1/me/journey/sessions?limit=8", device_token).json()

    # -- the dashboard shows the journey's numbers, cards and sessions ------------------------
    page.goto(f"{web}/dashboard")
    strip = stat_values(page)
    totals = overview["totals"]
    assert strip["play time"] == present.duration(totals["play_seconds"])
    assert strip["quantum legs"] == f"{totals['quantum_legs']:,}"
    assert strip["deaths"] == f"{totals['deaths']:,}"
    assert strip["kills"] == ("not logged" if totals["kills"] is None else f"{totals['kills']:,}")
    recent = page.locator(".session-list > li")
    expect(recent).to_have_count(len(sessions["sessions"]))
    newest = sessions["sessions"][0]
    expect(recent.first).to_contain_text(f"{present.duration(newest['seconds'])} played")
    expect(page.get_by_role("img", name="Play time per day, last 53 weeks")).to_be_visible()
    chips = page.get_by_role("navigation", name="Window").get_by_role("link")
    expect(chips).to_have_text(["24 h", "7 days", "30 days", "90 days", "All time"])
    shot(page, "dashboard-first-upload")
    chips.filter(has_text="7 days").click()
    expect(page.get_by_role("heading", name="Your journey, in the last 7 days")).to_be_visible()
    expect(chips.filter(has_text="7 days")).to_have_attribute("aria-current", "true")
    top = summary["by_type"][0]

    # -- the activity log, a click away: filter by type (the select submits itself), by date --
    page.get_by_role("link", name="open the activity log").click()
    page.wait_for_url(f"{web}/activity")
    expect(page.get_by_role("heading", name="Activity log")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity")
    ).to_have_attribute("aria-current", "page")
    page.get_by_label("Event type", exact=True).select_option(top["event_type"])
    page.wait_for_url(re.compile(rf"type={top['event_type']}"))
    types = page.locator("ol.activity > li").evaluate_all("l => l.map(li => li.dataset.type)")
    assert set(types) == {top["event_type"]}
    assert len(types) == min(25, top["count"])
    page.get_by_role("link", name="Clear").click()
    page.wait_for_url(f"{web}/activity#activity-title")
    first_page = activity_seqs(page)
    assert first_page == list(range(accepted, accepted - 25, -1))

    day = page.locator("ol.activity > li time").first.get_attribute("datetime")
    assert day is not None
    page.get_by_label("From", exact=True).fill(day[:10])
    page.get_by_label("To", exact=True).fill(day[:10])
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(rf"since={day[:10]}&until={day[:10]}"))
    stamps = page.locator("ol.activity > li time").evaluate_all(
        "l => l.map(t => t.getAttribute('datetime'))"
    )
    assert stamps
    assert all(s.startswith(day[:10]) for s in stamps)
    page.get_by_role("link", name="Clear").click()

    # -- page through the activity by seq -----------------------------------------------------
    page.get_by_role("link", name="Older →").click()
    older = activity_seqs(page)
    assert older == [s - 25 for s in first_page]
    page.get_by_role("link", name="Older →").click()
    assert activity_seqs(page) == [s - 50 for s in first_page]
    page.get_by_role("link", name="← Newer").click()
    assert activity_seqs(page) == older
    page.get_by_role("link", name="← Newer").click()
    assert activity_seqs(page) == first_page

    # -- the devices page, then revoking after the confirmation step --------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Devices").click()
    expect(page.get_by_role("heading", name="Gaming rig")).to_be_visible()
    uploads = page.get_by_role("table", name="Recent uploads from Gaming rig")
    batches = -(-accepted // 500)  # `ingest` posts 500 envelopes a batch
    expect(uploads.locator("tbody tr")).to_have_count(min(5, batches))
    expect(uploads.locator("tbody tr").first.locator("td").nth(2)).to_have_text(
        f"{accepted - 500 * (batches - 1):,}"  # the newest batch: the last, partial one
    )
    page.get_by_label("Device name").fill("Steam Deck")  # a second code, left unused
    page.get_by_role("button", name="Get a pairing code").click()
    expect(page.locator("#pairing-code")).to_have_text(re.compile(r"^[A-Z2-9]{8}$"))
    expect(page.get_by_role("heading", name="Gaming rig")).to_be_visible()
    shot(page, "devices")
    page.get_by_role("link", name="Revoke Gaming rig").click()
    page.wait_for_url(f"{web}/devices/{device_id}/revoke")
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke “Gaming rig”?")
    page.get_by_role("button", name="Revoke device").click()
    page.wait_for_url(f"{web}/devices?notice=revoked")
    expect(page.get_by_text("No device is paired yet.")).to_be_visible()
    late = envelopes_for("Nova_Pilot", seed=99, sessions=1, lines=300)
    batch = {"schema_version": 2, "batch_id": "late", "claimed_handle": "Nova_Pilot"}
    refused = stack.api("POST", "/v1/ingest", device_token, json={**batch, "events": late})
    assert refused.status_code == 401

    # -- a form on another site cannot act for the player -------------------------------------
    evil = context.new_page()
    evil.goto(evil_site)
    with evil.expect_navigation() as refused_post:
        evil.get_by_role("button", name="Claim your free ship").click()
    response = refused_post.value
    assert response is not None
    assert response.status == 403
    expect(evil.get_by_role("heading", level=1)).to_have_text("That form could not be accepted")
    page.goto(f"{web}/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Nova_Pilot")

    # -- log out --------------------------------------------------------------------------------
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{web}/auth/login?notice=logged_out")
    assert "starstats_session" not in {c["name"] for c in context.cookies()}
    page.goto(f"{web}/dashboard")
    page.wait_for_url(f"{web}/auth/login")


def test_the_pages_fit_a_phone(stack: Stack, browser: Browser, shot: Shot) -> None:
    """At 390 px nothing scrolls sideways, the navigation stays reachable, and the
    screenshots of the main pages are saved at that width too."""
    pilot = sign_up_via_api(stack, "Phone_Pilot")
    started = stack.api("POST", "/v1/auth/devices/start", pilot.token, json={"label": "Deck"})
    device = stack.api("POST", "/v1/auth/devices/redeem", json={"code": started.json()["code"]})
    ingest(stack, device.json()["token"], pilot.handle, envelopes_for(pilot.handle, seed=8))
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = phone.new_page()
        page.goto(f"{stack.web_url}/auth/signup")
        shot(page, "signup-phone")
        page.goto(f"{stack.web_url}/auth/login")
        log_in(page, pilot.email)
        page.wait_for_url(f"{stack.web_url}/dashboard")
        for path, name in [
            ("/dashboard", "dashboard-first-upload-phone"),
            ("/devices", "devices-phone"),
        ]:
            page.goto(f"{stack.web_url}{path}")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
            expect(page.get_by_role("link", name="Devices")).to_be_visible()
            expect(page.get_by_role("button", name="Log out")).to_be_visible()
            shot(page, name)
    finally:
        phone.close()


def test_keyboard_users_see_where_they_are(stack: Stack, context: BrowserContext) -> None:
    """Tab reaches the skip link first, and every focused control gets a visible ring."""
    page = context.new_page()
    page.goto(f"{stack.web_url}/auth/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.get_by_label("Email").focus()
    ring = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
    assert ring != "none"
    # Every input has a label that names it.
    unlabeled = page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]), select')]"
        ".filter(i => !i.labels || i.labels.length === 0).length"
    )
    assert unlabeled == 0
