"""Bulk writes of one ingest batch, inside the caller's transaction: the per-handle sequence
lock, which keys are already stored, and the multi-row inserts (COPY on PostgreSQL,
one executemany of one prepared statement on SQLite).

Every function takes the open `AsyncConnection` of the batch's single transaction.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_server.db.tables import event_sequences, events, quarantined_events

_tracer = trace.get_tracer("starstats_server.db")

# SQLite's default limit of bound parameters per statement was 999 before 3.32.
_SQLITE_IN_CHUNK = 900


class EventRow(NamedTuple):
    """One new `events` row; `payload` and `metadata` are already JSON text. The field order
    is the column order of the COPY."""

    handle: str
    seq: int
    claimed_handle: str
    idempotency_key: str
    event_type: str
    event_timestamp: datetime | None
    log_source: str
    source_offset: int
    raw_line: str
    payload: str
    metadata: str | None
    batch_id: str
    device_id: uuid.UUID | None
    received_at: datetime


class QuarantineRow(NamedTuple):
    handle: str
    batch_id: str
    idempotency_key: str
    envelope: dict[str, Any]
    problems: list[dict[str, str]]
    device_id: uuid.UUID | None
    received_at: datetime


_JSON_TEXT_COLUMNS = frozenset({"payload", "metadata"})
# The events table as the SQLite writer binds it: the JSON columns take the JSON text made
# once per envelope (SQLite stores JSON as text anyway), the other columns keep their types.
_events_json_text = sa.Table(
    "events",
    sa.MetaData(),
    *(
        sa.Column(c.name, sa.Text if c.name in _JSON_TEXT_COLUMNS else c.type)
        for c in events.columns
        if c.name != "id"
    ),
)


def _is_postgres(conn: AsyncConnection) -> bool:
    return conn.dialect.name == "postgresql"


async def lock_sequence(conn: AsyncConnection, handle: str) -> int:
    """The handle's last `seq` (0 for a new handle), with its counter row locked until the
    transaction ends.

    One upsert does insert-if-missing and lock: on PostgreSQL `ON CONFLICT DO UPDATE` takes
    the row lock (a concurrent batch for the same handle waits here and then reads the
    committed value); on SQLite the transaction's BEGIN IMMEDIATE already holds the write
    lock."""
    dialect_insert = postgresql.insert if _is_postgres(conn) else sqlite.insert
    insert = dialect_insert(event_sequences).values(handle=handle, last_seq=0)
    statement = insert.on_conflict_do_update(
        index_elements=[event_sequences.c.handle],
        set_={"last_seq": event_sequences.c.last_seq},
    ).returning(event_sequences.c.last_seq)
    return int((await conn.execute(statement)).scalar_one())


async def set_last_seq(conn: AsyncConnection, handle: str, last_seq: int) -> None:
    await conn.execute(
        sa.update(event_sequences)
        .where(event_sequences.c.handle == handle)
        .values(last_seq=last_seq)
    )


async def _keys_present(
    conn: AsyncConnection, table: sa.Table, handle: str, keys: Sequence[str]
) -> set[str]:
    column = table.c.idempotency_key
    found: set[str] = set()
    if not keys:
        return found
    if _is_postgres(conn):
        # One array parameter: the same prepared statement for every batch size.
        wanted = sa.bindparam("keys", list(keys), type_=postgresql.ARRAY(sa.Text))
        query = sa.select(column).where(table.c.handle == handle, column == sa.any_(wanted))
        found.update((await conn.execute(query)).scalars())
        return found
    for start in range(0, len(keys), _SQLITE_IN_CHUNK):
        chunk = keys[start : start + _SQLITE_IN_CHUNK]
        query = sa.select(column).where(table.c.handle == handle, column.in_(chunk))
        found.update((await conn.execute(query)).scalars())
    return found


async def stored_keys(conn: AsyncConnection, handle: str, keys: Sequence[str]) -> set[str]:
    """Which of `keys` the handle already has in `events`."""
    return await _keys_present(conn, events, handle, keys)


async def quarantined_keys(conn: AsyncConnection, handle: str, keys: Sequence[str]) -> set[str]:
    """Which of `keys` the handle already has in `quarantined_events`."""
    return await _keys_present(conn, quarantined_events, handle, keys)


async def insert_events(conn: AsyncConnection, rows: Sequence[EventRow]) -> None:
    """All rows in one statement: binary COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if _is_postgres(conn):
        raw = await conn.get_raw_connection()
        # The asyncpg connection already runs this transaction (the sequence lock was
        # taken through it), so the COPY commits or rolls back with everything else.
        driver: Any = raw.driver_connection
        # The COPY bypasses SQLAlchemy's cursor events, so it gets its span here.
        with _tracer.start_as_current_span(
            "COPY postgresql",
            kind=SpanKind.CLIENT,
            attributes={
                "db.system.name": "postgresql",
                "db.operation.name": "COPY",
                "db.collection.name": "events",
                "db.operation.batch.size": len(rows),
            },
        ):
            await driver.copy_records_to_table("events", records=rows, columns=EventRow._fields)
        return
    await conn.execute(sa.insert(_events_json_text), [row._asdict() for row in rows])


async def insert_quarantined(conn: AsyncConnection, rows: Sequence[QuarantineRow]) -> None:
    if rows:
        await conn.execute(sa.insert(quarantined_events), [row._asdict() for row in rows])
