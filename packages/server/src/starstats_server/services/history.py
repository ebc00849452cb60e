"""A player's own event history: pages of events, a per-type summary, a per-day timeline
and game sessions. Every read is scoped to one handle (lower-cased, as stored). The summary
and the timeline read the rollups (db/rollups.py), not the events table."""

import asyncio
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_core.events import EventType
from starstats_server.db.engine import reading
from starstats_server.db.rollups import SHIP_EVENT_TYPES, ValueKind, game_version_of, name_value
from starstats_server.db.sessions import Point, session_break
from starstats_server.db.tables import (
    event_day_counts,
    event_type_counts,
    events,
    handle_totals,
)
from starstats_server.errors import BadRequest
from starstats_server.services import authz
from starstats_server.state import AppState

EVENT_TYPE_PATTERN = re.compile(r"[a-z0-9_]{1,64}")
MAX_TIMELINE_DAYS = 366
# Sessions are read newest first in keyset pages of at least / at most this many rows.
_SESSION_PAGE_ROWS = (500, 16_000)


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    event_type: str
    event_timestamp: datetime | None
    log_source: str
    source_offset: int
    payload: dict[str, Any] | None


@dataclass(frozen=True)
class EventPage:
    """Events in seq order: newest first, or oldest first when reading `after_seq`.
    `next_after`: pass as `after_seq` to read what is newer than this page (null only when
    nothing was read and no cursor was given). `next_before`: pass as `before_seq` for the
    next, older page (null when there is none, and on `after_seq` pages)."""

    events: list[StoredEvent]
    next_after: int | None
    next_before: int | None


@dataclass(frozen=True)
class EventFilter:
    before_seq: int | None = None
    after_seq: int | None = None
    event_type: str | None = None
    since: datetime | None = None  # inclusive, on event_timestamp
    until: datetime | None = None  # exclusive, on event_timestamp
    limit: int = 100


@dataclass(frozen=True)
class TypeCount:
    event_type: str
    count: int


@dataclass(frozen=True)
class Summary:
    claimed_handle: str
    total: int
    by_type: list[TypeCount]


@dataclass(frozen=True)
class DayCount:
    date: date
    count: int


@dataclass(frozen=True)
class Timeline:
    days: int
    buckets: list[DayCount]


@dataclass(frozen=True)
class GameSession:
    start_at: datetime
    end_at: datetime
    duration_seconds: int
    event_count: int
    game_version: str | None
    # The first shard joined in the session, and the vehicles flown in order of first use.
    shard: str | None
    ships: list[str]


def _owner(handle: str) -> sa.ColumnElement[bool]:
    return events.c.handle == handle.lower()


async def _window_first(conn: AsyncConnection, handle: str, query: EventFilter) -> bool:
    """Should a newest-first page with an `until` be read window first (timestamp index, then
    sort by seq) rather than by walking seq down past everything newer than the window?

    PostgreSQL guesses that the matches are spread evenly over seq and walks; but seq follows
    time, so a window long ago lies behind all newer events. The day counts say how many
    events each way costs (whole days around the bounds: an estimate, only for the plan)."""
    if query.until is None:
        return False  # the window reaches the newest events: walking finds them first
    table = event_day_counts
    last = query.until.astimezone(UTC).date()
    newer = sa.case((table.c.day >= last, table.c["count"]), else_=0)
    within = sa.case((table.c.day <= last, table.c["count"]), else_=0)
    owner = [table.c.handle == handle.lower()]
    if query.since is not None:
        owner.append(table.c.day >= query.since.astimezone(UTC).date())
    if query.event_type is not None:
        owner.append(table.c.event_type == query.event_type)
    statement = sa.select(
        sa.func.coalesce(sa.func.sum(within), 0), sa.func.coalesce(sa.func.sum(newer), 0)
    ).where(*owner)
    in_window, after = (await conn.execute(statement)).one()
    return int(in_window) <= int(after)


async def list_events(state: AppState, handle: str, query: EventFilter) -> EventPage:
    """One page of the handle's events (see `EventPage`)."""
    if query.before_seq is not None and query.after_seq is not None:
        raise BadRequest("conflicting_cursors", "give before_seq or after_seq, not both")
    if query.event_type is not None and EVENT_TYPE_PATTERN.fullmatch(query.event_type) is None:
        raise BadRequest("invalid_event_type", "event_type must match [a-z0-9_]{1,64}")
    conditions = [_owner(handle)]
    if query.event_type is not None:
        conditions.append(events.c.event_type == query.event_type)
    if query.since is not None:
        conditions.append(events.c.event_timestamp >= query.since)
    if query.until is not None:
        conditions.append(events.c.event_timestamp < query.until)
    forward = query.after_seq is not None
    if query.after_seq is not None:
        conditions.append(events.c.seq > query.after_seq)
    if query.before_seq is not None:
        conditions.append(events.c.seq < query.before_seq)
    async with reading(state.engine) as conn:
        order: sa.ColumnElement[int] = events.c.seq
        if not forward and await _window_first(conn, handle, query):
            # An expression the (handle, seq) index cannot produce: the planner then finds
            # the window through the timestamp index and sorts it.
            order = events.c.seq + 0
        statement = (
            sa.select(
                events.c.seq,
                events.c.event_type,
                events.c.event_timestamp,
                events.c.log_source,
                events.c.source_offset,
                events.c.payload,
            )
            .where(*conditions)
            .order_by(order.asc() if forward else order.desc())
            .limit(query.limit + 1)  # one more tells whether another page exists
        )
        rows = (await conn.execute(statement)).all()
    more = len(rows) > query.limit
    page = [StoredEvent(*row) for row in rows[: query.limit]]
    seqs = [event.seq for event in page]
    next_after = max(seqs) if seqs else query.after_seq
    next_before = min(seqs) if more and not forward else None
    return EventPage(events=page, next_after=next_after, next_before=next_before)


async def summary(state: AppState, handle: str) -> Summary:
    """Counts per event type, most frequent first (ties by name)."""
    table = event_type_counts
    statement = (
        sa.select(table.c.event_type, table.c["count"])
        .where(table.c.handle == handle.lower())
        .order_by(table.c["count"].desc(), table.c.event_type)
    )
    async with reading(state.engine) as conn:
        rows = (await conn.execute(statement)).all()
    by_type = [TypeCount(name, int(n)) for name, n in rows]
    return Summary(claimed_handle=handle, total=sum(t.count for t in by_type), by_type=by_type)


async def own_summary(state: AppState, handle: str) -> Summary:
    """`summary` for the player themself, with SpiceDB's advisory `view` check running
    alongside the read (so it adds no latency unless SpiceDB is slower than the database)."""
    found, _ = await asyncio.gather(summary(state, handle), authz.advisory_self_view(state, handle))
    return found


def timeline_window(state: AppState, days: int) -> tuple[date, date]:
    """The first and last UTC day of a `days`-day window ending today; 400 `invalid_days`
    outside 1..366."""
    if not 1 <= days <= MAX_TIMELINE_DAYS:
        raise BadRequest("invalid_days", f"days must be 1..{MAX_TIMELINE_DAYS}")
    today = state.clock.now().astimezone(UTC).date()
    return today - timedelta(days=days - 1), today


async def timeline(state: AppState, handle: str, days: int) -> Timeline:
    """Events per UTC day for the `days` days ending today (zero-filled, oldest first),
    counted by `event_timestamp` (events without one are not on the timeline)."""
    first, last = timeline_window(state, days)
    table = event_day_counts
    statement = (
        sa.select(table.c.day, sa.func.sum(table.c["count"]))
        .where(table.c.handle == handle.lower(), table.c.day.between(first, last))
        .group_by(table.c.day)
    )
    async with state.engine.connect() as conn:
        counts = {day: int(n) for day, n in await conn.execute(statement)}
    buckets = []
    for offset in range(days):
        current = first + timedelta(days=offset)
        buckets.append(DayCount(current, counts.get(current, 0)))
    return Timeline(days=days, buckets=buckets)


@dataclass
class _Building:
    """A session being assembled while reading events newest first."""

    oldest: Point
    end_at: datetime
    event_count: int = 0
    game_version: str | None = None
    shard: str | None = None
    # Vehicle -> when it was first used, so far (reading backwards, the oldest use wins).
    ships: dict[str, datetime] = field(default_factory=dict)

    def closed(self) -> GameSession:
        start_at = self.oldest.at
        seconds = int((self.end_at - start_at).total_seconds())
        ships = sorted(self.ships, key=lambda name: (self.ships[name], name))
        return GameSession(
            start_at,
            self.end_at,
            seconds,
            self.event_count,
            self.game_version,
            self.shard,
            ships,
        )


def _session_rows(
    handle: str, below: Point | None, limit: int
) -> sa.Select[datetime, int, str, str | None, str | None]:
    """(timestamp, seq, type, payload of session_started only, shard of join_pu or vehicle of
    a ship event) of the handle's timed events older than `below`, newest first.

    A LIMIT on each page, not one open cursor: without it PostgreSQL plans for every row
    (a full sort of the history) instead of walking the timestamp index backwards."""
    # As text, decoded for the few session_started rows only: a JSON column would run its
    # result processor on every row of the page.
    started_payload = sa.case(
        (
            events.c.event_type == EventType.SESSION_STARTED.value,
            sa.cast(events.c.payload, sa.Text),
        ),
        else_=sa.null(),
    )
    detail = sa.case(
        (events.c.event_type == EventType.JOIN_PU.value, events.c.payload["shard"].as_string()),
        (
            events.c.event_type.in_(sorted(SHIP_EVENT_TYPES)),
            events.c.payload["vehicle_class"].as_string(),
        ),
        else_=sa.null(),
    )
    conditions = [_owner(handle), events.c.event_timestamp.is_not(None)]
    if below is not None:
        at = events.c.event_timestamp
        conditions += [at <= below.at, sa.or_(at < below.at, events.c.seq < below.seq)]
    return (
        sa.select(
            events.c.event_timestamp, events.c.seq, events.c.event_type, started_payload, detail
        )
        .where(*conditions)
        .order_by(events.c.event_timestamp.desc(), events.c.seq.desc())
        .limit(limit)
    )


def _note(session: _Building, point: Point, payload: Any, detail: str | None) -> None:
    """Add one event (older than any in `session` so far) to it."""
    session.oldest = point
    session.event_count += 1
    if point.event_type == EventType.SESSION_STARTED:
        fields = json.loads(payload) if payload else None
        if isinstance(fields, dict):
            session.game_version = game_version_of(fields)
    elif point.event_type == EventType.JOIN_PU:
        shard = name_value(ValueKind.SHARD, detail)
        if shard is not None:
            session.shard = shard
    elif point.event_type in SHIP_EVENT_TYPES:
        ship = name_value(ValueKind.SHIP, detail)
        if ship is not None:
            session.ships[ship] = point.at


async def _rows_for_sessions(conn: AsyncConnection, handle: str, wanted: int) -> int:
    """About how many events `wanted` sessions hold, from the rollups' totals, so the
    first page usually suffices without reading much past it."""
    owner = handle.lower()
    totals = sa.select(handle_totals.c.sessions).where(handle_totals.c.handle == owner)
    count = sa.select(sa.func.sum(event_type_counts.c["count"])).where(
        event_type_counts.c.handle == owner
    )
    row = (await conn.execute(sa.select(totals.scalar_subquery(), count.scalar_subquery()))).one()
    sessions, events_total = row
    if not sessions or not events_total:
        return 0
    return int(1.25 * wanted * int(events_total) / int(sessions))


async def sessions(state: AppState, handle: str, limit: int, offset: int) -> list[GameSession]:
    """Game sessions, newest first.

    A session begins at a `session_started` event (the log header of a game launch), at the
    first event after a gap of more than 30 minutes, or at the first event after the game's
    `session_end` (`db.sessions.session_break`, the rule the stats count with). It ends at
    its last event before the next one begins. Events without a timestamp are not placed.
    Reads newest first and stops once `offset + limit` sessions are complete, so a long
    history is not loaded to show its latest page."""
    wanted = offset + limit
    done: list[GameSession] = []
    current: _Building | None = None
    smallest, largest = _SESSION_PAGE_ROWS
    below: Point | None = None  # the oldest event read so far: the next page starts after it
    async with state.engine.connect() as conn:
        page = max(smallest, min(largest, await _rows_for_sessions(conn, handle, wanted)))
        while len(done) < wanted:
            rows = (await conn.execute(_session_rows(handle, below, page))).all()
            for at, seq, event_type, payload, detail in rows:
                point = below = Point(at, seq, event_type)
                if current is not None and session_break(point, current.oldest):
                    done.append(current.closed())
                    current = None
                    if len(done) >= wanted:
                        break
                if current is None:
                    current = _Building(oldest=point, end_at=at)
                _note(current, point, payload, detail)
            if len(rows) < page:
                break
            page = min(2 * page, largest)
    if current is not None and len(done) < wanted:
        done.append(current.closed())
    return done[offset:wanted]
