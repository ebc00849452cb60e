"""The journey's lists with sums per grouping key: places, ships, combat, contracts, trades
and records (the API reaches them through services/journey.py). Without `since`/`until` the
sums read journey_sums (one row per key) and contracts page journey_missions; with a window
they read journey_values per day and group the contract runs. A mission's runs come merged
from journey_missions either way.
"""

import functools
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_server.db.tables import (
    journey_facts,
    journey_missions,
    journey_sessions,
    journey_sums,
    journey_values,
)
from starstats_server.services.journey_read import (
    COMBAT_NOTE,
    MAX_GROUPS,
    Page,
    by_seconds,
    connection,
    empty_totals,
    encode,
    fact_page,
    in_window,
    key_sums,
    time_cursor,
    window_bounds,
    window_params,
    window_totals,
)
from starstats_server.state import AppState


async def places(state: AppState, handle: str, page: Page, top: int = MAX_GROUPS) -> dict[str, Any]:
    """Time and visits per place in the window (whole days; the `top` with the most time),
    and a page of the trail."""
    async with connection(state) as conn:
        sums = by_seconds(await key_sums(conn, handle, "stop", page), top)
        trail, cursor = await fact_page(conn, handle, ("stop",), page)
    summary = []
    for entry in sums:
        label = entry.labels()
        summary.append(
            {"place": entry.ref, "name": label.get("name") or entry.ref,
             "place_kind": label.get("place_kind"), "system": label.get("system"),
             "seconds": round(entry.seconds, 3), "visits": entry.count,
             "last_day": entry.last_day}
        )  # fmt: skip
    return {"places": summary, "stops": trail, "next_cursor": cursor}


async def ships(state: AppState, handle: str, page: Page, top: int = MAX_GROUPS) -> dict[str, Any]:
    """Time at the controls per ship in the window (whole days; the `top` with the most
    time), and a page of the stints."""
    async with connection(state) as conn:
        sums = by_seconds(await key_sums(conn, handle, "stint", page), top)
        stints, cursor = await fact_page(conn, handle, ("stint",), page)
    summary = [
        {"ship": e.ref, "name": e.labels().get("name") or e.ref,
         "seconds": round(e.seconds, 3), "stints": e.count, "last_day": e.last_day}
        for e in sums
    ]  # fmt: skip
    return {"ships": summary, "stints": stints, "next_cursor": cursor}


async def combat(
    state: AppState, handle: str, page: Page, totals: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Kills and deaths in the window with the combat totals (`totals`: the window's, when
    the caller has them), and a page of both."""
    async with connection(state) as conn:
        if totals is None:
            totals = await window_totals(conn, handle, page.since, page.until) or empty_totals()
        items, cursor = await fact_page(conn, handle, ("kill", "death"), page)
        causes = await key_sums(conn, handle, "death", page)
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


async def contracts(
    state: AppState, handle: str, page: Page, totals: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Contracts (one run per mission, merged across sessions, listed by the start of its
    first run) newest first, and the window's outcome counts with the completion rate
    (completed ÷ completed + failed + abandoned; `totals`: the window's, when the caller has
    them)."""
    f = journey_facts.c
    after: Any = None
    if page.cursor is not None:
        after = time_cursor(page.cursor)
    if page.since is None and page.until is None:
        # All time: a walk of journey_missions' (handle, first_at, mission_id) index.
        m = journey_missions.c
        first: Any = m.first_at
        query = sa.select(first, m.mission_id, m.data).where(m.handle == handle)
        if after is not None:
            query = query.where(sa.tuple_(first, m.mission_id) < after)
        order = (first.desc(), m.mission_id.desc())
    else:
        # A window: group the runs that started in it (a mission's first run in the window).
        first = sa.func.min(f.started_at)
        query = (
            sa.select(first, f.ref)
            .where(
                f.handle == handle,
                f.kind == "contract",
                f.ref.is_not(None),
                *in_window(f.started_at, page.since, page.until),
            )
            .group_by(f.ref)
        )
        if after is not None:
            query = query.having(sa.tuple_(first, f.ref) < after)
        order = (first.desc(), f.ref.desc())
    async with connection(state) as conn:
        rows: Sequence[Any] = []
        if page.limit:
            rows = (await conn.execute(query.order_by(*order).limit(page.limit + 1))).all()
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        merged: dict[str, str | None] = {}
        if page.since is None and page.until is None:
            merged = {r[1]: r[2] for r in rows}
        elif rows:
            # The merged runs of the window's missions: all their runs, as without one.
            m = journey_missions.c
            found = await conn.execute(
                sa.select(m.mission_id, m.data).where(
                    m.handle == handle, m.mission_id.in_([r[1] for r in rows])
                )
            )
            merged = {row[0]: row[1] for row in found.all()}
        if totals is None:
            totals = await window_totals(conn, handle, page.since, page.until) or empty_totals()
        kinds = await contract_kinds(conn, handle, page)
    # A mission the merge names otherwise (data NULL) is left out, as merging here would.
    items = [json.loads(data) for r in rows if (data := merged.get(r[1])) is not None]
    done = (
        totals["contracts_completed"] + totals["contracts_failed"] + totals["contracts_abandoned"]
    )
    cursor = encode(rows[-1][0].isoformat(), rows[-1][1]) if more and rows else None
    return {
        "completed": totals["contracts_completed"],
        "failed": totals["contracts_failed"],
        "abandoned": totals["contracts_abandoned"],
        "accepted": totals["contracts_accepted"],
        "completion_rate": None if not done else round(totals["contracts_completed"] / done, 4),
        "by_kind": kinds,
        "items": items,
        "next_cursor": cursor,
    }


_OUTCOMES = ("completed", "failed", "abandoned", "in_progress")


async def contract_kinds(conn: AsyncConnection, handle: str, page: Page) -> list[dict[str, Any]]:
    """Outcomes per contract kind of the missions first taken in the window (each mission
    once, with its merged outcome: the last one logged), most missions first; withdrawn and
    expired count as `other`."""
    shape, params = window_params(page)
    rows = await conn.execute(_contract_kinds_statement(shape), {"handle": handle, **params})
    kinds: dict[str, dict[str, Any]] = {}
    for kind, outcome, count in rows.all():
        row = kinds.setdefault(kind, {"kind": kind, **dict.fromkeys(_OUTCOMES, 0), "other": 0})
        row[outcome if outcome in _OUTCOMES else "other"] += int(count)
    return sorted(
        kinds.values(),
        key=lambda r: (-sum(r[o] for o in (*_OUTCOMES, "other")), r["kind"]),
    )


@functools.lru_cache(maxsize=4)
def _contract_kinds_statement(shape: tuple[bool, bool]) -> Any:
    """`contract_kinds`' statement for a window of this shape, built once."""
    m = journey_missions.c
    return (
        sa.select(m.contract_kind, m.outcome, sa.func.count())
        .where(
            m.handle == sa.bindparam("handle", type_=sa.Text),
            m.contract_kind.is_not(None),
            *window_bounds(shape, m.first_at),
        )
        .group_by(m.contract_kind, m.outcome)
    )


async def trades(state: AppState, handle: str, page: Page, top: int = MAX_GROUPS) -> dict[str, Any]:
    """Spent, earned and profit in the window (whole days), per good (the `top` with the most
    aUEC), and a page of the trades."""
    async with connection(state) as conn:
        shape, params = window_params(page)
        ranked = (
            await conn.execute(_goods_statement(shape), {"handle": handle, "top": top, **params})
        ).all()
        items, cursor = await fact_page(conn, handle, ("trade",), page)
    goods, spent, earned = (int(ranked[0][6]), ranked[0][7], ranked[0][8]) if ranked else (0, 0, 0)
    by_good = []
    for good, spent_sum, earned_sum, buys, sells, label_text, *_totals in ranked:
        label = json.loads(label_text) if label_text else {}
        good_spent, good_earned = round(float(spent_sum), 2), round(float(earned_sum), 2)
        by_good.append(
            {"good": good or None, "good_name": label.get("good_name") or "unknown",
             "market": label.get("market"), "spent": good_spent, "earned": good_earned,
             "buys": int(buys), "sells": int(sells),
             "profit": round(good_earned - good_spent, 2)}
        )  # fmt: skip
    spent, earned = round(float(spent), 2), round(float(earned), 2)
    return {
        "spent": spent,
        "earned": earned,
        "profit": round(earned - spent, 2),
        "goods": goods,
        "by_good": by_good,
        "items": items,
        "next_cursor": cursor,
    }


@functools.lru_cache(maxsize=4)
def _goods_statement(shape: tuple[bool, bool]) -> Any:
    """The window's (whole days; all time: journey_sums) aUEC and trades per good, the `top`
    with the most aUEC, each row with the number of goods and the sums over all of them:
    grouped, ranked and added up by the database, as a player's hundreds of goods (two rows
    each, bought and sold) made this the glance's slowest part in Python. A pending trade
    (an open fact) is not counted yet, so only closed ones are summed. Built once per
    window shape, with bound parameters (building it took 2.4 ms)."""
    handle = sa.bindparam("handle", type_=sa.Text)
    if shape == (False, False):
        t = journey_sums.c
        rows: Any = sa.select(t.ref, t.count, t.amount, t.label).where(
            t.handle == handle, t.kind == "trade"
        )
    else:
        v = journey_values.c
        rows = sa.select(v.ref, v.count, v.amount, v.label).where(
            v.handle == handle, v.kind == "trade", *window_bounds(shape, v.day, days=True)
        )
    rows = rows.subquery()
    bought = rows.c.ref.like("buy:%")
    sides = sa.select(
        # The ref is `buy:<good>` or `sell:<good>`.
        sa.case((bought, sa.func.substr(rows.c.ref, 5)), else_=sa.func.substr(rows.c.ref, 6)).label(
            "good"
        ),
        sa.case((bought, rows.c.amount), else_=0.0).label("spent"),
        sa.case((bought, 0.0), else_=rows.c.amount).label("earned"),
        sa.case((bought, rows.c.count), else_=0).label("buys"),
        sa.case((bought, 0), else_=rows.c.count).label("sells"),
        rows.c.label,
    ).subquery()
    s = sides.c
    per_good = (
        sa.select(
            s.good, sa.func.sum(s.spent).label("spent"), sa.func.sum(s.earned).label("earned"),
            sa.func.sum(s.buys).label("buys"), sa.func.sum(s.sells).label("sells"),
            sa.func.max(s.label).label("label"),
        )
        .group_by(s.good)
        .subquery()
    )  # fmt: skip
    g = per_good.c
    return (
        sa.select(
            g.good, g.spent, g.earned, g.buys, g.sells, g.label,
            sa.func.count().over(), sa.func.sum(g.spent).over(), sa.func.sum(g.earned).over(),
        )
        .order_by((g.spent + g.earned).desc(), g.good)
        .limit(sa.bindparam("top", type_=sa.Integer))
    )  # fmt: skip


# The records that are a session's: (name, column, unit).
_SESSION_BESTS = (
    ("longest_session", "play_seconds", "seconds"),
    ("most_quantum_legs", "quantum_legs", "legs"),
    ("most_contracts_completed", "contracts_completed", "contracts"),
)


async def _session_bests(conn: AsyncConnection, handle: str) -> dict[str, Any]:
    """Each of `_SESSION_BESTS`: the session with the highest value (the earliest of equals),
    None where no session has one above 0; one statement (a UNION ALL of one row each)."""
    rows = (await conn.execute(_session_bests_statement(), {"handle": handle})).all()
    found: dict[str, Any] = dict.fromkeys(name for name, _column, _unit in _SESSION_BESTS)
    units = {name: unit for name, _column, unit in _SESSION_BESTS}
    for name, value, session_id, at in rows:
        found[name] = {"value": value, "unit": units[name], "session_id": session_id, "at": at}
    return found


@functools.cache
def _session_bests_statement() -> Any:
    """`_session_bests`' statement, built once (the handle a bound parameter)."""
    c = journey_sessions.c
    handle = sa.bindparam("handle", type_=sa.Text)
    parts = [
        sa.select(sa.literal(name).label("name"), c[column].label("value"), c.session_id,
                  c.start_at)
        .where(c.handle == handle, c[column] > 0)
        .order_by(c[column].desc(), c.start_at)
        .limit(1)
        .subquery()
        for name, column, _unit in _SESSION_BESTS
    ]  # fmt: skip
    return sa.union_all(*(sa.select(p) for p in parts))


@functools.cache
def _best_fact_statement(kind: str, column: str) -> Any:
    """The fact of `kind` with the highest `column` above 0 (the earliest of equals), built
    once per kind and column (the handle a bound parameter)."""
    f = journey_facts.c
    value = f[column]
    return (
        sa.select(value, f.session_id, f.started_at, f.data)
        .where(f.handle == sa.bindparam("handle", type_=sa.Text), f.kind == kind, value > 0)
        .order_by(value.desc(), f.started_at)
        .limit(1)
    )


async def records(state: AppState, handle: str) -> dict[str, Any]:
    """The player's bests over the whole history (null where there is none)."""

    async def best_fact(
        conn: AsyncConnection, kind: str, column: str, unit: str
    ) -> dict[str, Any] | None:
        found = await conn.execute(_best_fact_statement(kind, column), {"handle": handle})
        row = found.first()
        if row is None:
            return None
        return {"value": row[0], "unit": unit, "session_id": row[1], "at": row[2],
                "label": row[3].get("good_name") or row[3].get("name")}  # fmt: skip

    async with connection(state) as conn:
        found = await _session_bests(conn, handle)
        found |= {
            "longest_life": await best_fact(conn, "life", "seconds", "seconds"),
            # Sales are the trades with a positive (earned) amount.
            "biggest_sale": await best_fact(conn, "trade", "amount", "aUEC"),
        }
        ships = by_seconds(await key_sums(conn, handle, "stint", Page()), 1)
    top = ships[0] if ships else None
    found["most_time_in_one_ship"] = (
        None
        if top is None or not top.seconds
        else {
            "value": round(top.seconds, 3),
            "unit": "seconds",
            "ship": top.ref,
            "label": top.labels().get("name"),
        }
    )
    return found
