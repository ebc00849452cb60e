"""A player's journey as stored at ingest (db/journey.py): the overview for a window and for
the whole history, sessions and their stories, places, legs, ships, lives, combat,
contracts, trades and records. Every read is scoped to one handle; lists are newest first in
keyset pages (`cursor`), and `since`/`until` bound a fact's start time.

Window totals add up the stored sessions that started in the window (a session counts in
the window it started in). Kills stay null when no session in the window logs them.
"""

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from starstats_server.db import bulk
from starstats_server.db import journey as db_journey
from starstats_server.db.tables import events, journey_facts, journey_sessions
from starstats_server.db.types import UtcDateTime
from starstats_server.errors import BadRequest, NotFound
from starstats_server.services.journey_lists import (
    combat,
    contracts,
    places,
    records,
    ships,
    trades,
)
from starstats_server.services.journey_read import (
    Page,
    connection,
    empty_totals,
    encode,
    fact_page,
    time_cursor_values,
    window_bounds,
    window_params,
    windows_totals,
)
from starstats_server.state import AppState

# What the API reaches through this module (the lists live in journey_lists.py).
__all__ = [
    "MAX_DAYS", "Page", "combat", "contracts", "empty_totals", "facts", "overview", "places",
    "rebuild", "records", "session_story", "sessions_page", "ships", "trades",
]  # fmt: skip

MAX_DAYS = 3650


async def overview(state: AppState, handle: str, days: int | None) -> dict[str, Any]:
    """Totals for the last `days` days (None: the whole history), the whole history, the
    window before (only when the player played in it), and where the player was last: one
    query (the handle's sessions grouped by window, the newest session, stop and stint as
    scalar subqueries)."""
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise BadRequest("invalid_days", f"days must be 1..{MAX_DAYS}")
    now = state.clock.now()
    since = None if days is None else now - timedelta(days=days)
    previous = None if since is None or days is None else since - timedelta(days=days)
    async with connection(state) as conn:
        found, last = await windows_totals(conn, handle, since, previous, _last_seen_columns)
    lifetime = found["lifetime"]
    window = lifetime if since is None else found["window"]
    return {
        "days": days,
        "since": since,
        "until": now,
        "totals": window or empty_totals(),
        "lifetime": lifetime or empty_totals(),
        "previous": None if since is None else found["previous"],
        "last_seen": _last_seen(*last) if last else None,
    }


def _last_seen_columns(handle: Any) -> list[Any]:
    """The newest session's data and open flag, the newest stop's and stint's data
    (`handle`: a bound parameter)."""
    c, f = journey_sessions.c, journey_facts.c
    newest = (c.start_at.desc(), c.start_offset.desc(), c.start_seq.desc())

    def session(column: Any) -> Any:
        return (
            sa.select(column).where(c.handle == handle).order_by(*newest).limit(1)
        ).scalar_subquery()

    def latest(kind: str) -> Any:
        return (
            sa.select(f.data)
            .where(f.handle == handle, f.kind == kind)
            .order_by(f.started_at.desc(), f.session_id.desc(), f.n.desc())
            .limit(1)
        ).scalar_subquery()

    return [session(c.data), session(c.open), latest("stop"), latest("stint")]


def _last_seen(
    session: dict[str, Any] | None, is_open: bool | None, stop: Any, stint: Any
) -> dict[str, Any] | None:
    if session is None:
        return None
    return {
        "session_id": session["session_id"],
        "at": session["ended_at"],
        "session_open": bool(is_open) and session["end"] != "quit",
        "place": None if stop is None else stop["place"],
        "place_name": None if stop is None else stop["name"],
        "ship": None if stint is None else stint["ship"],
        "ship_name": None if stint is None else stint["name"],
    }


async def facts(state: AppState, handle: str, kinds: tuple[str, ...], page: Page) -> dict[str, Any]:
    """A page of one kind of fact (or several), newest first."""
    async with connection(state) as conn:
        found, cursor = await fact_page(conn, handle, kinds, page)
    return {"items": found, "next_cursor": cursor}


async def sessions_page(state: AppState, handle: str, page: Page) -> dict[str, Any]:
    """A page of sessions (each with its totals), newest first."""
    shape, params = window_params(page)
    params |= {"handle": handle, "limit": page.limit + 1}
    if page.cursor is not None:
        params["cursor_at"], params["cursor_id"] = time_cursor_values(page.cursor)
    statement = _sessions_statement(shape, page.cursor is not None)
    async with connection(state) as conn:
        rows = (await conn.execute(statement, params)).all()
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    cursor = encode(rows[-1][0].isoformat(), rows[-1][1]) if more and rows else None
    return {"sessions": [dict(r[2]) for r in rows], "next_cursor": cursor}


@functools.lru_cache(maxsize=8)
def _sessions_statement(shape: tuple[bool, bool], after: bool) -> Any:
    """`sessions_page`'s statement for a window of this shape, with a cursor or not: built
    once, with bound parameters."""
    c = journey_sessions.c
    query = sa.select(c.start_at, c.session_id, c.data).where(
        c.handle == sa.bindparam("handle", type_=sa.Text), *window_bounds(shape, c.start_at)
    )
    if after:
        cursor = sa.tuple_(
            sa.bindparam("cursor_at", type_=UtcDateTime), sa.bindparam("cursor_id", type_=sa.Text)
        )
        query = query.where(sa.tuple_(c.start_at, c.session_id) < cursor)
    return query.order_by(c.start_at.desc(), c.session_id.desc()).limit(
        sa.bindparam("limit", type_=sa.Integer)
    )


async def session_story(state: AppState, handle: str, session_id: str) -> dict[str, Any]:
    """One session and every fact in it, in time order. 404 `session_not_found`."""
    c, f = journey_sessions.c, journey_facts.c
    async with connection(state) as conn:
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
