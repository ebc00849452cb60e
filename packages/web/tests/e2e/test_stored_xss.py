"""Stored XSS in a real browser (Chromium via Playwright) against the real API, a real SpiceDB
and the web app: a player plants hostile markup in everything they can write that the web app
later shows (event text fields from their "Game.log", an upload's game build, device labels,
org names, handles typed into forms), and every page that shows it must render it as inert
text, to the player, to a player they share with, and to a signed-out visitor.

The planting player's pages are read with the browser told to ignore the Content Security
Policy (`bypass_csp`): the escaping alone must keep the payloads inert, the CSP is a second
wall. The other readers' browsers enforce it. Every page response must still carry the CSP.

On each page: no JS dialog, `window.__xss` never set, no element or attribute a payload would
create (`img[src=x]`, `svg[onload]`, any `on*` attribute, any script but the app's own static
one, any `javascript:` URL), no request for the payloads' `x` image, no console error (a CSP
violation is one), and where the page shows a planted value, it shows it literally
(`{{7*7}}` stays `{{7*7}}`, never `49`)."""

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect

from starstats_core.events import EVENT_CLASSES, BaseEvent, event_to_dict
from starstats_core.events.combat import ActorDeath, Corpse, StatusEffect
from starstats_core.events.commerce import CommodityBuyRequest, ShopBuyRequest
from starstats_core.events.header import SessionStarted
from starstats_core.events.hud import BlueprintReceived, HudNotification
from starstats_core.events.missions import MissionEnd, MissionObjective, MissionStart
from starstats_core.events.session import (
    ChannelDisconnected,
    GameModeChanged,
    JoinPu,
    LauncherActivity,
)
from starstats_core.events.system import RemoteMatch
from starstats_core.events.travel import (
    LocationInventoryRequested,
    QuantumRoute,
    QuantumTargetSelected,
    VehicleControl,
    VehicleSpawned,
)
from starstats_core.metadata import observed_metadata
from starstats_core.wire import LogSource, idempotency_key
from starstats_web import sentences
from starstats_web.security import CONTENT_SECURITY_POLICY

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    PASSWORD,
    Pilot,
    Stack,
    envelopes_for,
    ingest,
    sign_up_via_api,
)
from .conftest import Shot

pytestmark = pytest.mark.slow

# -- the payloads ---------------------------------------------------------------------------------
SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'
SVG = '"><svg onload="window.__xss=3">'
JS_URL = "javascript:window.__xss=4"
TEMPLATE = "{{7*7}}"
RAW_BLOCK = "{% raw %}{{7*7}}{% endraw %}"
TITLE = "</title><script>window.__xss=5</script>"
PAYLOADS = (SCRIPT, IMG, SVG, JS_URL, TEMPLATE, RAW_BLOCK, TITLE)

# Device labels (at most 100 characters) and org names (at most 80), two payloads each.
DEVICE_LABELS = (f"{SCRIPT} {TEMPLATE}", f"{IMG} {RAW_BLOCK}", f"{SVG} {JS_URL}", TITLE)
PAIRING_LABEL = f"{IMG} {JS_URL}"  # asked for on the page, never redeemed
ORGS = {  # slug: name; the first is created through the page's form
    "xss-title": f"{TITLE} {TEMPLATE}",
    "xss-script": f"{SCRIPT} {RAW_BLOCK}",
    "xss-img": f"{IMG} {JS_URL}",
    "xss-svg": SVG,
}
GAME_BUILD = IMG  # the upload's `game_build` (at most 64 characters), on the devices page

NOVA, WING = "Nova_Pilot", "Wing_Mate"
WINDOW = {"width": 1366, "height": 900}
GEID = "200146297631"


@pytest.fixture
def api_overrides(spicedb: Any) -> dict[str, Any]:
    """The API talks to the session's SpiceDB (emptied for each test): orgs need it."""
    return {"spicedb_endpoint": spicedb.endpoint, "spicedb_preshared_key": spicedb.key}


# -- watching a page --------------------------------------------------------------------------
@dataclass
class Watch:
    """What a page did that a rendered payload would make it do."""

    dialogs: list[str] = field(default_factory=list)
    x_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


_STATUS_LOGGED = "Failed to load resource: the server responded with a status of"


def watched(context: BrowserContext) -> tuple[Page, Watch]:
    page = context.new_page()
    seen = Watch()

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "request",
        lambda r: seen.x_requests.append(r.url) if urlsplit(r.url).path.endswith("/x") else None,
    )

    def on_console(message: Any) -> None:
        # A page answered with an error status logs that it "failed to load": not a payload's
        # doing (a payload's image request is caught above); anything else is.
        if message.type == "error" and not message.text.startswith(_STATUS_LOGGED):
            seen.console_errors.append(message.text)

    page.on("console", on_console)
    return page, seen


# Everything a payload could have created, read from the live DOM.
_DOM_STATE = """() => {
  const urlAttrs = ["href", "src", "action", "formaction", "xlink:href", "data"];
  const jsUrls = [];
  const handlers = [];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith("on")) handlers.push(el.tagName + "[" + a.name + "]");
      const squashed = a.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (urlAttrs.includes(a.name.toLowerCase()) && squashed.startsWith("javascript:"))
        jsUrls.push(el.tagName + "[" + a.name + "=" + a.value + "]");
    }
  }
  return {
    xss: typeof window.__xss,
    scripts: [...document.querySelectorAll("script")].map(s => s.getAttribute("src")),
    handlers,
    jsUrls,
    imgX: document.querySelectorAll("img[src='x']").length,
    svgOnload: document.querySelectorAll("svg[onload]").length,
    frames: document.querySelectorAll("iframe, object, embed, frame").length,
    headTitles: document.head.querySelectorAll("title").length,
    bodyText: document.body.innerText,
  };
}"""


def assert_inert(page: Page, seen: Watch, response: Response | None, where: str) -> str:
    """Every check of the module docstring on the page now shown; its visible text."""
    assert response is not None, where
    csp = response.headers.get("content-security-policy")
    assert csp == CONTENT_SECURITY_POLICY, f"{where}: CSP header is {csp!r}"
    page.wait_for_load_state("load")
    state = page.evaluate(_DOM_STATE)
    assert seen.dialogs == [], f"{where}: a dialog opened: {seen.dialogs}"
    assert state["xss"] == "undefined", f"{where}: a payload ran (window.__xss is set)"
    assert len(state["scripts"]) == 1, f"{where}: scripts {state['scripts']}"
    assert state["scripts"][0].startswith("/static/app.js?v="), where
    assert state["handlers"] == [], f"{where}: event handler attributes {state['handlers']}"
    assert state["jsUrls"] == [], f"{where}: javascript: URLs {state['jsUrls']}"
    assert state["imgX"] == 0, f"{where}: an <img src=x> was created"
    assert state["svgOnload"] == 0, f"{where}: an <svg onload> was created"
    assert state["frames"] == 0, where
    assert state["headTitles"] == 1, f"{where}: {state['headTitles']} titles in <head>"
    assert seen.x_requests == [], f"{where}: the payload image was requested"
    assert seen.console_errors == [], f"{where}: console errors {seen.console_errors}"
    return str(state["bodyText"])


def visit(page: Page, seen: Watch, url: str, status: int = 200) -> str:
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url}: {response.status}"
    return assert_inert(page, seen, response, url)


def submit(page: Page, seen: Watch, button: Any, where: str) -> str:
    """Click a form's submit button; the checks on the page it leads to."""
    with page.expect_navigation() as navigation:
        button.click()
    return assert_inert(page, seen, navigation.value, where)


def assert_no_evaluation(text: str, where: str) -> None:
    """Where `{{7*7}}` was planted it must read as typed, never `49`."""
    assert TEMPLATE in text, f"{where}: {text!r}"
    assert "49" not in text, f"{where}: a template was evaluated: {text!r}"


# -- planting ---------------------------------------------------------------------------------
def stamp(at: datetime) -> str:
    """The game's own timestamp form, `2026-05-02T21:14:23.189Z`."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def hostile_events(handle: str, start: datetime) -> list[BaseEvent]:
    """One game session whose every free-text field a sentence or the sessions table shows
    holds a payload, then one HUD notification per payload. A minute apart, oldest first."""
    t = [stamp(start + timedelta(minutes=i)) for i in range(40)]
    mission = str(uuid.UUID(int=7))
    location_changed = EVENT_CLASSES["location_changed"].model_validate(
        {"type": "location_changed", "timestamp": t[8], "from": SVG, "to": JS_URL}
    )
    planted: list[BaseEvent] = [
        SessionStarted(
            timestamp=t[0], log_started=t[0], file_version=TITLE, branch="sc-alpha-4.7", channel=SVG
        ),
        JoinPu(timestamp=t[1], address="10.0.0.1", port=64300, shard=SVG, location_id="1"),
        VehicleControl(
            timestamp=t[2], action="entered", vehicle_class=IMG, vehicle_id="7001", player_geid=GEID
        ),
        VehicleSpawned(timestamp=t[3], vehicle_class=SCRIPT, vehicle_id="7002", player_geid=GEID),
        QuantumTargetSelected(
            timestamp=t[4],
            phase="selected",
            vehicle_class=TEMPLATE,
            vehicle_id="7003",
            destination=JS_URL,
        ),
        QuantumRoute(
            timestamp=t[5],
            vehicle_class=TITLE,
            vehicle_id="7004",
            start_location=RAW_BLOCK,
            destination=TITLE,
        ),
        LocationInventoryRequested(timestamp=t[6], player=handle, location=IMG),
        GameModeChanged(timestamp=t[7], player=handle, from_mode=SVG, to_mode=RAW_BLOCK),
        location_changed,
        MissionStart(
            timestamp=t[9], mission_id=mission, marker_kind="phase", mission_name=TEMPLATE
        ),
        MissionObjective(timestamp=t[10], objective_id="obj-1", text=RAW_BLOCK, priority=1),
        MissionEnd(timestamp=t[11], mission_id=mission, outcome=SCRIPT, reason=IMG),
        ActorDeath(
            timestamp=t[12],
            victim=handle,
            zone=JS_URL,
            killer=SCRIPT,
            weapon="KLWE_Pistol_Ballistic_01_1234",
            damage_type=IMG,
        ),
        Corpse(timestamp=t[13], player=handle, is_local=False, detail=JS_URL),
        StatusEffect(timestamp=t[14], nickname=handle, effect=SVG, phase="start"),
        ShopBuyRequest(
            timestamp=t[15], shop_name=SVG, item_class=IMG, price=120.0, quantity=2, raw=SCRIPT
        ),
        CommodityBuyRequest(
            timestamp=t[16],
            shop_name=TITLE,
            commodity=TEMPLATE,
            quantity=300.0,
            quantity_unit="cSCU",
            price=45.0,
            raw=IMG,
        ),
        BlueprintReceived(timestamp=t[17], blueprint=TITLE, notification_id=9),
        RemoteMatch(timestamp=t[18], rule_id="rule-1", event_name=IMG, fields={"x": SCRIPT}),
        ChannelDisconnected(timestamp=t[19], cause=1, reason=TITLE),
        # The launcher's own zone-less clock: stored without a time ("no time logged").
        LauncherActivity(
            timestamp=(start + timedelta(minutes=20)).strftime("%Y-%m-%d %H:%M:%S.000"),
            level="info",
            message=SVG,
            category="info",
        ),
    ]
    planted += [
        HudNotification(timestamp=t[21 + i], text=text, notification_id=100 + i)
        for i, text in enumerate(PAYLOADS)
    ]
    return planted


def envelope(event: BaseEvent, offset: int, handle: str) -> dict[str, Any]:
    """The envelope the desktop client sends, its raw line carrying the payloads too."""
    wire = event_to_dict(event)
    line = f"<{event.timestamp}> [Notice] <Planted> {json.dumps(wire)}"
    return {
        "idempotency_key": idempotency_key(LogSource.LIVE, "planted", offset, line),
        "raw_line": line,
        "event": wire,
        "source": "live",
        "source_offset": offset,
        "metadata": observed_metadata(event, handle).model_dump(mode="json"),
    }


def pair_device(stack: Stack, pilot: Pilot, label: str) -> tuple[str, str]:
    """(device token, device id) of a device paired with `label`."""
    started = stack.api("POST", "/v1/auth/devices/start", pilot.token, json={"label": label})
    assert started.status_code == 200, started.text
    assert started.json()["label"] == label  # stored verbatim, not cleaned
    redeemed = stack.api("POST", "/v1/auth/devices/redeem", json={"code": started.json()["code"]})
    assert redeemed.status_code == 200, redeemed.text
    return redeemed.json()["token"], redeemed.json()["device_id"]


@dataclass(frozen=True)
class Planted:
    device_ids: dict[str, str]  # label: id
    seqs: list[int]  # the hostile events' seqs
    expected: dict[int, str]  # seq: the activity sentence, from the stored payload
    days: list[str]  # the UTC days the hostile events were played on


def plant(stack: Stack, nova: Pilot, wing: Pilot) -> Planted:
    devices = {label: pair_device(stack, nova, label) for label in DEVICE_LABELS}
    first_token = devices[DEVICE_LABELS[0]][0]
    # Ordinary play first (older, lower seqs), then the hostile session, an hour ago.
    ingest(stack, devices[DEVICE_LABELS[1]][0], nova.handle, envelopes_for(nova.handle, seed=41))
    events = hostile_events(nova.handle, datetime.now(UTC) - timedelta(minutes=70))
    batch = {
        "schema_version": 2,
        "batch_id": uuid.uuid4().hex,
        "game_build": GAME_BUILD,
        "claimed_handle": nova.handle,
        "events": [envelope(e, 1000 + i, nova.handle) for i, e in enumerate(events)],
    }
    done = stack.api("POST", "/v1/ingest", first_token, json=batch)
    assert done.status_code == 200, done.text
    assert done.json()["accepted"] == len(events), done.json()

    stored = stack.api("GET", "/v1/me/events?limit=100", nova.token).json()["events"]
    hostile = sorted(stored, key=lambda e: e["seq"])[-len(events) :]
    assert [e["event_type"] for e in hostile] == [e.type for e in events]
    expected = {}
    for event in hostile:
        sentence = sentences.describe(event["event_type"], event["payload"], None)
        # A builder read the payload (not the type-name fallback), so the page must show it.
        assert sentence != sentences.label(event["event_type"]), event
        expected[event["seq"]] = sentence
    # Ship and place names go through core's `names`, which turns a class name into words
    # (markup included, `<img …>` becomes "Img Src=x …"); every other field reaches the page
    # as planted, so most sentences still carry the markup that escaping must neutralise.
    marked = [s for s in expected.values() if any(m in s for m in ("<", ">", "{", "javascript:"))]
    assert len(marked) >= len(expected) * 2 // 3, expected

    # Three of the orgs (the fourth is made on the page); public, and shared with Wing.
    for slug, name in list(ORGS.items())[1:]:
        made = stack.api("POST", "/v1/orgs", nova.token, json={"name": name, "slug": slug})
        assert made.status_code in (200, 201), made.text
        assert made.json()["name"] == name
    for path, body in [
        ("/v1/me/visibility", {"public": True}),
        ("/v1/me/share", {"recipient_handle": wing.handle}),
    ]:
        answer = stack.api("POST", path, nova.token, json=body)
        assert answer.status_code in (200, 201, 204), answer.text
    return Planted(
        {label: device_id for label, (_, device_id) in devices.items()},
        [e["seq"] for e in hostile],
        expected,
        sorted({e.timestamp[:10] for e in events if "T" in e.timestamp}),
    )


def share_orgs_with(stack: Stack, nova: Pilot, wing: Pilot) -> None:
    """Wing joins every org and Nova shares her stats with each."""
    for slug in ORGS:
        body = {"handle": wing.handle}
        added = stack.api("POST", f"/v1/orgs/{slug}/members", nova.token, json=body)
        assert added.status_code in (200, 201), added.text
        shared = stack.api("POST", "/v1/me/share/org", nova.token, json={"org_slug": slug})
        assert shared.status_code in (200, 201, 204), shared.text


def log_in(context: BrowserContext, web: str, pilot: Pilot) -> tuple[Page, Watch]:
    page, seen = watched(context)
    page.goto(f"{web}/auth/login")
    page.get_by_label("Email").fill(pilot.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{web}/dashboard")
    return page, seen


# -- reading the dashboard --------------------------------------------------------------------
def activity_rows(page: Page) -> dict[int, str]:
    rows = page.locator("ol.activity > li").evaluate_all(
        "items => items.map(li => [li.dataset.seq, li.querySelector('.sentence').textContent])"
    )
    return {int(seq): text for seq, text in rows}


def check_activity(page: Page, planted: Planted, shown: set[int], where: str) -> None:
    """Every planted row on the page reads exactly as its sentence: the markup as text."""
    for seq, text in activity_rows(page).items():
        if seq in planted.expected:
            assert text == planted.expected[seq], f"{where}: row {seq} reads {text!r}"
            shown.add(seq)


@pytest.fixture
def csp_off(browser: Browser) -> Iterator[BrowserContext]:
    """The planting player's browser, ignoring the CSP: escaping alone must hold."""
    made = browser.new_context(viewport=WINDOW, locale="en-GB", bypass_csp=True)
    made.set_default_timeout(15_000)
    yield made
    made.close()


def test_markup_a_player_planted_renders_as_text_on_every_page(
    *, stack: Stack, browser: Browser, csp_off: BrowserContext, shot: Shot
) -> None:
    web = stack.web_url
    nova, wing = sign_up_via_api(stack, NOVA), sign_up_via_api(stack, WING)
    planted = plant(stack, nova, wing)
    page, seen = log_in(csp_off, web, nova)

    # -- /dashboard: stat strip, charts, sessions ------------------------------------------------
    text = visit(page, seen, f"{web}/dashboard")
    assert "Welcome back, Nova_Pilot" in text
    expect(page.locator("ul.stats .value")).to_have_count(7)
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 1
    for index in range(charts.count()):
        svg = charts.nth(index)
        tips = svg.locator("g > title").all_text_contents()
        assert not any(mark in tip for tip in tips for mark in "<>{"), tips
        assert svg.locator("script, foreignObject, [onload]").count() == 0
    sessions = stack.api("GET", "/v1/me/journey/sessions?limit=8", nova.token).json()["sessions"]
    newest = sessions[0]
    assert newest["shards"] == [SVG]  # the fold keeps the planted shard (and channel)
    assert newest["channel"] == SVG
    # The session's story quotes them as text, and its "copy as text" block verbatim.
    visit(page, seen, f"{web}/journey/sessions/{newest['session_id']}")
    expect(page.locator("ol.story")).to_contain_text(f"(shard {SVG})")
    expect(page.locator("#story-text")).to_contain_text(f"launched 4.7.0 {SVG}")
    expect(page.locator(".session-facts")).to_contain_text(SVG)
    # -- /activity: the log with its filters ----------------------------------------------------
    visit(page, seen, f"{web}/activity")

    shown: set[int] = set()
    check_activity(page, planted, shown, "activity, page 1")
    with page.expect_navigation() as older:
        page.get_by_role("link", name="Older →").click()
    assert_inert(page, seen, older.value, "activity, page 2")
    check_activity(page, planted, shown, "activity, page 2")
    assert shown == set(planted.seqs), f"planted rows never shown: {set(planted.seqs) - shown}"

    # Filtered to the HUD notifications: each payload, verbatim, in quotes.
    with page.expect_navigation() as filtered:
        page.get_by_label("Event type", exact=True).select_option("hud_notification")
    assert_inert(page, seen, filtered.value, "activity, type filter")
    hud = activity_rows(page)
    assert sorted(t for seq, t in hud.items() if seq in planted.expected) == sorted(
        f"Notification: “{p}”" for p in PAYLOADS
    )
    check_activity(page, planted, shown, "activity, type filter")
    templated = page.locator("ol.activity .sentence", has_text="“{{7*7}}”")
    expect(templated).to_have_text(["Notification: “{{7*7}}”"])
    assert_no_evaluation(templated.inner_text(), "activity: HUD text")
    # ... and by day (the planted session's days, UTC), every type again.
    url = f"{web}/activity?since={planted.days[0]}&until={planted.days[-1]}#activity-title"
    visit(page, seen, url)
    assert set(activity_rows(page)) & set(planted.seqs), "no planted row on its day"
    check_activity(page, planted, shown, "activity, date filter")
    shot(page, "xss")

    # -- /devices: labels, the upload's game build, a pairing asked for with a label ----------
    visit(page, seen, f"{web}/devices")
    assert sorted(page.locator(".device-name").all_text_contents()) == sorted(DEVICE_LABELS)
    for label in DEVICE_LABELS:
        revoke = page.get_by_role("link", name=f"Revoke {label}", exact=True)
        expect(revoke).to_have_attribute("href", f"/devices/{planted.device_ids[label]}/revoke")
    uploads = page.get_by_role("table", name=f"Recent uploads from {DEVICE_LABELS[0]}")
    expect(uploads.locator("tbody tr").first.locator("td").nth(5)).to_have_text(GAME_BUILD)
    assert_no_evaluation(page.locator(".device-name").last.inner_text(), "devices: label")
    page.get_by_label("Device name").fill(PAIRING_LABEL)
    submit(page, seen, page.get_by_role("button", name="Get a pairing code"), "pairing code")
    expect(page.locator(".pairing > p.muted strong")).to_have_text(PAIRING_LABEL)
    # The revoke confirmation names the device in its heading and the window title.
    title_device = planted.device_ids[TITLE]
    visit(page, seen, f"{web}/devices/{title_device}/revoke")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revoke “{TITLE}”?")
    assert TITLE in page.title()

    # -- /orgs: one more org through the page's form (a `javascript:` slug is refused) -------
    visit(page, seen, f"{web}/orgs")
    title_slug, title_name = next(iter(ORGS.items()))
    page.get_by_label("Name").fill(title_name)
    page.get_by_label("Slug").fill(JS_URL)
    submit(page, seen, page.get_by_role("button", name="Create org"), "create org, bad slug")
    expect(page.locator("#e-slug")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value(title_name)
    expect(page.get_by_label("Slug")).to_have_value(JS_URL)
    page.get_by_label("Slug").fill(title_slug)
    submit(page, seen, page.get_by_role("button", name="Create org"), "create org")
    page.wait_for_url(f"{web}/orgs/{title_slug}?notice=org_created")
    share_orgs_with(stack, nova, wing)
    visit(page, seen, f"{web}/orgs")
    assert sorted(page.locator(".org-list a.who").all_text_contents()) == sorted(ORGS.values())
    for slug, name in ORGS.items():
        expect(page.get_by_role("link", name=name, exact=True)).to_have_attribute(
            "href", f"/orgs/{slug}"
        )

    # -- /orgs/{slug}: the name in the window title, heading, lists' names and buttons --------
    for slug, name in ORGS.items():
        visit(page, seen, f"{web}/orgs/{slug}")
        assert page.title() == f"{name} · StarStats"
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        expect(page.get_by_role("list", name=f"Members of {name}").locator("li")).to_have_count(2)
        shared = page.get_by_role("list", name=f"Stats shared with {name}")
        expect(shared.get_by_role("link")).to_have_text([NOVA])
        expect(page.get_by_role("link", name=f"Stop sharing my stats with {name}")).to_be_visible()
        expect(page.get_by_role("link", name=f"Delete {name}", exact=True)).to_be_visible()
    visit(page, seen, f"{web}/orgs/{title_slug}")
    assert_no_evaluation(page.title(), "org: window title")
    assert_no_evaluation(page.locator("h1").inner_text(), "org: heading")
    # A hostile handle typed into "Add a member" comes back inert.
    page.get_by_label("Player's handle").fill(SVG)
    submit(page, seen, page.get_by_role("button", name="Add member"), "add member, bad handle")
    expect(page.get_by_label("Player's handle")).to_have_value(SVG)
    # The confirmations that name the org.
    for path in (
        f"/orgs/{title_slug}/delete",
        f"/orgs/{title_slug}/members/{WING}/remove",
        f"/sharing/org/{title_slug}/revoke",
    ):
        visit(page, seen, f"{web}{path}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(title_name)
        assert title_name in page.title()

    # -- /sharing: org names in the lists, a hostile handle typed into "Share" ----------------
    visit(page, seen, f"{web}/sharing")
    org_links = page.get_by_role("list", name="Orgs you share with").locator(".who a")
    assert sorted(org_links.all_text_contents()) == sorted(ORGS.values())
    page.get_by_label("Player's handle").fill(IMG)
    submit(page, seen, page.get_by_role("button", name="Share", exact=True), "share, bad handle")
    expect(page.get_by_label("Player's handle")).to_have_value(IMG)
    expect(page.locator("#e-handle")).to_be_visible()

    # -- /u/Nova_Pilot as its owner -----------------------------------------------------------
    text = visit(page, seen, f"{web}/u/{NOVA}")
    assert "Nova_Pilot's journey" in text

    # -- the player she shares with (CSP enforced): profile, sharing, orgs ---------------------
    wing_context = browser.new_context(viewport=WINDOW, locale="en-GB")
    try:
        other, watch = log_in(wing_context, web, wing)
        visit(other, watch, f"{web}/u/{NOVA}")
        expect(other.get_by_role("heading", level=1)).to_have_text("Nova_Pilot's journey")
        visit(other, watch, f"{web}/u/{NOVA}/journey/sessions")
        visit(other, watch, f"{web}/u/{NOVA}/journey/sessions/{newest['session_id']}")
        visit(other, watch, f"{web}/sharing")
        with_me = other.get_by_role("list", name="Players who share with you")
        expect(with_me.get_by_role("link", name=NOVA)).to_have_attribute("href", f"/u/{NOVA}")
        visit(other, watch, f"{web}/orgs")
        assert sorted(other.locator(".org-list a.who").all_text_contents()) == sorted(ORGS.values())
        for slug, name in ORGS.items():
            visit(other, watch, f"{web}/orgs/{slug}")
            assert other.title() == f"{name} · StarStats"
            expect(other.get_by_role("heading", level=1)).to_have_text(name)
            expect(other.get_by_role("link", name=f"Leave {name}", exact=True)).to_be_visible()
    finally:
        wing_context.close()

    # -- a signed-out visitor (CSP enforced): the public profile -------------------------------
    visitor = browser.new_context(viewport=WINDOW, locale="en-GB")
    try:
        outside, watch = watched(visitor)
        text = visit(outside, watch, f"{web}/u/{NOVA}")
        assert "Nova_Pilot's journey" in text
        expect(outside.get_by_role("img", name="Play time per day, last 53 weeks")).to_be_visible()
        visit(outside, watch, f"{web}/u/{NOVA}/journey/sessions/{newest['session_id']}")
    finally:
        visitor.close()


def test_markup_typed_as_a_handle_is_refused_and_echoed_as_text(
    *, stack: Stack, context: BrowserContext
) -> None:
    """Sign-up refuses each payload as a handle with the inline message, and gives the form
    back with the payload as the field's value, not as markup; a payload in a profile URL gets
    the 404 page naming it as text."""
    web = stack.web_url
    page, seen = watched(context)
    for n, payload in enumerate(PAYLOADS):
        visit(page, seen, f"{web}/auth/signup")
        page.get_by_label("Email").fill(f"hostile{n}@example.com")
        page.get_by_label("RSI handle").fill(payload)
        page.get_by_label("Password").fill(PASSWORD)
        where = f"sign-up with handle {payload!r}"
        submit(page, seen, page.get_by_role("button", name="Create account"), where)
        assert page.url == f"{web}/auth/signup", where
        expect(page.locator("#e-handle")).to_have_text(
            "A handle is 1 to 64 letters, digits, underscores or hyphens."
        )
        expect(page.get_by_label("RSI handle")).to_have_value(payload)
        expect(page.get_by_label("Email")).to_have_value(f"hostile{n}@example.com")
    assert "starstats_session" not in {c["name"] for c in context.cookies()}

    for payload in PAYLOADS:
        visit(page, seen, f"{web}/u/{quote(payload, safe='')}", status=404)
        if "/" in payload:
            continue  # an encoded slash is a path separator again: the site's plain 404 page
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "No stats visible under this handle"
        )
        expect(page.locator(".error-page p.muted").first).to_contain_text(f"“{payload}”")
