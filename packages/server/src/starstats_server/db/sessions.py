"""Game sessions as the stats count them: the rule that starts a session between two
neighbouring events, what a run of events adds up to (`joins`), and how a batch changes a
handle's sessions and play time given its events' stored neighbours (`session_delta`, in
the ingest transaction; the neighbours come from the events' time index alone).

`services/history.sessions` lists sessions with the same rule, so the list and the counts
agree (ADR 0007).
"""

import itertools
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_core.events import EventType
from starstats_server.db.tables import events

# A quiet spell longer than this between two events starts a new game session.
SESSION_GAP = timedelta(minutes=30)
_MICROSECOND = timedelta(microseconds=1)
# SQLite's default limit of bound parameters per statement was 999 before 3.32.
_SQLITE_IN_CHUNK = 900


class Point(NamedTuple):
    """A timed event as the session rule sees it; events sort by (at, seq)."""

    at: datetime
    seq: int
    event_type: str


def session_break(before: Point, after: Point) -> bool:
    """Does a new game session begin at `after`, the event right after `before`?

    Yes after more than 30 quiet minutes, at a launch's `session_started`, and at the first
    event after the game's quit (a quit logs `system_quit` then `fast_shutdown`, so a
    `session_end` right after another stays in its session)."""
    quit_before = before.event_type == EventType.SESSION_END
    return (
        after.at - before.at > SESSION_GAP
        or after.event_type == EventType.SESSION_STARTED
        or (quit_before and after.event_type != EventType.SESSION_END)
    )


class Joins(NamedTuple):
    """Over neighbouring events: how many pairs share a session, and their summed gaps."""

    pairs: int
    span_us: int


def joins(points: Sequence[Point]) -> Joins:
    """The joined pairs among `points` (in order). With N timed events, a handle has
    N - pairs sessions and span_us of play time: a session lasts from its first to its last
    event, which is the sum of the gaps between its neighbours."""
    pairs = span = 0
    for before, after in itertools.pairwise(points):
        if not session_break(before, after):
            pairs += 1
            span += (after.at - before.at) // _MICROSECOND
    return Joins(pairs, span)


async def session_delta(conn: AsyncConnection, handle: str, new: list[Point]) -> tuple[int, int]:
    """How sessions and play time change when `new` (sorted) join the stored events.

    Only neighbouring pairs matter, so each run of new events that falls between the same
    two stored neighbours P and S replaces the pair (P, S) with P, run..., S. Stored events
    sort before new ones at the same instant (their seq is lower)."""
    if not new:
        return 0, 0
    lo, hi = new[0].at, new[-1].at
    ((before, after),) = await _neighbours(conn, handle, [lo])
    if after is None or after.at > hi:
        runs = [(before, after, new)]  # the usual case: no stored event inside the batch
    else:
        instants = sorted({point.at for point in new})
        around = dict(zip(instants, await _neighbours(conn, handle, instants), strict=True))
        runs = []
        for point in new:
            pair = around[point.at]
            # Same successor, same run (`_neighbours` makes one Point per stored event).
            if runs and runs[-1][1] is pair[1]:
                runs[-1][2].append(point)
            else:
                runs.append((pair[0], pair[1], [point]))
    # sessions = timed events - joined pairs; play time = the joined pairs' gaps.
    sessions, play_us = len(new), 0
    for before, after, run in runs:
        added = joins([before, *run] if before is not None else run)
        sessions -= added.pairs
        play_us += added.span_us
        if after is not None:
            last = run[-1]
            if not session_break(last, after):
                sessions -= 1
                play_us += (after.at - last.at) // _MICROSECOND
            if before is not None and not session_break(before, after):
                sessions += 1
                play_us -= (after.at - before.at) // _MICROSECOND
    return sessions, play_us


# Both neighbours of each instant, read from the (handle, event_timestamp, seq, event_type)
# index alone. PostgreSQL returns them whole through LATERAL joins; SQLite has no LATERAL, so
# it returns their seqs and `_points` reads them.
_NEIGHBOURS_POSTGRESQL = sa.text("""
    SELECT t.n, b.event_timestamp, b.seq, b.event_type, a.event_timestamp, a.seq, a.event_type
    FROM unnest(CAST(:ats AS timestamptz[])) WITH ORDINALITY AS t(at, n)
    LEFT JOIN LATERAL (
        SELECT e.event_timestamp, e.seq, e.event_type FROM events AS e
        WHERE e.handle = :handle AND e.event_timestamp <= t.at
        ORDER BY e.event_timestamp DESC, e.seq DESC LIMIT 1
    ) AS b ON true
    LEFT JOIN LATERAL (
        SELECT e.event_timestamp, e.seq, e.event_type FROM events AS e
        WHERE e.handle = :handle AND e.event_timestamp > t.at
        ORDER BY e.event_timestamp, e.seq LIMIT 1
    ) AS a ON true
""").bindparams(sa.bindparam("ats", type_=postgresql.ARRAY(sa.DateTime(timezone=True))))
# SQLite stores UtcDateTime as naive UTC text that sorts like the instant.
_NEIGHBOURS_SQLITE = sa.text("""
    SELECT t.key + 1,
      (SELECT e.seq FROM events AS e WHERE e.handle = :handle AND e.event_timestamp <= t.value
        ORDER BY e.event_timestamp DESC, e.seq DESC LIMIT 1),
      (SELECT e.seq FROM events AS e WHERE e.handle = :handle AND e.event_timestamp > t.value
        ORDER BY e.event_timestamp, e.seq LIMIT 1)
    FROM json_each(:ats) AS t
""")


def _sqlite_text(at: datetime) -> str:
    """`at` as SQLAlchemy's SQLite DateTime stores it (always six fractional digits)."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


async def _neighbours(
    conn: AsyncConnection, handle: str, instants: Sequence[datetime]
) -> list[tuple[Point | None, Point | None]]:
    """For each instant, the last stored event at or before it and the first one after it,
    in one statement (two index probes per instant)."""
    if conn.dialect.name == "postgresql":
        result = await conn.execute(
            _NEIGHBOURS_POSTGRESQL, {"handle": handle, "ats": list(instants)}
        )
        points: dict[int | None, Point | None] = {None: None}
        found = {}
        for n, b_at, b_seq, b_type, a_at, a_seq, a_type in result:
            if b_seq not in points:
                points[b_seq] = Point(b_at, b_seq, b_type)
            if a_seq not in points:
                points[a_seq] = Point(a_at, a_seq, a_type)
            found[n] = (points[b_seq], points[a_seq])
        return [found[n] for n in range(1, len(instants) + 1)]
    ats = json.dumps([_sqlite_text(at) for at in instants])
    seqs = {
        int(n): (before, after)
        for n, before, after in await conn.execute(
            _NEIGHBOURS_SQLITE, {"handle": handle, "ats": ats}
        )
    }
    stored = await _points(conn, handle, {s for pair in seqs.values() for s in pair if s})
    return [(stored.get(seqs[n][0]), stored.get(seqs[n][1])) for n in range(1, len(instants) + 1)]


async def _points(conn: AsyncConnection, handle: str, seqs: Iterable[int]) -> dict[int, Point]:
    wanted = sorted(seqs)
    points: dict[int, Point] = {}
    for start in range(0, len(wanted), _SQLITE_IN_CHUNK):
        query = sa.select(events.c.event_timestamp, events.c.seq, events.c.event_type).where(
            events.c.handle == handle, events.c.seq.in_(wanted[start : start + _SQLITE_IN_CHUNK])
        )
        for row in await conn.execute(query):
            points[row.seq] = Point(*row)
    return points
