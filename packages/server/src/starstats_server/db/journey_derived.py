"""The journey rows derived from other journey rows, kept in the same transaction as them so
the reads without a window touch a few rows (db/journey.py calls these; rebuild gives the
same rows, tested):

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
from sqlalchemy.dialects import postgresql, sqlite

from starstats_core.journey import Contract
from starstats_core.journey.state import fact_from_dict
from starstats_core.journey.summary import merge_contracts
from starstats_server.db.tables import journey_facts, journey_missions, journey_sums, journey_values

# Keys per statement when a list of them goes into an IN (...): well under both databases'
# limits on bound parameters.
_CHUNK = 500


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _later(old: Any, new: Any) -> Any:
    """The later of two non-null values, in SQL both databases run (no greatest() in SQLite)."""
    return sa.case((new > old, new), else_=old)


def add_sums(conn: sa.Connection, handle: str, rows: Iterable[dict[str, Any]]) -> None:
    """Add the journey_values rows just added (`rows`: kind, ref, day, count, seconds, amount,
    label; subtractions negative) into journey_sums."""
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
    insert = _insert(conn, journey_sums)
    c = journey_sums.c
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[c.handle, c.kind, c.ref],
            set_={
                "count": c.count + insert.excluded.count,
                "seconds": c.seconds + insert.excluded.seconds,
                "amount": c.amount + insert.excluded.amount,
                "last_day": _later(c.last_day, insert.excluded.last_day),
                "label": sa.func.coalesce(c.label, insert.excluded.label),
            },
        ),
        [
            {"handle": handle, "kind": kind, "ref": ref, "count": v[0], "seconds": v[1],
             "amount": v[2], "last_day": v[3], "label": v[4]}
            for (kind, ref), v in totals.items()
        ],
    )  # fmt: skip
    if shrunk:
        _after_subtraction(conn, handle, sorted(shrunk))


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


def merge_missions(conn: sa.Connection, handle: str, missions: Iterable[str]) -> None:
    """Make `missions`' rows again from their stored runs (after runs of them were written or
    deleted): the first run's start, and the runs merged as core merges them (JSON text, so
    the API answers the same bytes as merging at read time); no run left, no row."""
    c, f = journey_missions.c, journey_facts.c
    for part in _chunks(sorted(missions)):
        first: dict[str, datetime] = {}
        runs: list[Contract] = []
        for ref, at, data in conn.execute(
            sa.select(f.ref, f.started_at, f.data)
            .where(f.handle == handle, f.kind == Contract.KIND, f.ref.in_(part))
            .order_by(f.ref, f.started_at, f.session_id, f.n)
        ):
            if at is not None:
                first[ref] = min(at, first.get(ref, at))
            run = fact_from_dict(dict(data))
            if isinstance(run, Contract):
                runs.append(run)
        merged = {m["mission_id"]: m for m in merge_contracts(runs)}
        conn.execute(sa.delete(journey_missions).where(c.handle == handle, c.mission_id.in_(part)))
        rows = [
            {"handle": handle, "mission_id": ref, "first_at": at,
             "data": None if ref not in merged else json.dumps(merged[ref])}
            for ref, at in first.items()
        ]  # fmt: skip
        if rows:
            conn.execute(sa.insert(journey_missions), rows)
