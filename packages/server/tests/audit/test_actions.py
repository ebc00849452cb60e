"""Every audited action lands in the chain with the right actor and payload, through the real
routes on both backends; and the two read routes show a user their own entries only."""

import json
import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

MakeUser = Callable[..., Any]
PASSWORD = "correct horse battery staple"


def _entries(audit_db: Any) -> list[tuple[str, str | None, str | None, dict[str, Any]]]:
    return [
        (row.action, row.actor_sub, row.actor_handle, json.loads(row.payload_json))
        for row in audit_db.rows()
    ]


def test_sign_up_login_and_email_verification_are_audited_without_the_email(
    client: TestClient, audit_db: Any
) -> None:
    signed = client.post(
        "/v1/auth/signup",
        json={"email": "Ace@Example.com", "password": PASSWORD, "claimed_handle": "Ace_Pilot"},
    ).json()
    sub = signed["user_id"]
    assert client.post(
        "/v1/auth/login", json={"email": "ace@example.com", "password": PASSWORD}
    ).is_success
    wrong = client.post("/v1/auth/login", json={"email": "ace@example.com", "password": "x" * 12})
    unknown = client.post(
        "/v1/auth/login", json={"email": "ghost@example.com", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    token = audit_db.scalar("SELECT email_verification_token FROM users")
    assert client.post("/v1/auth/email/verify", json={"token": token}).is_success

    assert _entries(audit_db) == [
        ("user.signed_up", sub, "Ace_Pilot", {}),
        ("user.logged_in", sub, "Ace_Pilot", {"method": "password"}),
        (
            "user.login_failed",
            sub,
            "Ace_Pilot",
            {"method": "password", "reason": "wrong_password"},
        ),
        ("user.login_failed", None, None, {"method": "password", "reason": "unknown_account"}),
        ("user.email_verified", sub, "Ace_Pilot", {}),
    ]
    for row in audit_db.rows():
        stored = f"{row.actor_sub} {row.actor_handle} {row.payload_json}"
        assert "example.com" not in stored
        assert "ghost" not in stored
        assert PASSWORD not in stored


def test_a_refused_sign_up_leaves_no_audit_row(client: TestClient, audit_db: Any) -> None:
    body = {"email": "a@example.com", "password": PASSWORD, "claimed_handle": "Dup"}
    assert client.post("/v1/auth/signup", json=body).is_success
    taken = client.post("/v1/auth/signup", json={**body, "email": "b@example.com"})
    assert taken.status_code == 409
    assert [entry[0] for entry in _entries(audit_db)] == ["user.signed_up"]


def test_pairing_redeeming_and_revoking_a_device_are_audited(
    client: TestClient, make_user: MakeUser, audit_db: Any
) -> None:
    user = make_user("Pilot")
    started = client.post(
        "/v1/auth/devices/start", json={"label": "Gaming PC"}, headers=user.headers
    ).json()
    paired = client.post("/v1/auth/devices/redeem", json={"code": started["code"]}).json()
    device = paired["device_id"]
    refused = client.post("/v1/auth/devices/redeem", json={"code": started["code"]})
    assert refused.status_code == 409
    assert client.delete(f"/v1/auth/devices/{device}", headers=user.headers).status_code == 204
    assert client.delete(f"/v1/auth/devices/{device}", headers=user.headers).status_code == 204

    sub = str(user.id)
    entries = _entries(audit_db)
    assert entries == [
        (
            "device.pairing_started",
            sub,
            "Pilot",
            {"label": "Gaming PC", "expires_at": entries[0][3]["expires_at"]},
        ),
        ("device.paired", sub, "Pilot", {"device_id": device, "label": "Gaming PC"}),
        ("device.revoked", sub, "Pilot", {"device_id": device}),  # once: the second was a no-op
    ]
    assert started["code"] not in json.dumps(entries)


def test_each_ingest_batch_is_audited_with_its_counts_and_device(
    client: TestClient,
    make_user: MakeUser,
    ingest_body: Callable[..., dict[str, Any]],
    audit_db: Any,
) -> None:
    user = make_user("Pilot")
    code = client.post("/v1/auth/devices/start", headers=user.headers).json()["code"]
    paired = client.post("/v1/auth/devices/redeem", json={"code": code}).json()
    device_headers = {"Authorization": f"Bearer {paired['token']}"}
    body = ingest_body("pilot", 3, batch_id="b-1", game_build="4.1.0")
    assert client.post("/v1/ingest", json=body, headers=device_headers).is_success
    assert client.post("/v1/ingest", json=body, headers=user.headers).is_success  # a replay

    batches = [entry for entry in _entries(audit_db) if entry[0] == "ingest.batch_processed"]
    common = {"batch_id": "b-1", "claimed_handle": "pilot", "game_build": "4.1.0", "total": 3}
    assert batches == [
        (
            "ingest.batch_processed",
            str(user.id),
            "Pilot",
            {**common, "device_id": paired["device_id"], "accepted": 3, "duplicate": 0}
            | {"rejected": 0},
        ),
        (
            "ingest.batch_processed",
            str(user.id),
            "Pilot",
            {**common, "device_id": None, "accepted": 0, "duplicate": 3, "rejected": 0},
        ),
    ]


def test_appends_are_counted_by_action_in_the_metrics(
    client: TestClient, make_user: MakeUser, ingest_body: Callable[..., dict[str, Any]]
) -> None:
    user = make_user("Pilot")
    for _ in range(2):
        client.post("/v1/ingest", json=ingest_body("Pilot"), headers=user.headers)
    client.post("/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}
    counts = {
        sample.labels["action"]: sample.value
        for sample in families["starstats_audit_appends"].samples
        if sample.name.endswith("_total")
    }
    assert counts == {"ingest.batch_processed": 2.0, "user.login_failed": 1.0}


def test_my_audit_lists_only_my_entries_newest_first_in_pages(
    client: TestClient, make_user: MakeUser, ingest_body: Callable[..., dict[str, Any]]
) -> None:
    me, other = make_user("Pilot"), make_user("Other")
    for _ in range(5):
        client.post("/v1/ingest", json=ingest_body("Pilot", 1), headers=me.headers)
    client.post("/v1/ingest", json=ingest_body("Other", 1), headers=other.headers)

    first = client.get("/v1/me/audit", params={"limit": 3}, headers=me.headers).json()
    assert [entry["seq"] for entry in first["entries"]] == [5, 4, 3]
    assert first["next_before"] == 3
    second = client.get(
        "/v1/me/audit", params={"limit": 3, "before_seq": 3}, headers=me.headers
    ).json()
    assert [entry["seq"] for entry in second["entries"]] == [2, 1]
    assert second["next_before"] is None
    entry = first["entries"][0]
    assert set(entry) == {"seq", "occurred_at", "action", "actor_handle", "payload", "row_hash"}
    assert entry["action"] == "ingest.batch_processed"
    assert entry["actor_handle"] == "Pilot"
    assert len(entry["row_hash"]) == 64
    theirs = client.get("/v1/me/audit", headers=other.headers).json()["entries"]
    assert [e["seq"] for e in theirs] == [6]


def test_my_audit_needs_a_user_token_and_refuses_unknown_parameters(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Pilot")
    code = client.post("/v1/auth/devices/start", headers=user.headers).json()["code"]
    token = client.post("/v1/auth/devices/redeem", json={"code": code}).json()["token"]
    as_device = client.get("/v1/me/audit", headers={"Authorization": f"Bearer {token}"})
    assert as_device.status_code == 403
    assert client.get("/v1/me/audit").status_code == 401
    assert client.get("/v1/me/audit", params={"page": 2}, headers=user.headers).status_code == 422
    assert client.get("/v1/me/audit", params={"limit": 0}, headers=user.headers).status_code == 422


def test_ingest_history_lists_batches_per_device_from_the_audit_log(
    client: TestClient, make_user: MakeUser, ingest_body: Callable[..., dict[str, Any]]
) -> None:
    user = make_user("Pilot")
    tokens = []
    for label in ("Desk", "Deck"):
        code = client.post(
            "/v1/auth/devices/start", json={"label": label}, headers=user.headers
        ).json()["code"]
        tokens.append(client.post("/v1/auth/devices/redeem", json={"code": code}).json())
    desk, deck = ({"Authorization": f"Bearer {t['token']}"} for t in tokens)
    client.post("/v1/ingest", json=ingest_body("Pilot", 2, batch_id="desk-1"), headers=desk)
    client.post("/v1/ingest", json=ingest_body("Pilot", 3, batch_id="deck-1"), headers=deck)
    client.post("/v1/ingest", json=ingest_body("Pilot", 2, batch_id="desk-1"), headers=desk)

    everything = client.get("/v1/me/ingest-history", headers=deck).json()["batches"]
    assert [(b["batch_id"], b["accepted"], b["duplicate"]) for b in everything] == [
        ("desk-1", 0, 2),
        ("deck-1", 3, 0),
        ("desk-1", 2, 0),
    ]
    assert set(everything[0]) == {
        "seq",
        "occurred_at",
        "batch_id",
        "game_build",
        "device_id",
        "total",
        "accepted",
        "duplicate",
        "rejected",
    }
    desk_id = tokens[0]["device_id"]
    only_desk = client.get(
        "/v1/me/ingest-history", params={"device_id": desk_id}, headers=user.headers
    ).json()["batches"]
    assert [b["device_id"] for b in only_desk] == [desk_id, desk_id]
    paged = client.get(
        "/v1/me/ingest-history", params={"limit": 1, "offset": 1}, headers=user.headers
    ).json()["batches"]
    assert [b["batch_id"] for b in paged] == ["deck-1"]
    stranger = client.get(
        "/v1/me/ingest-history",
        params={"device_id": str(uuid.uuid4())},
        headers=user.headers,
    ).json()
    assert stranger == {"batches": []}
