"""Sharing, public profiles, organisations and account deletion through the real routes, on
both backends, with the real SpiceDB engine behind gRPC (the root conftest's `spicedb`,
`fresh_spicedb`: scripts/spicedb_dev.py). Also the degraded modes (no SpiceDB, SpiceDB
unreachable), the advisory and enforced checks' metrics, schema bootstrap and `authz sync`
at start-up and from the CLI, the audit rows every change leaves, and the client spans.

What SpiceDB holds is read back from the engine itself (ReadRelationships, and checks through
`SpiceDbAuthorizer.check`), never from the server's own idea of it.
"""

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, TypeVar

import grpc
import pytest
import sqlalchemy as sa
from authzed.api.v1 import (
    Consistency,
    ReadRelationshipsRequest,
    ReadSchemaRequest,
    RelationshipFilter,
    WriteSchemaRequest,
)
from authzed.api.v1.permission_service_pb2_grpc import PermissionsServiceStub
from authzed.api.v1.schema_service_pb2_grpc import SchemaServiceStub
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from typer.testing import CliRunner

from starstats_core.events import event_to_dict
from starstats_core.events.session import JoinPu
from starstats_server.app import create_app
from starstats_server.audit import store
from starstats_server.authz.port import (
    ObjectRef,
    Permission,
    Relation,
    Relationship,
    anonymous,
    organization,
    schema_text,
    stats_record,
    user,
)
from starstats_server.authz.spicedb import SpiceDbAuthorizer
from starstats_server.cli import app as cli
from starstats_server.clock import ManualClock
from starstats_server.db import tables
from starstats_server.db.engine import create_engine
from starstats_server.settings import Settings
from starstats_telemetry.tracing import flush

T = TypeVar("T")
MakeUser = Callable[..., Any]
PASSWORD = "correct horse battery staple"  # make_user's password (server conftest)
# What /v1/u/... and /v1/public/... serve.
VIEWS = (
    "summary",
    "timeline?days=7",
    "stats",
    *(f"journey{view}" for view in ("?days=7", "/sessions", "/places", "/legs", "/ships",
                                    "/lives", "/combat", "/contracts", "/trades", "/records")),
)  # fmt: skip
runner = CliRunner()


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture
def settings(settings: Settings, spicedb: Any) -> Settings:
    """The server conftest's settings (either backend) pointed at the session's SpiceDB,
    emptied for this test. A generous deadline: the first call also opens the channel."""
    return settings.model_copy(
        update={
            "spicedb_endpoint": spicedb.endpoint,
            "spicedb_preshared_key": SecretStr(spicedb.key),
            "spicedb_timeout_ms": 5000,
        }
    )


@contextmanager
def serve(settings: Settings, clock: ManualClock, **update: Any) -> Iterator[TestClient]:
    """Another app on the same database (tokens from `make_user` are valid in it: same key,
    same issuer), its settings changed by `update`."""
    app = create_app(settings.model_copy(update=update), clock=clock)
    with TestClient(app) as client:
        yield client


NO_SPICEDB = {"spicedb_endpoint": None, "spicedb_preshared_key": None}


# -- SpiceDB, asked directly ------------------------------------------------------------------
def _metadata(server: Any) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {server.key}"),)


def tuples(server: Any) -> set[str]:
    """Every relationship the engine holds, as `type:id#relation@type:id` (fully consistent)."""
    found: set[str] = set()
    with grpc.insecure_channel(server.endpoint) as channel:
        stub = PermissionsServiceStub(channel)
        for resource_type in ("organization", "stats_record"):
            request = ReadRelationshipsRequest(
                consistency=Consistency(fully_consistent=True),
                relationship_filter=RelationshipFilter(resource_type=resource_type),
            )
            for answer in stub.ReadRelationships(request, metadata=_metadata(server), timeout=10):
                r = answer.relationship
                found.add(
                    f"{r.resource.object_type}:{r.resource.object_id}#{r.relation}"
                    f"@{r.subject.object.object_type}:{r.subject.object.object_id}"
                )
    return found


def schema_of(server: Any) -> str | None:
    """The engine's schema text, None when it has none."""
    with grpc.insecure_channel(server.endpoint) as channel:
        try:
            answer = SchemaServiceStub(channel).ReadSchema(
                ReadSchemaRequest(), metadata=_metadata(server), timeout=10
            )
        except grpc.RpcError as exc:
            if exc.code() is grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                return None
            raise
    return str(answer.schema_text)


def with_authorizer(server: Any, work: Callable[[SpiceDbAuthorizer], Awaitable[T]]) -> T:
    """`work` with a `SpiceDbAuthorizer` of our own, in an event loop of its own."""

    async def go() -> T:
        authz = SpiceDbAuthorizer(server.endpoint, server.key, timeout=5.0)
        try:
            return await work(authz)
        finally:
            await authz.close()

    return asyncio.run(go())


def can(server: Any, *questions: tuple[ObjectRef, Permission, ObjectRef]) -> list[bool]:
    """SpiceDB's answers, through the adapter's `check`."""

    async def ask(authz: SpiceDbAuthorizer) -> list[bool]:
        return [await authz.check(*question) for question in questions]

    return with_authorizer(server, ask)


def view(owner: str, viewer: str) -> tuple[ObjectRef, Permission, ObjectRef]:
    return stats_record(owner), Permission.VIEW, user(viewer)


# -- the database, asked directly -------------------------------------------------------------
def db_scalar(db_url: str, statement: sa.Executable) -> Any:
    async def go() -> Any:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                return await conn.scalar(statement)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def count_rows(db_url: str, table: sa.Table, *where: Any) -> int:
    return int(db_scalar(db_url, sa.select(sa.func.count()).select_from(table).where(*where)))


def raw_audit(db_url: str) -> list[store.AuditRow]:
    async def go() -> list[store.AuditRow]:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                return await store.rows_after(conn, 0, 100_000)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def audit_rows(db_url: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(action, actor handle, payload) of every audit row, in order."""
    return [(r.action, r.actor_handle, json.loads(r.payload_json)) for r in raw_audit(db_url)]


# -- HTTP helpers ------------------------------------------------------------------------------
def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"}, body
    return str(body["error"])


def signup(client: TestClient, handle: str, email: str | None = None) -> dict[str, Any]:
    """An account made through the route (which writes the owner tuple), with `.headers`."""
    response = client.post(
        "/v1/auth/signup",
        json={
            "email": email or f"{handle.lower()}@example.com",
            "password": PASSWORD,
            "claimed_handle": handle,
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    body["headers"] = bearer(body["token"])
    return body


def ingest(
    client: TestClient, headers: dict[str, str], handle: str, count: int, at: datetime
) -> None:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    batch = uuid.uuid4().hex[:12]
    event = event_to_dict(
        JoinPu(
            timestamp=stamp, address="10.0.0.1", port=64300, shard="pub_euw1b_9", location_id="1"
        )
    )
    body = {
        "schema_version": 2,
        "batch_id": batch,
        "game_build": None,
        "claimed_handle": handle,
        "events": [
            {
                "idempotency_key": f"{batch}-{n}",
                "raw_line": f"<{stamp}> {batch} {n}",
                "event": event,
                "source": "live",
                "source_offset": n * 100,
            }
            for n in range(count)
        ],
    }
    response = client.post("/v1/ingest", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == count


def share(client: TestClient, owner: Any, recipient: str) -> Any:
    return client.post("/v1/me/share", json={"recipient_handle": recipient}, headers=owner.headers)


def add_member(client: TestClient, by: Any, slug: str, handle: str, role: str = "member") -> Any:
    return client.post(
        f"/v1/orgs/{slug}/members", json={"handle": handle, "role": role}, headers=by.headers
    )


def create_org(client: TestClient, owner: Any, slug: str, name: str = "The Wing") -> Any:
    response = client.post("/v1/orgs", json={"name": name, "slug": slug}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return response


def reads(client: TestClient, headers: dict[str, str] | None, handle: str) -> list[int]:
    """The status of each cross-user view of `handle` (signed out: the public routes)."""
    prefix = "/v1/public" if headers is None else "/v1/u"
    return [client.get(f"{prefix}/{handle}/{path}", headers=headers).status_code for path in VIEWS]


def metric(client: TestClient, sample_name: str, **labels: str) -> float:
    """One sample of /metrics (0 when absent)."""
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            if sample.name == sample_name and all(
                sample.labels.get(k) == v for k, v in labels.items()
            ):
                return float(sample.value)
    return 0.0


def checks(client: TestClient, result: str, mode: str) -> float:
    return metric(client, "starstats_authz_checks_total", result=result, mode=mode)


# -- visibility and public profiles ----------------------------------------------------------
def test_public_profile_is_readable_signed_out_only_while_public(
    client: TestClient, make_user: MakeUser, clock: ManualClock, spicedb: Any
) -> None:
    pilot = make_user("Pilot")
    ingest(client, pilot.headers, "Pilot", 4, clock.now())
    assert client.get("/v1/me/visibility", headers=pilot.headers).json() == {"public": False}
    unknown = [client.get(f"/v1/public/Nobody/{path}") for path in VIEWS]
    for path, absent in zip(VIEWS, unknown, strict=True):
        private = client.get(f"/v1/public/Pilot/{path}")
        assert error(private, 404) == "stats_not_found"
        assert private.content == absent.content  # a private profile looks like no profile

    made = client.post("/v1/me/visibility", json={"public": True}, headers=pilot.headers)
    assert made.status_code == 200, made.text
    assert made.json() == {"public": True}
    assert client.get("/v1/me/visibility", headers=pilot.headers).json() == {"public": True}
    assert "stats_record:pilot#public_view@user:*" in tuples(spicedb)
    for path in VIEWS:
        own = client.get(f"/v1/me/{path}", headers=pilot.headers)
        public = client.get(f"/v1/public/pilot/{path}")  # any case of the handle
        assert public.status_code == 200, public.text
        assert public.json() == own.json()
    assert client.get("/v1/public/Pilot/summary").json()["total"] == 4
    assert can(spicedb, (stats_record("pilot"), Permission.VIEW, anonymous())) == [True]

    made = client.post("/v1/me/visibility", json={"public": False}, headers=pilot.headers)
    assert made.json() == {"public": False}
    for path, absent in zip(VIEWS, unknown, strict=True):
        again = client.get(f"/v1/public/Pilot/{path}")
        assert again.status_code == 404
        assert again.content == absent.content
    assert "stats_record:pilot#public_view@user:*" not in tuples(spicedb)


def test_visibility_takes_a_strict_boolean_and_a_user_token(
    client: TestClient, make_user: MakeUser
) -> None:
    pilot = make_user("Pilot")
    for body in ({"public": "yes"}, {"public": 1}, {}, {"public": None}):
        response = client.post("/v1/me/visibility", json=body, headers=pilot.headers)
        assert response.status_code == 422, body
    assert client.get("/v1/me/visibility").status_code == 401
    assert client.post("/v1/me/visibility", json={"public": True}).status_code == 401


def test_a_public_profile_is_readable_signed_in_by_anyone(
    client: TestClient, make_user: MakeUser
) -> None:
    pilot, other = make_user("Pilot"), make_user("Other")
    assert reads(client, other.headers, "Pilot") == [404] * len(VIEWS)
    client.post("/v1/me/visibility", json={"public": True}, headers=pilot.headers)
    assert reads(client, other.headers, "Pilot") == [200] * len(VIEWS)


def test_public_profile_reads_are_rate_limited_per_client(
    settings: Settings, clock: ManualClock, make_user: MakeUser
) -> None:
    pilot = make_user("Pilot")
    with serve(settings, clock, public_rate_per_minute=2) as client:
        client.post("/v1/me/visibility", json={"public": True}, headers=pilot.headers)
        assert client.get("/v1/public/Pilot/summary").status_code == 200
        assert client.get("/v1/public/Nobody/stats").status_code == 404  # counted as well
        limited = client.get("/v1/public/Pilot/summary")
        assert error(limited, 429) == "rate_limited"
        assert int(limited.headers["Retry-After"]) >= 1
        # Signed-in reads of /v1/u are not under the public limit.
        assert reads(client, make_user("Other").headers, "Pilot") == [200] * len(VIEWS)


# -- shares with a player ------------------------------------------------------------------------
def test_a_share_lets_the_recipient_read_until_it_is_revoked(
    client: TestClient, make_user: MakeUser, clock: ManualClock, spicedb: Any
) -> None:
    alice, bob, eve = make_user("Alice"), make_user("Bob"), make_user("Eve")
    ingest(client, alice.headers, "Alice", 5, clock.now())
    unknown = {path: client.get(f"/v1/u/Nobody/{path}", headers=bob.headers) for path in VIEWS}
    for path in VIEWS:
        assert error(unknown[path], 404) == "stats_not_found"
        before = client.get(f"/v1/u/Alice/{path}", headers=bob.headers)
        assert before.status_code == 404
        assert before.content == unknown[path].content

    shared = share(client, alice, "bob")
    assert shared.status_code == 200, shared.text
    assert shared.json() == {"recipient_handle": "Bob", "created_at": shared.json()["created_at"]}
    assert datetime.fromisoformat(shared.json()["created_at"]) == clock.now()
    assert "stats_record:alice#share_with_user@user:bob" in tuples(spicedb)
    assert client.get("/v1/me/shares", headers=alice.headers).json() == {
        "shares": [{"recipient_handle": "Bob", "created_at": shared.json()["created_at"]}],
        "org_shares": [],
    }
    assert client.get("/v1/me/shared-with-me", headers=bob.headers).json() == {
        "shares": [
            {"owner_handle": "Alice", "via_org": None, "created_at": shared.json()["created_at"]}
        ]
    }
    assert client.get("/v1/me/shared-with-me", headers=eve.headers).json() == {"shares": []}

    for path in VIEWS:
        own = client.get(f"/v1/me/{path}", headers=alice.headers)
        seen = client.get(f"/v1/u/alice/{path}", headers=bob.headers)
        assert seen.status_code == 200, seen.text
        assert seen.json() == own.json()
        stranger = client.get(f"/v1/u/Alice/{path}", headers=eve.headers)
        assert stranger.status_code == 404
        assert stranger.content == unknown[path].content  # byte for byte
        assert client.get(f"/v1/u/Alice/{path}").status_code == 401  # no token, no /v1/u
    assert client.get("/v1/u/Alice/summary", headers=bob.headers).json()["total"] == 5

    revoked = client.delete("/v1/me/share/BOB", headers=alice.headers)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json() == {"revoked": "Bob"}
    for path in VIEWS:  # at once: every check is fully consistent
        after = client.get(f"/v1/u/alice/{path}", headers=bob.headers)
        assert after.status_code == 404
        assert after.content == unknown[path].content
    assert "stats_record:alice#share_with_user@user:bob" not in tuples(spicedb)
    assert can(spicedb, view("alice", "bob")) == [False]
    assert client.get("/v1/me/shares", headers=alice.headers).json()["shares"] == []
    assert client.get("/v1/me/shared-with-me", headers=bob.headers).json() == {"shares": []}


def test_share_refusals_and_an_idempotent_re_share(
    client: TestClient, make_user: MakeUser, clock: ManualClock, db_url: str, spicedb: Any
) -> None:
    alice = make_user("Alice")
    make_user("Bob")
    assert error(share(client, alice, "Ghost"), 404) == "recipient_not_found"
    assert error(share(client, alice, "ALICE"), 400) == "cannot_share_with_self"
    assert share(client, alice, "not a handle!").status_code == 422
    assert share(client, alice, "x" * 65).status_code == 422
    assert error(client.delete("/v1/me/share/Bob", headers=alice.headers), 404) == (
        "share_not_found"
    )
    assert error(client.delete("/v1/me/share/Ghost", headers=alice.headers), 404) == (
        "share_not_found"
    )

    # A device token may not manage shares.
    code = client.post("/v1/auth/devices/start", headers=alice.headers).json()["code"]
    device = client.post("/v1/auth/devices/redeem", json={"code": code}).json()["token"]
    refused = client.post("/v1/me/share", json={"recipient_handle": "Bob"}, headers=bearer(device))
    assert error(refused, 403) == "user_token_required"

    first = share(client, alice, "Bob").json()
    clock.advance(timedelta(minutes=5))
    again = share(client, alice, "bob")
    assert again.status_code == 200
    assert again.json() == first  # the original grant, its time unchanged
    assert count_rows(db_url, tables.stats_shares) == 1
    assert [a for a, _, _ in audit_rows(db_url) if a.startswith("share.")] == ["share.granted"]
    assert tuples(spicedb) == {"stats_record:alice#share_with_user@user:bob"}


def test_grants_are_rate_limited_per_player(
    settings: Settings, clock: ManualClock, make_user: MakeUser
) -> None:
    alice, bob, carol = make_user("Alice"), make_user("Bob"), make_user("Carol")
    make_user("Dave")
    with serve(settings, clock, share_rate_per_minute=3) as client:
        assert share(client, alice, "Bob").status_code == 200
        assert share(client, alice, "Carol").status_code == 200
        assert share(client, alice, "Bob").status_code == 200  # a re-share counts too
        limited = share(client, alice, "Dave")
        assert error(limited, 429) == "rate_limited"
        assert int(limited.headers["Retry-After"]) >= 1
        org_share = client.post(
            "/v1/me/share/org", json={"org_slug": "any-org"}, headers=alice.headers
        )
        assert org_share.status_code == 429  # grants to orgs share the budget
        # Another player has a budget of their own; revoking is never limited.
        assert share(client, bob, "Dave").status_code == 200
        assert share(client, carol, "Dave").status_code == 200
        assert client.delete("/v1/me/share/Bob", headers=alice.headers).status_code == 200
        assert reads(client, make_user("Dave2").headers, "Alice") == [404] * len(VIEWS)


# -- organisations ---------------------------------------------------------------------------------
def test_create_list_and_see_an_org(client: TestClient, make_user: MakeUser, spicedb: Any) -> None:
    owner, outsider = make_user("Owner"), make_user("Outsider")
    created = client.post(
        "/v1/orgs", json={"name": "  The   Wing ", "slug": "The-Wing"}, headers=owner.headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body == {
        "slug": "the-wing",
        "name": "The Wing",
        "created_at": body["created_at"],
        "my_role": "owner",
    }
    assert tuples(spicedb) == {"organization:the-wing#owner@user:owner"}
    taken = client.post(
        "/v1/orgs", json={"name": "Other", "slug": "THE-WING"}, headers=owner.headers
    )
    assert error(taken, 409) == "slug_taken"
    for slug in ("-wing", "wing-", "wing_x"):
        response = client.post("/v1/orgs", json={"name": "X", "slug": slug}, headers=owner.headers)
        assert response.status_code in (400, 422), slug
        if response.status_code == 400:
            assert error(response, 400) == "invalid_slug"
    assert (
        client.post("/v1/orgs", json={"name": "X", "slug": "ab"}, headers=owner.headers).status_code
        == 422
    )
    for name in ("   ", "bell\x07"):
        response = client.post(
            "/v1/orgs", json={"name": name, "slug": "okay"}, headers=owner.headers
        )
        assert error(response, 400) == "invalid_name", name
    # Longer than the contract's 80 characters: a schema error, before the service's rule.
    long_name = client.post(
        "/v1/orgs", json={"name": "x" * 81, "slug": "okay"}, headers=owner.headers
    )
    assert error(long_name, 422) == "invalid_request"

    assert client.get("/v1/orgs", headers=owner.headers).json() == {"orgs": [body]}
    assert client.get("/v1/orgs", headers=outsider.headers).json() == {"orgs": []}
    detail = client.get("/v1/orgs/The-Wing", headers=owner.headers)
    assert detail.status_code == 200, detail.text
    assert detail.json() == {
        **body,
        "members": [{"handle": "Owner", "role": "owner", "added_at": body["created_at"]}],
        "shared_by": [],
    }
    hidden = client.get("/v1/orgs/the-wing", headers=outsider.headers)
    absent = client.get("/v1/orgs/no-such-org", headers=outsider.headers)
    assert error(hidden, 404) == "org_not_found"
    assert hidden.content == absent.content


def test_members_admins_and_the_owner_manage_an_org(
    client: TestClient, make_user: MakeUser, spicedb: Any
) -> None:
    owner, admin, member = make_user("Owner"), make_user("Admin"), make_user("Member")
    newbie, outsider = make_user("Newbie"), make_user("Outsider")
    create_org(client, owner, "wing")
    added = add_member(client, owner, "wing", "member")
    assert added.status_code == 200, added.text
    assert added.json() == {
        "handle": "Member",
        "role": "member",
        "added_at": added.json()["added_at"],
    }
    assert add_member(client, owner, "wing", "Admin", "admin").json()["role"] == "admin"
    assert client.get("/v1/orgs/wing", headers=member.headers).json()["my_role"] == "member"
    assert [o["my_role"] for o in client.get("/v1/orgs", headers=admin.headers).json()["orgs"]] == [
        "admin"
    ]

    # A member may look but not manage: 403, not 404 (they know the org exists).
    assert error(add_member(client, member, "wing", "Newbie"), 403) == "not_org_admin"
    removal = client.delete("/v1/orgs/wing/members/Admin", headers=member.headers)
    assert error(removal, 403) == "not_org_admin"
    # An outsider learns nothing: the unknown-org 404.
    assert error(add_member(client, outsider, "wing", "Newbie"), 404) == "org_not_found"
    gone = client.delete("/v1/orgs/wing/members/Member", headers=outsider.headers)
    assert error(gone, 404) == "org_not_found"

    # An admin manages members: adds, promotes, demotes, removes.
    assert add_member(client, admin, "wing", "Newbie").json()["role"] == "member"
    assert add_member(client, admin, "wing", "Newbie", "admin").json()["role"] == "admin"
    assert "organization:wing#admin@user:newbie" in tuples(spicedb)
    assert "organization:wing#member@user:newbie" not in tuples(spicedb)
    assert add_member(client, admin, "wing", "Newbie", "member").json()["role"] == "member"
    assert error(add_member(client, admin, "wing", "Ghost"), 404) == "user_not_found"
    assert error(add_member(client, admin, "wing", "Owner", "member"), 400) == "owner_role_fixed"
    assert error(add_member(client, owner, "wing", "Newbie", "owner"), 400) == "invalid_role"
    assert client.delete("/v1/orgs/wing/members/newbie", headers=admin.headers).status_code == 204
    assert error(client.get("/v1/orgs/wing", headers=newbie.headers), 404) == "org_not_found"
    missing = client.delete("/v1/orgs/wing/members/Newbie", headers=admin.headers)
    assert error(missing, 404) == "member_not_found"

    # The owner cannot leave, nor be removed; a member can leave.
    for by in (owner, admin):
        refused = client.delete("/v1/orgs/wing/members/Owner", headers=by.headers)
        assert error(refused, 400) == "owner_cannot_leave"
    assert client.delete("/v1/orgs/wing/members/Member", headers=member.headers).status_code == 204
    assert client.get("/v1/orgs", headers=member.headers).json() == {"orgs": []}
    assert error(client.get("/v1/orgs/wing", headers=member.headers), 404) == "org_not_found"
    detail = client.get("/v1/orgs/wing", headers=owner.headers).json()
    # (ordered by when they joined, then handle: all joined at the test clock's one instant)
    assert [(m["handle"], m["role"]) for m in detail["members"]] == [
        ("Admin", "admin"),
        ("Owner", "owner"),
    ]
    assert tuples(spicedb) == {
        "organization:wing#owner@user:owner",
        "organization:wing#admin@user:admin",
    }


def test_a_share_with_an_org_reaches_every_member_until_it_ends(
    client: TestClient, make_user: MakeUser, clock: ManualClock, spicedb: Any
) -> None:
    owner, admin, member = make_user("Owner"), make_user("Admin"), make_user("Member")
    player, outsider = make_user("Player"), make_user("Outsider")
    create_org(client, owner, "wing", "The Wing")
    for handle, role in (("Admin", "admin"), ("Member", "member"), ("Player", "member")):
        assert add_member(client, owner, "wing", handle, role).status_code == 200
    ingest(client, player.headers, "Player", 3, clock.now())
    refused = client.post("/v1/me/share/org", json={"org_slug": "wing"}, headers=outsider.headers)
    assert error(refused, 404) == "org_not_found"

    shared = client.post("/v1/me/share/org", json={"org_slug": "WING"}, headers=player.headers)
    assert shared.status_code == 200, shared.text
    when = shared.json()["created_at"]
    assert shared.json() == {"org_slug": "wing", "org_name": "The Wing", "created_at": when}
    assert client.get("/v1/me/shares", headers=player.headers).json() == {
        "shares": [],
        "org_shares": [{"org_slug": "wing", "org_name": "The Wing", "created_at": when}],
    }
    assert client.get("/v1/orgs/wing", headers=member.headers).json()["shared_by"] == ["Player"]
    assert client.get("/v1/me/shared-with-me", headers=member.headers).json() == {
        "shares": [{"owner_handle": "Player", "via_org": "wing", "created_at": when}]
    }
    assert client.get("/v1/me/shared-with-me", headers=player.headers).json() == {"shares": []}
    own = client.get("/v1/me/summary", headers=player.headers).json()
    for viewer in (owner, admin, member):
        assert reads(client, viewer.headers, "Player") == [200] * len(VIEWS)
        assert client.get("/v1/u/player/summary", headers=viewer.headers).json() == own
    assert reads(client, outsider.headers, "Player") == [404] * len(VIEWS)

    # A member who leaves loses the view; the others keep it.
    assert client.delete("/v1/orgs/wing/members/Member", headers=member.headers).status_code == 204
    assert reads(client, member.headers, "Player") == [404] * len(VIEWS)
    assert reads(client, admin.headers, "Player") == [200] * len(VIEWS)

    # The sharer revoking ends it for everyone.
    revoked = client.delete("/v1/me/share/org/wing", headers=player.headers)
    assert revoked.json() == {"revoked": "wing"}
    assert reads(client, admin.headers, "Player") == [404] * len(VIEWS)
    again = client.delete("/v1/me/share/org/wing", headers=player.headers)
    assert error(again, 404) == "share_not_found"

    # Removing the sharer from the org ends their share with it too.
    assert client.post(
        "/v1/me/share/org", json={"org_slug": "wing"}, headers=player.headers
    ).is_success
    assert reads(client, owner.headers, "Player") == [200] * len(VIEWS)
    assert client.delete("/v1/orgs/wing/members/Player", headers=admin.headers).status_code == 204
    assert reads(client, owner.headers, "Player") == [404] * len(VIEWS)
    assert client.get("/v1/me/shares", headers=player.headers).json()["org_shares"] == []
    assert not any(t.startswith("stats_record:player") for t in tuples(spicedb))


def test_only_the_owner_deletes_an_org_and_every_access_through_it_ends(
    client: TestClient, make_user: MakeUser, spicedb: Any
) -> None:
    owner, admin, member = make_user("Owner"), make_user("Admin"), make_user("Member")
    outsider = make_user("Outsider")
    create_org(client, owner, "wing")
    add_member(client, owner, "wing", "Admin", "admin")
    add_member(client, owner, "wing", "Member")
    client.post("/v1/me/share/org", json={"org_slug": "wing"}, headers=member.headers)
    assert reads(client, admin.headers, "Member") == [200] * len(VIEWS)

    assert error(client.delete("/v1/orgs/wing", headers=admin.headers), 403) == "not_org_admin"
    assert error(client.delete("/v1/orgs/wing", headers=member.headers), 403) == "not_org_admin"
    assert error(client.delete("/v1/orgs/wing", headers=outsider.headers), 404) == "org_not_found"
    assert client.delete("/v1/orgs/wing", headers=owner.headers).status_code == 204

    assert tuples(spicedb) == set()
    for viewer in (owner, admin):
        assert reads(client, viewer.headers, "Member") == [404] * len(VIEWS)
    for person in (owner, admin, member):
        assert error(client.get("/v1/orgs/wing", headers=person.headers), 404) == "org_not_found"
        assert client.get("/v1/orgs", headers=person.headers).json() == {"orgs": []}
    assert client.get("/v1/me/shares", headers=member.headers).json()["org_shares"] == []
    assert client.get("/v1/me/shared-with-me", headers=admin.headers).json() == {"shares": []}
    assert error(client.delete("/v1/orgs/wing", headers=owner.headers), 404) == "org_not_found"

    # The slug is free again, and the new org inherits nothing.
    create_org(client, outsider, "wing")
    add_member(client, outsider, "wing", "Admin", "admin")
    assert reads(client, admin.headers, "Member") == [404] * len(VIEWS)
    assert tuples(spicedb) == {
        "organization:wing#owner@user:outsider",
        "organization:wing#admin@user:admin",
    }


# -- deleting an account ---------------------------------------------------------------------------
def _account_with_everything(
    client: TestClient, make_user: MakeUser, clock: ManualClock
) -> dict[str, Any]:
    """Alice (signed up through the route), her device and 5 events; she shares with Bob, is
    public, owns an org Bob is in and Bob shares with; Carol shares with her; she is in
    Dave's org, which Dave shares with."""
    alice = signup(client, "Alice")
    bob, carol, dave = make_user("Bob"), make_user("Carol"), make_user("Dave")
    code = client.post("/v1/auth/devices/start", headers=alice["headers"]).json()["code"]
    device = client.post("/v1/auth/devices/redeem", json={"code": code}).json()["token"]
    ingest(client, bearer(device), "Alice", 5, clock.now())

    as_alice = SimpleNamespace(headers=alice["headers"])
    assert share(client, as_alice, "Bob").is_success
    assert share(client, carol, "Alice").is_success
    assert client.post(
        "/v1/me/visibility", json={"public": True}, headers=as_alice.headers
    ).is_success
    create_org(client, as_alice, "alice-org")
    add_member(client, as_alice, "alice-org", "Bob")
    client.post("/v1/me/share/org", json={"org_slug": "alice-org"}, headers=bob.headers)
    create_org(client, dave, "dave-org")
    add_member(client, dave, "dave-org", "Alice")
    client.post("/v1/me/share/org", json={"org_slug": "dave-org"}, headers=dave.headers)
    assert reads(client, bob.headers, "Alice") == [200] * len(VIEWS)
    assert reads(client, as_alice.headers, "Carol") == [200] * len(VIEWS)
    assert reads(client, as_alice.headers, "Dave") == [200] * len(VIEWS)
    return {"alice": alice, "device": device, "bob": bob, "carol": carol, "dave": dave}


def _about_alice(found: set[str]) -> set[str]:
    return {t for t in found if "alice" in t}


def test_deleting_an_account_removes_its_data_tokens_and_every_tuple(
    client: TestClient, make_user: MakeUser, clock: ManualClock, db_url: str, spicedb: Any
) -> None:
    world = _account_with_everything(client, make_user, clock)
    alice, bob = world["alice"], world["bob"]
    assert _about_alice(tuples(spicedb)) == {
        "stats_record:alice#owner@user:alice",
        "stats_record:alice#share_with_user@user:bob",
        "stats_record:alice#public_view@user:*",
        "stats_record:carol#share_with_user@user:alice",
        "organization:alice-org#owner@user:alice",
        "organization:alice-org#member@user:bob",
        "stats_record:bob#share_with_org@organization:alice-org",
        "organization:dave-org#member@user:alice",
    }

    wrong = client.request(
        "DELETE", "/v1/auth/me", json={"password": "not the password"}, headers=alice["headers"]
    )
    assert error(wrong, 403) == "wrong_password"
    assert reads(client, bob.headers, "Alice") == [200] * len(VIEWS)
    assert count_rows(db_url, tables.users, tables.users.c.handle == "alice") == 1

    done = client.request(
        "DELETE", "/v1/auth/me", json={"password": PASSWORD}, headers=alice["headers"]
    )
    assert done.status_code == 204, done.text
    assert done.content == b""

    assert error(client.get("/v1/auth/me", headers=alice["headers"]), 401) == "user_not_found"
    for token in (alice["token"], world["device"]):
        assert client.get("/v1/auth/me", headers=bearer(token)).status_code == 401
        assert client.get("/v1/me/summary", headers=bearer(token)).status_code == 401
    for table in (
        tables.events,
        tables.event_sequences,
        tables.event_day_counts,
        tables.event_type_counts,
        tables.event_distinct_values,
        tables.handle_totals,
        tables.journey_sessions,
        tables.journey_facts,
        tables.journey_state,
        tables.journey_values,
        tables.quarantined_events,
    ):
        assert count_rows(db_url, table, table.c.handle == "alice") == 0, table.name
    assert count_rows(db_url, tables.users, tables.users.c.handle == "alice") == 0
    assert count_rows(db_url, tables.devices) == 0
    assert count_rows(db_url, tables.stats_shares) == 0
    assert count_rows(db_url, tables.organizations) == 1  # Dave's
    assert count_rows(db_url, tables.org_members) == 1  # Dave, owner of dave-org

    # SpiceDB holds nothing about her, her org, or anything shared with either.
    assert _about_alice(tuples(spicedb)) == set()
    assert can(
        spicedb,
        view("alice", "alice"),
        view("alice", "bob"),
        (stats_record("alice"), Permission.VIEW, anonymous()),
        view("carol", "alice"),
        view("dave", "alice"),
        view("bob", "bob"),  # unaffected: nobody's owner tuple but hers was touched
        (organization("alice-org"), Permission.VIEW, user("bob")),
        (organization("dave-org"), Permission.VIEW, user("alice")),
    ) == [False, False, False, False, False, False, False, False]
    assert reads(client, bob.headers, "Alice") == [404] * len(VIEWS)
    assert reads(client, None, "Alice") == [404] * len(VIEWS)

    # Someone new takes the handle: none of the old shares reach them or their stats.
    newcomer = signup(client, "alice", email="new-alice@example.com")
    assert reads(client, newcomer["headers"], "Carol") == [404] * len(VIEWS)
    assert reads(client, newcomer["headers"], "Dave") == [404] * len(VIEWS)
    assert reads(client, bob.headers, "alice") == [404] * len(VIEWS)
    assert reads(client, None, "alice") == [404] * len(VIEWS)
    assert client.get("/v1/me/shared-with-me", headers=newcomer["headers"]).json() == {"shares": []}
    assert client.get("/v1/orgs", headers=newcomer["headers"]).json() == {"orgs": []}
    assert client.get("/v1/me/visibility", headers=newcomer["headers"]).json() == {"public": False}
    assert client.get("/v1/me/summary", headers=newcomer["headers"]).json()["total"] == 0
    assert _about_alice(tuples(spicedb)) == {"stats_record:alice#owner@user:alice"}

    deleted = [p for a, _, p in audit_rows(db_url) if a == "user.account_deleted"]
    assert deleted == [{"events_deleted": 5}]


def test_deleting_an_account_while_spicedb_is_down_is_503_and_deletes_nothing(
    *,
    client: TestClient,
    make_user: MakeUser,
    clock: ManualClock,
    settings: Settings,
    db_url: str,
    spicedb: Any,
    free_port: Callable[[], int],
) -> None:
    world = _account_with_everything(client, make_user, clock)
    alice = world["alice"]
    before_tuples, before_audit = tuples(spicedb), audit_rows(db_url)
    with serve(settings, clock, spicedb_endpoint=f"127.0.0.1:{free_port()}") as down:
        refused = down.request(
            "DELETE", "/v1/auth/me", json={"password": PASSWORD}, headers=alice["headers"]
        )
        assert error(refused, 503) == "spicedb_unavailable"
        assert refused.headers["Retry-After"] == "5"
    assert count_rows(db_url, tables.users, tables.users.c.handle == "alice") == 1
    assert count_rows(db_url, tables.events, tables.events.c.handle == "alice") == 5
    assert count_rows(db_url, tables.stats_shares) == 2
    assert count_rows(db_url, tables.organizations) == 2
    assert tuples(spicedb) == before_tuples
    assert audit_rows(db_url) == before_audit
    assert client.get("/v1/auth/me", headers=bearer(world["device"])).status_code == 200
    assert reads(client, world["bob"].headers, "Alice") == [200] * len(VIEWS)


def test_deleting_an_account_without_spicedb_works_and_needs_a_user_token(
    settings: Settings, clock: ManualClock, make_user: MakeUser, db_url: str
) -> None:
    with serve(settings, clock, **NO_SPICEDB) as client:
        pilot = make_user("Pilot")
        code = client.post("/v1/auth/devices/start", headers=pilot.headers).json()["code"]
        device = client.post("/v1/auth/devices/redeem", json={"code": code}).json()["token"]
        as_device = client.request(
            "DELETE", "/v1/auth/me", json={"password": PASSWORD}, headers=bearer(device)
        )
        assert error(as_device, 403) == "user_token_required"
        done = client.request(
            "DELETE", "/v1/auth/me", json={"password": PASSWORD}, headers=pilot.headers
        )
        assert done.status_code == 204
        assert client.get("/v1/auth/me", headers=bearer(device)).status_code == 401
    assert count_rows(db_url, tables.users) == 0


# -- degraded modes --------------------------------------------------------------------------------
SHARING_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/me/visibility", None),
    ("POST", "/v1/me/visibility", {"public": True}),
    ("POST", "/v1/me/share", {"recipient_handle": "Other"}),
    ("DELETE", "/v1/me/share/Other", None),
    ("POST", "/v1/me/share/org", {"org_slug": "wing"}),
    ("DELETE", "/v1/me/share/org/wing", None),
    ("GET", "/v1/me/shares", None),
    ("GET", "/v1/me/shared-with-me", None),
    ("GET", "/v1/u/Other/summary", None),
    ("GET", "/v1/u/Other/timeline", None),
    ("GET", "/v1/u/Other/stats", None),
    ("GET", "/v1/public/Other/summary", None),
    ("GET", "/v1/public/Other/timeline", None),
    ("GET", "/v1/public/Other/stats", None),
    ("POST", "/v1/orgs", {"name": "Wing", "slug": "wing"}),
    ("GET", "/v1/orgs", None),
    ("GET", "/v1/orgs/wing", None),
    ("DELETE", "/v1/orgs/wing", None),
    ("POST", "/v1/orgs/wing/members", {"handle": "Other"}),
    ("DELETE", "/v1/orgs/wing/members/Other", None),
]


def _own_reads_work(client: TestClient, headers: dict[str, str]) -> None:
    for path in ("/v1/me/summary", "/v1/me/events", "/v1/me/timeline", "/v1/me/stats"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text)


def test_without_spicedb_sharing_is_503_and_own_stats_still_work(
    settings: Settings, clock: ManualClock, make_user: MakeUser
) -> None:
    with serve(settings, clock, **NO_SPICEDB) as client:
        pilot = make_user("Pilot")
        make_user("Other")
        ingest(client, pilot.headers, "Pilot", 2, clock.now())
        for method, path, body in SHARING_ROUTES:
            response = client.request(method, path, json=body, headers=pilot.headers)
            assert error(response, 503) == "spicedb_unavailable", (method, path)
            assert response.headers["Retry-After"] == "5", path
            assert "SPICEDB_ENDPOINT" in response.json()["detail"]
        _own_reads_work(client, pilot.headers)
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"]["spicedb"] == "skipped"
        assert signup(client, "Newcomer")["claimed_handle"] == "Newcomer"
        for mode in ("advisory", "enforced"):
            for result in ("allow", "deny", "error"):
                assert checks(client, result, mode) == 0


def test_unreachable_spicedb_fails_readiness_and_sharing_but_not_own_stats(
    settings: Settings,
    clock: ManualClock,
    make_user: MakeUser,
    free_port: Callable[[], int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = f"127.0.0.1:{free_port()}"
    with serve(settings, clock, spicedb_endpoint=down) as client:
        pilot = make_user("Pilot")
        make_user("Other")
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "degraded"
        assert ready.json()["checks"]["spicedb"] == "fail"
        assert ready.json()["checks"]["database"] == "ok"

        ingest(client, pilot.headers, "Pilot", 2, clock.now())
        _own_reads_work(client, pilot.headers)
        assert checks(client, "error", "advisory") == 1
        assert checks(client, "allow", "advisory") == 0

        # Every route that needs an answer from SpiceDB says so.
        create_org = client.post(
            "/v1/orgs", json={"name": "W", "slug": "wing"}, headers=pilot.headers
        )
        for response in (
            client.post("/v1/me/visibility", json={"public": True}, headers=pilot.headers),
            share(client, pilot, "Other"),
            client.get("/v1/u/Other/summary", headers=pilot.headers),
            client.get("/v1/public/Other/summary"),
            create_org,
        ):
            assert error(response, 503) == "spicedb_unavailable", response.request.url
            assert response.headers["Retry-After"] == "5"
        assert checks(client, "error", "enforced") >= 2
        # Nothing was written while it was down.
        assert client.get("/v1/me/visibility", headers=pilot.headers).json() == {"public": False}
        assert client.get("/v1/me/shares", headers=pilot.headers).json()["shares"] == []
        assert client.get("/v1/orgs", headers=pilot.headers).json() == {"orgs": []}
        # Sign-up does not depend on SpiceDB (the owner tuple waits for `authz sync`).
        assert signup(client, "Newcomer")["claimed_handle"] == "Newcomer"
    assert "SpiceDB not reachable at start-up" in caplog.text


# -- advisory and enforced checks: metrics, logs ---------------------------------------------------
def test_own_summary_runs_an_advisory_check_that_allows(client: TestClient, db_url: str) -> None:
    pilot = signup(client, "Pilot")
    assert client.get("/v1/me/summary", headers=pilot["headers"]).status_code == 200
    assert checks(client, "allow", "advisory") == 1
    assert checks(client, "deny", "advisory") == 0
    assert checks(client, "error", "advisory") == 0
    duration = "starstats_authz_check_duration_seconds_count"
    assert metric(client, duration, mode="advisory") == 1
    assert metric(client, "starstats_authz_check_duration_seconds_sum", mode="advisory") > 0
    # Reading oneself through /v1/u is an enforced check (the owner tuple), and no `share.viewed`.
    own = client.get("/v1/u/pilot/summary", headers=pilot["headers"])
    assert own.status_code == 200
    assert checks(client, "allow", "enforced") == 1
    assert [a for a, _, _ in audit_rows(db_url)] == ["user.signed_up"]


def test_a_missing_owner_tuple_is_a_logged_advisory_deny_that_blocks_nothing(
    client: TestClient, clock: ManualClock, spicedb: Any, caplog: pytest.LogCaptureFixture
) -> None:
    pilot = signup(client, "Pilot")
    ingest(client, pilot["headers"], "Pilot", 3, clock.now())
    owner = Relationship(stats_record("pilot"), Relation.OWNER, user("pilot"))

    async def drop(authz: SpiceDbAuthorizer) -> None:
        await authz.write(delete=[owner])

    with_authorizer(spicedb, drop)
    assert can(spicedb, view("pilot", "pilot")) == [False]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="starstats_server"):
        response = client.get("/v1/me/summary", headers=pilot["headers"])
    assert response.status_code == 200
    assert response.json()["total"] == 3
    assert checks(client, "deny", "advisory") == 1
    assert checks(client, "allow", "advisory") == 0
    denials = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and "denied a self-read" in r.message
    ]
    assert len(denials) == 1
    assert "pilot" not in denials[0].getMessage().lower()  # no handle in log lines


def test_cross_user_reads_are_enforced_checks_with_durations(
    client: TestClient, make_user: MakeUser
) -> None:
    alice, bob, eve = make_user("Alice"), make_user("Bob"), make_user("Eve")
    share(client, alice, "Bob")
    assert client.get("/v1/u/Alice/summary", headers=bob.headers).status_code == 200
    assert client.get("/v1/u/Alice/summary", headers=eve.headers).status_code == 404
    # SpiceDB is asked before the database, so an unknown handle is a deny like any other.
    assert client.get("/v1/u/Nobody/summary", headers=eve.headers).status_code == 404
    assert checks(client, "allow", "enforced") == 1
    assert checks(client, "deny", "enforced") == 2
    duration = "starstats_authz_check_duration_seconds_count"
    assert metric(client, duration, mode="enforced") == 3
    buckets = [
        s
        for f in text_string_to_metric_families(client.get("/metrics").text)
        for s in f.samples
        if s.name == "starstats_authz_check_duration_seconds_bucket"
        and s.labels.get("mode") == "enforced"
    ]
    assert buckets
    assert max(s.value for s in buckets) == 3  # the +Inf bucket holds all three


# -- start-up: schema bootstrap and loading the database -------------------------------------------
def test_a_fresh_spicedb_gets_the_schema_and_every_relationship_at_start_up(
    *,
    client: TestClient,
    make_user: MakeUser,
    settings: Settings,
    clock: ManualClock,
    spicedb: Any,
    fresh_spicedb: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alice, bob, carol = make_user("Alice"), make_user("Bob"), make_user("Carol")
    outsider = make_user("Outsider")
    share(client, alice, "Bob")
    client.post("/v1/me/visibility", json={"public": True}, headers=carol.headers)
    create_org(client, carol, "wing")
    add_member(client, carol, "wing", "Bob", "admin")
    client.post("/v1/me/share/org", json={"org_slug": "wing"}, headers=bob.headers)
    expected = {
        *(f"stats_record:{h}#owner@user:{h}" for h in ("alice", "bob", "carol", "outsider")),
        "stats_record:alice#share_with_user@user:bob",
        "stats_record:carol#public_view@user:*",
        "organization:wing#owner@user:carol",
        "organization:wing#admin@user:bob",
        "stats_record:bob#share_with_org@organization:wing",
    }
    assert schema_of(fresh_spicedb) is None
    fresh = {
        "spicedb_endpoint": fresh_spicedb.endpoint,
        "spicedb_preshared_key": SecretStr(fresh_spicedb.key),
    }
    with (
        caplog.at_level(logging.INFO, logger="starstats_server"),
        serve(settings, clock, **fresh) as second,
    ):
        assert schema_of(fresh_spicedb) is not None
        assert "schema written to SpiceDB, 9 relationships loaded" in caplog.text
        assert tuples(fresh_spicedb) == expected
        assert reads(second, bob.headers, "Alice") == [200] * len(VIEWS)
        assert reads(second, None, "Carol") == [200] * len(VIEWS)
        assert reads(second, carol.headers, "Bob") == [200] * len(VIEWS)
        assert reads(second, outsider.headers, "Alice") == [404] * len(VIEWS)
        assert second.get("/readyz").json()["checks"]["spicedb"] == "ok"
    # A second start finds the schema there and leaves the relationships alone.
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="starstats_server"), serve(settings, clock, **fresh):
        assert "relationships loaded" not in caplog.text


def test_a_spicedb_that_loses_everything_while_serving_is_restored_by_the_server(
    *,
    client: TestClient,
    make_user: MakeUser,
    settings: Settings,
    clock: ManualClock,
    fresh_spicedb: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alice, bob = make_user("Alice"), make_user("Bob")
    share(client, alice, "Bob")
    fresh = {
        "spicedb_endpoint": fresh_spicedb.endpoint,
        "spicedb_preshared_key": SecretStr(fresh_spicedb.key),
        "spicedb_schema_check_seconds": 1.0,
    }
    with (
        caplog.at_level(logging.INFO, logger="starstats_server"),
        serve(settings, clock, **fresh) as second,
    ):
        assert reads(second, bob.headers, "Alice") == [200] * len(VIEWS)
        # SpiceDB loses its data (as a memory datastore does when it restarts).
        fresh_spicedb.delete_all_relationships()
        with grpc.insecure_channel(fresh_spicedb.endpoint) as channel:
            SchemaServiceStub(channel).WriteSchema(
                WriteSchemaRequest(schema=""), metadata=_metadata(fresh_spicedb), timeout=10
            )
        assert schema_of(fresh_spicedb) is None
        lost = second.get("/readyz")
        assert (lost.status_code, lost.json()["checks"]["spicedb"]) == (503, "fail")
        assert error(second.get("/v1/u/Alice/summary", headers=bob.headers), 503) == (
            "spicedb_unavailable"
        )
        deadline = time.monotonic() + 15
        while second.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert second.get("/readyz").json()["checks"]["spicedb"] == "ok"
        assert reads(second, bob.headers, "Alice") == [200] * len(VIEWS)
        assert "SpiceDB had no schema; wrote it and 3 relationships" in caplog.text


def test_start_up_leaves_spicedb_alone_when_told_not_to_write_the_schema(
    *,
    make_user: MakeUser,
    settings: Settings,
    clock: ManualClock,
    db_url: str,
    fresh_spicedb: Any,
) -> None:
    alice, bob = make_user("Alice"), make_user("Bob")
    fresh = {
        "spicedb_endpoint": fresh_spicedb.endpoint,
        "spicedb_preshared_key": SecretStr(fresh_spicedb.key),
        "spicedb_write_schema": False,
    }
    with serve(settings, clock, **fresh) as client:
        assert schema_of(fresh_spicedb) is None
        # Without our schema SpiceDB answers no check: an outage for sharing, none for a
        # player's own stats (the advisory check's error is counted, not raised).
        assert client.get("/v1/me/summary", headers=alice.headers).status_code == 200
        assert checks(client, "error", "advisory") == 1
        assert error(share(client, alice, "Bob"), 503) == "spicedb_unavailable"
        cross = client.get("/v1/u/Alice/summary", headers=bob.headers)
        assert error(cross, 503) == "spicedb_unavailable"
        assert count_rows(db_url, tables.stats_shares) == 0

        # `authz sync` repairs it while the server runs.
        env = {
            "DATABASE_URL": db_url,
            "SPICEDB_ENDPOINT": fresh_spicedb.endpoint,
            "SPICEDB_PRESHARED_KEY_FILE": str(fresh_spicedb.key_file),
        }
        result = runner.invoke(cli, ["authz", "sync"], env=env)
        assert result.exit_code == 0, result.output
        assert "schema written (SpiceDB had none)" in result.stdout
        assert share(client, alice, "Bob").status_code == 200
        assert reads(client, bob.headers, "Alice") == [200] * len(VIEWS)


def test_readiness_fails_while_spicedb_has_no_schema_to_answer_with(
    settings: Settings, clock: ManualClock, fresh_spicedb: Any
) -> None:
    fresh = {
        "spicedb_endpoint": fresh_spicedb.endpoint,
        "spicedb_preshared_key": SecretStr(fresh_spicedb.key),
        "spicedb_write_schema": False,
    }
    with serve(settings, clock, **fresh) as client:
        ready = client.get("/readyz")
        assert ready.json()["checks"]["spicedb"] == "fail"
        assert ready.status_code == 503


def test_authz_sync_reloads_a_wiped_spicedb_and_prints_the_count(
    client: TestClient, make_user: MakeUser, db_url: str, spicedb: Any
) -> None:
    alice, bob = make_user("Alice"), make_user("Bob")
    share(client, alice, "Bob")
    create_org(client, alice, "wing")
    add_member(client, alice, "wing", "Bob")
    expected = {
        "stats_record:alice#owner@user:alice",
        "stats_record:bob#owner@user:bob",
        "stats_record:alice#share_with_user@user:bob",
        "organization:wing#owner@user:alice",
        "organization:wing#member@user:bob",
    }
    spicedb.delete_all_relationships()
    assert reads(client, bob.headers, "Alice") == [404] * len(VIEWS)

    env = {
        "DATABASE_URL": db_url,
        "SPICEDB_ENDPOINT": f"grpc://{spicedb.endpoint}",
        "SPICEDB_PRESHARED_KEY_FILE": str(spicedb.key_file),
    }
    for _ in range(2):  # idempotent: the second run writes the same again
        result = runner.invoke(cli, ["authz", "sync"], env=env)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip().splitlines() == ["5 relationships written"]
        assert tuples(spicedb) == expected
    assert reads(client, bob.headers, "Alice") == [200] * len(VIEWS)

    unconfigured = runner.invoke(cli, ["authz", "sync"], env={"DATABASE_URL": db_url})
    assert unconfigured.exit_code == 2
    assert unconfigured.stderr.startswith("error: SpiceDB is not configured")


def test_authz_sync_writes_the_schema_into_an_engine_that_has_none(
    client: TestClient, make_user: MakeUser, db_url: str, fresh_spicedb: Any
) -> None:
    make_user("Alice")
    env = {
        "DATABASE_URL": db_url,
        "SPICEDB_ENDPOINT": fresh_spicedb.endpoint,
        "SPICEDB_PRESHARED_KEY": fresh_spicedb.key,
    }
    result = runner.invoke(cli, ["authz", "sync"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == [
        "schema written (SpiceDB had none)",
        "1 relationships written",
    ]
    written = schema_of(fresh_spicedb)
    assert written is not None  # (SpiceDB gives it back normalised, without the comments)
    for definition in ("user", "organization", "stats_record"):
        assert f"definition {definition} {{" in written
        assert f"definition {definition} {{" in schema_text()
    assert tuples(fresh_spicedb) == {"stats_record:alice#owner@user:alice"}


# -- the audit trail -------------------------------------------------------------------------------
def test_every_sharing_change_and_cross_user_view_is_audited_and_the_chain_holds(
    client: TestClient, make_user: MakeUser, db_url: str
) -> None:
    alice, bob, carol = make_user("Alice"), make_user("Bob"), make_user("Carol")
    steps: list[Any] = [
        lambda: client.post("/v1/me/visibility", json={"public": True}, headers=alice.headers),
        lambda: client.get("/v1/public/alice/summary"),
        lambda: client.post("/v1/me/visibility", json={"public": False}, headers=alice.headers),
        lambda: share(client, alice, "bob"),
        lambda: share(client, alice, "Bob"),  # no change: no row
        lambda: client.get("/v1/u/alice/stats", headers=bob.headers),
        lambda: client.get("/v1/u/bob/stats", headers=alice.headers),  # refused: no row
        lambda: client.delete("/v1/me/share/bob", headers=alice.headers),
        lambda: client.post(
            "/v1/orgs", json={"name": "Wing", "slug": "wing"}, headers=carol.headers
        ),
        lambda: add_member(client, carol, "wing", "alice"),
        lambda: add_member(client, carol, "wing", "Alice", "admin"),
        lambda: add_member(client, carol, "wing", "Alice", "admin"),  # no change: no row
        lambda: add_member(client, alice, "wing", "Bob"),
        lambda: client.post("/v1/me/share/org", json={"org_slug": "wing"}, headers=bob.headers),
        lambda: client.get("/v1/u/Bob/timeline", headers=carol.headers),
        lambda: client.delete("/v1/me/share/org/wing", headers=bob.headers),
        lambda: client.delete("/v1/orgs/wing/members/Bob", headers=alice.headers),
        lambda: client.delete("/v1/orgs/wing", headers=carol.headers),
        lambda: client.request(
            "DELETE", "/v1/auth/me", json={"password": PASSWORD}, headers=bob.headers
        ),
    ]
    for number, step in enumerate(steps):
        response = step()
        assert response.status_code in (200, 201, 204, 404), (number, response.text)

    assert audit_rows(db_url) == [
        ("share.visibility_changed", "Alice", {"public": True}),
        ("share.viewed", None, {"owner_handle": "Alice", "route": "public"}),
        ("share.visibility_changed", "Alice", {"public": False}),
        ("share.granted", "Alice", {"recipient_handle": "Bob"}),
        ("share.viewed", "Bob", {"owner_handle": "Alice", "route": "user"}),
        ("share.revoked", "Alice", {"recipient_handle": "Bob"}),
        ("org.created", "Carol", {"org_slug": "wing"}),
        (
            "org.member_added",
            "Carol",
            {"org_slug": "wing", "member_handle": "Alice", "role": "member"},
        ),
        (
            "org.member_role_changed",
            "Carol",
            {"org_slug": "wing", "member_handle": "Alice", "role": "admin"},
        ),
        (
            "org.member_added",
            "Alice",
            {"org_slug": "wing", "member_handle": "Bob", "role": "member"},
        ),
        ("share.org_granted", "Bob", {"org_slug": "wing"}),
        ("share.viewed", "Carol", {"owner_handle": "Bob", "route": "user"}),
        ("share.org_revoked", "Bob", {"org_slug": "wing"}),
        ("org.member_removed", "Alice", {"org_slug": "wing", "member_handle": "Bob"}),
        ("org.deleted", "Carol", {"org_slug": "wing"}),
        ("user.account_deleted", "Bob", {"events_deleted": 0}),
    ]
    rows = raw_audit(db_url)
    subs = {"Alice": str(alice.id), "Bob": str(bob.id), "Carol": str(carol.id)}
    for row in rows:
        assert row.actor_sub == (None if row.actor_handle is None else subs[row.actor_handle])
        assert "example.com" not in row.payload_json
        assert "@" not in row.payload_json

    verified = runner.invoke(cli, ["audit", "verify"], env={"DATABASE_URL": db_url})
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.strip() == f"audit chain intact: seq 1..{len(rows)}"


# -- traces ----------------------------------------------------------------------------------------
def test_a_cross_user_read_traces_its_spicedb_check_inside_the_request(
    client: TestClient, make_user: MakeUser, spans: InMemorySpanExporter, spicedb: Any
) -> None:
    alice, bob = make_user("Alice"), make_user("Bob")
    share(client, alice, "Bob")
    trace_id, parent = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    response = client.get(
        "/v1/u/Alice/summary",
        headers={**bob.headers, "traceparent": f"00-{trace_id}-{parent}-01"},
    )
    assert response.status_code == 200
    flush()
    mine = [s for s in spans.get_finished_spans() if format(s.context.trace_id, "032x") == trace_id]
    checks_ = [s for s in mine if s.name == "authzed.api.v1.PermissionsService/CheckPermission"]
    assert len(checks_) == 1, [s.name for s in mine]
    check = checks_[0]
    assert check.kind is SpanKind.CLIENT
    assert check.attributes is not None
    assert check.attributes["rpc.system"] == "grpc"
    assert check.attributes["rpc.method"] == "CheckPermission"
    assert check.attributes["server.address"] == spicedb.endpoint
    # Its ancestry reaches the request's server span (whose parent is the caller's span).
    by_id = {s.context.span_id: s for s in mine}
    node = check
    while node.parent is not None and node.parent.span_id in by_id:
        node = by_id[node.parent.span_id]
    assert node.parent is not None
    assert format(node.parent.span_id, "016x") == parent
    assert node.kind is SpanKind.SERVER
