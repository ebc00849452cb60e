"""Device pairing, listing, revocation and last-seen tracking, on both backends."""

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from starstats_server.clock import ManualClock
from starstats_server.db.tables import devices
from starstats_server.services.pairing import CODE_ALPHABET
from starstats_server.state import AppState

MakeUser = Callable[..., Any]


def _state(client: TestClient) -> AppState:
    state: AppState = client.app.state.starstats  # type: ignore[attr-defined]
    return state


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _start(client: TestClient, user: Any, label: str | None = "Gaming PC") -> dict[str, Any]:
    response = client.post("/v1/auth/devices/start", json={"label": label}, headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _pair(client: TestClient, user: Any, label: str = "Gaming PC") -> dict[str, Any]:
    code = _start(client, user, label)["code"]
    response = client.post("/v1/auth/devices/redeem", json={"code": code})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _error(response: Any) -> str:
    body = response.json()
    assert set(body) == {"error", "detail"}
    return str(body["error"])


def test_start_gives_an_8_character_code_valid_for_10_minutes(
    client: TestClient, make_user: MakeUser, clock: ManualClock
) -> None:
    body = _start(client, make_user("Pilot"), "  Gaming PC  ")
    assert set(body) == {"code", "expires_at", "label"}
    assert len(body["code"]) == 8
    assert set(body["code"]) <= set(CODE_ALPHABET)
    assert body["label"] == "Gaming PC"
    assert datetime.fromisoformat(body["expires_at"]) == clock.now() + timedelta(minutes=10)


@pytest.mark.parametrize("body", [None, {}, {"label": None}, {"label": "   "}])
def test_start_without_a_label_names_the_device_desktop_client(
    client: TestClient, make_user: MakeUser, body: Any
) -> None:
    user = make_user("Pilot")
    response = client.post("/v1/auth/devices/start", json=body, headers=user.headers)
    assert response.status_code == 200
    assert response.json()["label"] == "Desktop client"


def test_start_refuses_wrong_label_types(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Pilot")
    for label in (5, True, ["x"], "x" * 101):
        response = client.post(
            "/v1/auth/devices/start", json={"label": label}, headers=user.headers
        )
        assert response.status_code == 422, label


def test_codes_are_different_each_time(client: TestClient, make_user: MakeUser) -> None:
    users = [make_user("Pilot"), make_user("Wingman")]
    codes = {_start(client, user)["code"] for user in users for _ in range(5)}
    assert len(codes) == 10


def test_at_most_five_codes_wait_per_user(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Pilot")
    for _ in range(5):
        _start(client, user)
    response = client.post("/v1/auth/devices/start", json={}, headers=user.headers)
    assert response.status_code == 409
    assert _error(response) == "too_many_pending_codes"
    # Another user is unaffected.
    assert _start(client, make_user("Wingman"))["code"]


def test_used_and_expired_codes_free_their_slot(
    client: TestClient, make_user: MakeUser, clock: ManualClock
) -> None:
    user = make_user("Pilot")
    codes = [_start(client, user)["code"] for _ in range(5)]
    assert client.post("/v1/auth/devices/redeem", json={"code": codes[0]}).status_code == 200
    _start(client, user)  # the redeemed code no longer counts
    clock.advance(timedelta(minutes=11))
    for _ in range(5):  # all of them expired: five new ones fit
        _start(client, user)


def test_start_with_a_device_token_is_forbidden(client: TestClient, make_user: MakeUser) -> None:
    paired = _pair(client, make_user("Pilot"))
    response = client.post("/v1/auth/devices/start", json={}, headers=_bearer(paired["token"]))
    assert response.status_code == 403
    assert _error(response) == "user_token_required"


def test_start_needs_a_token(client: TestClient) -> None:
    response = client.post("/v1/auth/devices/start", json={})
    assert response.status_code == 401


def test_redeem_gives_a_device_token_for_the_owner(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Pilot_X")
    code = _start(client, user, "Gaming PC")["code"]
    response = client.post("/v1/auth/devices/redeem", json={"code": f"  {code.lower()}\n"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "device_id", "label", "claimed_handle"}
    assert body["label"] == "Gaming PC"
    assert body["claimed_handle"] == "Pilot_X"
    principal = _state(client).tokens.verify(body["token"])
    assert principal.token_type == "device"
    assert principal.user_id == user.id
    assert principal.device_id == uuid.UUID(body["device_id"])
    assert principal.handle == "Pilot_X"


@pytest.mark.parametrize("code", ["", "ABCDEFG", "ABCDEFGHJ", "ABCDEFGI", "ABCDEF01", "ABCD EFG"])
def test_redeem_refuses_malformed_codes(client: TestClient, code: str) -> None:
    response = client.post("/v1/auth/devices/redeem", json={"code": code})
    assert response.status_code == 400
    assert _error(response) == "invalid_code"


@pytest.mark.parametrize("body", [{"code": 12345678}, {"code": None}, {}, {"code": "A" * 65}])
def test_redeem_refuses_wrong_types_with_422(client: TestClient, body: Any) -> None:
    response = client.post("/v1/auth/devices/redeem", json=body)
    assert response.status_code == 422


def test_redeem_of_an_unknown_code_is_404(client: TestClient) -> None:
    response = client.post("/v1/auth/devices/redeem", json={"code": "ABCDEFGH"})
    assert response.status_code == 404
    assert _error(response) == "unknown_code"


def test_a_code_redeems_only_once(client: TestClient, make_user: MakeUser) -> None:
    code = _start(client, make_user("Pilot"))["code"]
    assert client.post("/v1/auth/devices/redeem", json={"code": code}).status_code == 200
    again = client.post("/v1/auth/devices/redeem", json={"code": code})
    assert again.status_code == 409
    assert _error(again) == "already_redeemed"


def test_a_code_expires_after_10_minutes(
    client: TestClient, make_user: MakeUser, clock: ManualClock
) -> None:
    user = make_user("Pilot")
    early = _start(client, user)["code"]
    late = _start(client, user)["code"]
    clock.advance(timedelta(minutes=9, seconds=59))
    assert client.post("/v1/auth/devices/redeem", json={"code": early}).status_code == 200
    clock.advance(timedelta(seconds=1))
    response = client.post("/v1/auth/devices/redeem", json={"code": late})
    assert response.status_code == 410
    assert _error(response) == "expired"


def test_concurrent_redeems_of_one_code_have_exactly_one_winner(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Pilot")
    code = _start(client, user)["code"]
    app = client.app

    async def _race() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as ac:
            return await asyncio.gather(
                *(ac.post("/v1/auth/devices/redeem", json={"code": code}) for _ in range(8))
            )

    responses = client.portal.call(_race)  # type: ignore[union-attr]
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 7
    listed = client.get("/v1/auth/devices", headers=user.headers).json()["devices"]
    assert len(listed) == 1


def test_list_shows_active_devices_newest_first(
    client: TestClient, make_user: MakeUser, clock: ManualClock
) -> None:
    user = make_user("Pilot")
    other = make_user("Other")
    first = _pair(client, user, "First")
    clock.advance(timedelta(seconds=5))
    second = _pair(client, user, "Second")
    _pair(client, other, "Not yours")
    response = client.get("/v1/auth/devices", headers=user.headers)
    assert response.status_code == 200
    listed = response.json()["devices"]
    assert [d["id"] for d in listed] == [second["device_id"], first["device_id"]]
    assert set(listed[0]) == {"id", "label", "created_at", "last_seen_at"}
    assert listed[0]["label"] == "Second"
    assert listed[0]["last_seen_at"] is None
    assert datetime.fromisoformat(listed[0]["created_at"]) == clock.now()


def test_list_with_a_device_token_is_forbidden(client: TestClient, make_user: MakeUser) -> None:
    paired = _pair(client, make_user("Pilot"))
    response = client.get("/v1/auth/devices", headers=_bearer(paired["token"]))
    assert response.status_code == 403
    assert _error(response) == "user_token_required"


def test_me_accepts_an_active_device_token(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Pilot")
    paired = _pair(client, user)
    response = client.get("/v1/auth/me", headers=_bearer(paired["token"]))
    assert response.status_code == 200
    assert response.json()["user_id"] == str(user.id)


def test_a_revoked_device_is_refused_on_its_next_call(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Pilot")
    paired = _pair(client, user)
    device_headers = _bearer(paired["token"])
    assert client.get("/v1/auth/me", headers=device_headers).status_code == 200
    revoke = client.delete(f"/v1/auth/devices/{paired['device_id']}", headers=user.headers)
    assert revoke.status_code == 204
    assert revoke.content == b""
    response = client.get("/v1/auth/me", headers=device_headers)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "detail": "token rejected: device revoked"}
    assert client.get("/v1/auth/devices", headers=user.headers).json() == {"devices": []}


def test_revoking_twice_is_fine(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Pilot")
    device_id = _pair(client, user)["device_id"]
    for _ in range(2):
        response = client.delete(f"/v1/auth/devices/{device_id}", headers=user.headers)
        assert response.status_code == 204


def test_revoking_another_users_device_is_not_found(
    client: TestClient, make_user: MakeUser
) -> None:
    owner = make_user("Owner")
    intruder = make_user("Intruder")
    paired = _pair(client, owner)
    response = client.delete(f"/v1/auth/devices/{paired['device_id']}", headers=intruder.headers)
    assert response.status_code == 404
    assert _error(response) == "device_not_found"
    assert client.get("/v1/auth/me", headers=_bearer(paired["token"])).status_code == 200


def test_revoking_an_unknown_device_is_not_found(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Pilot")
    response = client.delete(f"/v1/auth/devices/{uuid.uuid4()}", headers=user.headers)
    assert response.status_code == 404
    assert _error(response) == "device_not_found"
    assert client.delete("/v1/auth/devices/not-a-uuid", headers=user.headers).status_code == 404
    assert client.delete("/v1/auth/devices/start", headers=user.headers).status_code == 405


def test_a_device_cannot_revoke_devices(client: TestClient, make_user: MakeUser) -> None:
    paired = _pair(client, make_user("Pilot"))
    response = client.delete(
        f"/v1/auth/devices/{paired['device_id']}", headers=_bearer(paired["token"])
    )
    assert response.status_code == 403


def _last_seen(client: TestClient, device_id: str) -> datetime | None:
    state = _state(client)

    async def _read() -> datetime | None:
        async with state.engine.connect() as conn:
            value: datetime | None = (
                await conn.execute(
                    sa.select(devices.c.last_seen_at).where(devices.c.id == uuid.UUID(device_id))
                )
            ).scalar_one()
            return value

    result: datetime | None = client.portal.call(_read)  # type: ignore[union-attr]
    return result


def test_last_seen_is_written_at_most_once_a_minute(
    client: TestClient, make_user: MakeUser, clock: ManualClock
) -> None:
    user = make_user("Pilot")
    paired = _pair(client, user)
    headers = _bearer(paired["token"])
    start = clock.now()
    client.get("/v1/auth/me", headers=headers)
    assert _last_seen(client, paired["device_id"]) == start
    clock.advance(timedelta(seconds=59))
    client.get("/v1/auth/me", headers=headers)
    assert _last_seen(client, paired["device_id"]) == start
    clock.advance(timedelta(seconds=1))
    client.get("/v1/auth/me", headers=headers)
    assert _last_seen(client, paired["device_id"]) == start + timedelta(minutes=1)
    listed = client.get("/v1/auth/devices", headers=user.headers).json()["devices"]
    assert datetime.fromisoformat(listed[0]["last_seen_at"]) == start + timedelta(minutes=1)


@pytest.mark.parametrize("label", ["tab\there", "nul\x00", "bell\x07"])
def test_start_refuses_labels_with_control_characters(
    client: TestClient, make_user: MakeUser, label: str
) -> None:
    user = make_user("Pilot")
    response = client.post("/v1/auth/devices/start", json={"label": label}, headers=user.headers)
    assert response.status_code == 400
    assert _error(response) == "invalid_label"
