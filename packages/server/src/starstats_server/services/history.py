"""A player's own event history: pages of events, a per-type summary, a per-day timeline
and game sessions. Every read is scoped to one handle (lower-cased, as stored)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_core.events import EventType
from starstats_server.db.tables import events
from starstats_server.errors import BadRequest
from starstats_server.state import AppState

EVENT_TYPE_PATTERN = re.compile(r"[a-z0-9_]{1,64}")
MAX_TIMELINE_DAYS = 366
SESSION_GAP = timedelta(minutes=30)
_SESSION_ROWS_PER_FETCH = 2_000


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


def _owner(handle: str) -> sa.ColumnElement[bool]:
    return events.c.handle == handle.lower()


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
        .order_by(events.c.seq.asc() if forward else events.c.seq.desc())
        .limit(query.limit + 1)  # one more tells whether another page exists
    )
    async with state.engine.connect() as conn:
        rows = (await conn.execute(statement)).all()
    more = len(rows) > query.limit
    page = [StoredEvent(*row) for row in rows[: query.limit]]
    seqs = [event.seq for event in page]
    next_after = max(seqs) if seqs else query.after_seq
    next_before = min(seqs) if more and not forward else None
    return EventPage(events=page, next_after=next_after, next_before=next_before)


async def summary(state: AppState, handle: str) -> Summary:
    """Counts per event type, most frequent first (ties by name)."""
    count = sa.func.count().label("n")
    statement = (
        sa.select(events.c.event_type, count)
        .where(_owner(handle))
        .group_by(events.c.event_type)
        .order_by(count.desc(), events.c.event_type)
    )
    async with state.engine.connect() as conn:
        rows = (await conn.execute(statement)).all()
    by_type = [TypeCount(row.event_type, int(row.n)) for row in rows]
    return Summary(claimed_handle=handle, total=sum(t.count for t in by_type), by_type=by_type)


def _utc_day(conn: AsyncConnection) -> sa.ColumnElement[Any]:
    """The UTC calendar day of `event_timestamp`, per dialect: SQLite stores naive UTC text,
    PostgreSQL a timestamptz whose day depends on the session time zone unless pinned."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.func.timezone("UTC", events.c.event_timestamp), sa.Date)
    return sa.func.date(events.c.event_timestamp)


async def timeline(state: AppState, handle: str, days: int) -> Timeline:
    """Events per UTC day for the `days` days ending today (zero-filled, oldest first),
    counted by `event_timestamp` (events without one are not on the timeline)."""
    if not 1 <= days <= MAX_TIMELINE_DAYS:
        raise BadRequest("invalid_days", f"days must be 1..{MAX_TIMELINE_DAYS}")
    today = state.clock.now().astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
    async with state.engine.connect() as conn:
        day = _utc_day(conn).label("day")
        statement = (
            sa.select(day, sa.func.count().label("n"))
            .where(
                _owner(handle),
                events.c.event_timestamp >= start,
                events.c.event_timestamp < end,
            )
            .group_by(day)
        )
        counts = {str(row.day)[:10]: int(row.n) for row in await conn.execute(statement)}
    buckets = []
    for offset in range(days):
        current = first + timedelta(days=offset)
        buckets.append(DayCount(current, counts.get(current.isoformat(), 0)))
    return Timeline(days=days, buckets=buckets)


@dataclass
class _Building:
    """A session being assembled while reading events newest first."""

    start_at: datetime
    end_at: datetime
    event_count: int
    has_non_end: bool
    game_version: str | None = None

    def closed(self) -> GameSession:
        seconds = int((self.end_at - self.start_at).total_seconds())
        return GameSession(self.start_at, self.end_at, seconds, self.event_count, self.game_version)


def _version_of(payload: object) -> str | None:
    if not isinstance(payload, dict):
        return None
    for field in ("file_version", "branch", "build"):
        value = payload.get(field)
        if isinstance(value, str) and value:
            return value
    return None


def _session_rows(handle: str) -> sa.Select[tuple[datetime, str, Any]]:
    """(timestamp, type, payload of session_started only) of the handle's timed events,
    newest first, fetched in chunks."""
    started_payload = sa.case(
        (events.c.event_type == EventType.SESSION_STARTED.value, events.c.payload),
        else_=sa.null(),
    )
    return (
        sa.select(events.c.event_timestamp, events.c.event_type, started_payload)
        .where(_owner(handle), events.c.event_timestamp.is_not(None))
        .order_by(events.c.event_timestamp.desc(), events.c.seq.desc())
        .execution_options(yield_per=_SESSION_ROWS_PER_FETCH)
    )


async def sessions(state: AppState, handle: str, limit: int, offset: int) -> list[GameSession]:
    """Game sessions, newest first.

    A session begins at a `session_started` event (the log header of a game launch) or, when
    there is none, at the first event after a gap of more than 30 minutes or after the
    game's `session_end`. It ends at its last `session_end` (a quit logs `system_quit` then
    `fast_shutdown`) or at its last event before the next session begins. Events without a
    timestamp are not placed. Reads newest first and stops once `offset + limit` sessions
    are complete, so a long history is not loaded to show its latest page."""
    wanted = offset + limit
    done: list[GameSession] = []
    current: _Building | None = None
    async with state.engine.connect() as conn:
        result = await conn.stream(_session_rows(handle))
        async for at, event_type, payload in result:
            is_end = event_type == EventType.SESSION_END
            if current is not None and (
                current.start_at - at > SESSION_GAP or (is_end and current.has_non_end)
            ):
                done.append(current.closed())
                current = None
            if current is None:
                current = _Building(at, at, 0, has_non_end=False)
            current.start_at = at
            current.event_count += 1
            current.has_non_end = current.has_non_end or not is_end
            if event_type == EventType.SESSION_STARTED:
                current.game_version = _version_of(payload)
                done.append(current.closed())
                current = None
            if len(done) >= wanted:
                break
        await result.close()
    if current is not None and len(done) < wanted:
        done.append(current.closed())
    return done[offset:wanted]
