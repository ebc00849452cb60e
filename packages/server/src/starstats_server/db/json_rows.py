"""Many rows in few statements: on PostgreSQL each list of rows goes as one JSON text that
`jsonb_to_recordset` expands, typed as the table's columns, and the writes queued in a
`Batch` go to the server as one statement (one data-modifying CTE each); SQLite takes the
rows through executemany, one statement at a time.

The journey writes ~200 rows of a dozen columns per batch of 1,000 events into five tables:
binding every value on its own (SQLAlchemy's bind processing, asyncpg's encoders, a JSON
dump per JSON column) and a round trip per table cost the server more CPU than the fold.
"""

import json
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

# Only to spell the columns' types; SQLAlchemy's dialect classes are not annotated.
_PG = postgresql.dialect()  # type: ignore[no-untyped-call]


def _json_value(value: object) -> str:
    """Dates and times in a row, in the form PostgreSQL reads back exactly."""
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} in a row")


def rows_json(rows: Sequence[Mapping[str, Any]]) -> str:
    # Rows built here hold no cycles: the check would cost ~15 % of the dump.
    return json.dumps(rows, default=_json_value, separators=(",", ":"), check_circular=False)


@cache
def _from_rows(table: sa.Table, names: tuple[str, ...]) -> str:
    """`SELECT names FROM` the JSON array `{rows}`, each field typed as `table`'s column."""
    typed = ", ".join(f'"{n}" {table.c[n].type.compile(dialect=_PG)}' for n in names)
    listed = ", ".join(f'"{n}"' for n in names)
    # Names of our own tables' columns only; every value goes in the rows parameter.
    return f"SELECT {listed} FROM jsonb_to_recordset(CAST({{rows}} AS jsonb)) AS r({typed})"  # noqa: S608  # nosec B608


@cache
def _insert_sql(table: sa.Table, names: tuple[str, ...], sets: tuple[tuple[str, str], ...]) -> str:
    listed = ", ".join(f'"{n}"' for n in names)
    key = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
    update = ", ".join(f'"{n}" = {e}' for n, e in sets)
    # As above: our own table and column names; the values are in the rows parameter.
    return (
        f"INSERT INTO {table.name} ({listed}) {_from_rows(table, names)}"  # nosec B608
        f" ON CONFLICT ({key}) DO UPDATE SET {update}"
    )


@cache
def _update_sql(table: sa.Table, names: tuple[str, ...]) -> str:
    key = [c.name for c in table.primary_key.columns]
    sets = ", ".join(f'"{n}" = r."{n}"' for n in names if n not in key)
    match = " AND ".join(f'{table.name}."{n}" = r."{n}"' for n in key)
    rows = _from_rows(table, names)
    return f"UPDATE {table.name} SET {sets} FROM ({rows}) AS r WHERE {match}"  # noqa: S608  # nosec B608 - as above


@cache
def _statement(parts: tuple[str, ...]) -> Any:
    """The parts as one statement, the i-th part's rows in the parameter `:r<i>`."""
    named = [part.replace("{rows}", f":r{i}") for i, part in enumerate(parts)]
    sql = (
        named[0]
        if len(named) == 1
        else (
            "WITH " + ", ".join(f"w{i} AS ({part})" for i, part in enumerate(named)) + " SELECT 1"
        )
    )
    return sa.text(sql).bindparams(
        *(sa.bindparam(f"r{i}", type_=sa.Text) for i in range(len(parts)))
    )


class Batch:
    """Writes queued on one connection: on PostgreSQL sent together by `flush` (call it
    before anything that reads what they write); on SQLite each runs at once."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self._pg = conn.dialect.name == "postgresql"
        self._parts: list[str] = []
        self._rows: list[str] = []

    def upsert(
        self,
        table: sa.Table,
        rows: Sequence[Mapping[str, Any]],
        update: Mapping[str, str] | None = None,
    ) -> None:
        """Insert `rows` (every row with the same keys); where the primary key is stored
        already, set each column of `update` to its SQL expression, `{t}` naming the stored
        row and `excluded` the new one (None: every column but the key takes the new value).
        """
        if not rows:
            return
        primary = {c.name for c in table.primary_key.columns}
        if update is None:
            update = {n: f'excluded."{n}"' for n in rows[0] if n not in primary}
        sets = {n: e.replace("{t}", table.name) for n, e in update.items()}
        if self._pg:
            self._parts.append(_insert_sql(table, tuple(rows[0]), tuple(sets.items())))
            self._rows.append(rows_json(rows))
            return
        insert = sqlite.insert(table)
        self.conn.execute(
            insert.on_conflict_do_update(
                index_elements=sorted(primary), set_={n: sa.text(e) for n, e in sets.items()}
            ),
            list(rows),
        )

    def update(self, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """Update the stored rows with `rows`' primary keys to `rows`' other columns."""
        if not rows:
            return
        if self._pg:
            self._parts.append(_update_sql(table, tuple(rows[0])))
            self._rows.append(rows_json(rows))
            return
        key = [c.name for c in table.primary_key.columns]
        self.conn.execute(
            sa.update(table)
            .where(*(table.c[n] == sa.bindparam(f"b_{n}") for n in key))
            .values({n: sa.bindparam(f"b_{n}") for n in rows[0] if n not in key}),
            [{f"b_{k}": v for k, v in row.items()} for row in rows],
        )

    def flush(self) -> None:
        """Send the queued writes (PostgreSQL: one statement)."""
        if not self._parts:
            return
        statement = _statement(tuple(self._parts))
        params = {f"r{i}": text for i, text in enumerate(self._rows)}
        self._parts, self._rows = [], []
        self.conn.execute(statement, params)
