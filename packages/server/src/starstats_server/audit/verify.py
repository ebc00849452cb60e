"""Checking the audit log after the fact, streamed in seq order with flat memory: `verify`
recomputes the chain (and optionally compares each row with its mirrored object),
`reconcile` uploads rows missing from the mirror, `export` writes the rows as NDJSON.

Findings are reported through callbacks as they are found, never collected, so a run over
millions of rows holds one chunk at a time.
"""

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from starstats_server.audit import store
from starstats_server.audit.chain import (
    GENESIS_HASH,
    AuditRow,
    Break,
    BreakReason,
    ChainCheck,
    mirror_body,
    mirror_key,
)
from starstats_server.audit.mirror import AuditMirror

# Object-store requests in flight at once when comparing or reconciling.
MIRROR_CONCURRENCY = 8


class Finding(StrEnum):
    MISSING = "missing"  # no object for a row
    DIFFERS = "differs"  # the object's body is not the row's
    EXTRA = "extra"  # an object for a seq the database does not have
    RESTORED = "restored"  # reconcile uploaded a missing object


OnFinding = Callable[[Finding, int, str], None]  # (what, seq, key)


class Progress:
    """Calls `report` with a status line at most every `every` seconds."""

    def __init__(self, report: Callable[[str], None] | None, verb: str, every: float = 2.0):
        self._report = report
        self._verb = verb
        self._every = every
        self._began = self._last = time.monotonic()
        self.rows = 0

    def advance(self, rows: int, last_seq: int) -> None:
        self.rows += rows
        now = time.monotonic()
        if self._report is not None and now - self._last >= self._every:
            self._last = now
            rate = self.rows / max(now - self._began, 1e-9)
            self._report(
                f"{self._verb} {self.rows:,} rows, up to seq {last_seq:,} ({rate:,.0f} rows/s)"
            )

    @property
    def seconds(self) -> float:
        return time.monotonic() - self._began


@dataclass(frozen=True)
class VerifyReport:
    from_seq: int
    last_seq: int  # the last seq found valid (from_seq - 1 when none)
    head_seq: int  # the chain's recorded end when the run began
    rows: int
    seconds: float
    broken: Break | None
    mirror_problems: int  # missing + differing + extra objects (0 without --mirror)

    @property
    def ok(self) -> bool:
        return self.broken is None and self.mirror_problems == 0


@contextmanager
def _pool(mirror: AuditMirror | None) -> Iterator[ThreadPoolExecutor | None]:
    if mirror is None:
        yield None
        return
    with ThreadPoolExecutor(MIRROR_CONCURRENCY, thread_name_prefix="audit-mirror") as pool:
        yield pool


async def _bodies(
    pool: ThreadPoolExecutor, mirror: AuditMirror, keys: list[str]
) -> list[bytes | None]:
    """The mirror's current body for each key, fetched `MIRROR_CONCURRENCY` at a time."""
    loop = asyncio.get_running_loop()
    return list(await asyncio.gather(*(loop.run_in_executor(pool, mirror.get, k) for k in keys)))


def _as_rows(chunk: Sequence[Sequence[Any]]) -> list[AuditRow]:
    return [row if isinstance(row, AuditRow) else AuditRow(*row) for row in chunk]


async def _compare(
    pool: ThreadPoolExecutor,
    mirror: AuditMirror,
    rows: list[AuditRow],
    on_finding: OnFinding,
) -> int:
    keys = [mirror_key(row.seq, row.occurred_at) for row in rows]
    problems = 0
    for row, key, found in zip(rows, keys, await _bodies(pool, mirror, keys), strict=True):
        if found is None:
            on_finding(Finding.MISSING, row.seq, key)
            problems += 1
        elif found != mirror_body(row):
            on_finding(Finding.DIFFERS, row.seq, key)
            problems += 1
    return problems


def _extra_objects(mirror: AuditMirror, last: AuditRow | None, on_finding: OnFinding) -> int:
    """Objects for seqs after the database's last row (rows cut off the database's end)."""
    last_seq = 0 if last is None else last.seq
    # The day's "folder" with its slash: some stores (SeaweedFS) skip a whole folder when
    # listing starts after its bare name.
    start = "" if last is None else mirror_key(last.seq, last.occurred_at).rsplit("/", 1)[0] + "/"
    extra = 0
    for key in mirror.keys_after(start):
        name = key.rsplit("/", 1)[-1].removesuffix(".json")
        if name.isdigit() and int(name) > last_seq:
            on_finding(Finding.EXTRA, int(name), key)
            extra += 1
    return extra


async def _anchor(engine: AsyncEngine, from_seq: int) -> tuple[store.Head, bytes | None]:
    async with engine.connect() as conn:
        head = await store.read_head(conn)
        if from_seq <= 1:
            return head, GENESIS_HASH
        return head, await store.row_hash_at(conn, from_seq - 1)


async def verify(
    engine: AsyncEngine,
    from_seq: int = 1,
    *,
    mirror: AuditMirror | None = None,
    on_finding: OnFinding | None = None,
    progress: Callable[[str], None] | None = None,
    progress_seconds: float = 2.0,
) -> VerifyReport:
    """Recompute the chain from `from_seq` (its link to the row before included) up to the
    head recorded when the run starts; the first break, if any. With `mirror`, also compare
    every valid row with its object and look for objects beyond the last row."""
    from_seq = max(from_seq, 1)
    head, anchor = await _anchor(engine, from_seq)
    meter = Progress(progress, "verified", progress_seconds)
    report = on_finding or (lambda *_: None)
    if from_seq > head.last_seq + 1:  # nothing there to check
        return VerifyReport(from_seq, from_seq - 1, head.last_seq, 0, meter.seconds, None, 0)
    if anchor is None:
        missing = Break(from_seq - 1, BreakReason.MISSING)
        return VerifyReport(from_seq, from_seq - 1, head.last_seq, 0, meter.seconds, missing, 0)
    check = ChainCheck(from_seq - 1, anchor)
    broken: Break | None = None
    problems = 0
    last_row: AuditRow | None = None
    with _pool(mirror) as pool:
        async with aclosing(store.stream_rows(engine, from_seq - 1, head.last_seq)) as chunks:
            async for chunk in chunks:
                before = check.last_seq
                broken = check.check_rows(chunk)
                valid = check.last_seq - before
                if pool is not None and mirror is not None and valid:
                    rows = _as_rows(chunk[:valid])
                    problems += await _compare(pool, mirror, rows, report)
                    last_row = rows[-1]
                meter.advance(valid, check.last_seq)
                if broken is not None:
                    break
        if broken is None:
            broken = await _end_of_chain(engine, check.last_seq, head.last_seq)
        if broken is None and pool is not None and mirror is not None:
            if last_row is None and check.last_seq > 0:
                last_row = await _row_at(engine, check.last_seq)
            problems += await asyncio.to_thread(_extra_objects, mirror, last_row, report)
    return VerifyReport(
        from_seq, check.last_seq, head.last_seq, meter.rows, meter.seconds, broken, problems
    )


async def _end_of_chain(engine: AsyncEngine, last_seq: int, head_seq: int) -> Break | None:
    """Rows cut off the end (the head is ahead of the last row), or rows slipped in past the
    head behind the insert trigger's back."""
    if last_seq < head_seq:
        return Break(last_seq + 1, BreakReason.TRUNCATED)
    async with engine.connect() as conn:
        head = await store.read_head(conn)
    if head.max_seq > head.last_seq:
        return Break(head.last_seq + 1, BreakReason.UNANCHORED)
    return None


async def _row_at(engine: AsyncEngine, seq: int) -> AuditRow | None:
    async with engine.connect() as conn:
        rows = await store.rows_after(conn, seq - 1, 1)
    return rows[0] if rows else None


async def _all_rows(engine: AsyncEngine, from_seq: int) -> AsyncGenerator[Sequence[Sequence[Any]]]:
    """Every row from `from_seq` to the highest seq present, chunk by chunk."""
    async with engine.connect() as conn:
        head = await store.read_head(conn)
    upto = max(head.last_seq, head.max_seq)
    async with aclosing(store.stream_rows(engine, max(from_seq, 1) - 1, upto)) as chunks:
        async for chunk in chunks:
            yield chunk


@dataclass(frozen=True)
class ReconcileReport:
    rows: int
    restored: int
    differing: int
    seconds: float


async def reconcile(
    engine: AsyncEngine,
    mirror: AuditMirror,
    from_seq: int = 1,
    *,
    on_finding: OnFinding | None = None,
    progress: Callable[[str], None] | None = None,
    progress_seconds: float = 2.0,
) -> ReconcileReport:
    """Upload every row whose object is missing. An object that exists with another body
    is reported, not replaced: which side is right is for `verify` and an operator."""
    meter = Progress(progress, "reconciled", progress_seconds)
    report = on_finding or (lambda *_: None)
    restored = differing = 0
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(MIRROR_CONCURRENCY, thread_name_prefix="audit-mirror") as pool:
        async with aclosing(_all_rows(engine, from_seq)) as chunks:
            async for chunk in chunks:
                rows = _as_rows(chunk)
                keys = [mirror_key(row.seq, row.occurred_at) for row in rows]
                bodies = await _bodies(pool, mirror, keys)
                uploads = []
                for row, key, found in zip(rows, keys, bodies, strict=True):
                    body = mirror_body(row)
                    if found is None:
                        uploads.append(loop.run_in_executor(pool, mirror.put, key, body))
                        report(Finding.RESTORED, row.seq, key)
                    elif found != body:
                        report(Finding.DIFFERS, row.seq, key)
                        differing += 1
                await asyncio.gather(*uploads)
                restored += len(uploads)
                meter.advance(len(rows), rows[-1].seq)
    return ReconcileReport(meter.rows, restored, differing, meter.seconds)


async def export(
    engine: AsyncEngine,
    write: Callable[[bytes], object],
    from_seq: int = 1,
    *,
    progress: Callable[[str], None] | None = None,
    progress_seconds: float = 2.0,
) -> int:
    """Write every row from `from_seq` as one NDJSON line (the mirror's object body);
    how many were written."""
    meter = Progress(progress, "exported", progress_seconds)
    async with aclosing(_all_rows(engine, from_seq)) as chunks:
        async for chunk in chunks:
            rows = _as_rows(chunk)
            write(b"".join(mirror_body(row) for row in rows))
            meter.advance(len(rows), rows[-1].seq)
    return meter.rows
