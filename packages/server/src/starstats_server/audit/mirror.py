"""The audit mirror: the `AuditMirror` port (a write-once object store), its in-memory twin,
and `MirrorWorker`, which uploads committed audit rows in seq order.

The outbox is durable: `audit_log` holds the rows and `audit_mirror_cursor` the last seq
uploaded, so after an outage or a restart the worker carries on where it stopped. Requests
only wake it after their commit; the store's client is synchronous, so each upload runs in
a thread and the event loop never waits on it.
"""

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from starstats_server.audit import store
from starstats_server.audit.chain import GENESIS_HASH, AuditRow, ChainCheck, mirror_body, mirror_key
from starstats_server.clock import Clock
from starstats_server.errors import MirrorUnavailable
from starstats_server.metrics import Metrics

log = logging.getLogger(__name__)

# The session-level advisory lock that lets one server process at a time mirror on
# PostgreSQL (several uvicorn workers would otherwise upload every row several times).
_MIRROR_LOCK_KEY = 0x5354_4155_4449_5431  # "STAUDIT1"


class AuditMirror(Protocol):
    """A bucket that keeps every object it is given (Object Lock in COMPLIANCE mode)."""

    def put(self, key: str, body: bytes) -> None:
        """Store `body` at `key`; `MirrorUnavailable` when the store fails."""
        ...

    def get(self, key: str) -> bytes | None:
        """The current body at `key`, None when there is none; `MirrorUnavailable` when the
        store fails."""
        ...

    def keys_after(self, start_after: str) -> Iterator[str]:
        """Object keys under `audit/` that sort after `start_after`, in key order."""
        ...

    def problem(self) -> str | None:
        """Why the bucket cannot keep the audit log safely (missing, no Object Lock, weak
        default retention, unreachable), or None when it can."""
        ...


class MemoryAuditMirror:
    """The in-memory twin: every version kept; `available = False` simulates an outage."""

    def __init__(self) -> None:
        self.versions: dict[str, list[bytes]] = {}
        self.available = True

    def _reachable(self) -> None:
        if not self.available:
            raise MirrorUnavailable("memory mirror is switched off")

    def put(self, key: str, body: bytes) -> None:
        self._reachable()
        self.versions.setdefault(key, []).append(body)

    def get(self, key: str) -> bytes | None:
        self._reachable()
        found = self.versions.get(key)
        return found[-1] if found else None

    def keys_after(self, start_after: str) -> Iterator[str]:
        self._reachable()
        return iter(sorted(k for k in self.versions if k > start_after))

    def problem(self) -> str | None:
        return None if self.available else "memory mirror is switched off"


class MirrorWorker:
    """Uploads audit rows after the mirror cursor, oldest first, and moves the cursor.

    Each row's hash link is checked again before upload (`starstats_audit_verify_total`); a
    broken row is still uploaded (the mirror copies what the database holds, and `audit
    verify` reports the break) but logged as an error. A failed upload is retried with
    exponential backoff from `first_backoff` up to `max_backoff` seconds; a wake-up does not
    cut a backoff short. A wake-up starts a pass `gather_seconds` later, so a burst of
    commits is uploaded by one pass. Without wake-ups it still looks every `poll_seconds`
    (rows written by another process, lag gauges)."""

    def __init__(
        self,
        engine: AsyncEngine,
        mirror: AuditMirror,
        metrics: Metrics,
        clock: Clock,
        *,
        chunk: int = 200,
        poll_seconds: float = 15.0,
        gather_seconds: float = 1.0,
        first_backoff: float = 0.5,
        max_backoff: float = 60.0,
    ) -> None:
        self.engine = engine
        self.mirror = mirror
        self.metrics = metrics
        self.clock = clock
        self.chunk = chunk
        self.poll_seconds = poll_seconds
        self.gather_seconds = gather_seconds
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.cursor = 0  # the last seq uploaded, as of the latest pass
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Ask for a pass soon (call from the event loop, after a commit)."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="audit-mirror")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        delay = self.first_backoff
        while True:
            self._wake.clear()
            try:
                await self.drain()
            except Exception as exc:  # the store or the database is down: back off, retry
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    # stop() was called mid-pass and clean-up failed on the cancelled
                    # connection: that error must not swallow the cancellation.
                    raise asyncio.CancelledError from exc
                log.warning("audit mirror paused: %s; retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
                continue
            delay = self.first_backoff
            with contextlib.suppress(TimeoutError):  # no wake-up: look anyway
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            if self._wake.is_set():
                # Let the rest of a burst commit: one pass then uploads it all, instead of a
                # pass (and its statements) per request.
                await asyncio.sleep(self.gather_seconds)

    async def drain(self) -> int:
        """Upload every row committed so far; how many were uploaded. Raises when the store
        or the database fails (after recording the progress made)."""
        async with self.engine.connect() as conn:
            if not await self._claim(conn):
                return 0
            try:
                return await self._drain(conn)
            finally:
                await self._release(conn)

    async def _drain(self, conn: AsyncConnection) -> int:
        # Few statements per pass: on a busy server the worker runs after every few commits.
        self.cursor, cursor_hash = await store.mirror_start(conn)
        await conn.commit()
        # A cursor row gone (deleted behind the triggers' back) fails the next link check.
        check = ChainCheck(self.cursor, cursor_hash or GENESIS_HASH)
        start = self.cursor
        try:
            while True:
                rows = await store.rows_after(conn, self.cursor, self.chunk)
                await conn.commit()
                if rows:
                    await self._upload_rows(conn, check, rows)
                if len(rows) < self.chunk:
                    return self.cursor - start
        finally:
            await self._measure(conn, self.cursor)

    async def _upload_rows(
        self, conn: AsyncConnection, check: ChainCheck, rows: list[AuditRow]
    ) -> None:
        """Upload `rows` in order and move the cursor, also past those uploaded before a
        failed one."""
        for row in rows:
            self._recheck(check, row)
        objects = [(mirror_key(row.seq, row.occurred_at), mirror_body(row)) for row in rows]
        stored: list[int] = []  # filled by the thread as it goes, so progress survives a failure
        try:
            # One thread hop per chunk rather than per row: each hop costs more CPU than
            # hashing a row.
            await asyncio.to_thread(self._put_all, objects, stored)
        except Exception:
            self.metrics.audit_mirror_upload_failures.inc()
            raise
        finally:
            if stored:
                done = rows[len(stored) - 1].seq
                await store.advance_mirror_cursor(conn, done, self.clock.now())
                await conn.commit()
                self.cursor = done

    def _put_all(self, objects: list[tuple[str, bytes]], stored: list[int]) -> None:
        for key, body in objects:
            self.mirror.put(key, body)
            stored.append(1)

    def _recheck(self, check: ChainCheck, row: AuditRow) -> None:
        broken = check.check(row)
        if broken is None:
            self.metrics.audit_verify.labels("ok").inc()
            return
        self.metrics.audit_verify.labels("broken").inc()
        log.error("audit chain broken before upload: %s", broken.describe())
        # Carry on from the row as stored, so one break is reported once.
        check.last_seq, check.last_hash = row.seq, row.row_hash

    async def _measure(self, conn: AsyncConnection, cursor: int) -> None:
        rows, oldest = await store.mirror_lag(conn, cursor)
        await conn.commit()
        self.metrics.audit_mirror_lag_rows.set(rows)
        lag = 0.0 if oldest is None else (self.clock.now() - oldest).total_seconds()
        self.metrics.audit_mirror_lag_seconds.set(max(lag, 0.0))

    async def _claim(self, conn: AsyncConnection) -> bool:
        if conn.dialect.name != "postgresql":
            return True  # SQLite: one server process by design
        got = await conn.scalar(sa.select(sa.func.pg_try_advisory_lock(_MIRROR_LOCK_KEY)))
        await conn.commit()
        return bool(got)

    async def _release(self, conn: AsyncConnection) -> None:
        if conn.dialect.name != "postgresql":
            return
        try:
            await conn.rollback()  # a failed statement may have left the transaction aborted
            await conn.scalar(sa.select(sa.func.pg_advisory_unlock(_MIRROR_LOCK_KEY)))
            await conn.commit()
        except Exception:
            # The connection is broken: close it rather than pool it, which also ends the
            # session and with it the lock.
            await conn.invalidate()
            raise
