"""Writing a fold's output for one handle (db/journey.py folds, ADR 0009): facts as
journey_facts rows, session rows, the per-day sums in journey_values (with journey_sums and
journey_missions, db/journey_derived.py), the fold's state, and the removal of sessions a
refold replaces.

The rows are queued in a `json_rows.Batch` (ADR 0010): on PostgreSQL a batch's values,
sums, sessions, facts and state go as one statement, each table's rows one JSON text; a
batch of 1,000 events closes ~200 facts. Times go as the log's own UTC text where they are
in its form, facts as `to_dict` makes them (`fact_dict`, cheaper).
"""

import dataclasses
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any, NamedTuple

import sqlalchemy as sa

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
from starstats_server.db import journey_derived, json_rows
from starstats_server.db.tables import (
    JOURNEY_TOTALS,
    journey_facts,
    journey_sessions,
    journey_state,
    journey_values,
)

Key = tuple[datetime, int, int]


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


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
LABELS: dict[str, tuple[str, ...]] = {
    Stop.KIND: ("name", "place_kind", "system"),
    Stint.KIND: ("name",),
    Trade.KIND: ("good_name", "market"),
    Death.KIND: (),
}


def _label(fact: Fact) -> str | None:
    fields = LABELS.get(fact.KIND)
    if not fields:
        return None
    return json.dumps({name: getattr(fact, name, None) for name in fields}, sort_keys=True)


def _signed_amount(fact: Fact) -> float | None:
    if not isinstance(fact, Trade) or fact.status not in _COUNTED or not fact.total:
        return None
    return fact.total if fact.side == "sell" else -fact.total


# Per kind whose `to_dict` is `Fact.to_dict`: its field names and one getter of them all
# (None for the kinds with their own: contracts and sessions).
_GETTERS: dict[type[Fact], tuple[tuple[str, ...], Any] | None] = {}


def _getter(cls: type[Fact]) -> tuple[tuple[str, ...], Any] | None:
    if cls not in _GETTERS:
        names = tuple(f.name for f in dataclasses.fields(cls))
        plain = cls.to_dict is Fact.to_dict
        _GETTERS[cls] = (names, attrgetter(*names)) if plain else None
    return _GETTERS[cls]


def fact_dict(fact: Fact) -> dict[str, Any]:
    """`fact.to_dict()`, the same keys and values, in a third of its time (it looks up the
    dataclass fields and copies every list on each call; ~200 facts a batch). The lists are
    the fact's own: the row is serialised before the fold touches the fact again."""
    found = _getter(type(fact))
    if found is None:
        return fact.to_dict()
    names, get = found
    out: dict[str, Any] = {"kind": fact.KIND}
    out.update(zip(names, get(fact), strict=True))
    return out


def _times(text: str | None, as_text: bool) -> tuple[Any, Any]:
    """A fact time and its UTC day as columns: datetime and date, or (`as_text`, for a JSON
    row) their ISO text; the log's own form `2026-05-02T21:14:23.189Z` is taken as it is
    (converting each time in json.dumps' `default` hook doubled the cost of a row)."""
    moment = _moment(text)
    if moment is None:
        return None, None
    if not as_text:
        return moment, moment.astimezone(UTC).date()
    if text and len(text) == 24 and text[23] == "Z":
        return text, text[:10]
    return moment.isoformat(), moment.astimezone(UTC).date().isoformat()


def _fact_row(handle: str, fact: Fact, is_open: bool, as_text: bool) -> dict[str, Any]:
    field = _REF_FIELD.get(fact.KIND)
    ref = None if field is None else getattr(fact, field, None)
    seconds = getattr(fact, "seconds", None)
    # Never null, so facts page by it: a leg whose start the log does not give sorts by its
    # arrival.
    started, day = _times(fact.started_at or fact.ended_at, as_text)
    return {
        "handle": handle,
        "session_id": fact.session_id,
        "n": fact.n,
        "kind": fact.KIND,
        "started_at": started,
        "ended_at": None if is_open else _times(fact.ended_at, as_text)[0],
        "ref": None if ref is None else str(ref)[:200],
        "seconds": None if seconds is None else float(seconds),
        "amount": _signed_amount(fact),
        "day": day,
        "open": is_open,
        "data": fact_dict(fact),
    }


class Value(NamedTuple):
    kind: str
    ref: str
    day: date | str  # ISO text in the rows of one PostgreSQL write (see `_times`)


def value_key(
    kind: str, ref: str | None, day: date | str | None, amount: float | None
) -> Value | None:
    """Where a closed fact's row counts in journey_values (None: nowhere)."""
    if kind not in LABELS or ref is None or day is None:
        return None
    if kind == Trade.KIND:
        if amount is None:
            return None
        ref = ("sell:" if amount > 0 else "buy:") + ref
    return Value(kind, ref, day)


def add_values(
    sums: dict[Value, list[Any]], key: Value | None, seconds: float | None,
    amount: float | None, *, label: str | None = None, sign: int = 1,
) -> None:  # fmt: skip
    if key is None:
        return
    entry = sums.setdefault(key, [0, 0.0, 0.0, label])
    entry[0] += sign
    entry[1] += sign * (seconds or 0.0)
    entry[2] += sign * abs(amount or 0.0)
    entry[3] = entry[3] or label


def write_values(batch: json_rows.Batch, handle: str, sums: dict[Value, list[Any]]) -> None:
    """Add `sums` into journey_values (subtractions included; queued in `batch`), dropping
    emptied rows."""
    rows = [
        {"handle": handle, "kind": k.kind, "ref": k.ref[:250], "day": k.day, "count": v[0],
         "seconds": v[1], "amount": v[2], "label": v[3]}
        for k, v in sums.items()
        if v[0] or v[1] or v[2]
    ]  # fmt: skip
    if not rows:
        return
    batch.upsert(journey_values, rows, journey_derived.ADDED)
    if any(v[0] < 0 for v in sums.values()):
        batch.flush()
        c = journey_values.c
        batch.conn.execute(sa.delete(journey_values).where(c.handle == handle, c.count <= 0))
    journey_derived.add_sums(batch, handle, rows)


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


class Writer:
    """Writes a fold's facts for one handle; knows the order keys of session starts."""

    def __init__(self, conn: sa.Connection, handle: str) -> None:
        self.conn = conn
        # What `write` and `save_state` store, sent by `flush` (PostgreSQL: one statement).
        self.batch = json_rows.Batch(conn)
        self.handle = handle
        self.starts: dict[str, Key] = {}
        # Missions whose rows are made once at the end (a whole refold), not at each write.
        self.pending: set[str] | None = None

    def write(
        self,
        closed: Iterable[Fact],
        fold: JourneyFold | None = None,
        stored: dict[tuple[str, int], dict[str, Any]] | None = None,
    ) -> None:
        """Store `closed` (final) and, with `fold`, its open facts (`queue`), and make the
        rows of the missions they have runs of again."""
        self.merge(self.queue(closed, fold, stored))

    def queue(
        self,
        closed: Iterable[Fact],
        fold: JourneyFold | None = None,
        stored: dict[tuple[str, int], dict[str, Any]] | None = None,
    ) -> set[str]:
        """Queue the rows of `closed` (final) and, with `fold`, of its open facts (snapshots
        that the next batch replaces) but those equal to their `stored` snapshot (`to_dict()`
        by session id and number: an open contract nothing happened to is neither written
        nor merged again); returns the missions with runs among them. CPU only on
        PostgreSQL (the rows are sent by `flush`)."""
        handle = self.handle
        fact_rows: list[dict[str, Any]] = []
        sums: dict[Value, list[Any]] = {}
        new_sessions: list[dict[str, Any]] = []
        known_sessions: dict[str, dict[str, Any]] = {}
        missions: set[str] = set()
        as_text = self.conn.dialect.name == "postgresql"
        batches = [(closed, False)]
        if fold is not None:
            batches.append((fold.open_facts(), True))
        for facts, is_open in batches:
            for fact in facts:
                if isinstance(fact, Session):
                    start = self.starts.get(fact.session_id)
                    row = _session_row(handle, fact, is_open, start)
                    if start is None:
                        known_sessions[fact.session_id] = row
                    else:
                        new_sessions.append(row)
                    continue
                row = _fact_row(handle, fact, is_open, as_text)
                if is_open and stored and stored.get((fact.session_id, fact.n)) == row["data"]:
                    continue
                fact_rows.append(row)
                kind = row["kind"]
                if kind == Contract.KIND and row["ref"] is not None:
                    missions.add(row["ref"])
                if not is_open and kind in LABELS:
                    key = value_key(kind, row["ref"], row["day"], row["amount"])
                    if key is not None and key not in sums:
                        # The label of a key's first fact is the one kept: made only then.
                        sums[key] = [0, 0.0, 0.0, _label(fact)]
                    add_values(sums, key, row["seconds"], row["amount"])
        batch = self.batch
        write_values(batch, handle, sums)
        batch.upsert(journey_sessions, new_sessions)
        # Begun in an earlier batch: the row exists, and keeps the start stored then.
        batch.update(journey_sessions, list(known_sessions.values()))
        batch.upsert(journey_facts, fact_rows)
        return missions

    def merge(self, missions: set[str]) -> None:
        """Send what is queued and make `missions`' rows again (in a whole refold: once, at
        the end)."""
        if self.pending is not None:
            self.pending |= missions
            self.batch.flush()
        else:
            journey_derived.merge_missions(self.batch, self.handle, missions)

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
        self.batch.upsert(journey_state, [row])

    def flush(self) -> None:
        """Send what `write` and `save_state` queued."""
        self.batch.flush()


def delete_sessions(conn: sa.Connection, handle: str, doomed: Any) -> None:
    """Remove the sessions `doomed` (a select of their ids) and their facts, taking their
    closed facts off the sums and merging their missions again."""
    f = journey_facts.c
    gone: dict[Value, list[Any]] = {}
    for kind, ref, day, seconds, amount in conn.execute(
        sa.select(f.kind, f.ref, f.day, f.seconds, f.amount).where(
            f.handle == handle,
            f.session_id.in_(doomed),
            f.kind.in_(sorted(LABELS)),
            f.open.is_(False),
        )
    ):
        add_values(gone, value_key(kind, ref, day, amount), seconds, amount, sign=-1)
    batch = json_rows.Batch(conn)
    write_values(batch, handle, gone)
    batch.flush()
    missions = journey_derived.doomed_missions(conn, handle, doomed)
    conn.execute(sa.delete(journey_facts).where(f.handle == handle, f.session_id.in_(doomed)))
    journey_derived.merge_missions(batch, handle, missions)
    batch.flush()
    c = journey_sessions.c
    conn.execute(sa.delete(journey_sessions).where(c.handle == handle, c.session_id.in_(doomed)))
