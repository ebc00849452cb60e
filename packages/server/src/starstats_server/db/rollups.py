"""Per-handle rollups of the events table, kept exact by ingest (ADR 0007): events per UTC
day and type, events per type, distinct names (ships, locations, shards, game versions) and
per-handle totals (game sessions, play time, kills, logged deaths).

`record_batch` applies a batch's new rows inside the ingest transaction, before they are
inserted, while the caller holds the handle's sequence lock: one handle's batches are
applied one at a time, and duplicates never get here. `rebuild` recomputes everything from
the events table (migration 0004). Both count through the same `Tally` and session rule
(db/sessions.py).
"""

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_core.deaths import DeathOutcome, classify_death
from starstats_core.events import EventType
from starstats_core.events.combat import ActorDeath
from starstats_server.db.bulk import EventRow
from starstats_server.db.sessions import Point, joins, session_delta
from starstats_server.db.tables import (
    event_day_counts,
    event_distinct_values,
    event_type_counts,
    events,
    handle_totals,
)

# Longer strings are not names (and PostgreSQL cannot index a text key of several KiB).
MAX_VALUE_LENGTH = 200


class ValueKind(StrEnum):
    """`event_distinct_values.kind`."""

    SHIP = "ship"
    LOCATION = "location"
    SHARD = "shard"
    GAME_VERSION = "game_version"


# Events whose `vehicle_class` is the vehicle the local player controls or navigates: the
# control token (pilot seat), the 4.1 respawn of the player's ship, and quantum navigation,
# which the game logs for the pilot's own ship only.
SHIP_EVENT_TYPES = frozenset(
    {
        EventType.VEHICLE_CONTROL,
        EventType.VEHICLE_SPAWNED,
        EventType.QUANTUM_TARGET_SELECTED,
        EventType.MISSION_QUANTUM_DESTINATION_SELECTED,
        EventType.QUANTUM_ROUTE,
        EventType.QUANTUM_ARRIVED,
        EventType.JUMP_DRIVE_STATE,
    }
)
# (kind, payload field) per event type. Places: the inventory a player opened (the best
# "player is at X" signal in 4.x logs) and inferred moves; planets only mean "near".
_VALUE_FIELDS: Mapping[str, tuple[tuple[ValueKind, str], ...]] = {
    EventType.JOIN_PU: ((ValueKind.SHARD, "shard"),),
    EventType.LOCATION_INVENTORY_REQUESTED: ((ValueKind.LOCATION, "location"),),
    EventType.LOCATION_CHANGED: ((ValueKind.LOCATION, "to"),),
    **dict.fromkeys(SHIP_EVENT_TYPES, ((ValueKind.SHIP, "vehicle_class"),)),
}
_NOT_A_PLACE = frozenset({"INVALID_LOCATION_ID"})
# Types whose payload a rollup reads; every other event is counted by type and time only.
PAYLOAD_TYPES = frozenset({*_VALUE_FIELDS, EventType.SESSION_STARTED, EventType.ACTOR_DEATH})


def name_value(kind: ValueKind, value: object) -> str | None:
    """`value` as a countable name of `kind`, or None (not text, blank, too long, or the
    game's placeholder for "no location")."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_VALUE_LENGTH:
        return None
    if kind is ValueKind.LOCATION and value in _NOT_A_PLACE:
        return None
    return value


def game_version_of(payload: Mapping[str, Any]) -> str | None:
    """The game version a `session_started` names: FileVersion, else Branch, else Build."""
    for name in ("file_version", "branch", "build"):
        value = name_value(ValueKind.GAME_VERSION, payload.get(name))
        if value is not None:
            return value
    return None


def values_of(event_type: str, payload: Mapping[str, Any]) -> list[tuple[ValueKind, str]]:
    """The (kind, name) pairs one event adds to `event_distinct_values`."""
    if event_type == EventType.SESSION_STARTED:
        version = game_version_of(payload)
        return [] if version is None else [(ValueKind.GAME_VERSION, version)]
    found = []
    for kind, name in _VALUE_FIELDS.get(event_type, ()):
        value = name_value(kind, payload.get(name))
        if value is not None:
            found.append((kind, value))
    return found


def death_outcome(payload: Mapping[str, Any], handle: str) -> DeathOutcome | None:
    """Core's reading of a stored `actor_death` payload for `handle`."""
    victim, killer, damage = (payload.get(k) for k in ("victim", "killer", "damage_type"))
    if not (isinstance(victim, str) and isinstance(killer, str) and isinstance(damage, str)):
        return None
    # classify_death reads these three fields only, and the payload was validated at ingest:
    # a copy of a blank event is ~10 times cheaper than building a model.
    update = {"victim": victim, "killer": killer, "damage_type": damage}
    return classify_death(_BLANK_DEATH.model_copy(update=update), handle)


_BLANK_DEATH = ActorDeath(timestamp="", victim="", zone="", killer="", weapon="", damage_type="")


# -- the pure tally ---------------------------------------------------------------------------
@dataclass
class _Seen:
    first: datetime | None
    last: datetime | None
    count: int = 0

    def add(self, at: datetime | None) -> None:
        self.count += 1
        if at is not None:
            self.first = at if self.first is None else min(self.first, at)
            self.last = at if self.last is None else max(self.last, at)


@dataclass
class Tally:
    """What a run of one handle's events adds to the rollups (sessions aside)."""

    handle: str
    days: Counter[tuple[date, str]] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    values: dict[tuple[ValueKind, str], _Seen] = field(default_factory=dict)
    kills: int = 0
    deaths_logged: int = 0

    def add(self, event_type: str, at: datetime | None, payload: object) -> None:
        """Count one event. `payload` is its JSON text or decoded object; it is read only
        for `PAYLOAD_TYPES`."""
        self.types[event_type] += 1
        if at is not None:
            self.days[_utc_date(at), event_type] += 1
        if event_type in PAYLOAD_TYPES:
            self.read(event_type, at, payload)

    def add_batch(self, rows: Sequence[EventRow]) -> None:
        """`add` for each row; the counting runs in Counter's C loop (a batch of 1,000 is
        counted several times faster than row by row)."""
        self.types.update(row.event_type for row in rows)
        self.days.update(
            (_utc_date(row.event_timestamp), row.event_type)
            for row in rows
            if row.event_timestamp is not None
        )
        for row in rows:
            if row.event_type in PAYLOAD_TYPES:
                self.read(row.event_type, row.event_timestamp, row.payload)

    def read(self, event_type: str, at: datetime | None, payload: object) -> None:
        """The payload part of `add`: names seen, kills and deaths."""
        fields = json.loads(payload) if isinstance(payload, str) else payload
        if not isinstance(fields, Mapping):
            return
        for key in values_of(event_type, fields):
            seen = self.values.get(key)
            if seen is None:
                seen = self.values[key] = _Seen(at, at)
            seen.add(at)
        if event_type == EventType.ACTOR_DEATH:
            outcome = death_outcome(fields, self.handle)
            if outcome is DeathOutcome.KILL:
                self.kills += 1
            elif outcome not in (None, DeathOutcome.OTHER):
                # Death, suicide, crash or environment: the player died.
                self.deaths_logged += 1


def _utc_date(at: datetime) -> date:
    return (at if at.tzinfo is UTC else at.astimezone(UTC)).date()


# -- writes (the same statements on a sync or an async connection) ----------------------------
def _insert(dialect: sa.Dialect, table: sa.Table) -> Any:
    return (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(table)


def _earliest(dialect: sa.Dialect, a: Any, b: Any) -> Any:
    # NULL-safe: SQLite's two-argument min() is NULL when either side is.
    pick = sa.func.least if dialect.name == "postgresql" else sa.func.min
    return pick(sa.func.coalesce(a, b), sa.func.coalesce(b, a))


def _latest(dialect: sa.Dialect, a: Any, b: Any) -> Any:
    pick = sa.func.greatest if dialect.name == "postgresql" else sa.func.max
    return pick(sa.func.coalesce(a, b), sa.func.coalesce(b, a))


def _writes(
    dialect: sa.Dialect, tally: Tally, sessions: int, play_us: int
) -> list[tuple[Any, list[dict[str, Any]]]]:
    """(statement, rows) pairs adding `tally` and the session deltas: upserts that add to
    what is stored."""
    handle = tally.handle
    writes: list[tuple[Any, list[dict[str, Any]]]] = []
    if tally.days:
        insert = _insert(dialect, event_day_counts)
        statement = insert.on_conflict_do_update(
            index_elements=list(event_day_counts.primary_key),
            set_={"count": event_day_counts.c.count + insert.excluded["count"]},
        )
        rows = [
            {"handle": handle, "day": day, "event_type": name, "count": n}
            for (day, name), n in tally.days.items()
        ]
        writes.append((statement, rows))
    if tally.types:
        insert = _insert(dialect, event_type_counts)
        statement = insert.on_conflict_do_update(
            index_elements=list(event_type_counts.primary_key),
            set_={"count": event_type_counts.c.count + insert.excluded["count"]},
        )
        rows = [{"handle": handle, "event_type": n, "count": c} for n, c in tally.types.items()]
        writes.append((statement, rows))
    if tally.values:
        table = event_distinct_values
        insert = _insert(dialect, table)
        excluded = insert.excluded
        statement = insert.on_conflict_do_update(
            index_elements=list(table.primary_key),
            set_={
                "count": table.c.count + excluded["count"],
                "first_seen_at": _earliest(dialect, table.c.first_seen_at, excluded.first_seen_at),
                "last_seen_at": _latest(dialect, table.c.last_seen_at, excluded.last_seen_at),
            },
        )
        rows = [
            {
                "handle": handle,
                "kind": kind.value,
                "value": value,
                "first_seen_at": seen.first,
                "last_seen_at": seen.last,
                "count": seen.count,
            }
            for (kind, value), seen in tally.values.items()
        ]
        writes.append((statement, rows))
    insert = _insert(dialect, handle_totals)
    excluded = insert.excluded
    added = ("sessions", "play_time_us", "kills", "deaths_logged")
    statement = insert.on_conflict_do_update(
        index_elements=[handle_totals.c.handle],
        set_={name: handle_totals.c[name] + excluded[name] for name in added},
    )
    totals = {
        "handle": handle,
        "sessions": sessions,
        "play_time_us": play_us,
        "kills": tally.kills,
        "deaths_logged": tally.deaths_logged,
    }
    writes.append((statement, [totals]))
    return writes


# -- ingest: one batch ------------------------------------------------------------------------
async def record_batch(conn: AsyncConnection, handle: str, rows: Sequence[EventRow]) -> None:
    """Add `rows` (the batch's new events, not yet inserted) to `handle`'s rollups."""
    if not rows:
        return
    tally = Tally(handle)
    tally.add_batch(rows)
    points = sorted(
        Point(row.event_timestamp, row.seq, row.event_type)
        for row in rows
        if row.event_timestamp is not None
    )
    sessions, play_us = await session_delta(conn, handle, points)
    if conn.dialect.name == "postgresql":
        await conn.execute(_ADD_POSTGRESQL, _add_postgresql_params(tally, sessions, play_us))
        return
    for statement, params in _writes(conn.dialect, tally, sessions, play_us):
        await conn.execute(statement, params)


# All four upserts in one statement (data-modifying CTEs) with array parameters: one round
# trip and one prepared statement whatever the batch holds. Per-statement overhead is what
# a batch of 200 events would otherwise spend most of its rollup time on.
_ADD_POSTGRESQL = sa.text("""
    WITH days AS (
        INSERT INTO event_day_counts AS t (handle, day, event_type, count)
        SELECT :handle, d, n, c FROM unnest(:days, :day_types, :day_counts) AS x(d, n, c)
        ON CONFLICT (handle, day, event_type) DO UPDATE SET count = t.count + excluded.count
    ), types AS (
        INSERT INTO event_type_counts AS t (handle, event_type, count)
        SELECT :handle, n, c FROM unnest(:types, :type_counts) AS x(n, c)
        ON CONFLICT (handle, event_type) DO UPDATE SET count = t.count + excluded.count
    ), seen AS (
        INSERT INTO event_distinct_values AS t
            (handle, kind, value, first_seen_at, last_seen_at, count)
        SELECT :handle, k, v, f, l, c
        FROM unnest(:kinds, :values, :firsts, :lasts, :value_counts) AS x(k, v, f, l, c)
        ON CONFLICT (handle, kind, value) DO UPDATE SET
            count = t.count + excluded.count,
            first_seen_at = LEAST(t.first_seen_at, excluded.first_seen_at),
            last_seen_at = GREATEST(t.last_seen_at, excluded.last_seen_at)
    )
    INSERT INTO handle_totals AS t (handle, sessions, play_time_us, kills, deaths_logged)
    VALUES (:handle, :sessions, :play_time_us, :kills, :deaths_logged)
    ON CONFLICT (handle) DO UPDATE SET
        sessions = t.sessions + excluded.sessions,
        play_time_us = t.play_time_us + excluded.play_time_us,
        kills = t.kills + excluded.kills,
        deaths_logged = t.deaths_logged + excluded.deaths_logged
""").bindparams(
    *(
        sa.bindparam(name, type_=postgresql.ARRAY(item))
        for name, item in (
            ("days", sa.Date()),
            ("day_types", sa.Text()),
            ("day_counts", sa.BigInteger()),
            ("types", sa.Text()),
            ("type_counts", sa.BigInteger()),
            ("kinds", sa.Text()),
            ("values", sa.Text()),
            ("firsts", sa.DateTime(timezone=True)),
            ("lasts", sa.DateTime(timezone=True)),
            ("value_counts", sa.BigInteger()),
        )
    )
)


def _add_postgresql_params(tally: Tally, sessions: int, play_us: int) -> dict[str, Any]:
    """`_ADD_POSTGRESQL`'s parameters (PostgreSQL's LEAST and GREATEST skip NULLs)."""
    days = list(tally.days.items())
    seen = list(tally.values.items())
    return {
        "handle": tally.handle,
        "days": [day for (day, _), _ in days],
        "day_types": [name for (_, name), _ in days],
        "day_counts": [n for _, n in days],
        "types": list(tally.types),
        "type_counts": list(tally.types.values()),
        "kinds": [kind.value for (kind, _), _ in seen],
        "values": [value for (_, value), _ in seen],
        "firsts": [s.first for _, s in seen],
        "lasts": [s.last for _, s in seen],
        "value_counts": [s.count for _, s in seen],
        "sessions": sessions,
        "play_time_us": play_us,
        "kills": tally.kills,
        "deaths_logged": tally.deaths_logged,
    }


# -- migration: everything from the events table ----------------------------------------------
_ROLLUP_TABLES = (event_day_counts, event_type_counts, event_distinct_values, handle_totals)
_REBUILD_ROWS_PER_FETCH = 5_000


def rebuild(connection: sa.Connection) -> None:
    """Empty the rollup tables and recount them from every stored event, handle by handle,
    in one pass over the events in (handle, time, seq) order."""
    for table in _ROLLUP_TABLES:
        connection.execute(sa.delete(table))
    payload = sa.case(
        (events.c.event_type.in_(sorted(PAYLOAD_TYPES)), events.c.payload), else_=sa.null()
    )
    query = (
        sa.select(events.c.handle, events.c.seq, events.c.event_type, events.c.event_timestamp)
        .add_columns(payload)
        .order_by(events.c.handle, events.c.event_timestamp, events.c.seq)
        .execution_options(yield_per=_REBUILD_ROWS_PER_FETCH)
    )
    tally: Tally | None = None
    timed = 0
    pairs, span = 0, 0
    previous: Point | None = None
    for handle, seq, event_type, at, fields in connection.execute(query):
        if tally is None or handle != tally.handle:
            if tally is not None:
                _flush(connection, tally, timed - pairs, span)
            tally, timed, pairs, span, previous = Tally(handle), 0, 0, 0, None
        tally.add(event_type, at, fields)
        if at is None:
            continue  # NULL timestamps sort first on SQLite, last on PostgreSQL: skip them
        point = Point(at, seq, event_type)
        timed += 1
        if previous is not None:
            joined = joins([previous, point])
            pairs += joined.pairs
            span += joined.span_us
        previous = point
    if tally is not None:
        _flush(connection, tally, timed - pairs, span)


def _flush(connection: sa.Connection, tally: Tally, sessions: int, play_us: int) -> None:
    for statement, params in _writes(connection.dialect, tally, sessions, play_us):
        connection.execute(statement, params)
