"""Fixtures for the audit tests: direct access to the test database's audit tables (reading,
tampering with the protection switched off as a superuser would), ingest bodies, and apps
whose mirror writes to the session's SeaweedFS."""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from starstats_core.events import event_to_dict
from starstats_core.events.session import JoinPu
from starstats_server.app import create_app
from starstats_server.audit import store, verify
from starstats_server.audit.bucket import S3AuditMirror, s3_client
from starstats_server.audit.chain import AuditRow, new_row
from starstats_server.clock import ManualClock
from starstats_server.db.engine import create_engine
from starstats_server.db.tables import audit_log
from starstats_server.settings import Settings

T = TypeVar("T")
# SQLite has no switch for triggers: a superuser (the file's owner) drops them all.
SQLITE_GUARDS = (
    "audit_log_append",
    "audit_log_advance_head",
    "audit_log_no_update",
    "audit_log_no_delete",
)


class AuditDb:
    """The test database's audit tables, each call on a short-lived engine of its own."""

    def __init__(self, url: str, backend: str) -> None:
        self.url = url
        self.backend = backend

    def run(self, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
        async def _go() -> T:
            engine = create_engine(self.url)
            try:
                return await work(engine)
            finally:
                await engine.dispose()

        return asyncio.run(_go())

    def rows(self) -> list[AuditRow]:
        async def _read(engine: AsyncEngine) -> list[AuditRow]:
            async with engine.connect() as conn:
                return await store.rows_after(conn, 0, 1_000_000)

        return self.run(_read)

    def head(self) -> store.Head:
        async def _read(engine: AsyncEngine) -> store.Head:
            async with engine.connect() as conn:
                return await store.read_head(conn)

        return self.run(_read)

    def scalar(self, statement: str) -> Any:
        async def _read(engine: AsyncEngine) -> Any:
            async with engine.connect() as conn:
                return await conn.scalar(sa.text(statement))

        return self.run(_read)

    def execute(self, statement: str, **params: Any) -> None:
        """Run a statement as the application would: the triggers are in force."""

        async def _write(engine: AsyncEngine) -> None:
            async with engine.begin() as conn:
                await conn.execute(sa.text(statement), params)

        self.run(_write)

    def tamper(self, *statements: str | sa.Executable, **params: Any) -> None:
        """Run statements with the audit triggers out of the way, as a database superuser
        could: ALTER TABLE ... DISABLE TRIGGER USER on PostgreSQL, DROP TRIGGER on SQLite."""

        async def _write(engine: AsyncEngine) -> None:
            async with engine.begin() as conn:
                if self.backend == "postgresql":
                    await conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
                else:
                    for name in SQLITE_GUARDS:
                        await conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
                for statement in statements:
                    query = sa.text(statement) if isinstance(statement, str) else statement
                    await conn.execute(query, params)
                if self.backend == "postgresql":
                    await conn.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER USER"))

        self.run(_write)

    def payload_replace(self, seq: int, old: str, new: str) -> None:
        """Edit the stored payload text of one row (the JSON stays valid)."""
        column = "payload::text" if self.backend == "postgresql" else "payload"
        cast = "::json" if self.backend == "postgresql" else ""
        self.tamper(
            f"UPDATE audit_log SET payload = replace({column}, :old, :new){cast} WHERE seq = :seq",
            old=old,
            new=new,
            seq=seq,
        )

    def insert_rows(self, rows: list[AuditRow], *, guarded: bool = True) -> None:
        values = []
        for row in rows:
            value = row._asdict()
            value["payload"] = value.pop("payload_json")
            values.append(value)
        statement = sa.insert(audit_log)
        if guarded:

            async def _write(engine: AsyncEngine) -> None:
                async with engine.begin() as conn:
                    await conn.execute(statement, values)

            self.run(_write)
        else:
            self.tamper(sa.insert(audit_log).values(values))

    def fill(self, count: int, start: datetime | None = None) -> list[AuditRow]:
        """Append `count` rows after the current tail (through the insert trigger)."""
        head = self.head()
        moment = start or datetime(2026, 5, 4, 10, tzinfo=UTC)
        rows: list[AuditRow] = []
        seq, last = head.last_seq, head.last_hash
        for number in range(count):
            row = new_row(
                seq,
                last,
                occurred_at=moment + timedelta(seconds=number),
                actor_sub=None,
                actor_handle=None,
                action="test.filled",
                payload={"n": number},
            )
            rows.append(row)
            seq, last = row.seq, row.row_hash
        self.insert_rows(rows)
        return rows

    def verify(self, from_seq: int = 1, **kwargs: Any) -> verify.VerifyReport:
        return self.run(lambda engine: verify.verify(engine, from_seq, **kwargs))


@pytest.fixture
def audit_db(db_url: str, backend: str) -> AuditDb:
    return AuditDb(db_url, backend)


# -- ingest bodies ------------------------------------------------------------------------------
def _join_pu(second: int) -> dict[str, Any]:
    event = JoinPu(
        timestamp=f"2026-05-02T21:14:{second % 60:02d}.189Z",
        address="10.0.0.1",
        port=64300,
        shard="pub_euw1b_9",
        location_id="1",
    )
    return event_to_dict(event)


@pytest.fixture
def ingest_body() -> Callable[..., dict[str, Any]]:
    """A valid batch of `size` new events for `handle`."""

    def _body(
        handle: str, size: int = 3, batch_id: str | None = None, game_build: str | None = None
    ) -> dict[str, Any]:
        batch_id = batch_id or f"batch-{uuid.uuid4().hex[:12]}"
        return {
            "schema_version": 2,
            "batch_id": batch_id,
            "game_build": game_build,
            "claimed_handle": handle,
            "events": [
                {
                    "idempotency_key": f"{batch_id}-{n}",
                    "raw_line": f"<2026-05-02T21:14:23.189Z> {batch_id} {n}",
                    "event": _join_pu(n),
                    "source": "live",
                    "source_offset": n * 100,
                }
                for n in range(size)
            ],
        }

    return _body


# -- the mirror on SeaweedFS ----------------------------------------------------------------------
@pytest.fixture
def bucket_name() -> str:
    """A fresh bucket per test: locked objects can never be cleaned up between tests."""
    return f"audit-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3_settings(settings: Settings, seaweedfs: Any, bucket_name: str) -> Settings:
    """The test's settings plus the mirror on SeaweedFS (a one-day retention)."""
    mirror = {
        "audit_s3_endpoint": seaweedfs.endpoint,
        "audit_s3_access_key": seaweedfs.access_key,
        "audit_s3_secret_key": seaweedfs.secret_key,
        "audit_s3_region": seaweedfs.region,
        "audit_bucket": bucket_name,
        "audit_retention_days": 1,
    }
    return Settings.model_validate(settings.model_dump() | mirror)


def s3_env(seaweedfs: Any, bucket: str) -> dict[str, str]:
    return {
        "STARSTATS_AUDIT_S3_ENDPOINT": seaweedfs.endpoint,
        "STARSTATS_AUDIT_S3_ACCESS_KEY": seaweedfs.access_key,
        "STARSTATS_AUDIT_S3_SECRET_KEY": seaweedfs.secret_key,
        "STARSTATS_AUDIT_BUCKET": bucket,
        "STARSTATS_AUDIT_RETENTION_DAYS": "1",
    }


@pytest.fixture
def s3_environment(seaweedfs: Any, bucket_name: str) -> dict[str, str]:
    """The mirror's settings as environment variables (for CLI runs)."""
    return s3_env(seaweedfs, bucket_name)


@pytest.fixture
def audit_bucket(s3_settings: Settings) -> S3AuditMirror:
    """The test's bucket, created as `audit init-bucket` does."""
    mirror = S3AuditMirror.from_settings(s3_settings)
    assert mirror is not None
    mirror.init_bucket(s3_settings.audit_s3_region)
    return mirror


@pytest.fixture
def mirrored_app(s3_settings: Settings, audit_bucket: S3AuditMirror, clock: ManualClock) -> FastAPI:
    """An app whose mirror worker uploads to the test's bucket, retrying quickly."""
    app = create_app(s3_settings, clock=clock)
    worker = app.state.starstats.mirror
    worker.first_backoff, worker.max_backoff, worker.poll_seconds = 0.1, 0.5, 1.0
    worker.gather_seconds = 0.05
    return app


@pytest.fixture
def mirrored_client(mirrored_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(mirrored_app) as client:
        yield client


@pytest.fixture
def raw_s3(s3_settings: Settings) -> Any:
    """A plain minio client on the test's S3 server (for what the server never does)."""
    return s3_client(s3_settings)


@pytest.fixture
def plain_s3(seaweedfs: Any) -> Any:
    """A minio client on the session's S3 server that needs no database settings."""
    from minio import Minio

    return Minio(
        seaweedfs.endpoint.removeprefix("http://"),
        access_key=seaweedfs.access_key,
        secret_key=seaweedfs.secret_key,
        secure=False,
        region=seaweedfs.region,
    )
