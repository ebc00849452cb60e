"""`/devices` over real HTTP: a pairing code the desktop client can redeem, the exact
command to type, the device list, and revoking only after a confirmation step."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from starstats_web.app import create_app
from starstats_web.session import COOKIE
from starstats_web.settings import WebSettings

from ..conftest import (  # noqa: TID252 - shared web test helpers; tests are not an installed package
    Stack,
    csrf_of,
    envelopes_for,
    ingest,
    logged_in,
    post_form,
    sign_up_via_api,
)

CODE = re.compile(r'<p class="code" id="pairing-code"[^>]*>([A-Z0-9]{8})</p>')


def test_a_code_from_the_page_pairs_a_client_and_the_device_is_listed(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        empty = client.get("/devices")
        assert "No device is paired yet." in empty.text
        page = post_form(client, "/devices/pair", {"label": "Gaming rig"}, "/devices")
        assert page.status_code == 200
        code = CODE.search(page.text)
        assert code is not None, page.text
        command = f"starstats-client pair --api {stack.api_url} --code {code.group(1)}"
        assert command in page.text
        assert "Settings</em> tab" in page.text
        expiry = re.search(r'data-countdown="([^"]+)"', page.text)
        assert expiry is not None
        expires = datetime.fromisoformat(expiry.group(1))
        assert timedelta(minutes=9) < expires - datetime.now(UTC) <= timedelta(minutes=10)

        redeemed = stack.api("POST", "/v1/auth/devices/redeem", json={"code": code.group(1)})
        assert redeemed.status_code == 200, redeemed.text
        device_id = redeemed.json()["device_id"]
        listed = client.get("/devices")
        assert "Gaming rig" in listed.text
        assert device_id in listed.text
        assert f'href="/devices/{device_id}/revoke"' in listed.text


def test_revoking_asks_first_and_then_the_device_token_stops_working(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    started = stack.api("POST", "/v1/auth/devices/start", pilot.token, json={"label": "Laptop"})
    redeemed = stack.api("POST", "/v1/auth/devices/redeem", json={"code": started.json()["code"]})
    device_id, device_token = redeemed.json()["device_id"], redeemed.json()["token"]
    with logged_in(stack, pilot) as client:
        confirm = client.get(f"/devices/{device_id}/revoke")
        assert confirm.status_code == 200
        assert "Revoke “Laptop”?" in confirm.text
        # Nothing happened yet: the confirmation page is only a question.
        assert stack.api("GET", "/v1/auth/me", device_token).status_code == 200

        refused = client.post(f"/devices/{device_id}/revoke", data={})
        assert refused.status_code == 403
        assert stack.api("GET", "/v1/auth/me", device_token).status_code == 200

        done = client.post(
            f"/devices/{device_id}/revoke", data={"csrf_token": csrf_of(confirm.text)}
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/devices?notice=revoked"
        after = client.get(done.headers["location"])
        assert "Device revoked" in after.text
        assert "Laptop" not in after.text
        assert stack.api("GET", "/v1/auth/me", device_token).status_code == 401

        gone = client.get(f"/devices/{device_id}/revoke")
        assert gone.headers["location"] == "/devices?notice=device_gone"


def test_a_too_long_name_or_too_many_codes_are_explained(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    with logged_in(stack, pilot) as client:
        long_name = post_form(client, "/devices/pair", {"label": "x" * 101}, "/devices")
        assert long_name.status_code == 400
        assert "Keep the name under 100 characters." in long_name.text
        for _ in range(5):
            assert post_form(client, "/devices/pair", {}, "/devices").status_code == 200
        sixth = post_form(client, "/devices/pair", {"label": "Sixth"}, "/devices")
        assert sixth.status_code == 409
        assert "Five pairing codes are already waiting" in sixth.text
        assert 'value="Sixth"' in sixth.text


def test_another_accounts_device_cannot_be_revoked(stack: Stack) -> None:
    owner = sign_up_via_api(stack)
    started = stack.api("POST", "/v1/auth/devices/start", owner.token, json={})
    redeemed = stack.api("POST", "/v1/auth/devices/redeem", json={"code": started.json()["code"]})
    device_id = redeemed.json()["device_id"]
    intruder = sign_up_via_api(stack)
    with logged_in(stack, intruder) as client:
        page = client.get(f"/devices/{device_id}/revoke")
        assert page.headers["location"] == "/devices?notice=device_gone"
        token = csrf_of(client.get("/devices").text)
        done = client.post(f"/devices/{device_id}/revoke", data={"csrf_token": token})
        assert done.headers["location"] == "/devices?notice=device_gone"
    assert stack.api("GET", "/v1/auth/devices", owner.token).json()["devices"]


def test_each_device_shows_its_recent_uploads(stack: Stack) -> None:
    pilot = sign_up_via_api(stack)
    started = stack.api("POST", "/v1/auth/devices/start", pilot.token, json={"label": "Rig"})
    redeemed = stack.api("POST", "/v1/auth/devices/redeem", json={"code": started.json()["code"]})
    envelopes = envelopes_for(pilot.handle, seed=6, sessions=3, lines=2000)
    assert 500 < len(envelopes) < 1000  # two batches: 500, then the rest
    ingest(stack, redeemed.json()["token"], pilot.handle, envelopes)
    with logged_in(stack, pilot) as client:
        page = client.get("/devices")
    table = page.text[page.text.index("Recent uploads from Rig") :]
    cells = re.findall(r'<td class="num">([\d,]+)</td>', table)
    assert cells[:3] == [f"{len(envelopes) - 500:,}"] * 2 + ["0"]  # newest batch first
    assert "4.7.178.50402" in table  # the batch's game build


def test_without_ingest_history_the_page_says_so_and_still_works(
    stack: Stack, tmp_path: Path, uvicorn_thread: Any
) -> None:
    """The real API with its ingest-history route hidden, as servers before it answer: the
    devices page says the history is not available and shows everything else."""
    pilot = sign_up_via_api(stack)
    started = stack.api("POST", "/v1/auth/devices/start", pilot.token, json={"label": "Rig"})
    stack.api("POST", "/v1/auth/devices/redeem", json={"code": started.json()["code"]})
    older_api = uvicorn_thread(WithoutRoute(stack.api_app, "/v1/me/ingest-history")).start()
    settings = WebSettings(
        api_url=older_api.url, cookie_secure=False, web_data_dir=tmp_path / "web"
    )
    web = uvicorn_thread(create_app(settings)).start()
    try:
        with httpx.Client(base_url=web.url, cookies={COOKIE: pilot.token}) as client:
            page = client.get("/devices")
    finally:
        web.stop()
        older_api.stop()
    assert page.status_code == 200
    assert "Upload history is not available from this StarStats API." in page.text
    assert "Rig" in page.text


class WithoutRoute:
    """An ASGI wrapper answering one path as the API answers a route it does not have."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path:
            body = b'{"error":"not_found","detail":"Not Found"}'
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 404, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
