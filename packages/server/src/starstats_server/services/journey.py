"""A player's journey as stored at ingest (db/journey.py): the overview for a window and for
the whole history, sessions and their stories, places, legs, ships, lives, combat,
contracts, trades and records. Every read is scoped to one handle; lists are newest first in
keyset pages (`cursor`), and `since`/`until` bound a fact's start time.

Window totals add up the stored sessions that started in the window (a session counts in
the window it started in). Kills stay null when no session in the window logs them.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from starstats_core.journey import TOTAL_KEYS, Contract
from starstats_core.journey.state import fact_from_dict
from starstats_core.journey.summary import merge_contracts
from starstats_server.db import bulk
from starstats_server.db import journey as db_journey
from starstats_server.db.tables import (
    JOURNEY_TOTALS,
    events,
    journey_facts,
    journey_sessions,
    journey_values,
)
from starstats_server.db.types import UtcDateTime
from starstats_server.errors import BadRequest, NotFound
from starstats_server.state import AppState

MAX_DAYS = 3650
# Groups (places, ships, goods) listed at most, the most time or aUEC first.
MAX_GROUPS = 100
COMBAT_NOTE = (
    "Star Citizen stopped writing kill lines in 4.4: kills are known only for sessions of "
    "3.24-4.3, and are null (not logged), never zero, otherwise."
)


@dataclass(frozen=True)
class Page:
    """What a list read asks for."""

    limit: int = 20
    cursor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


# -- cursors --------------------------------------------------------------------------------
def _encode(*parts: object) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str, count: int) -> list[str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("invalid_cursor", "cursor is not one this API gave") from None
    parts = text.split("\x1f")
    if len(parts) != count:
        raise BadRequest("invalid_cursor", "cursor is not one this API gave")
    return parts


def _cursor_value(at: datetime, text: str, n: int | None = None) -> Any:
    """A cursor as a SQL row value typed like its columns (a bare datetime would be bound
    without zone: PostgreSQL would compare it in the session's zone)."""
    parts = [sa.literal(at, UtcDateTime()), sa.literal(text, sa.Text())]
    if n is not None:
        parts.append(sa.literal(n, sa.Integer()))
    return sa.tuple_(*parts)


def _fact_cursor(cursor: str) -> tuple[datetime, str, int]:
    at, session_id, n = _decode(cursor, 3)
    try:
        return datetime.fromisoformat(at).astimezone(UTC), session_id, int(n)
    except ValueError:
        raise BadRequest("invalid_cursor", "cursor is not one this API gave") from None


# -- windows and totals -------------------------------------------------------------------------
def _in_window(column: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    where = []
    if since is not None:
        where.append(column >= since)
    if until is not None:
        where.append(column < until)
    return where


async def _totals(
    conn: AsyncConnection, handle: str, since: datetime | None, until: datetime | None
) -> dict[str, Any] | None:
    """The summed totals of the sessions that started in [since, until); None when none."""
    c = journey_sessions.c
    query = sa.select(
        sa.func.count(), *(sa.func.sum(getattr(c, name)) for name in JOURNEY_TOTALS)
    ).where(c.handle == handle, *_in_window(c.start_at, since, until))
    row = (await conn.execute(query)).one()
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


def empty_totals() -> dict[str, Any]:
    """Totals of no session at all."""
    totals: dict[str, Any] = dict.fromkeys(TOTAL_KEYS, 0)
    totals["kills"] = totals["vehicle_kills"] = None
    return totals


async def overview(state: AppState, handle: str, days: int | None) -> dict[str, Any]:
    """Totals for the last `days` days (None: the whole history), the whole history, the
    window before (only when the player played in it), and where the player was last."""
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise BadRequest("invalid_days", f"days must be 1..{MAX_DAYS}")
    now = state.clock.now()
    since = None if days is None else now - timedelta(days=days)
    async with state.engine.connect() as conn:
        window = await _totals(conn, handle, since, None)
        lifetime = window if days is None else await _totals(conn, handle, None, None)
        previous = None
        if days is not None and since is not None:
            previous = await _totals(conn, handle, since - timedelta(days=days), since)
        last = await _last_seen(conn, handle)
    return {
        "days": days,
        "since": since,
        "until": now,
        "totals": window or empty_totals(),
        "lifetime": lifetime or empty_totals(),
        "previous": previous,
        "last_seen": last,
    }


async def _latest(conn: AsyncConnection, handle: str, kind: str) -> dict[str, Any] | None:
    f = journey_facts.c
    row = (
        await conn.execute(
            sa.select(f.data)
            .where(f.handle == handle, f.kind == kind)
            .order_by(f.started_at.desc(), f.session_id.desc(), f.n.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else dict(row[0])


async def _last_seen(conn: AsyncConnection, handle: str) -> dict[str, Any] | None:
    c = journey_sessions.c
    row = (
        await conn.execute(
            sa.select(c.data, c.open)
            .where(c.handle == handle)
            .order_by(c.start_at.desc(), c.start_offset.desc(), c.start_seq.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    session = dict(row[0])
    stop, stint = await _latest(conn, handle, "stop"), await _latest(conn, handle, "stint")
    return {
        "session_id": session["session_id"],
        "at": session["ended_at"],
        "session_open": bool(row[1]) and session["end"] != "quit",
        "place": None if stop is None else stop["place"],
        "place_name": None if stop is None else stop["name"],
        "ship": None if stint is None else stint["ship"],
        "ship_name": None if stint is None else stint["name"],
    }


# -- pages of facts -------------------------------------------------------------------------------
async def _fact_page(
    conn: AsyncConnection, handle: str, kinds: tuple[str, ...], page: Page
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of facts of `kinds`, newest first. One index-ordered query per kind, merged:
    one query over several kinds would sort every fact of them for each page."""
    f = journey_facts.c
    rows: list[Any] = []
    for kind in kinds:
        query = sa.select(f.started_at, f.session_id, f.n, f.data).where(
            f.handle == handle,
            f.kind == kind,
            f.started_at.is_not(None),
            *_in_window(f.started_at, page.since, page.until),
        )
        if page.cursor is not None:
            query = query.where(
                sa.tuple_(f.started_at, f.session_id, f.n)
                < _cursor_value(*_fact_cursor(page.cursor))
            )
        order = (f.started_at.desc(), f.session_id.desc(), f.n.desc())
        rows += (await conn.execute(query.order_by(*order).limit(page.limit + 1))).all()
    rows.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    cursor = None
    if more and rows:
        last = rows[-1]
        cursor = _encode(last[0].isoformat(), last[1], last[2])
    return [dict(r[3]) for r in rows], cursor


async def facts(state: AppState, handle: str, kinds: tuple[str, ...], page: Page) -> dict[str, Any]:
    """A page of one kind of fact (or several), newest first."""
    async with state.engine.connect() as conn:
        found, cursor = await _fact_page(conn, handle, kinds, page)
    return {"items": found, "next_cursor": cursor}


def _days(page: Page) -> list[Any]:
    """The window widened to the whole UTC days it touches (journey_values is per day)."""
    v = journey_values.c
    where = []
    if page.since is not None:
        where.append(v.day >= page.since.astimezone(UTC).date())
    if page.until is not None:
        until = page.until.astimezone(UTC)
        last = until.date() if until.time() == time(0) else until.date() + timedelta(days=1)
        where.append(v.day < last)
    return where


@dataclass
class _Sum:
    ref: str
    count: int = 0
    seconds: float = 0.0
    amount: float = 0.0
    last_day: date | None = None
    label: dict[str, Any] | None = None


async def _sums(conn: AsyncConnection, handle: str, kind: str, page: Page) -> list[_Sum]:
    """Per grouping key of one kind: count, seconds, amount and newest day over the window
    (journey_values: closed facts), plus the still-open facts' snapshots."""
    v = journey_values.c
    rows = (
        await conn.execute(
            sa.select(
                v.ref, sa.func.sum(v.count), sa.func.sum(v.seconds), sa.func.sum(v.amount),
                sa.func.max(v.day), sa.func.max(v.label),
            )
            .where(v.handle == handle, v.kind == kind, *_days(page))
            .group_by(v.ref)
        )
    ).all()  # fmt: skip
    found = {
        r[0]: _Sum(r[0], int(r[1]), float(r[2]), float(r[3]), r[4],
                   None if r[5] is None else json.loads(r[5]))
        for r in rows
    }  # fmt: skip
    f = journey_facts.c
    for ref, started, seconds, data in (
        await conn.execute(
            sa.select(f.ref, f.started_at, f.seconds, f.data).where(
                f.handle == handle, f.open.is_(True), f.kind == kind, f.ref.is_not(None),
                *_in_window(f.started_at, page.since, page.until),
            )
        )
    ).all():  # fmt: skip
        entry = found.setdefault(ref, _Sum(ref, label=dict(data)))
        entry.count += 1
        entry.seconds += float(seconds or 0.0)
        day = started.astimezone(UTC).date()
        entry.last_day = day if entry.last_day is None else max(entry.last_day, day)
    return list(found.values())


def _by_seconds(sums: list[_Sum], limit: int) -> list[_Sum]:
    return sorted(sums, key=lambda s: (-s.seconds, s.ref))[:limit]


async def places(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """Time and visits per place in the window (whole days), and a page of the trail."""
    async with state.engine.connect() as conn:
        sums = _by_seconds(await _sums(conn, handle, "stop", page), MAX_GROUPS)
        trail, cursor = await _fact_page(conn, handle, ("stop",), page)
    summary = []
    for entry in sums:
        label = entry.label or {}
        summary.append(
            {"place": entry.ref, "name": label.get("name") or entry.ref,
             "place_kind": label.get("place_kind"), "system": label.get("system"),
             "seconds": round(entry.seconds, 3), "visits": entry.count,
             "last_day": entry.last_day}
        )  # fmt: skip
    return {"places": summary, "stops": trail, "next_cursor": cursor}


async def ships(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """Time at the controls per ship in the window (whole days), and a page of the stints."""
    async with state.engine.connect() as conn:
        sums = _by_seconds(await _sums(conn, handle, "stint", page), MAX_GROUPS)
        stints, cursor = await _fact_page(conn, handle, ("stint",), page)
    summary = [
        {"ship": e.ref, "name": (e.label or {}).get("name") or e.ref,
         "seconds": round(e.seconds, 3), "stints": e.count, "last_day": e.last_day}
        for e in sums
    ]  # fmt: skip
    return {"ships": summary, "stints": stints, "next_cursor": cursor}


async def combat(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """Kills and deaths in the window with the combat totals, and a page of both."""
    async with state.engine.connect() as conn:
        totals = await _totals(conn, handle, page.since, page.until) or empty_totals()
        items, cursor = await _fact_page(conn, handle, ("kill", "death"), page)
        causes = await _sums(conn, handle, "death", page)
    return {
        "kills": totals["kills"],
        "vehicle_kills": totals["vehicle_kills"],
        "deaths": totals["deaths"],
        "kills_logged": totals["kills"] is not None,
        "note": COMBAT_NOTE,
        "deaths_by_cause": [
            {"cause": e.ref, "count": e.count}
            for e in sorted(causes, key=lambda e: (-e.count, e.ref))
        ],
        "items": items,
        "next_cursor": cursor,
    }


async def contracts(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """Contracts (one run per mission, merged across sessions, listed by the start of its
    first run) newest first, and the window's
    outcome counts with the completion rate (completed ÷ completed + failed + abandoned)."""
    f = journey_facts.c
    first = sa.func.min(f.started_at)
    query = (
        sa.select(first, f.ref)
        .where(
            f.handle == handle,
            f.kind == "contract",
            f.ref.is_not(None),
            *_in_window(f.started_at, page.since, page.until),
        )
        .group_by(f.ref)
    )
    if page.cursor is not None:
        at, ref = _decode(page.cursor, 2)
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise BadRequest("invalid_cursor", "cursor is not one this API gave") from None
        query = query.having(sa.tuple_(first, f.ref) < _cursor_value(moment, ref))
    async with state.engine.connect() as conn:
        rows = (
            await conn.execute(query.order_by(first.desc(), f.ref.desc()).limit(page.limit + 1))
        ).all()
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        parts: list[Any] = []
        if rows:
            wanted = [r[1] for r in rows]
            parts = list(
                (
                    await conn.execute(
                        sa.select(f.data).where(
                            f.handle == handle, f.kind == "contract", f.ref.in_(wanted)
                        )
                    )
                ).all()
            )
        totals = await _totals(conn, handle, page.since, page.until) or empty_totals()
    runs = [fact_from_dict(dict(p[0])) for p in parts]
    merged = {
        m["mission_id"]: m for m in merge_contracts(r for r in runs if isinstance(r, Contract))
    }
    items = [merged[r[1]] for r in rows if r[1] in merged]
    done = (
        totals["contracts_completed"] + totals["contracts_failed"] + totals["contracts_abandoned"]
    )
    cursor = _encode(rows[-1][0].isoformat(), rows[-1][1]) if more and rows else None
    return {
        "completed": totals["contracts_completed"],
        "failed": totals["contracts_failed"],
        "abandoned": totals["contracts_abandoned"],
        "accepted": totals["contracts_accepted"],
        "completion_rate": None if not done else round(totals["contracts_completed"] / done, 4),
        "items": items,
        "next_cursor": cursor,
    }


async def trades(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """Spent, earned and profit in the window (whole days), per good (the `MAX_GROUPS` with
    the most aUEC), and a page of the trades."""
    async with state.engine.connect() as conn:
        sums = await _sums(conn, handle, "trade", page)
        items, cursor = await _fact_page(conn, handle, ("trade",), page)
    goods: dict[str, dict[str, Any]] = {}
    for entry in sums:
        side, _, good = entry.ref.partition(":")
        label = entry.label or {}
        row = goods.setdefault(good, {"good": good or None,
                                      "good_name": label.get("good_name") or "unknown",
                                      "market": label.get("market"), "spent": 0.0,
                                      "earned": 0.0, "buys": 0, "sells": 0})  # fmt: skip
        if side == "buy":
            row["spent"] += entry.amount
            row["buys"] += entry.count
        else:
            row["earned"] += entry.amount
            row["sells"] += entry.count
    for row in goods.values():
        row["spent"], row["earned"] = round(row["spent"], 2), round(row["earned"], 2)
        row["profit"] = round(row["earned"] - row["spent"], 2)
    spent = round(sum(g["spent"] for g in goods.values()), 2)
    earned = round(sum(g["earned"] for g in goods.values()), 2)
    ranked = sorted(goods.values(), key=lambda g: (-(g["spent"] + g["earned"]), g["good"] or ""))
    return {
        "spent": spent,
        "earned": earned,
        "profit": round(earned - spent, 2),
        "goods": len(ranked),
        "by_good": ranked[:MAX_GROUPS],
        "items": items,
        "next_cursor": cursor,
    }


async def sessions_page(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """A page of sessions (each with its totals), newest first."""
    c = journey_sessions.c
    key = sa.tuple_(c.start_at, c.session_id)
    query = sa.select(c.start_at, c.session_id, c.data).where(
        c.handle == handle, *_in_window(c.start_at, page.since, page.until)
    )
    if page.cursor is not None:
        at, session_id = _decode(page.cursor, 2)
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise BadRequest("invalid_cursor", "cursor is not one this API gave") from None
        query = query.where(key < _cursor_value(moment, session_id))
    async with state.engine.connect() as conn:
        rows = (
            await conn.execute(
                query.order_by(c.start_at.desc(), c.session_id.desc()).limit(page.limit + 1)
            )
        ).all()
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    cursor = _encode(rows[-1][0].isoformat(), rows[-1][1]) if more and rows else None
    return {"sessions": [dict(r[2]) for r in rows], "next_cursor": cursor}


async def session_story(state: AppState, handle: str, session_id: str) -> dict[str, Any]:
    """One session and every fact in it, in time order. 404 `session_not_found`."""
    c, f = journey_sessions.c, journey_facts.c
    async with state.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(c.data).where(c.handle == handle, c.session_id == session_id)
            )
        ).first()
        if row is None:
            raise NotFound("session_not_found", "no such session")
        found = (
            await conn.execute(
                sa.select(f.data)
                .where(f.handle == handle, f.session_id == session_id)
                .order_by(f.started_at, f.n)
            )
        ).all()
    return {"session": dict(row[0]), "facts": [dict(r[0]) for r in found]}


async def records(state: AppState, handle: str) -> dict[str, Any]:
    """The player's bests over the whole history (null where there is none)."""
    c, f = journey_sessions.c, journey_facts.c

    async def best_session(conn: AsyncConnection, column: Any, unit: str) -> dict[str, Any] | None:
        row = (
            await conn.execute(
                sa.select(column, c.session_id, c.start_at)
                .where(c.handle == handle, column > 0)
                .order_by(column.desc(), c.start_at)
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        return {"value": row[0], "unit": unit, "session_id": row[1], "at": row[2]}

    async def best_fact(
        conn: AsyncConnection, kind: str, column: Any, unit: str
    ) -> dict[str, Any] | None:
        row = (
            await conn.execute(
                sa.select(column, f.session_id, f.started_at, f.data)
                .where(f.handle == handle, f.kind == kind, column > 0)
                .order_by(column.desc(), f.started_at)
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        return {"value": row[0], "unit": unit, "session_id": row[1], "at": row[2],
                "label": row[3].get("good_name") or row[3].get("name")}  # fmt: skip

    async with state.engine.connect() as conn:
        found = {
            "longest_session": await best_session(conn, c.play_seconds, "seconds"),
            "longest_life": await best_fact(conn, "life", f.seconds, "seconds"),
            "most_quantum_legs": await best_session(conn, c.quantum_legs, "legs"),
            "most_contracts_completed": await best_session(
                conn, c.contracts_completed, "contracts"
            ),
            # Sales are the trades with a positive (earned) amount.
            "biggest_sale": await best_fact(conn, "trade", f.amount, "aUEC"),
        }
        ships = _by_seconds(await _sums(conn, handle, "stint", Page()), 1)
    top = ships[0] if ships else None
    found["most_time_in_one_ship"] = (
        None
        if top is None or not top.seconds
        else {
            "value": round(top.seconds, 3),
            "unit": "seconds",
            "ship": top.ref,
            "label": (top.label or {}).get("name"),
        }
    )
    return found


async def rebuild(
    engine: AsyncEngine,
    handle: str | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> int:
    """Fold every stored event again (one handle, or all) and replace the journey rows,
    one transaction per handle under its ingest lock, so ingest may go on meanwhile. Calls
    `progress(handle, sessions)` after each; returns the number of handles."""
    async with engine.connect() as conn:
        if handle is not None:
            handles = [handle.lower()]
        else:
            handles = list((await conn.execute(sa.select(events.c.handle).distinct())).scalars())
    for name in sorted(handles):
        async with engine.begin() as conn:
            await bulk.lock_sequence(conn, name)
            await conn.run_sync(db_journey.rebuild, name)
            count = await conn.scalar(
                sa.select(sa.func.count()).where(journey_sessions.c.handle == name)
            )
        if progress is not None:
            progress(name, int(count or 0))
    return len(handles)
