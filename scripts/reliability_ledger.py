"""What must be on the server, against what is: the exactly-once accounting of
`scripts/reliability.py`.

Expected: every event of a Game.log that was written, parsed by core's `LogParser` and keyed
by `to_envelope` with the file's signature and channel (`source_for`), i.e. the idempotency
keys the client gives them. A live log is never finished (the game may still be writing), so
the parser is fed the whole file and not `finish()`ed, as the tailing client does.

Stored: the server's `events` rows of the player's handle (one per key: the table is unique
on handle and key), its quarantined envelopes, and the `ingest.batch_processed` audit rows of
the handle (what the server said it accepted). Lost = expected keys not stored; duplicated
= stored rows beyond one per expected event: rows whose key was not expected but whose type
and log timestamp are those of an expected event (the same event stored under a second key);
foreign = stored rows matching nothing written.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs; a few plain queries


@dataclass(frozen=True, slots=True)
class LogEvent:
    key: str
    type: str
    timestamp: datetime | None


def expected_events(log: Path) -> dict[str, LogEvent]:
    """The events of `log` as the client keys them, by idempotency key."""
    from starstats_client.discovery import source_for
    from starstats_core.noise import DEFAULT_NOISE
    from starstats_core.parser import LogParser
    from starstats_core.wire import file_signature, to_envelope

    data = log.read_bytes()
    if not data:
        return {}
    signature = file_signature(data.split(b"\n", 1)[0])
    source = source_for(log)
    events: dict[str, LogEvent] = {}
    for parsed in LogParser(DEFAULT_NOISE).feed(data):
        key = to_envelope(parsed, source, signature).idempotency_key
        stamp = parsed.event.timestamp
        when = datetime.fromisoformat(stamp) if stamp else None
        events[key] = LogEvent(key, str(parsed.event.type), when)
    return events


@dataclass(frozen=True, slots=True)
class StoredEvent:
    key: str
    type: str
    timestamp: datetime | None
    batch_id: str
    received_at: datetime


@dataclass
class Stored:
    """The server's view of one handle."""

    events: list[StoredEvent]
    quarantined: int
    audit_accepted: int
    audit_duplicate: int
    audit_rejected: int
    seq_gap_free: bool


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _stored(url: str, handle: str) -> Stored:
    conn = await asyncpg.connect(_dsn(url))
    try:
        rows = await conn.fetch(
            "SELECT idempotency_key, event_type, event_timestamp, batch_id, received_at, seq "
            "FROM events WHERE handle = $1",
            handle.lower(),
        )
        quarantined = await conn.fetchval(
            "SELECT count(*) FROM quarantined_events WHERE handle = $1", handle.lower()
        )
        payloads = await conn.fetch(
            "SELECT payload FROM audit_log WHERE action = 'ingest.batch_processed' "
            "AND lower(actor_handle) = $1",
            handle.lower(),
        )
    finally:
        await conn.close()
    totals: Counter[str] = Counter()
    for row in payloads:
        payload: Any = row["payload"]
        if isinstance(payload, str):
            payload = json.loads(payload)
        for name in ("accepted", "duplicate", "rejected"):
            totals[name] += int(payload.get(name, 0))
    seqs = sorted(int(row["seq"]) for row in rows)
    return Stored(
        events=[
            StoredEvent(
                row["idempotency_key"],
                row["event_type"],
                row["event_timestamp"],
                row["batch_id"],
                row["received_at"],
            )
            for row in rows
        ],
        quarantined=int(quarantined),
        audit_accepted=totals["accepted"],
        audit_duplicate=totals["duplicate"],
        audit_rejected=totals["rejected"],
        seq_gap_free=seqs == list(range(1, len(seqs) + 1)),
    )


def stored_events(url: str, handle: str) -> Stored:
    return asyncio.run(_stored(url, handle))


async def _count(url: str, handles: list[str]) -> dict[str, int]:
    conn = await asyncpg.connect(_dsn(url))
    try:
        rows = await conn.fetch(
            "SELECT handle, count(*) AS n FROM events WHERE handle = ANY($1::text[]) "
            "GROUP BY handle",
            [h.lower() for h in handles],
        )
    finally:
        await conn.close()
    found = {row["handle"]: int(row["n"]) for row in rows}
    return {h: found.get(h.lower(), 0) for h in handles}


def stored_counts(url: str, handles: list[str]) -> dict[str, int]:
    """Events stored per handle (one query)."""
    return asyncio.run(_count(url, handles))


async def _mirror(url: str) -> tuple[int, int]:
    conn = await asyncpg.connect(_dsn(url))
    try:
        head = await conn.fetchval("SELECT last_seq FROM audit_head")
        cursor = await conn.fetchval("SELECT last_seq FROM audit_mirror_cursor")
    finally:
        await conn.close()
    return int(head or 0), int(cursor or 0)


def mirror_position(url: str) -> tuple[int, int]:
    """(last audit seq committed, last seq uploaded to the bucket)."""
    return asyncio.run(_mirror(url))


@dataclass
class Tally:
    """Expected against stored, for one or more handles."""

    sent: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    foreign: int = 0
    quarantined: int = 0
    audit_accepted: int = 0
    audit_rejected: int = 0
    timestamps_changed: int = 0
    seq_gaps: int = 0
    lost_keys: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in (
            "sent",
            "stored",
            "lost",
            "duplicated",
            "foreign",
            "quarantined",
            "audit_accepted",
            "audit_rejected",
            "timestamps_changed",
            "seq_gaps",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.lost_keys.extend(other.lost_keys)


def tally(expected: dict[str, LogEvent], stored: Stored) -> Tally:
    keys = Counter(event.key for event in stored.events)
    by_content = {(e.type, e.timestamp) for e in expected.values()}
    unexpected = [e for e in stored.events if e.key not in expected]
    lost = [key for key in expected if key not in keys]
    duplicated = sum(count - 1 for count in keys.values() if count > 1)
    duplicated += sum(1 for e in unexpected if (e.type, e.timestamp) in by_content)
    changed = sum(
        1
        for e in stored.events
        if e.key in expected and not _same_instant(e.timestamp, expected[e.key].timestamp)
    )
    return Tally(
        sent=len(expected),
        stored=len(stored.events),
        lost=len(lost),
        duplicated=duplicated,
        foreign=sum(1 for e in unexpected if (e.type, e.timestamp) not in by_content),
        quarantined=stored.quarantined,
        audit_accepted=stored.audit_accepted,
        audit_rejected=stored.audit_rejected,
        timestamps_changed=changed,
        seq_gaps=0 if stored.seq_gap_free else 1,
        lost_keys=lost[:5],
    )


def _same_instant(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b
