"""Isolation between players, route by route, on both databases: player A, holding only A's
own tokens, tries to read or change player B's data through every route of the API.

The routes are read from the committed `openapi.json`, so a route added to the API cannot be
forgotten: `test_every_route_is_classified` fails until `PROBES` says how it is attacked.

B has everything a player can have: a paired device, uploaded events (with a marker in
their text), ingest history and audit entries, a pending pairing code, a share with player C,
an org (C a member, B's stats shared with it). Each probe tries A's way in and expects a
refusal that reveals nothing (the 404 an unknown id gets), or, for the caller's own `/v1/me`
reads, an answer holding only A's data: no marker of B's (handle, e-mail, ids, device, org,
event text, batch id) may appear in any response A gets. After each probe B's data is still
all there and B's own tokens still work.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from starstats_core.events import event_to_dict
from starstats_core.events.session import JoinPu
from starstats_server.app import create_app
from starstats_server.authz.memory import MemoryAuthorizer
from starstats_server.clock import ManualClock
from starstats_server.mailer import MemoryMailer
from starstats_server.settings import Settings

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.json"
PASSWORD = "correct horse battery staple"
B_SHARD = "pub_bmarker_shard_7"
B_RAW = "B-RAW-MARKER"
B_BATCH = "b-marker-batch"
B_LABEL = "B marker rig"
B_ORG = "bravo-wing"
B_ORG_NAME = "Bravo Marker Wing"


@pytest.fixture
def app(settings: Settings, clock: ManualClock) -> FastAPI:
    return create_app(settings, clock=clock, authorizer=MemoryAuthorizer(), mailer=MemoryMailer())


def _join(shard: str, ms: int) -> dict[str, Any]:
    return event_to_dict(
        JoinPu(
            timestamp=f"2026-05-02T21:14:23.{ms:03d}Z",
            address="35.0.0.1",
            port=64300,
            shard=shard,
            location_id="562954248454145",
        )
    )


def _batch(handle: str, shard: str, raw: str, batch_id: str) -> dict[str, Any]:
    return {
        "schema_version": 2,
        "batch_id": batch_id,
        "game_build": None,
        "claimed_handle": handle,
        "events": [
            {
                "idempotency_key": f"{batch_id}-{n}",
                "raw_line": f"<2026-05-02T21:14:23.{n:03d}Z> {raw} {n}",
                "event": _join(shard, n),
                "source": "live",
                "source_offset": n * 100,
            }
            for n in range(5)
        ],
    }


@dataclass
class Iso:
    client: TestClient
    a: Any
    b: Any
    c: Any
    b_device: dict[str, Any]
    b_code: str
    a_device: dict[str, Any]
    mailer: MemoryMailer
    seen: list[str] = field(default_factory=list)
    b_deleted: bool = False

    @property
    def markers(self) -> list[str]:
        """What of B's may never reach A. (Compared case-insensitively.)"""
        return [
            self.b.handle,
            self.b.email,
            str(self.b.id),
            self.b_device["device_id"],
            self.b_device["token"],
            self.b.token,
            self.b_code,
            B_SHARD,
            B_RAW,
            B_BATCH,
            B_LABEL,
            B_ORG,
            B_ORG_NAME,
        ]

    def as_a(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.a.headers, **kwargs.pop("headers", {})}
        return self.send(method, path, headers=headers, **kwargs)

    def anonymous(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.send(method, path, **kwargs)

    def send(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        self.seen.append(response.text)
        return response

    def as_b(self, method: str, path: str, **kwargs: Any) -> Any:
        # Not recorded: B may of course see B's data.
        return self.client.request(method, path, headers=self.b.headers, **kwargs)

    def as_c(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.client.request(method, path, headers=self.c.headers, **kwargs)


@pytest.fixture
def iso(client: TestClient, make_user: Any, app: FastAPI) -> Iterator[Iso]:
    a = make_user("Alpha_A", verified=False)
    b = make_user("Bravo_B")
    c = make_user("Charlie_C")

    def ok(response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def pair(user: Any, label: str) -> dict[str, Any]:
        code = ok(
            client.post("/v1/auth/devices/start", json={"label": label}, headers=user.headers)
        )["code"]
        paired: dict[str, Any] = ok(client.post("/v1/auth/devices/redeem", json={"code": code}))
        return paired

    b_device = pair(b, B_LABEL)
    b_token = {"Authorization": f"Bearer {b_device['token']}"}
    ok(client.post("/v1/ingest", json=_batch(b.handle, B_SHARD, B_RAW, B_BATCH), headers=b_token))
    b_code = ok(client.post("/v1/auth/devices/start", json={}, headers=b.headers))["code"]
    ok(client.post("/v1/me/share", json={"recipient_handle": c.handle}, headers=b.headers))
    ok(
        client.post("/v1/orgs", json={"name": B_ORG_NAME, "slug": B_ORG}, headers=b.headers),
        201,
    )
    ok(client.post(f"/v1/orgs/{B_ORG}/members", json={"handle": c.handle}, headers=b.headers))
    ok(client.post("/v1/me/share/org", json={"org_slug": B_ORG}, headers=b.headers))
    a_device = pair(a, "A rig")
    a_token = {"Authorization": f"Bearer {a_device['token']}"}
    ok(
        client.post(
            "/v1/ingest", json=_batch(a.handle, "pub_a_shard", "A-RAW", "a-batch"), headers=a_token
        )
    )
    world = Iso(client, a, b, c, b_device, b_code, a_device, app.state.starstats.mailer)
    yield world
    if not world.b_deleted:
        _b_is_intact(world)


def _b_is_intact(w: Iso) -> None:
    """After any probe: B's data is all there and B's tokens work."""
    events = w.as_b("GET", "/v1/me/events").json()["events"]
    assert len(events) == 5
    assert {e["payload"]["shard"] for e in events} == {B_SHARD}
    devices = w.as_b("GET", "/v1/auth/devices").json()["devices"]
    assert [d["id"] for d in devices] == [w.b_device["device_id"]]
    device_me = w.client.get(
        "/v1/auth/me", headers={"Authorization": f"Bearer {w.b_device['token']}"}
    )
    assert device_me.status_code == 200
    assert device_me.json()["claimed_handle"] == w.b.handle
    shares = w.as_b("GET", "/v1/me/shares").json()
    assert [s["recipient_handle"] for s in shares["shares"]] == [w.c.handle]
    assert [s["org_slug"] for s in shares["org_shares"]] == [B_ORG]
    org = w.as_b("GET", f"/v1/orgs/{B_ORG}").json()
    assert org["name"] == B_ORG_NAME
    assert org["my_role"] == "owner"
    assert w.as_b("GET", "/v1/me/visibility").json() == {"public": False}
    assert w.as_c("GET", f"/v1/u/{w.b.handle}/summary").status_code == 200
    assert w.as_b("GET", "/v1/me/summary").json()["total"] == 5


def _nothing_of_b(w: Iso) -> None:
    for text in w.seen:
        lowered = text.lower()
        for marker in w.markers:
            assert marker.lower() not in lowered, f"{marker!r} of B's reached A: {text[:300]}"


def _refused(response: Any, status: int, error: str) -> None:
    assert (response.status_code, response.json().get("error")) == (status, error), response.text


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


# -- the probes: one per route ------------------------------------------------------------------
Probe = Callable[[Iso], None]


def _public_ops(path: str) -> Probe:
    def probe(w: Iso) -> None:
        assert w.anonymous("GET", path).status_code in (200, 503)
        assert w.as_a("GET", path).status_code in (200, 503)

    return probe


def _my_read(path: str, *params: dict[str, Any], device_too: bool = True) -> Probe:
    """A `/v1/me` read: A's token (user, and device where allowed) with each set of query
    parameters; only A's data comes back."""

    def probe(w: Iso) -> None:
        for query in (None, *params):
            _ok(w.as_a("GET", path, params=query))
            if device_too:
                device = {"Authorization": f"Bearer {w.a_device['token']}"}
                _ok(w.send("GET", path, params=query, headers=device))

    return probe


def probe_me(w: Iso) -> None:
    me = _ok(w.as_a("GET", "/v1/auth/me"))
    assert me["claimed_handle"] == w.a.handle
    # A device token speaks for its owner only.
    device = {"Authorization": f"Bearer {w.a_device['token']}"}
    assert _ok(w.send("GET", "/v1/auth/me", headers=device))["claimed_handle"] == w.a.handle


def probe_delete_me(w: Iso) -> None:
    # A's token with B's password: refused (A's own password is what counts), B intact.
    _refused(
        w.as_a("DELETE", "/v1/auth/me", json={"password": "B's password, whatever it is"}),
        403,
        "wrong_password",
    )
    # A's device token cannot delete anyone.
    device = {"Authorization": f"Bearer {w.a_device['token']}"}
    _refused(
        w.send("DELETE", "/v1/auth/me", json={"password": PASSWORD}, headers=device),
        403,
        "user_token_required",
    )
    # A deleting A's own account removes A's, and nothing of B's (checked on teardown).
    assert w.as_a("DELETE", "/v1/auth/me", json={"password": PASSWORD}).status_code == 204
    assert w.as_b("GET", "/v1/auth/me").status_code == 200


def probe_signup(w: Iso) -> None:
    # Taking B's e-mail or handle is refused and leaves B's account as it was.
    body = {"email": w.b.email, "password": "a brand new password", "claimed_handle": "Other_1"}
    _refused(w.anonymous("POST", "/v1/auth/signup", json=body), 409, "email_taken")
    body = {"email": "other@example.com", "password": PASSWORD, "claimed_handle": "BRAVO_b"}
    _refused(w.anonymous("POST", "/v1/auth/signup", json=body), 409, "handle_taken")
    # The recycled e-mail's password did not replace B's.
    login = w.anonymous(
        "POST", "/v1/auth/login", json={"email": w.b.email, "password": "a brand new password"}
    )
    _refused(login, 401, "invalid_credentials")


def probe_login(w: Iso) -> None:
    _refused(
        w.anonymous("POST", "/v1/auth/login", json={"email": w.b.email, "password": "guess one"}),
        401,
        "invalid_credentials",
    )
    mine = _ok(
        w.anonymous("POST", "/v1/auth/login", json={"email": w.a.email, "password": PASSWORD})
    )
    assert mine["claimed_handle"] == w.a.handle


def probe_logout(w: Iso) -> None:
    assert w.as_a("POST", "/v1/auth/logout").status_code == 204
    # A's logout revoked A's token only.
    assert w.as_b("GET", "/v1/auth/me").status_code == 200
    assert w.as_a("GET", "/v1/auth/me").status_code == 401


def probe_verify(w: Iso) -> None:
    _refused(
        w.anonymous("POST", "/v1/auth/email/verify", json={"token": "x" * 43}),
        400,
        "invalid_or_expired",
    )


def probe_resend(w: Iso) -> None:
    _ok(w.as_a("POST", "/v1/auth/email/resend"))
    assert [mail.to for mail in w.mailer.sent] == [w.a.email]


def probe_list_devices(w: Iso) -> None:
    devices = _ok(w.as_a("GET", "/v1/auth/devices"))["devices"]
    assert [d["id"] for d in devices] == [w.a_device["device_id"]]


def probe_revoke_device(w: Iso) -> None:
    b_device = w.b_device["device_id"]
    _refused(w.as_a("DELETE", f"/v1/auth/devices/{b_device}"), 404, "device_not_found")
    device = {"Authorization": f"Bearer {w.a_device['token']}"}
    _refused(
        w.send("DELETE", f"/v1/auth/devices/{b_device}", headers=device),
        403,
        "user_token_required",
    )


def probe_start_pairing(w: Iso) -> None:
    started = _ok(w.as_a("POST", "/v1/auth/devices/start", json={"label": "A second rig"}))
    redeemed = _ok(w.anonymous("POST", "/v1/auth/devices/redeem", json={"code": started["code"]}))
    assert redeemed["claimed_handle"] == w.a.handle


def probe_redeem(w: Iso) -> None:
    # A code nobody gave out, or B's already used one: nothing of B's comes back.
    _refused(
        w.anonymous("POST", "/v1/auth/devices/redeem", json={"code": "ABCDEFGH"}),
        404,
        "unknown_code",
    )


def probe_ingest(w: Iso) -> None:
    before = w.as_b("GET", "/v1/me/summary").json()["total"]
    forged = _batch(w.b.handle, "pub_a_forged", "A-FORGED", "a-forged")
    _refused(w.as_a("POST", "/v1/ingest", json=forged), 403, "handle_mismatch")
    device = {"Authorization": f"Bearer {w.a_device['token']}"}
    _refused(w.send("POST", "/v1/ingest", json=forged, headers=device), 403, "handle_mismatch")
    # Case does not help either.
    forged["claimed_handle"] = w.b.handle.upper()
    _refused(w.send("POST", "/v1/ingest", json=forged, headers=device), 403, "handle_mismatch")
    # B's idempotency keys under A's handle are A's events, and leave B's alone.
    replay = _batch(w.a.handle, "pub_a_shard", "A-RAW", B_BATCH)
    result = _ok(w.send("POST", "/v1/ingest", json=replay, headers=device))
    assert result["accepted"] == 5
    w.seen[-1] = w.seen[-1].replace(B_BATCH, "<B's batch id, as sent>")
    assert w.as_b("GET", "/v1/me/summary").json()["total"] == before


def probe_events(w: Iso) -> None:
    _my_read(
        "/v1/me/events",
        {"after_seq": 0},
        {"before_seq": 10**6},
        {"event_type": "join_pu"},
        {"since": "2000-01-01T00:00:00Z"},
    )(w)
    page = _ok(w.as_a("GET", "/v1/me/events", params={"limit": 500}))
    assert {e["payload"]["shard"] for e in page["events"]} == {"pub_a_shard"}
    # No parameter names another player.
    _refused(w.as_a("GET", "/v1/me/events", params={"handle": w.b.handle}), 422, "invalid_request")


def probe_ingest_history(w: Iso) -> None:
    _my_read("/v1/me/ingest-history", {"limit": 500})(w)
    # Naming B's device returns nothing of it.
    found = _ok(
        w.as_a("GET", "/v1/me/ingest-history", params={"device_id": w.b_device["device_id"]})
    )
    assert found == {"batches": []}


def probe_audit(w: Iso) -> None:
    _my_read("/v1/me/audit", {"limit": 200}, {"before_seq": 10**9}, device_too=False)(w)
    entries = _ok(w.as_a("GET", "/v1/me/audit", params={"limit": 200}))["entries"]
    assert entries
    assert {e["actor_handle"] for e in entries} <= {w.a.handle, None}


def probe_visibility_get(w: Iso) -> None:
    assert _ok(w.as_a("GET", "/v1/me/visibility")) == {"public": False}


def probe_visibility_set(w: Iso) -> None:
    assert _ok(w.as_a("POST", "/v1/me/visibility", json={"public": True})) == {"public": True}
    # A is public now; B is not.
    _refused(w.anonymous("GET", f"/v1/public/{w.b.handle}/summary"), 404, "stats_not_found")
    assert w.anonymous("GET", f"/v1/public/{w.a.handle}/summary").status_code == 200


def probe_share(w: Iso) -> None:
    # Sharing A's stats with B gives B a view of A's, and A none of B's.
    shared = _ok(w.as_a("POST", "/v1/me/share", json={"recipient_handle": w.b.handle}))
    assert shared["recipient_handle"] == w.b.handle
    w.seen[-1] = "(A's own share)"
    _refused(w.as_a("GET", f"/v1/u/{w.b.handle}/summary"), 404, "stats_not_found")
    assert w.as_b("GET", f"/v1/u/{w.a.handle}/summary").status_code == 200


def probe_unshare(w: Iso) -> None:
    # B shares with C; A cannot end it.
    _refused(w.as_a("DELETE", f"/v1/me/share/{w.c.handle}"), 404, "share_not_found")


def probe_share_org(w: Iso) -> None:
    _refused(w.as_a("POST", "/v1/me/share/org", json={"org_slug": B_ORG}), 404, "org_not_found")


def probe_unshare_org(w: Iso) -> None:
    _refused(w.as_a("DELETE", f"/v1/me/share/org/{B_ORG}"), 404, "share_not_found")


def probe_my_shares(w: Iso) -> None:
    assert _ok(w.as_a("GET", "/v1/me/shares")) == {"shares": [], "org_shares": []}


def probe_shared_with_me(w: Iso) -> None:
    assert _ok(w.as_a("GET", "/v1/me/shared-with-me")) == {"shares": []}


def _user_view(kind: str) -> Probe:
    def probe(w: Iso) -> None:
        for handle in (w.b.handle, w.b.handle.upper(), w.b.handle.lower()):
            response = w.as_a("GET", f"/v1/u/{handle}/{kind}")
            _refused(response, 404, "stats_not_found")
            w.seen[-1] = response.text
        # Exactly the answer for a handle nobody has: existence does not leak.
        nobody = w.as_a("GET", f"/v1/u/Nobody_Here/{kind}")
        assert nobody.json() == response.json()

    return probe


def _public_view(kind: str) -> Probe:
    def probe(w: Iso) -> None:
        _refused(w.anonymous("GET", f"/v1/public/{w.b.handle}/{kind}"), 404, "stats_not_found")
        _refused(w.as_a("GET", f"/v1/public/{w.b.handle}/{kind}"), 404, "stats_not_found")
        nobody = w.anonymous("GET", f"/v1/public/Nobody_Here/{kind}")
        assert nobody.json() == w.anonymous("GET", f"/v1/public/{w.b.handle}/{kind}").json()

    return probe


def probe_my_orgs(w: Iso) -> None:
    assert _ok(w.as_a("GET", "/v1/orgs")) == {"orgs": []}


def probe_create_org(w: Iso) -> None:
    # B's slug is taken: A's org cannot replace it.
    _refused(
        w.as_a("POST", "/v1/orgs", json={"name": "Takeover", "slug": B_ORG}), 409, "slug_taken"
    )


def probe_get_org(w: Iso) -> None:
    _refused(w.as_a("GET", f"/v1/orgs/{B_ORG}"), 404, "org_not_found")
    nobody = w.as_a("GET", "/v1/orgs/no-such-org")
    assert nobody.json() == w.as_a("GET", f"/v1/orgs/{B_ORG}").json()


def probe_delete_org(w: Iso) -> None:
    _refused(w.as_a("DELETE", f"/v1/orgs/{B_ORG}"), 404, "org_not_found")
    # As a plain member of B's org, A still may not delete it.
    _ok(w.as_b("POST", f"/v1/orgs/{B_ORG}/members", json={"handle": w.a.handle}))
    _refused(w.as_a("DELETE", f"/v1/orgs/{B_ORG}"), 403, "not_org_admin")


def probe_add_member(w: Iso) -> None:
    _refused(
        w.as_a("POST", f"/v1/orgs/{B_ORG}/members", json={"handle": w.a.handle}),
        404,
        "org_not_found",
    )
    _ok(w.as_b("POST", f"/v1/orgs/{B_ORG}/members", json={"handle": w.a.handle}))
    _refused(
        w.as_a("POST", f"/v1/orgs/{B_ORG}/members", json={"handle": w.a.handle, "role": "admin"}),
        403,
        "not_org_admin",
    )


def probe_remove_member(w: Iso) -> None:
    _refused(w.as_a("DELETE", f"/v1/orgs/{B_ORG}/members/{w.c.handle}"), 404, "org_not_found")
    _refused(w.as_a("DELETE", f"/v1/orgs/{B_ORG}/members/{w.b.handle}"), 404, "org_not_found")
    _ok(w.as_b("POST", f"/v1/orgs/{B_ORG}/members", json={"handle": w.a.handle}))
    _refused(w.as_a("DELETE", f"/v1/orgs/{B_ORG}/members/{w.c.handle}"), 403, "not_org_admin")
    members = w.as_b("GET", f"/v1/orgs/{B_ORG}").json()["members"]
    assert {m["handle"] for m in members} == {w.b.handle, w.c.handle, w.a.handle}


def probe_my_journey_session(w: Iso) -> None:
    # B's own session, asked for by A: the 404 a session nobody has gets.
    theirs = _ok(w.as_b("GET", "/v1/me/journey/sessions"))["sessions"]
    assert theirs, "B has a session"
    session_id = theirs[0]["session_id"]
    response = w.as_a("GET", f"/v1/me/journey/sessions/{session_id}")
    _refused(response, 404, "session_not_found")
    nobody = w.as_a("GET", "/v1/me/journey/sessions/no-such-session")
    assert nobody.json() == response.json()


_JOURNEY_VIEWS = ("", "/glance", "/sessions", "/places", "/legs", "/ships", "/lives", "/combat",
                  "/contracts", "/trades", "/records")  # fmt: skip
_JOURNEY_PROBES: dict[str, Probe] = {
    **{f"GET /v1/me/journey{v}": _my_read(f"/v1/me/journey{v}") for v in _JOURNEY_VIEWS},
    "GET /v1/me/journey/sessions/{session_id}": probe_my_journey_session,
    **{f"GET /v1/u/{{handle}}/journey{v}": _user_view(f"journey{v}") for v in _JOURNEY_VIEWS},
    "GET /v1/u/{handle}/journey/sessions/{session_id}": _user_view("journey/sessions/any"),
    **{
        f"GET /v1/public/{{handle}}/journey{v}": _public_view(f"journey{v}") for v in _JOURNEY_VIEWS
    },
    "GET /v1/public/{handle}/journey/sessions/{session_id}": _public_view("journey/sessions/any"),
}

PROBES: dict[str, Probe] = {
    "GET /.well-known/jwks.json": _public_ops("/.well-known/jwks.json"),
    "GET /.well-known/openid-configuration": _public_ops("/.well-known/openid-configuration"),
    "GET /healthz": _public_ops("/healthz"),
    "GET /metrics": _public_ops("/metrics"),
    "GET /readyz": _public_ops("/readyz"),
    "GET /v1/auth/devices": probe_list_devices,
    "POST /v1/auth/devices/redeem": probe_redeem,
    "POST /v1/auth/devices/start": probe_start_pairing,
    "DELETE /v1/auth/devices/{device_id}": probe_revoke_device,
    "POST /v1/auth/email/resend": probe_resend,
    "POST /v1/auth/email/verify": probe_verify,
    "POST /v1/auth/login": probe_login,
    "POST /v1/auth/logout": probe_logout,
    "DELETE /v1/auth/me": probe_delete_me,
    "GET /v1/auth/me": probe_me,
    "POST /v1/auth/signup": probe_signup,
    "POST /v1/ingest": probe_ingest,
    "GET /v1/me/audit": probe_audit,
    "GET /v1/me/events": probe_events,
    "GET /v1/me/ingest-history": probe_ingest_history,
    "GET /v1/me/sessions": _my_read("/v1/me/sessions", {"limit": 500}),
    "POST /v1/me/share": probe_share,
    "POST /v1/me/share/org": probe_share_org,
    "DELETE /v1/me/share/org/{org_slug}": probe_unshare_org,
    "DELETE /v1/me/share/{recipient_handle}": probe_unshare,
    "GET /v1/me/shared-with-me": probe_shared_with_me,
    "GET /v1/me/shares": probe_my_shares,
    "GET /v1/me/stats": _my_read("/v1/me/stats"),
    "GET /v1/me/summary": _my_read("/v1/me/summary"),
    "GET /v1/me/timeline": _my_read("/v1/me/timeline", {"days": 366}),
    "GET /v1/me/timeline/types": _my_read("/v1/me/timeline/types", {"days": 366, "top": 64}),
    "GET /v1/me/visibility": probe_visibility_get,
    "POST /v1/me/visibility": probe_visibility_set,
    "GET /v1/orgs": probe_my_orgs,
    "POST /v1/orgs": probe_create_org,
    "DELETE /v1/orgs/{slug}": probe_delete_org,
    "GET /v1/orgs/{slug}": probe_get_org,
    "POST /v1/orgs/{slug}/members": probe_add_member,
    "DELETE /v1/orgs/{slug}/members/{handle}": probe_remove_member,
    "GET /v1/public/{handle}/stats": _public_view("stats"),
    "GET /v1/public/{handle}/summary": _public_view("summary"),
    "GET /v1/public/{handle}/timeline": _public_view("timeline"),
    "GET /v1/u/{handle}/stats": _user_view("stats"),
    "GET /v1/u/{handle}/summary": _user_view("summary"),
    "GET /v1/u/{handle}/timeline": _user_view("timeline"),
    **_JOURNEY_PROBES,
}


def _routes() -> list[str]:
    document = json.loads(OPENAPI.read_text())
    return sorted(
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    )


def test_every_route_is_classified() -> None:
    routes = set(_routes())
    assert routes - set(PROBES) == set(), "routes with no isolation probe"
    assert set(PROBES) - routes == set(), "probes for routes the API no longer has"


@pytest.mark.parametrize("route", _routes())
def test_a_player_cannot_reach_another_players_data(iso: Iso, route: str) -> None:
    probe = PROBES.get(route)
    if probe is None:
        pytest.fail(f"{route} is not classified in PROBES: say how A would attack B through it")
    probe(iso)
    _nothing_of_b(iso)


def test_the_markers_are_really_in_bs_data(iso: Iso) -> None:
    """The probes would prove nothing if B's own answers did not carry the markers."""
    seen = " ".join(
        iso.as_b("GET", path).text
        for path in (
            "/v1/auth/me",
            "/v1/auth/devices",
            "/v1/me/events",
            "/v1/me/ingest-history",
            f"/v1/orgs/{B_ORG}",
            "/v1/me/shares",
        )
    )
    # (The raw line, the tokens and the pairing code are never echoed, even to B.)
    for marker in iso.markers:
        if marker not in (B_RAW, iso.b.token, iso.b_device["token"], iso.b_code):
            assert marker in seen, marker


def test_a_handle_taken_again_after_deletion_inherits_nothing(iso: Iso) -> None:
    """B deletes the account; someone signs up with the same handle (any case). Nothing of
    B's passes to them: events, history, orgs, and above all the share B gave C (C must not
    see the newcomer's stats), nor do B's old tokens work."""
    iso.b_deleted = True
    gone = iso.as_b("DELETE", "/v1/auth/me", json={"password": PASSWORD})
    assert gone.status_code == 204, gone.text
    signup = iso.anonymous(
        "POST",
        "/v1/auth/signup",
        json={
            "email": "newcomer@example.com",
            "password": PASSWORD,
            "claimed_handle": iso.b.handle.upper(),
        },
    )
    newcomer = {"Authorization": f"Bearer {_ok(signup)['token']}"}
    for path in ("/v1/me/events", "/v1/me/ingest-history", "/v1/me/sessions", "/v1/orgs"):
        _ok(iso.send("GET", path, headers=newcomer))
    assert _ok(iso.send("GET", "/v1/me/summary", headers=newcomer))["total"] == 0
    journey = _ok(iso.send("GET", "/v1/me/journey", headers=newcomer))
    assert (journey["lifetime"]["sessions"], journey["last_seen"]) == (0, None)
    assert _ok(iso.send("GET", "/v1/me/journey/sessions", headers=newcomer))["sessions"] == []
    assert _ok(iso.send("GET", "/v1/me/shares", headers=newcomer)) == {
        "shares": [],
        "org_shares": [],
    }
    audit = _ok(iso.send("GET", "/v1/me/audit", headers=newcomer))["entries"]
    assert [e["action"] for e in audit] == ["user.signed_up"]
    _refused(iso.send("GET", f"/v1/orgs/{B_ORG}", headers=newcomer), 404, "org_not_found")
    # C was given B's stats, not the newcomer's.
    assert iso.as_c("GET", "/v1/me/shared-with-me").json() == {"shares": []}
    _refused(iso.as_c("GET", f"/v1/u/{iso.b.handle}/summary"), 404, "stats_not_found")
    assert iso.as_c("GET", "/v1/orgs").json() == {"orgs": []}
    _refused(iso.anonymous("GET", f"/v1/public/{iso.b.handle}/summary"), 404, "stats_not_found")
    # B's old tokens speak for nobody, the newcomer included.
    for token in (iso.b.token, iso.b_device["token"]):
        me = iso.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401, me.text
    _nothing_of_b_but_the_handle(iso)


def _nothing_of_b_but_the_handle(w: Iso) -> None:
    """As `_nothing_of_b`, except for the handle, which is the newcomer's now."""
    for text in w.seen:
        lowered = text.lower()
        for marker in w.markers:
            if marker != w.b.handle:
                assert marker.lower() not in lowered, f"{marker!r} of B's reached A: {text[:300]}"
