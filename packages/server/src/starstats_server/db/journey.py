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
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from starstats_core.events import EVENT_CLASSES
from starstats_core.events.base import BaseEvent
from starstats_core.journey import (
    Contract,
    Death,
    Fact,
    JourneyFold,
    Kill,
    Leg,
    Session,
    Stint,
    Stop,
    Trade,
    state,
)
from starstats_core.journey.fold import RELEVANT_TYPES
from starstats_server.db import journey_derived
from starstats_server.db.tables import (
    JOURNEY_TOTALS,
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


def event_of(event_type: str, payload: dict[str, Any]) -> BaseEvent | Bare:
    """The fold's view of a stored payload: a model for the types it reads (built without
    validating again: ingest validated it), else a `Bare` stand-in."""
    if event_type in RELEVANT_TYPES:
        cls = EVENT_CLASSES.get(event_type)
        if cls is not None:
            return cls.model_construct(**payload)
    return Bare(event_type, str(payload.get("timestamp", "")))


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _upsert(
    conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]], keep: Sequence[str]
) -> None:
    """Insert `rows`; where the primary key exists, update every column but `keep`."""
    if not rows:
        return
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    primary = [c.name for c in table.primary_key.columns]
    update = {
        name: insert.excluded[name] for name in rows[0] if name not in primary and name not in keep
    }
    conn.execute(insert.on_conflict_do_update(index_elements=primary, set_=update), rows)


# -- rows -----------------------------------------------------------------------------------
_REF_FIELD = {
    Stop.KIND: "place",
    Stint.KIND: "ship",
    Contract.KIND: "mission_id",
    Trade.KIND: "good",
    Leg.KIND: "destination",
    Death.KIND: "cause",
    Kill.KIND: "victim",
}


# Trades that count as money spent or earned (summary.fact_sums counts the same).
_COUNTED = frozenset({"confirmed", "submitted"})
# What journey_values sums, and the readable fields of each kind kept with the sums.
_LABELS: dict[str, tuple[str, ...]] = {
    Stop.KIND: ("name", "place_kind", "system"),
    Stint.KIND: ("name",),
    Trade.KIND: ("good_name", "market"),
    Death.KIND: (),
}


def _label(fact: Fact) -> str | None:
    fields = _LABELS.get(fact.KIND)
    if not fields:
        return None
    return json.dumps({name: getattr(fact, name, None) for name in fields}, sort_keys=True)


def _signed_amount(fact: Fact) -> float | None:
    if not isinstance(fact, Trade) or fact.status not in _COUNTED or not fact.total:
        return None
    return fact.total if fact.side == "sell" else -fact.total


def _fact_row(handle: str, fact: Fact, is_open: bool) -> dict[str, Any]:
    field = _REF_FIELD.get(fact.KIND)
    ref = None if field is None else getattr(fact, field, None)
    seconds = getattr(fact, "seconds", None)
    started = _moment(fact.started_at or fact.ended_at)
    return {
        "handle": handle,
        "session_id": fact.session_id,
        "n": fact.n,
        "kind": fact.KIND,
        # Never null, so facts page by it: a leg whose start the log does not give sorts by
        # its arrival.
        "started_at": started,
        "ended_at": None if is_open else _moment(fact.ended_at),
        "ref": None if ref is None else str(ref)[:200],
        "seconds": None if seconds is None else float(seconds),
        "amount": _signed_amount(fact),
        "day": None if started is None else started.astimezone(UTC).date(),
        "open": is_open,
        "data": fact.to_dict(),
    }


class _Value(NamedTuple):
    kind: str
    ref: str
    day: date


def _value_key(kind: str, ref: str | None, day: date | None, amount: float | None) -> _Value | None:
    """Where a closed fact's row counts in journey_values (None: nowhere)."""
    if kind not in _LABELS or ref is None or day is None:
        return None
    if kind == Trade.KIND:
        if amount is None:
            return None
        ref = ("sell:" if amount > 0 else "buy:") + ref
    return _Value(kind, ref, day)


def _add_values(
    sums: dict[_Value, list[Any]], key: _Value | None, seconds: float | None,
    amount: float | None, *, label: str | None = None, sign: int = 1,
) -> None:  # fmt: skip
    if key is None:
        return
    entry = sums.setdefault(key, [0, 0.0, 0.0, label])
    entry[0] += sign
    entry[1] += sign * (seconds or 0.0)
    entry[2] += sign * abs(amount or 0.0)
    entry[3] = entry[3] or label


def _write_values(conn: sa.Connection, handle: str, sums: dict[_Value, list[Any]]) -> None:
    """Add `sums` into journey_values (subtractions included), dropping emptied rows."""
    rows = [
        {"handle": handle, "kind": k.kind, "ref": k.ref[:250], "day": k.day, "count": v[0],
         "seconds": v[1], "amount": v[2], "label": v[3]}
        for k, v in sums.items()
        if v[0] or v[1] or v[2]
    ]  # fmt: skip
    if not rows:
        return
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(
        journey_values
    )
    c = journey_values.c
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[c.handle, c.kind, c.ref, c.day],
            set_={
                "count": c.count + insert.excluded.count,
                "seconds": c.seconds + insert.excluded.seconds,
                "amount": c.amount + insert.excluded.amount,
                "label": sa.func.coalesce(c.label, insert.excluded.label),
            },
        ),
        rows,
    )
    if any(v[0] < 0 for v in sums.values()):
        conn.execute(sa.delete(journey_values).where(c.handle == handle, c.count <= 0))
    journey_derived.add_sums(conn, handle, rows)


def _session_row(handle: str, session: Session, is_open: bool, start: Key | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "handle": handle,
        "session_id": session.session_id,
        "ended_at": _moment(session.ended_at),
        "open": is_open,
        "game_version": session.game_version,
        "data": session.to_dict(),
    }
    totals = session.totals
    for name in JOURNEY_TOTALS:
        value = totals.get(name)
        row[name] = value if value is not None or name in ("kills", "vehicle_kills") else 0
    if start is not None:
        row["start_at"], row["start_offset"], row["start_seq"] = start
    return row


class _Writer:
    """Writes a fold's facts for one handle; knows the order keys of session starts."""

    def __init__(self, conn: sa.Connection, handle: str) -> None:
        self.conn = conn
        self.handle = handle
        self.starts: dict[str, Key] = {}
        # Missions whose rows are made once at the end (a whole refold), not at each write.
        self.pending: set[str] | None = None

    def write(self, closed: Iterable[Fact], fold: JourneyFold | None = None) -> None:
        """Store `closed` (final) and, with `fold`, its open facts (snapshots that the next
        batch replaces): one statement per table."""
        fact_rows: list[dict[str, Any]] = []
        sums: dict[_Value, list[Any]] = {}
        new_sessions: list[dict[str, Any]] = []
        known_sessions: dict[str, dict[str, Any]] = {}
        batches = [(closed, False)]
        if fold is not None:
            batches.append((fold.open_facts(), True))
        for facts, is_open in batches:
            for fact in facts:
                if isinstance(fact, Session):
                    start = self.starts.get(fact.session_id)
                    row = _session_row(self.handle, fact, is_open, start)
                    if start is None:
                        known_sessions[fact.session_id] = row
                    else:
                        new_sessions.append(row)
                    continue
                row = _fact_row(self.handle, fact, is_open)
                fact_rows.append(row)
                if not is_open:
                    key = _value_key(row["kind"], row["ref"], row["day"], row["amount"])
                    _add_values(sums, key, row["seconds"], row["amount"], label=_label(fact))
        _write_values(self.conn, self.handle, sums)
        _upsert(self.conn, journey_sessions, new_sessions, ())
        if known_sessions:
            # Begun in an earlier batch: the row exists, and keeps the start stored then.
            c = journey_sessions.c
            rows = list(known_sessions.values())
            columns = [name for name in rows[0] if name not in ("handle", "session_id")]
            self.conn.execute(
                sa.update(journey_sessions)
                .where(
                    c.handle == sa.bindparam("b_handle"),
                    c.session_id == sa.bindparam("b_session_id"),
                )
                .values({name: sa.bindparam(f"b_{name}") for name in columns}),
                [{f"b_{k}": v for k, v in row.items()} for row in rows],
            )
        _upsert(self.conn, journey_facts, fact_rows, ())
        missions = {
            r["ref"] for r in fact_rows if r["kind"] == Contract.KIND and r["ref"] is not None
        }
        if self.pending is not None:
            self.pending |= missions
        else:
            journey_derived.merge_missions(self.conn, self.handle, missions)

    def save_state(self, fold: JourneyFold, last: Key) -> None:
        """Keep the fold after the event with key `last`, for the next batch."""
        text = json.dumps(state.dump(fold), separators=(",", ":"))
        row = {
            "handle": self.handle,
            "last_at": last[0],
            "last_offset": last[1],
            "last_seq": last[2],
            "state": text,
        }
        _upsert(self.conn, journey_state, [row], ())


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
    doomed = sa.select(c.session_id).where(*where)
    f = journey_facts.c
    gone: dict[_Value, list[Any]] = {}
    for kind, ref, day, seconds, amount in conn.execute(
        sa.select(f.kind, f.ref, f.day, f.seconds, f.amount).where(
            f.handle == handle,
            f.session_id.in_(doomed),
            f.kind.in_(sorted(_LABELS)),
            f.open.is_(False),
        )
    ):
        _add_values(gone, _value_key(kind, ref, day, amount), seconds, amount, sign=-1)
    _write_values(conn, handle, gone)
    missions = journey_derived.doomed_missions(conn, handle, doomed)
    conn.execute(
        sa.delete(journey_facts).where(
            journey_facts.c.handle == handle, journey_facts.c.session_id.in_(doomed)
        )
    )
    journey_derived.merge_missions(conn, handle, missions)
    conn.execute(sa.delete(journey_sessions).where(*where))


def _refold(conn: sa.Connection, handle: str, start: Key | None, last_new: Key | None) -> None:
    """Fold the stored events from `start` until a stored session is met again after
    `last_new` (None: to the end), replacing the sessions folded on the way."""
    writer = _Writer(conn, handle)
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
        return
    conn.execute(sa.delete(journey_state).where(journey_state.c.handle == handle))
    writer.write(closed, fold)
    if writer.pending:
        journey_derived.merge_missions(conn, handle, writer.pending)
    if last is not None:
        writer.save_state(fold, last)


def _session_exists(conn: sa.Connection, handle: str, session_id: str) -> bool:
    c = journey_sessions.c
    found = conn.execute(
        sa.select(c.session_id).where(c.handle == handle, c.session_id == session_id)
    ).first()
    return found is not None


def record_batch(conn: sa.Connection, handle: str, items: list[Item]) -> None:
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
    writer = _Writer(conn, handle)
    closed = fold.feed((item.event, item.ref) for item in items)
    # A session's id is its first event's reference: the sessions begun in this batch are
    # those whose id is one of its events.
    keys = {item.ref: item.key for item in items}
    for session_id in [f.session_id for f in closed if isinstance(f, Session)] + [
        fold.session_id or ""
    ]:
        if session_id in keys:
            writer.starts[session_id] = keys[session_id]
    writer.write(closed, fold)
    writer.save_state(fold, items[-1].key)


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
