"""Journey facts kept up to date at ingest (ADR 0009): core's `JourneyFold` run over each
batch's new events, its facts and per-session totals stored, its state kept for the next batch.

The order of a handle's events is (event time, byte offset, seq): `journey.order_key` plus the
server's seq as the last tie-break. A batch whose events all come after the newest folded one
(the live case) continues the stored fold. A batch with an older event (a backfilled log, a
late retry) refolds from the start of the session that event falls in, reading the stored
events in order, until the fold starts a session after the last new event that is already
stored: from there on nothing can differ (every session starts afresh), so the rest is kept.
`rebuild` folds everything again from the events; it must give the same rows (tested).

The functions take a synchronous `Connection` so the migration, the CLI and ingest (through
`AsyncConnection.run_sync`) share them; ingest calls `record_batch` in its own transaction,
under the handle's sequence lock, after inserting the batch's rows.
"""

import json
from collections.abc import Iterator
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from pydantic_core import PydanticUndefined

from starstats_core.events import EVENT_CLASSES
from starstats_core.events.base import BaseEvent
from starstats_core.journey import Fact, JourneyFold, Session, state
from starstats_core.journey.fold import RELEVANT_TYPES
from starstats_server.db import journey_derived, journey_write
from starstats_server.db.collector import collector_paused
from starstats_server.db.tables import (
    events,
    journey_facts,
    journey_missions,
    journey_sessions,
    journey_state,
    journey_sums,
    journey_values,
)
from starstats_server.db.types import UtcDateTime

# Stored events read per query while refolding, and closed facts written at a time when
# nothing can be met again.
_PAGE = 2000
_FLUSH_FACTS = 5000

Key = tuple[datetime, int, int]


class Bare(NamedTuple):
    """An event no part of the fold reads: only its type and time matter."""

    type: str
    timestamp: str


class Item(NamedTuple):
    """One event to fold: its order key, the event (or a `Bare` stand-in), its reference."""

    key: Key
    event: BaseEvent | Bare
    ref: str


class New(NamedTuple):
    """One new event of a batch as ingest holds it: order key, type, payload (validated) and
    reference. `record_batch` builds the fold's view of it (`event_of`) only while folding,
    so no model waits through the batch's locks and round trips for the cyclic GC to walk."""

    key: Key
    event_type: str
    payload: dict[str, Any]
    ref: str


_IMMUTABLE = (type(None), str, int, float, bool, tuple, frozenset, Enum)


class _Model(NamedTuple):
    cls: type[BaseEvent]
    fields: frozenset[str]
    # Every field with a default, in field order.
    defaults: dict[str, Any]


@cache
def _model(event_type: str) -> _Model | None:
    """What `event_of` needs to build the type's model itself; None (model_construct does
    it) for the types it could not build the same: aliases, default factories, mutable
    defaults (model_construct copies those), extra fields kept, post-init hooks."""
    cls = EVENT_CLASSES.get(event_type)
    if cls is None or event_type not in RELEVANT_TYPES:
        return None
    if cls.model_config.get("extra") == "allow" or cls.__pydantic_post_init__:
        return None
    defaults: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        if field.alias is not None or field.validation_alias is not None:
            return None
        if field.default_factory is not None:
            return None
        if field.default is not PydanticUndefined:
            if not isinstance(field.default, _IMMUTABLE):
                return None
            defaults[name] = field.default
    return _Model(cls, frozenset(cls.model_fields), defaults)


def event_of(event_type: str, payload: dict[str, Any]) -> BaseEvent | Bare:
    """The fold's view of a stored payload: a model for the types it reads (built without
    validating again: ingest validated it), else a `Bare` stand-in.

    The model is what `model_construct(**payload)` makes (the same field values and fields
    set; tested), in half its time: at ingest it is built for half the events."""
    if event_type not in RELEVANT_TYPES:
        return Bare(event_type, str(payload.get("timestamp", "")))
    model = _model(event_type)
    if model is None or not payload.keys() <= model.fields:
        cls = EVENT_CLASSES.get(event_type)
        if cls is None:
            return Bare(event_type, str(payload.get("timestamp", "")))
        return cls.model_construct(**payload)
    made = model.cls.__new__(model.cls)
    # As model_construct sets them, without its per-field alias and default look-ups.
    object.__setattr__(made, "__dict__", {**model.defaults, **payload})
    object.__setattr__(made, "__pydantic_fields_set__", set(payload))
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", None)
    return made


# -- folding ------------------------------------------------------------------------------------
def _key_value(key: Key) -> Any:
    """An order key as a SQL row value, each part typed as its column: a bare datetime
    would be bound as a timestamp without zone, which PostgreSQL compares in the session's
    zone, not in UTC."""
    at, offset, seq = key
    return sa.tuple_(
        sa.literal(at, UtcDateTime()),
        sa.literal(offset, sa.BigInteger()),
        sa.literal(seq, sa.BigInteger()),
    )


def _start_key_column() -> Any:
    c = journey_sessions.c
    return sa.tuple_(c.start_at, c.start_offset, c.start_seq)


def _stored_events(conn: sa.Connection, handle: str, start: Key | None) -> Iterator[Item]:
    """The handle's stored events with a time, in order, from the key `start` (None: all)."""
    c = events.c
    order = sa.tuple_(c.event_timestamp, c.source_offset, c.seq)
    payload = sa.case((c.event_type.in_(sorted(RELEVANT_TYPES)), c.payload), else_=sa.null())
    base = sa.select(
        c.event_timestamp,
        c.source_offset,
        c.seq,
        c.event_type,
        c.idempotency_key,
        c.payload["timestamp"].as_string(),
        payload,
    ).where(c.handle == handle, c.event_timestamp.is_not(None))
    after: Key | None = None
    while True:
        query = base
        if after is not None:
            query = query.where(order > _key_value(after))
        elif start is not None:
            query = query.where(order >= _key_value(start))
        rows = conn.execute(
            query.order_by(c.event_timestamp, c.source_offset, c.seq).limit(_PAGE)
        ).all()
        for at, offset, seq, event_type, ref, stamp, fields in rows:
            key = (at, offset, seq)
            event = (
                event_of(event_type, fields)
                if fields is not None
                else Bare(event_type, stamp or "")
            )
            yield Item(key, event, ref)
        if len(rows) < _PAGE:
            return
        last = rows[-1]
        after = (last[0], last[1], last[2])


def _delete_sessions(conn: sa.Connection, handle: str, start: Key | None, stop: Key | None) -> None:
    """Remove the stored sessions starting in [start, stop) and their facts."""
    c = journey_sessions.c
    where = [c.handle == handle]
    if start is not None:
        where.append(_start_key_column() >= _key_value(start))
    if stop is not None:
        where.append(_start_key_column() < _key_value(stop))
    journey_write.delete_sessions(conn, handle, sa.select(c.session_id).where(*where))


def _refold(conn: sa.Connection, handle: str, start: Key | None, last_new: Key | None) -> None:
    """Fold the stored events from `start` until a stored session is met again after
    `last_new` (None: to the end), replacing the sessions folded on the way."""
    writer = journey_write.Writer(conn, handle)
    fold = JourneyFold(handle)
    closed: list[Fact] = []
    last: Key | None = None
    synced: Key | None = None
    if last_new is None:
        # Nothing can be met again: replace everything from `start` and write as the fold
        # goes, so a whole history (rebuild, migration) never sits in memory.
        _delete_sessions(conn, handle, start, None)
        writer.pending = set()
    for item in _stored_events(conn, handle, start):
        before = fold.session_id
        done = fold.feed([(item.event, item.ref)])
        now = fold.session_id
        if now is not None and now != before:
            if (
                before is not None
                and last_new is not None
                and item.key > last_new
                and _session_exists(conn, handle, now)
            ):
                # What the synced session's first event closed is stored already.
                closed += [f for f in done if f.session_id != now]
                synced = item.key
                break
            writer.starts[now] = item.key
        closed += done
        last = item.key
        if last_new is None and len(closed) >= _FLUSH_FACTS:
            writer.write(closed)
            closed = []
    if last_new is not None:
        _delete_sessions(conn, handle, start, synced)
    if synced is not None:
        writer.write(closed)
        writer.flush()
        return
    conn.execute(sa.delete(journey_state).where(journey_state.c.handle == handle))
    writer.write(closed, fold)
    if writer.pending:
        journey_derived.merge_missions(writer.batch, handle, writer.pending)
    if last is not None:
        writer.save_state(fold, last)
    writer.flush()


def _session_exists(conn: sa.Connection, handle: str, session_id: str) -> bool:
    c = journey_sessions.c
    found = conn.execute(
        sa.select(c.session_id).where(c.handle == handle, c.session_id == session_id)
    ).first()
    return found is not None


def record_batch(conn: sa.Connection, handle: str, items: list[New]) -> None:
    """Bring the handle's journey up to date with a batch's new events (already inserted)."""
    if not items:
        return
    items.sort(key=lambda item: item.key)
    row = conn.execute(sa.select(journey_state).where(journey_state.c.handle == handle)).first()
    fold: JourneyFold | None = None
    if row is not None and items[0].key > (row.last_at, row.last_offset, row.last_seq):
        try:
            fold = state.load(json.loads(row.state))
        except ValueError:
            fold = None  # a state this version cannot read: fold again from the events
    if fold is None:
        _refold(conn, handle, _containing_start(conn, handle, items[0].key), items[-1].key)
        return
    writer = journey_write.Writer(conn, handle)
    # On PostgreSQL nothing in this block waits (the rows are sent after it); on SQLite the
    # queued writes run inside it, so other requests may run meanwhile without collections.
    with collector_paused():
        # The open facts as the last batch stored them (copies: the fold goes on changing
        # the facts themselves).
        stored = {
            (f.session_id, f.n): f.to_dict()
            for f in fold.open_facts()
            if not isinstance(f, Session)
        }
        closed = fold.feed((event_of(i.event_type, i.payload), i.ref) for i in items)
        # A session's id is its first event's reference: the sessions begun in this batch
        # are those whose id is one of its events.
        keys = {item.ref: item.key for item in items}
        for session_id in [f.session_id for f in closed if isinstance(f, Session)] + [
            fold.session_id or ""
        ]:
            if session_id in keys:
                writer.starts[session_id] = keys[session_id]
        missions = writer.queue(closed, fold, stored)
        # The state goes with the rows; the facts and the fold are not needed after this.
        writer.save_state(fold, items[-1].key)
        del closed, fold
    writer.merge(missions)
    writer.flush()


def _containing_start(conn: sa.Connection, handle: str, key: Key) -> Key | None:
    """The start of the stored session `key` falls in, or `key` itself before any."""
    c = journey_sessions.c
    found = conn.execute(
        sa.select(c.start_at, c.start_offset, c.start_seq)
        .where(c.handle == handle, _start_key_column() <= _key_value(key))
        .order_by(c.start_at.desc(), c.start_offset.desc(), c.start_seq.desc())
        .limit(1)
    ).first()
    return key if found is None else (found[0], found[1], found[2])


def rebuild(conn: sa.Connection, handle: str | None = None) -> int:
    """Recompute every journey row (of one handle, or all) from the stored events; returns
    the number of handles folded."""
    tables = (journey_facts, journey_sessions, journey_state, journey_values,
              journey_sums, journey_missions)  # fmt: skip
    if handle is None:
        handles = list(conn.execute(sa.select(events.c.handle).distinct()).scalars())
        for table in tables:
            conn.execute(sa.delete(table))
    else:
        handles = [handle]
        for table in tables:
            conn.execute(sa.delete(table).where(table.c.handle == handle))
    for name in handles:
        _refold(conn, name, None, None)
    return len(handles)
