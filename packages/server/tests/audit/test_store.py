"""The chain in the database, on both backends: appends link up, the triggers keep the table
append-only and refuse rows that do not extend the chain, appends are serialised so
concurrent writers never fork it, and an audit row lives or dies with its action."""

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from starstats_server.audit import store
from starstats_server.audit.actions import AuditAction
from starstats_server.audit.chain import GENESIS_HASH, ChainCheck, new_row
from starstats_server.audit.trail import AuditTrail
from starstats_server.clock import SystemClock
from starstats_server.metrics import Metrics

MakeUser = Callable[..., Any]
T0 = datetime(2026, 5, 4, 10, tzinfo=UTC)


def _append(audit_db: Any, count: int, actor: store.Actor | None = None) -> None:
    async def _go(engine: AsyncEngine) -> None:
        for number in range(count):
            async with engine.begin() as conn:
                await store.append(conn, AuditAction.USER_LOGGED_IN, {"n": number}, actor, T0)

    audit_db.run(_go)


def test_appends_in_separate_transactions_form_one_linked_chain(audit_db: Any) -> None:
    _append(audit_db, 3, store.Actor("sub-1", "Pilot"))
    rows = audit_db.rows()
    assert [row.seq for row in rows] == [1, 2, 3]
    assert rows[0].prev_hash == GENESIS_HASH
    assert rows[1].prev_hash == rows[0].row_hash
    assert ChainCheck().check_rows(rows) is None
    assert rows[2].payload_json == '{"n":2}'
    assert (rows[2].actor_sub, rows[2].actor_handle) == ("sub-1", "Pilot")
    head = audit_db.head()
    assert (head.last_seq, head.last_hash, head.max_seq) == (3, rows[2].row_hash, 3)


def test_update_and_delete_are_refused_by_the_triggers(audit_db: Any) -> None:
    _append(audit_db, 2)
    with pytest.raises(DBAPIError, match="append-only"):
        audit_db.execute("UPDATE audit_log SET action = 'x' WHERE seq = 1")
    with pytest.raises(DBAPIError, match="append-only"):
        audit_db.execute("DELETE FROM audit_log WHERE seq = 2")
    if audit_db.backend == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            audit_db.execute("TRUNCATE audit_log")
    assert [row.action for row in audit_db.rows()] == ["user.logged_in"] * 2


def test_an_insert_that_does_not_extend_the_chain_is_refused(audit_db: Any) -> None:
    _append(audit_db, 2)
    tail = audit_db.rows()[-1]

    def row(prev_seq: int, prev_hash: bytes) -> Any:
        return new_row(
            prev_seq,
            prev_hash,
            occurred_at=T0,
            actor_sub=None,
            actor_handle=None,
            action="forged",
            payload={},
        )

    with pytest.raises(DBAPIError, match="does not extend the chain"):
        audit_db.insert_rows([row(2, GENESIS_HASH)])  # right seq, wrong link
    with pytest.raises(DBAPIError, match="does not extend the chain"):
        audit_db.insert_rows([row(3, tail.row_hash)])  # right link, seq skips one
    audit_db.insert_rows([row(2, tail.row_hash)])
    assert [r.seq for r in audit_db.rows()] == [1, 2, 3]


def test_a_rolled_back_append_leaves_no_gap(audit_db: Any) -> None:
    async def _go(engine: AsyncEngine) -> None:
        async def failing_action() -> None:
            async with engine.begin() as conn:
                await store.append(conn, AuditAction.USER_LOGGED_IN, {}, None, T0)
                raise RuntimeError("the action failed after its audit row")

        with pytest.raises(RuntimeError):
            await failing_action()
        async with engine.begin() as conn:
            await store.append(conn, AuditAction.USER_LOGGED_IN, {"after": True}, None, T0)

    audit_db.run(_go)
    rows = audit_db.rows()
    assert [(row.seq, row.payload_json) for row in rows] == [(1, '{"after":true}')]


def test_concurrent_audited_transactions_never_fork_the_chain(audit_db: Any) -> None:
    """40 transactions at once from a pool of connections: each takes the tail lock in
    turn (PostgreSQL row lock; SQLite's single writer)."""

    async def _go(engine: AsyncEngine) -> None:
        trail = AuditTrail(engine, Metrics(), SystemClock())

        async def one(number: int) -> None:
            async with trail.transaction() as tx:
                await tx.conn.execute(sa.text("SELECT 1"))
                await asyncio.sleep(0.001 * (number % 3))  # hold the transaction open a bit
                await tx.append(AuditAction.USER_LOGGED_IN, {"n": number}, None)

        await asyncio.gather(*(one(n) for n in range(40)))

    audit_db.run(_go)
    rows = audit_db.rows()
    assert [row.seq for row in rows] == list(range(1, 41))
    assert ChainCheck().check_rows(rows) is None
    assert sorted(int(row.payload_json[5:-1]) for row in rows) == list(range(40))


def test_parallel_ingest_over_http_gives_one_unbroken_chain(
    app: FastAPI,
    live_server: Any,
    make_user: MakeUser,
    ingest_body: Callable[..., dict[str, Any]],
    audit_db: Any,
) -> None:
    users = [make_user(f"Racer{n}") for n in range(4)]
    errors: list[str] = []

    def client_thread(user: Any) -> None:
        with httpx.Client(base_url=live_server.url, headers=user.headers, timeout=30) as http:
            for _ in range(8):
                response = http.post("/v1/ingest", json=ingest_body(user.handle, 5))
                if response.status_code != 200:
                    errors.append(response.text)

    threads = [threading.Thread(target=client_thread, args=(u,)) for u in users * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = audit_db.rows()
    assert [row.seq for row in rows] == list(range(1, 65))
    assert ChainCheck().check_rows(rows) is None
    assert audit_db.verify().ok
    assert {row.action for row in rows} == {"ingest.batch_processed"}
    assert audit_db.scalar("SELECT count(*) FROM events") == 64 * 5


def _install_failing_audit_trigger(audit_db: Any) -> None:
    if audit_db.backend == "postgresql":
        audit_db.execute(
            "CREATE FUNCTION audit_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'audit store failure injected by the test'; END $$"
        )
        audit_db.execute(
            "CREATE TRIGGER audit_test_fail BEFORE INSERT ON audit_log"
            " FOR EACH ROW EXECUTE FUNCTION audit_test_fail()"
        )
    else:
        audit_db.execute(
            "CREATE TRIGGER audit_test_fail BEFORE INSERT ON audit_log BEGIN"
            " SELECT RAISE(ABORT, 'audit store failure injected by the test'); END"
        )


def test_a_batch_whose_audit_append_fails_leaves_no_events_behind(
    app: FastAPI,
    make_user: MakeUser,
    ingest_body: Callable[..., dict[str, Any]],
    audit_db: Any,
) -> None:
    user = make_user("Pilot")
    body = ingest_body("Pilot", 4)
    # One envelope that is quarantined (a NUL character), so every table ingest writes to
    # is involved.
    body["events"].append({**body["events"][0], "idempotency_key": "nul", "raw_line": "a\x00b"})
    _install_failing_audit_trigger(audit_db)
    with TestClient(app, raise_server_exceptions=False) as client:
        failed = client.post("/v1/ingest", json=body, headers=user.headers)
        assert failed.status_code == 500
        for table in ("events", "quarantined_events", "event_sequences", "audit_log"):
            assert audit_db.scalar(f"SELECT count(*) FROM {table}") == 0, table
        on_table = " ON audit_log" if audit_db.backend == "postgresql" else ""
        audit_db.execute(f"DROP TRIGGER audit_test_fail{on_table}")
        again = client.post("/v1/ingest", json=body, headers=user.headers)
    # Nothing of the failed attempt was kept: the replay stores everything afresh.
    assert again.status_code == 200
    assert again.json() | {"batch_id": None} == {
        "batch_id": None,
        "accepted": 4,
        "duplicate": 0,
        "rejected": 1,
    }
    assert [row.seq for row in audit_db.rows()] == [1]
