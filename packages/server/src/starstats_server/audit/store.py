"""The audit log in the database: appending a row inside the caller's transaction, and the
reads the mirror worker, the verifier and the read API need.

Appends are serialised by a row lock on `audit_head` (PostgreSQL; SQLite's BEGIN IMMEDIATE
already admits one writer at a time), held until the caller's transaction ends: callers
append as the last statement of their transaction so the lock is held only for the insert
and the commit. The insert trigger refuses a row that does not extend the chain.
"""

import asyncio
import uuid
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from starstats_server.audit.actions import AuditAction
from starstats_server.audit.chain import AuditRow, new_row
from starstats_server.db.tables import audit_head, audit_log, audit_mirror_cursor

_HEAD_ID = 1
_CURSOR_ID = 1
# Rows per round trip when streaming the chain: big enough that per-query cost vanishes,
# small enough that memory stays flat (~3 MB a chunk).
STREAM_CHUNK = 10_000


class Actor(NamedTuple):
    """Who did it: the user's id (`sub`) and handle as the token or account states them."""

    sub: str
    handle: str

    @classmethod
    def of(cls, user_id: uuid.UUID, handle: str) -> "Actor":
        return cls(str(user_id), handle)


_lock_head = (
    sa.select(audit_head.c.last_seq, audit_head.c.last_hash)
    .where(audit_head.c.id == _HEAD_ID)
    .with_for_update()
)
_insert_row = sa.insert(audit_log)


async def append(
    conn: AsyncConnection,
    action: AuditAction,
    payload: dict[str, Any],
    actor: Actor | None,
    occurred_at: datetime,
) -> AuditRow:
    """Append one row in `conn`'s transaction and return it. Locks the chain's tail until
    that transaction ends, so make this the transaction's last statement."""
    last_seq, last_hash = (await conn.execute(_lock_head)).one()
    row = new_row(
        last_seq,
        last_hash,
        occurred_at=occurred_at,
        actor_sub=None if actor is None else actor.sub,
        actor_handle=None if actor is None else actor.handle,
        action=action.value,
        payload=payload,
    )
    values = row._asdict()
    values["payload"] = values.pop("payload_json")
    await conn.execute(_insert_row, values)
    return row


# -- reading rows back as AuditRow (payload as the stored text) --------------------------------
_ROW_COLUMNS = (
    audit_log.c.seq,
    audit_log.c.occurred_at,
    audit_log.c.actor_sub,
    audit_log.c.actor_handle,
    audit_log.c.action,
    sa.cast(audit_log.c.payload, sa.Text).label("payload_json"),
    audit_log.c.prev_hash,
    audit_log.c.row_hash,
)
# The verifier's query on PostgreSQL, run on the asyncpg connection itself: SQLAlchemy's
# per-row result processing would cost more than hashing the row.
_PG_CHUNK = (
    "SELECT seq, occurred_at, actor_sub, actor_handle, action, payload::text, prev_hash,"
    " row_hash FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3"
)


async def rows_after(
    conn: AsyncConnection, after_seq: int, limit: int, upto_seq: int | None = None
) -> list[AuditRow]:
    """Up to `limit` rows with seq > `after_seq` (and <= `upto_seq`), in seq order."""
    conditions = [audit_log.c.seq > after_seq]
    if upto_seq is not None:
        conditions.append(audit_log.c.seq <= upto_seq)
    statement = sa.select(*_ROW_COLUMNS).where(*conditions).order_by(audit_log.c.seq).limit(limit)
    return [AuditRow(*row) for row in await conn.execute(statement)]


async def stream_rows(
    engine: AsyncEngine, after_seq: int, upto_seq: int, chunk: int = STREAM_CHUNK
) -> AsyncGenerator[Sequence[Sequence[Any]]]:
    """Rows after `after_seq` up to `upto_seq`, in seq order, as chunks of tuples in
    `AuditRow` field order. Keyset pages in short transactions: memory stays flat, and on
    SQLite (where every transaction holds the write lock) writers wait at most one chunk."""
    if engine.dialect.name == "postgresql":
        # Closed with this generator, so a caller stopping early returns its connection.
        async with aclosing(_stream_postgresql(engine, after_seq, upto_seq, chunk)) as chunks:
            async for rows in chunks:
                yield rows
        return
    last = after_seq
    while last < upto_seq:
        async with engine.connect() as conn:
            rows = await rows_after(conn, last, chunk, upto_seq)
        if not rows:
            return
        yield rows
        last = rows[-1].seq


async def _stream_postgresql(
    engine: AsyncEngine, after_seq: int, upto_seq: int, chunk: int
) -> AsyncGenerator[Sequence[Sequence[Any]]]:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        last = after_seq
        pending: asyncio.Future[Any] | None = None
        try:
            while last < upto_seq:
                rows = await (pending or driver.fetch(_PG_CHUNK, last, upto_seq, chunk))
                pending = None
                if not rows:
                    return
                last = rows[-1][0]
                if len(rows) == chunk and last < upto_seq:
                    # Ask for the next chunk now: PostgreSQL reads it on its own core while
                    # the caller hashes this one.
                    pending = asyncio.ensure_future(driver.fetch(_PG_CHUNK, last, upto_seq, chunk))
                    await asyncio.sleep(0)  # the task runs to its first await: query sent
                yield rows
        finally:
            if pending is not None:  # the caller stopped early: let the query finish first
                await asyncio.gather(pending, return_exceptions=True)


# -- head and mirror cursor ---------------------------------------------------------------------
class Head(NamedTuple):
    last_seq: int
    last_hash: bytes
    max_seq: int  # the highest seq actually in audit_log (0 when empty)


async def read_head(conn: AsyncConnection) -> Head:
    """The recorded tail and the real highest seq, in one snapshot."""
    row = (
        await conn.execute(
            sa.select(
                audit_head.c.last_seq,
                audit_head.c.last_hash,
                sa.select(sa.func.coalesce(sa.func.max(audit_log.c.seq), 0)).scalar_subquery(),
            ).where(audit_head.c.id == _HEAD_ID)
        )
    ).one()
    return Head(int(row[0]), bytes(row[1]), int(row[2]))


async def row_hash_at(conn: AsyncConnection, seq: int) -> bytes | None:
    found = await conn.scalar(sa.select(audit_log.c.row_hash).where(audit_log.c.seq == seq))
    return None if found is None else bytes(found)


async def mirror_start(conn: AsyncConnection) -> tuple[int, bytes | None]:
    """The mirror cursor and the hash of the row it points at (None when that row is gone,
    or for cursor 0)."""
    row = (
        await conn.execute(
            sa.select(audit_mirror_cursor.c.last_seq, audit_log.c.row_hash)
            .select_from(
                audit_mirror_cursor.outerjoin(
                    audit_log, audit_log.c.seq == audit_mirror_cursor.c.last_seq
                )
            )
            .where(audit_mirror_cursor.c.id == _CURSOR_ID)
        )
    ).one()
    return int(row[0]), None if row[1] is None else bytes(row[1])


async def mirror_lag(conn: AsyncConnection, cursor: int) -> tuple[int, datetime | None]:
    """Rows after `cursor`, and when the first of them occurred (None when there is none)."""
    row = (
        await conn.execute(
            sa.select(
                sa.select(sa.func.coalesce(sa.func.max(audit_log.c.seq), 0)).scalar_subquery(),
                sa.select(audit_log.c.occurred_at)
                .where(audit_log.c.seq == cursor + 1)
                .scalar_subquery(),
            )
        )
    ).one()
    return max(int(row[0]) - cursor, 0), row[1]


async def advance_mirror_cursor(conn: AsyncConnection, seq: int, now: datetime) -> None:
    """Move the cursor forward to `seq`; never back (two workers cannot undo each other)."""
    await conn.execute(
        sa.update(audit_mirror_cursor)
        .where(audit_mirror_cursor.c.id == _CURSOR_ID, audit_mirror_cursor.c.last_seq < seq)
        .values(last_seq=seq, updated_at=now)
    )


# -- what a user may read of their own entries ----------------------------------------------------
@dataclass(frozen=True)
class Entry:
    seq: int
    occurred_at: datetime
    action: str
    actor_handle: str | None
    payload: dict[str, Any]
    row_hash: str  # hex


async def entries_of(
    conn: AsyncConnection, actor_sub: str, before_seq: int | None, limit: int
) -> list[Entry]:
    """The actor's rows, newest first, below `before_seq` when given."""
    conditions = [audit_log.c.actor_sub == actor_sub]
    if before_seq is not None:
        conditions.append(audit_log.c.seq < before_seq)
    rows = await conn.execute(
        sa.select(
            audit_log.c.seq,
            audit_log.c.occurred_at,
            audit_log.c.action,
            audit_log.c.actor_handle,
            audit_log.c.payload,
            audit_log.c.row_hash,
        )
        .where(*conditions)
        .order_by(audit_log.c.seq.desc())
        .limit(limit)
    )
    return [Entry(r[0], r[1], r[2], r[3], r[4], bytes(r[5]).hex()) for r in rows]


async def batches_of(
    conn: AsyncConnection,
    actor_sub: str,
    device_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[tuple[int, datetime, dict[str, Any]]]:
    """(seq, occurred_at, payload) of the actor's `ingest.batch_processed` rows, newest
    first, of one device when given."""
    conditions = [
        audit_log.c.actor_sub == actor_sub,
        audit_log.c.action == AuditAction.INGEST_BATCH_PROCESSED.value,
    ]
    if device_id is not None:
        conditions.append(audit_log.c.payload["device_id"].as_string() == str(device_id))
    rows = await conn.execute(
        sa.select(audit_log.c.seq, audit_log.c.occurred_at, audit_log.c.payload)
        .where(*conditions)
        .order_by(audit_log.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(r[0], r[1], r[2]) for r in rows]
