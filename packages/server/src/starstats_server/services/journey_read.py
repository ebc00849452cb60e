"""What the journey reads share (services/journey.py, journey_lists.py): their connection,
the page asked for, opaque keyset cursors, windows, summed session totals, pages of facts
newest first, and the sums per grouping key (journey_sums without a window, journey_values
per day with one).
"""

import base64
import binascii
import functools
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_core.journey import TOTAL_KEYS
from starstats_server.db.engine import reading
from starstats_server.db.tables import (
    JOURNEY_TOTALS,
    journey_facts,
    journey_sessions,
    journey_sums,
    journey_values,
)
from starstats_server.db.types import Json, UtcDateTime
from starstats_server.errors import BadRequest
from starstats_server.state import AppState

# Groups (places, ships, goods) listed at most, the most time or aUEC first.
MAX_GROUPS = 100
COMBAT_NOTE = (
    "Star Citizen stopped writing kill lines in 4.4: kills are known only for sessions of "
    "3.24-4.3, and are null (not logged), never zero, otherwise."
)

# The connection `one_connection` lends to the reads made inside it (a glance's parts).
_lent: ContextVar[AsyncConnection | None] = ContextVar("journey_connection", default=None)


@asynccontextmanager
async def connection(state: AppState) -> AsyncIterator[AsyncConnection]:
    """A read's connection: the one lent by `one_connection` around it, else one from the
    pool for this read alone."""
    lent = _lent.get()
    if lent is not None:
        yield lent
        return
    async with reading(state.engine) as conn:
        yield conn


@asynccontextmanager
async def one_connection(state: AppState) -> AsyncIterator[None]:
    """Reads inside share one connection, one after another: a pool checkout with its ping
    costs about as much as most of a glance's queries."""
    async with reading(state.engine) as conn:
        token = _lent.set(conn)
        try:
            yield
        finally:
            _lent.reset(token)


@dataclass(frozen=True)
class Page:
    """What a list read asks for (`limit` 0: no list, the sums alone; the API asks 1..500)."""

    limit: int = 20
    cursor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


# -- cursors --------------------------------------------------------------------------------
def encode(*parts: object) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, count: int) -> list[str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("invalid_cursor", "cursor is not one this API gave") from None
    parts = text.split("\x1f")
    if len(parts) != count:
        raise BadRequest("invalid_cursor", "cursor is not one this API gave")
    return parts


def cursor_value(at: datetime, text: str, n: int | None = None) -> Any:
    """A cursor as a SQL row value typed like its columns (a bare datetime would be bound
    without zone: PostgreSQL would compare it in the session's zone)."""
    parts = [sa.literal(at, UtcDateTime()), sa.literal(text, sa.Text())]
    if n is not None:
        parts.append(sa.literal(n, sa.Integer()))
    return sa.tuple_(*parts)


def time_cursor(cursor: str) -> Any:
    """A `(time, text)` cursor (sessions, contracts) as a SQL row value."""
    return cursor_value(*time_cursor_values(cursor))


def time_cursor_values(cursor: str) -> tuple[datetime, str]:
    """A `(time, text)` cursor's values."""
    at, text = decode(cursor, 2)
    try:
        return datetime.fromisoformat(at), text
    except ValueError:
        raise BadRequest("invalid_cursor", "cursor is not one this API gave") from None


def _fact_cursor(cursor: str) -> tuple[datetime, str, int]:
    at, session_id, n = decode(cursor, 3)
    try:
        return datetime.fromisoformat(at).astimezone(UTC), session_id, int(n)
    except ValueError:
        raise BadRequest("invalid_cursor", "cursor is not one this API gave") from None


# -- windows and totals -------------------------------------------------------------------------
def in_window(column: Any, since: Any, until: Any) -> list[Any]:
    """`column` in [since, until): either bound may be None (open), a datetime or a bound
    parameter."""
    where = []
    if since is not None:
        where.append(column >= since)
    if until is not None:
        where.append(column < until)
    return where


def _total_columns() -> list[Any]:
    """The session count and summed totals of the sessions selected."""
    c = journey_sessions.c
    return [sa.func.count(), *(sa.func.sum(getattr(c, name)) for name in JOURNEY_TOTALS)]


def _totals_of(row: Sequence[Any]) -> dict[str, Any] | None:
    """Totals from a count and the JOURNEY_TOTALS sums; None when no session counted."""
    if not row[0]:
        return None
    totals: dict[str, Any] = {"sessions": int(row[0])}
    for name, value in zip(JOURNEY_TOTALS, row[1:], strict=True):
        if value is None:
            totals[name] = None if name in ("kills", "vehicle_kills") else 0
        elif isinstance(value, float) and name.endswith("seconds"):
            totals[name] = round(value, 3)
        elif name.startswith("trade_"):
            totals[name] = round(float(value), 2)
        else:
            totals[name] = int(value)
    totals["trade_profit"] = round(totals["trade_earned"] - totals["trade_spent"], 2)
    return {key: totals[key] for key in TOTAL_KEYS}


def _added(rows: Sequence[Sequence[Any]]) -> list[Any]:
    """Rows of sums added up column by column (a NULL sum adds nothing; all NULL stays
    NULL: kills not logged)."""
    width = 1 + len(JOURNEY_TOTALS)
    added: list[Any] = []
    for n in range(width):
        values = [row[n] for row in rows if row[n] is not None]
        added.append(sum(values) if values else None)
    return added


# The bucket of a session in an overview with a window: in it, in the one before, older.
_WINDOW, _PREVIOUS, _OLDER = 1, 2, 0


async def windows_totals(
    conn: AsyncConnection,
    handle: str,
    since: datetime | None,
    previous: datetime | None,
    subqueries: Callable[[Any], list[Any]] | None = None,
) -> tuple[dict[str, dict[str, Any] | None], Sequence[Any]]:
    """The totals of the whole history (`lifetime`), of the sessions started since `since`
    (`window`) and of those started in [previous, since) (`previous`) in one query, with
    `subqueries(handle)`'s scalar subqueries (given the handle as a bound parameter) read in
    the same round trip; returns the totals (None where no session counted) and the
    subqueries' values. One scan, the sessions grouped by which window they started in and
    the lifetime added up from the groups: sixty CASE aggregates (one set per window) cost
    2.5 times as much in PostgreSQL."""
    params: dict[str, Any] = {"handle": handle}
    if since is not None:
        params["since"] = since
        params["previous"] = previous if previous is not None else since
    rows = (await conn.execute(_windows_statement(since is not None, subqueries), params)).all()
    width = 1 + len(JOURNEY_TOTALS)
    groups = {row[0]: row[1 : 1 + width] for row in rows}
    found = {
        "lifetime": _totals_of(_added([groups[key] for key in sorted(groups)])) if groups else None,
        "window": _totals_of(groups[_WINDOW]) if _WINDOW in groups else None,
        "previous": _totals_of(groups[_PREVIOUS]) if _PREVIOUS in groups else None,
    }
    return found, (rows[0][1 + width :] if rows else ())


@functools.lru_cache(maxsize=8)
def _windows_statement(windowed: bool, subqueries: Callable[[Any], list[Any]] | None) -> Any:
    """The statement of `windows_totals` (with a window or not), with bound parameters for
    the handle and the bounds: built once, as building it took ~2 ms per request."""
    c = journey_sessions.c
    handle = sa.bindparam("handle", type_=sa.Text)
    if windowed:
        since = sa.bindparam("since", type_=UtcDateTime)
        previous = sa.bindparam("previous", type_=UtcDateTime)
        bucket: Any = sa.case(
            (c.start_at >= since, _WINDOW), (c.start_at >= previous, _PREVIOUS), else_=_OLDER
        )
    else:
        bucket = sa.literal(_OLDER, sa.Integer)
    more = subqueries(handle) if subqueries else []
    query = sa.select(bucket.label("bucket"), *_total_columns(), *more).where(c.handle == handle)
    # By the output column's name: the CASE repeated would bind its bounds again, and
    # PostgreSQL would not know the two expressions for one.
    return query.group_by(sa.literal_column("bucket")) if windowed else query


async def window_totals(
    conn: AsyncConnection, handle: str, since: datetime | None, until: datetime | None
) -> dict[str, Any] | None:
    """The summed totals of the sessions that started in [since, until); None when none."""
    c = journey_sessions.c
    query = sa.select(*_total_columns()).where(
        c.handle == handle, *in_window(c.start_at, since, until)
    )
    return _totals_of((await conn.execute(query)).one())


def empty_totals() -> dict[str, Any]:
    """Totals of no session at all."""
    totals: dict[str, Any] = dict.fromkeys(TOTAL_KEYS, 0)
    totals["kills"] = totals["vehicle_kills"] = None
    return totals


# -- pages of facts -------------------------------------------------------------------------------
async def fact_page(
    conn: AsyncConnection, handle: str, kinds: tuple[str, ...], page: Page
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of facts of `kinds`, newest first. One index-ordered query per kind, merged:
    one query over several kinds would sort every fact of them for each page. A page of
    `limit` 0 (the sums alone, as a glance asks) is empty without a query."""
    if page.limit == 0:
        return [], None
    f = journey_facts.c
    rows: list[Any] = []
    for kind in kinds:
        query = sa.select(f.started_at, f.session_id, f.n, f.data).where(
            f.handle == handle,
            f.kind == kind,
            f.started_at.is_not(None),
            *in_window(f.started_at, page.since, page.until),
        )
        if page.cursor is not None:
            query = query.where(
                sa.tuple_(f.started_at, f.session_id, f.n)
                < cursor_value(*_fact_cursor(page.cursor))
            )
        order = (f.started_at.desc(), f.session_id.desc(), f.n.desc())
        rows += (await conn.execute(query.order_by(*order).limit(page.limit + 1))).all()
    rows.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    cursor = None
    if more and rows:
        last = rows[-1]
        cursor = encode(last[0].isoformat(), last[1], last[2])
    return [dict(r[3]) for r in rows], cursor


def window_params(page: Page) -> tuple[tuple[bool, bool], dict[str, Any]]:
    """A window's shape (which bounds it has) and its bounds as the parameters of a cached
    statement: `since`/`until` as given, and `first_day`/`end_day` for the per-day tables
    (the window widened to the whole UTC days it touches)."""
    params: dict[str, Any] = {}
    if page.since is not None:
        params["since"] = page.since
        params["first_day"] = page.since.astimezone(UTC).date()
    if page.until is not None:
        until = page.until.astimezone(UTC)
        params["until"] = until
        params["end_day"] = (
            until.date() if until.time() == time(0) else until.date() + timedelta(days=1)
        )
    return (page.since is not None, page.until is not None), params


def window_bounds(shape: tuple[bool, bool], column: Any, *, days: bool = False) -> list[Any]:
    """`column` in the window of this shape, as bound parameters (`window_params`'); with
    `days`, a date column in its whole UTC days."""
    has_since, has_until = shape
    low, high = ("first_day", "end_day") if days else ("since", "until")
    kind: Any = sa.Date if days else UtcDateTime
    return in_window(
        column,
        sa.bindparam(low, type_=kind) if has_since else None,
        sa.bindparam(high, type_=kind) if has_until else None,
    )


@dataclass
class _Sum:
    ref: str
    count: int = 0
    seconds: float = 0.0
    amount: float = 0.0
    last_day: date | None = None
    # The readable fields: JSON text as stored until `labels()` reads it (trades list 100 of
    # its hundreds of goods: the rest are never decoded), or an open fact's dict.
    label: str | dict[str, Any] | None = None

    def labels(self) -> dict[str, Any]:
        if isinstance(self.label, str):
            self.label = json.loads(self.label)
        return self.label if isinstance(self.label, dict) else {}


async def key_sums(conn: AsyncConnection, handle: str, kind: str, page: Page) -> list[_Sum]:
    """Per grouping key of one kind: count, seconds, amount and newest day over the window
    (closed facts: journey_sums for all time, else journey_values' days), plus the
    still-open facts' snapshots. One statement (the two as one UNION ALL, each part's
    columns padded with typed NULLs): a glance reads four of these, and each round trip to
    the database cost as much as its query."""
    shape, params = window_params(page)
    statement = _key_sums_statement(shape)
    rows = (await conn.execute(statement, {"handle": handle, "kind": kind, **params})).all()
    found: dict[str, _Sum] = {}
    opened = []
    for ref, count, seconds, amount, last_day, label, is_open, started, data in rows:
        if is_open:
            opened.append((ref, started, seconds, data))
        else:
            found[ref] = _Sum(ref, int(count), float(seconds), float(amount), last_day, label)
    # The open facts after every closed sum, whatever order the rows came in.
    for ref, started, seconds, data in opened:
        entry = found.setdefault(ref, _Sum(ref, label=dict(data)))
        entry.count += 1
        entry.seconds += float(seconds or 0.0)
        day = started.astimezone(UTC).date()
        entry.last_day = day if entry.last_day is None else max(entry.last_day, day)
    return list(found.values())


@functools.lru_cache(maxsize=8)
def _key_sums_statement(shape: tuple[bool, bool]) -> Any:
    """`key_sums`' statement for a window of this shape, with bound parameters: built once
    (building one and its cache key cost ~1 ms, a glance reads four)."""
    handle, kind = sa.bindparam("handle", type_=sa.Text), sa.bindparam("kind", type_=sa.Text)
    if shape == (False, False):
        # All time: the per-key row kept beside the per-day ones.
        t = journey_sums.c
        closed = sa.select(t.ref, t.count, t.seconds, t.amount, t.last_day, t.label).where(
            t.handle == handle, t.kind == kind
        )
    else:
        v = journey_values.c
        closed = (
            sa.select(
                v.ref, sa.func.sum(v.count), sa.func.sum(v.seconds), sa.func.sum(v.amount),
                sa.func.max(v.day), sa.func.max(v.label),
            )
            .where(v.handle == handle, v.kind == kind, *window_bounds(shape, v.day, days=True))
            .group_by(v.ref)
        )  # fmt: skip
    f = journey_facts.c
    closed = closed.add_columns(
        sa.literal(False).label("open"),
        sa.cast(sa.null(), UtcDateTime).label("started"),
        sa.cast(sa.null(), Json).label("data"),
    )
    still_open = sa.select(
        f.ref, sa.literal(1, sa.BigInteger), f.seconds, sa.literal(0.0, sa.Float),
        sa.cast(sa.null(), sa.Date), sa.cast(sa.null(), sa.Text), sa.literal(True), f.started_at,
        f.data,
    ).where(
        f.handle == handle, f.open.is_(True), f.kind == kind, f.ref.is_not(None),
        *window_bounds(shape, f.started_at),
    )  # fmt: skip
    return sa.union_all(closed, still_open)


def by_seconds(sums: list[_Sum], limit: int) -> list[_Sum]:
    return sorted(sums, key=lambda s: (-s.seconds, s.ref))[:limit]
