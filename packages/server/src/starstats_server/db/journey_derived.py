"""The journey rows derived from other journey rows, kept in the same transaction as them so
the reads without a window touch a few rows (db/journey.py and journey_write.py call these;
rebuild gives the same rows, tested):

- `journey_sums`: `journey_values` summed over all days per (kind, ref), with the newest day;
- `journey_missions`: per contract mission id, the start of its first run and its runs merged
  across sessions (what `/contracts` lists).

`journey_sums` takes the additions and subtractions `journey_values` takes; a mission's row
is made again from its stored runs whenever one is written or deleted. So a refold that
replaces some sessions leaves both as a rebuild would make them.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from starstats_core.journey import Contract
from starstats_core.journey.state import fact_from_dict
from starstats_core.journey.summary import merge_contracts
from starstats_server.db import json_rows
from starstats_server.db.tables import journey_facts, journey_missions, journey_sums, journey_values

# Keys per statement when a list of them goes into an IN (...): well under both databases'
# limits on bound parameters.
_CHUNK = 500


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


# What adding rows to journey_values (and journey_sums) sets: the sums, the first label.
ADDED = {
    "count": '{t}."count" + excluded."count"',
    "seconds": '{t}."seconds" + excluded."seconds"',
    "amount": '{t}."amount" + excluded."amount"',
    "label": 'coalesce({t}."label", excluded."label")',
}
# And in journey_sums the later of the two last days (CASE: SQLite has no greatest()).
_SUMMED = {
    **ADDED,
    "last_day": 'CASE WHEN excluded."last_day" > {t}."last_day" THEN excluded."last_day"'
    ' ELSE {t}."last_day" END',
}


def add_sums(batch: json_rows.Batch, handle: str, rows: Iterable[dict[str, Any]]) -> None:
    """Add the journey_values rows just added (`rows`: kind, ref, day, count, seconds, amount,
    label; subtractions negative) into journey_sums (queued in `batch`)."""
    totals: dict[tuple[str, str], list[Any]] = {}
    shrunk: set[tuple[str, str]] = set()
    for row in rows:
        key = (row["kind"], row["ref"])
        entry = totals.setdefault(key, [0, 0.0, 0.0, row["day"], None])
        entry[0] += row["count"]
        entry[1] += row["seconds"]
        entry[2] += row["amount"]
        entry[3] = max(entry[3], row["day"])
        entry[4] = entry[4] or row["label"]
        if row["count"] < 0:
            shrunk.add(key)
    if not totals:
        return
    summed = [
        {"handle": handle, "kind": kind, "ref": ref, "count": v[0], "seconds": v[1],
         "amount": v[2], "last_day": v[3], "label": v[4]}
        for (kind, ref), v in totals.items()
    ]  # fmt: skip
    batch.upsert(journey_sums, summed, _SUMMED)
    if shrunk:
        batch.flush()
        _after_subtraction(batch.conn, handle, sorted(shrunk))


def _after_subtraction(conn: sa.Connection, handle: str, keys: list[tuple[str, str]]) -> None:
    """Drop the emptied keys and take each shrunk key's newest day again from the days left
    (called after journey_values dropped its emptied rows)."""
    c, v = journey_sums.c, journey_values.c
    conn.execute(sa.delete(journey_sums).where(c.handle == handle, c.count <= 0))
    newest = (
        sa.select(sa.func.max(v.day))
        .where(v.handle == c.handle, v.kind == c.kind, v.ref == c.ref)
        .scalar_subquery()
    )
    for part in _chunks(keys):
        conn.execute(
            sa.update(journey_sums)
            .where(c.handle == handle, sa.tuple_(c.kind, c.ref).in_(list(part)))
            .values(last_day=newest)
        )


def doomed_missions(conn: sa.Connection, handle: str, sessions: Any) -> list[str]:
    """The missions with a run in `sessions` (a select of session ids), before they go."""
    f = journey_facts.c
    return sorted(
        conn.execute(
            sa.select(f.ref)
            .distinct()
            .where(
                f.handle == handle,
                f.session_id.in_(sessions),
                f.kind == "contract",
                f.ref.is_not(None),
            )
        ).scalars()
    )


def merge_missions(batch: json_rows.Batch, handle: str, missions: Iterable[str]) -> None:
    """Make `missions`' rows again from their stored runs (after runs of them were written or
    deleted; `batch` is sent first and the rows queued in it): the first run's start, and the
    runs merged as core merges them (JSON text, so the API answers the same bytes as merging
    at read time); no run left, no row."""
    wanted = sorted(missions)
    if not wanted:
        return
    batch.flush()
    conn = batch.conn
    c, f = journey_missions.c, journey_facts.c
    for part in _chunks(wanted):
        first: dict[str, datetime] = {}
        runs: list[Contract] = []
        for ref, at, data in conn.execute(
            sa.select(f.ref, f.started_at, f.data)
            # The kind as a literal: the partial index of contract runs (0009) serves it.
            .where(
                f.handle == handle,
                f.kind == sa.literal_column("'contract'"),
                _one_of(conn, f.ref, part),
            )
            .order_by(f.ref, f.started_at, f.session_id, f.n)
        ):
            if at is not None:
                first[ref] = min(at, first.get(ref, at))
            run = fact_from_dict(dict(data))
            if isinstance(run, Contract):
                runs.append(run)
        merged = {m["mission_id"]: m for m in merge_contracts(runs)}
        batch.upsert(
            journey_missions,
            [
                {"handle": handle, "mission_id": ref, "first_at": at,
                 "data": None if (one := merged.get(ref)) is None else json.dumps(one),
                 "contract_kind": None if one is None else one["contract_kind"],
                 "outcome": None if one is None else one["outcome"]}
                for ref, at in first.items()
            ],
        )  # fmt: skip
        gone = [ref for ref in part if ref not in first]
        if gone:
            batch.flush()
            conn.execute(
                sa.delete(journey_missions).where(c.handle == handle, c.mission_id.in_(gone))
            )


def _one_of(conn: sa.Connection, column: Any, values: Sequence[str]) -> Any:
    """`column` is one of `values`: on PostgreSQL one array parameter (one prepared statement
    whatever the count), elsewhere IN (...)."""
    if conn.dialect.name == "postgresql":
        return column == sa.any_(
            sa.bindparam("one_of", list(values), type_=postgresql.ARRAY(sa.Text))
        )
    return column.in_(list(values))
