"""A player's journey as stored at ingest (db/journey.py): the overview for a window and for
the whole history, sessions and their stories, places, legs, ships, lives, combat,
contracts, trades and records. Every read is scoped to one handle; lists are newest first in
keyset pages (`cursor`), and `since`/`until` bound a fact's start time.

Window totals add up the stored sessions that started in the window (a session counts in
the window it started in). Kills stay null when no session in the window logs them.
"""

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from starstats_core.journey import TOTAL_KEYS, Contract
from starstats_core.journey.state import fact_from_dict
from starstats_core.journey.summary import merge_contracts
from starstats_server.db import bulk
from starstats_server.db import journey as db_journey
from starstats_server.db.tables import JOURNEY_TOTALS, events, journey_facts, journey_sessions
from starstats_server.errors import BadRequest, NotFound
from starstats_server.state import AppState

MAX_DAYS = 3650
COMBAT_NOTE = (
    "Star Citizen stopped writing kill lines in 4.4: kills are known only for sessions of "
    "3.24-4.3, and are null (not logged), never zero, otherwise."
)


@dataclass(frozen=True)
class Page:
    """What a list read asks for."""

    limit: int = 50
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
    f = journey_facts.c
    query = sa.select(f.started_at, f.session_id, f.n, f.data).where(
        f.handle == handle,
        f.kind.in_(kinds) if len(kinds) > 1 else f.kind == kinds[0],
        f.started_at.is_not(None),
        *_in_window(f.started_at, page.since, page.until),
    )
    if page.cursor is not None:
        query = query.where(
            sa.tuple_(f.started_at, f.session_id, f.n) < sa.tuple_(*_fact_cursor(page.cursor))
        )
    rows = (
        await conn.execute(
            query.order_by(f.started_at.desc(), f.session_id.desc(), f.n.desc()).limit(
                page.limit + 1
            )
        )
    ).all()
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


async def _grouped(
    conn: AsyncConnection, handle: str, kind: str, page: Page, limit: int = 200
) -> list[tuple[str, float, int, datetime | None]]:
    """(ref, seconds, count, last start) per ref of one kind of fact, most seconds first."""
    f = journey_facts.c
    total = sa.func.coalesce(sa.func.sum(f.seconds), 0.0)
    query = (
        sa.select(f.ref, total, sa.func.count(), sa.func.max(f.started_at))
        .where(
            f.handle == handle,
            f.kind == kind,
            f.ref.is_not(None),
            *_in_window(f.started_at, page.since, page.until),
        )
        .group_by(f.ref)
        .order_by(total.desc(), f.ref)
        .limit(limit)
    )
    return [(r[0], float(r[1]), int(r[2]), r[3]) for r in (await conn.execute(query)).all()]


async def _names(
    conn: AsyncConnection,
    handle: str,
    kind: str,
    newest: list[tuple[str, datetime | None]],
    fields: tuple[str, ...],
) -> dict[str, dict[str, Any]]:
    """The readable fields of each ref's fact that started at the time given with it, its
    newest (names do not change). Probes the (handle, kind, started_at) index for those
    times: reading every fact of the refs cost seconds (122,000 stops of 31 places at
    1,000,000 events)."""
    wanted = {(ref, at) for ref, at in newest if at is not None}
    f = journey_facts.c
    where = [f.handle == handle, f.kind == kind]
    rows: list[Any] = []
    if wanted:
        rows += (
            await conn.execute(
                sa.select(f.ref, f.started_at, f.data).where(
                    *where,
                    f.started_at.in_(sorted({at for _, at in wanted})),
                    f.ref.in_(sorted({ref for ref, _ in wanted})),
                )
            )
        ).all()
    undated = sorted({ref for ref, at in newest if at is None})
    if undated:  # no fact of the ref has a time: any of them names it
        rows += (
            await conn.execute(
                sa.select(f.ref, sa.null(), f.data).where(*where, f.ref.in_(undated))
            )
        ).all()
    out: dict[str, dict[str, Any]] = {}
    for ref, at, data in rows:
        if at is None or (ref, at) in wanted:
            out[ref] = {name: data.get(name) for name in fields}
    return out


async def places(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """Time and visits per place in the window, and a page of the trail (stops)."""
    async with state.engine.connect() as conn:
        grouped = await _grouped(conn, handle, "stop", page)
        names = await _names(
            conn, handle, "stop", [(g[0], g[3]) for g in grouped], ("name", "place_kind", "system")
        )
        trail, cursor = await _fact_page(conn, handle, ("stop",), page)
    summary = [
        {"place": ref, **names.get(ref, {}), "seconds": round(seconds, 3), "visits": count,
         "last_at": last}
        for ref, seconds, count, last in grouped
    ]  # fmt: skip
    return {"places": summary, "stops": trail, "next_cursor": cursor}


async def ships(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """Time at the controls per ship in the window, and a page of the stints."""
    async with state.engine.connect() as conn:
        grouped = await _grouped(conn, handle, "stint", page)
        names = await _names(conn, handle, "stint", [(g[0], g[3]) for g in grouped], ("name",))
        stints, cursor = await _fact_page(conn, handle, ("stint",), page)
    summary = [
        {"ship": ref, "name": names.get(ref, {}).get("name") or ref,
         "seconds": round(seconds, 3), "stints": count, "last_at": last}
        for ref, seconds, count, last in grouped
    ]  # fmt: skip
    return {"ships": summary, "stints": stints, "next_cursor": cursor}


async def combat(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """Kills and deaths in the window with the combat totals, and a page of both."""
    async with state.engine.connect() as conn:
        totals = await _totals(conn, handle, page.since, page.until) or empty_totals()
        items, cursor = await _fact_page(conn, handle, ("kill", "death"), page)
        f = journey_facts.c
        causes = (
            await conn.execute(
                sa.select(f.ref, sa.func.count())
                .where(
                    f.handle == handle,
                    f.kind == "death",
                    *_in_window(f.started_at, page.since, page.until),
                )
                .group_by(f.ref)
                .order_by(sa.func.count().desc(), f.ref)
            )
        ).all()
    return {
        "kills": totals["kills"],
        "vehicle_kills": totals["vehicle_kills"],
        "deaths": totals["deaths"],
        "kills_logged": totals["kills"] is not None,
        "note": COMBAT_NOTE,
        "deaths_by_cause": [{"cause": r[0], "count": int(r[1])} for r in causes],
        "items": items,
        "next_cursor": cursor,
    }


async def contracts(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """Contracts (one run per mission, merged across sessions) newest first, and the window's
    outcome counts with the completion rate (completed ÷ completed + failed + abandoned)."""
    f = journey_facts.c
    last = sa.func.max(f.started_at)
    query = (
        sa.select(f.ref, last)
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
        query = query.having(sa.tuple_(last, f.ref) < sa.tuple_(moment, ref))
    async with state.engine.connect() as conn:
        rows = (
            await conn.execute(query.order_by(last.desc(), f.ref.desc()).limit(page.limit + 1))
        ).all()
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        parts: list[Any] = []
        if rows:
            wanted = [r[0] for r in rows]
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
    items = [merged[r[0]] for r in rows if r[0] in merged]
    done = (
        totals["contracts_completed"] + totals["contracts_failed"] + totals["contracts_abandoned"]
    )
    cursor = _encode(rows[-1][1].isoformat(), rows[-1][0]) if more and rows else None
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
    """Spent, earned and profit in the window, per good, and a page of the trades."""
    f = journey_facts.c
    side = f.data["side"].as_string()
    status = f.data["status"].as_string()
    async with state.engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(
                    f.ref,
                    side,
                    sa.func.coalesce(sa.func.sum(f.amount), 0.0),
                    sa.func.count(),
                    sa.func.max(f.started_at),
                )
                .where(
                    f.handle == handle,
                    f.kind == "trade",
                    status.in_(("confirmed", "submitted")),
                    *_in_window(f.started_at, page.since, page.until),
                )
                .group_by(f.ref, side)
            )
        ).all()
        newest: dict[str, datetime | None] = {}
        for r in rows:
            if r[0] and (newest.get(r[0]) is None or (r[4] is not None and r[4] > newest[r[0]])):
                newest[r[0]] = r[4]
        names = await _names(conn, handle, "trade", list(newest.items()), ("good_name", "market"))
        items, cursor = await _fact_page(conn, handle, ("trade",), page)
    goods: dict[str, dict[str, Any]] = {}
    for ref, which, amount, count, _ in rows:
        key = ref or ""
        default = {"good": ref, "good_name": "unknown", "market": None}
        good = goods.setdefault(
            key,
            {**default, **names.get(key, {}), "spent": 0.0, "earned": 0.0, "buys": 0, "sells": 0},
        )
        if which == "buy":
            good["spent"] += float(amount)
            good["buys"] += int(count)
        else:
            good["earned"] += float(amount)
            good["sells"] += int(count)
    for good in goods.values():
        good["spent"], good["earned"] = round(good["spent"], 2), round(good["earned"], 2)
        good["profit"] = round(good["earned"] - good["spent"], 2)
    spent = round(sum(g["spent"] for g in goods.values()), 2)
    earned = round(sum(g["earned"] for g in goods.values()), 2)
    return {
        "spent": spent,
        "earned": earned,
        "profit": round(earned - spent, 2),
        "by_good": sorted(
            goods.values(), key=lambda g: (-(g["spent"] + g["earned"]), g["good"] or "")
        ),
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
        query = query.where(key < sa.tuple_(moment, session_id))
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

    async def best_fact(conn: AsyncConnection, kind: str, column: Any, unit: str,
                        *where: Any) -> dict[str, Any] | None:  # fmt: skip
        row = (
            await conn.execute(
                sa.select(column, f.session_id, f.started_at, f.data)
                .where(f.handle == handle, f.kind == kind, column > 0, *where)
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
            "biggest_sale": await best_fact(
                conn,
                "trade",
                f.amount,
                "aUEC",
                f.data["side"].as_string() == "sell",
                f.data["status"].as_string().in_(("confirmed", "submitted")),
            ),
        }
        ships = await _grouped(conn, handle, "stint", Page(), limit=1)
        names = await _names(conn, handle, "stint", [(s[0], s[3]) for s in ships], ("name",))
    found["most_time_in_one_ship"] = (
        None
        if not ships or not ships[0][1]
        else {
            "value": round(ships[0][1], 3),
            "unit": "seconds",
            "ship": ships[0][0],
            "label": names.get(ships[0][0], {}).get("name"),
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
