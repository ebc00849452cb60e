"""Test helpers: one handle's dashboard numbers recounted straight from its stored events,
written apart from db/rollups.py, and the rollup tables read back in the same shape.

Sessions are recounted with the newest-first algorithm `services/history.sessions` used
before the rollups existed, so the rollups' neighbour rule is checked against it. Deaths and
kills go through core's `classify_death` on fully validated `ActorDeath` models. What counts
as a ship, place, shard or game version is the rollups' own definition (`values_of`): the
point here is the counting, not the naming.
"""

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from starstats_core.deaths import DeathOutcome, classify_death
from starstats_core.events.combat import ActorDeath
from starstats_server.db.engine import create_engine
from starstats_server.db.rollups import values_of
from starstats_server.db.tables import (
    event_day_counts,
    event_distinct_values,
    event_type_counts,
    events,
    handle_totals,
)

GAP = timedelta(minutes=30)


@dataclass(frozen=True)
class Row:
    seq: int
    event_type: str
    at: datetime | None
    payload: dict[str, Any] | None


@dataclass(frozen=True)
class Session:
    start_at: datetime
    end_at: datetime
    event_count: int
    game_version: str | None


@dataclass
class Numbers:
    """Everything the rollups hold for one handle."""

    days: dict[tuple[date, str], int]
    types: dict[str, int]
    values: dict[tuple[str, str], tuple[datetime | None, datetime | None, int]]
    sessions: int
    play_time_us: int
    kills: int
    deaths_logged: int


def reference_sessions(rows: list[Row]) -> list[Session]:
    """Newest first, as history.sessions computed them before the rollups (kept verbatim in
    spirit: a session closes at its `session_started`, on a gap over 30 minutes, or when a
    `session_end` is read while the session already holds a non-end event)."""
    timed = sorted((r for r in rows if r.at is not None), key=lambda r: (r.at, r.seq))
    done: list[Session] = []
    start = end = None
    count = 0
    has_non_end = False
    version = None
    for row in reversed(timed):
        assert row.at is not None
        is_end = row.event_type == "session_end"
        if start is not None and (start - row.at > GAP or (is_end and has_non_end)):
            assert end is not None
            done.append(Session(start, end, count, version))
            start = None
        if start is None:
            end, count, has_non_end, version = row.at, 0, False, None
        start = row.at
        count += 1
        has_non_end = has_non_end or not is_end
        if row.event_type == "session_started":
            payload = row.payload or {}
            version = payload.get("file_version") or payload.get("branch") or None
            assert end is not None
            done.append(Session(start, end, count, version))
            start = None
    if start is not None:
        assert end is not None
        done.append(Session(start, end, count, version))
    return done


def recount(rows: list[Row], handle: str) -> Numbers:
    days: Counter[tuple[date, str]] = Counter()
    types: Counter[str] = Counter()
    values: dict[tuple[str, str], tuple[datetime | None, datetime | None, int]] = {}
    kills = deaths = 0
    for row in rows:
        types[row.event_type] += 1
        if row.at is not None:
            days[row.at.astimezone(UTC).date(), row.event_type] += 1
        payload = row.payload or {}
        for kind, value in values_of(row.event_type, payload):
            first, last, n = values.get((kind, value), (None, None, 0))
            stamps = [t for t in (first, last, row.at) if t is not None]
            values[kind, value] = (min(stamps, default=None), max(stamps, default=None), n + 1)
        if row.event_type == "actor_death":
            outcome = classify_death(ActorDeath.model_validate(payload), handle)
            kills += outcome is DeathOutcome.KILL
            deaths += outcome in (
                DeathOutcome.DEATH,
                DeathOutcome.SUICIDE,
                DeathOutcome.CRASH,
                DeathOutcome.ENVIRONMENT,
            )
    sessions = reference_sessions(rows)
    play = sum((s.end_at - s.start_at) // timedelta(microseconds=1) for s in sessions)
    return Numbers(dict(days), dict(types), values, len(sessions), play, kills, deaths)


async def _load(db_url: str, handle: str) -> tuple[list[Row], Numbers]:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            query = sa.select(
                events.c.seq, events.c.event_type, events.c.event_timestamp, events.c.payload
            ).where(events.c.handle == handle)
            rows = [Row(*r) for r in await conn.execute(query.order_by(events.c.seq))]
            days = {
                (r.day, r.event_type): r.count
                for r in await conn.execute(
                    sa.select(event_day_counts).where(event_day_counts.c.handle == handle)
                )
            }
            types = {
                r.event_type: r.count
                for r in await conn.execute(
                    sa.select(event_type_counts).where(event_type_counts.c.handle == handle)
                )
            }
            table = event_distinct_values
            values = {
                (r.kind, r.value): (r.first_seen_at, r.last_seen_at, r.count)
                for r in await conn.execute(sa.select(table).where(table.c.handle == handle))
            }
            totals = (
                await conn.execute(sa.select(handle_totals).where(handle_totals.c.handle == handle))
            ).first()
    finally:
        await engine.dispose()
    stored = Numbers(
        days,
        types,
        values,
        totals.sessions if totals else 0,
        totals.play_time_us if totals else 0,
        totals.kills if totals else 0,
        totals.deaths_logged if totals else 0,
    )
    # A JSON column may come back as text on some paths; the recount wants objects.
    rows = [
        Row(
            r.seq,
            r.event_type,
            r.at,
            json.loads(r.payload) if isinstance(r.payload, str) else r.payload,
        )
        for r in rows
    ]
    return rows, stored


def stored_and_recounted(db_url: str, handle: str) -> tuple[Numbers, Numbers, list[Row]]:
    """(what the rollup tables hold, the recount from the events, the events) for `handle`
    (lower-cased, as stored)."""
    rows, stored = asyncio.run(_load(db_url, handle.lower()))
    return stored, recount(rows, handle.lower()), rows
