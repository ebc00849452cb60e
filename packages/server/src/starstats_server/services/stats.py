"""The dashboard's numbers for one handle: the stat strip and events per day by type.

Read from the rollups ingest keeps (db/rollups.py, ADR 0007): a handle with a million events
costs a few index lookups on small tables, never a pass over its events.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from starstats_core.events import EventType
from starstats_core.versions import logs_combat, parse_version
from starstats_server.db.rollups import ValueKind
from starstats_server.db.tables import (
    event_day_counts,
    event_distinct_values,
    event_type_counts,
    events,
    handle_totals,
)
from starstats_server.services.history import TypeCount, timeline_window
from starstats_server.state import AppState

MAX_TOP_TYPES = 64


@dataclass(frozen=True)
class StatsOverview:
    total_events: int
    sessions: int
    play_time_seconds: int
    active_days: int
    deaths: int
    deaths_inferred: int
    kills: int | None
    kills_logged: bool
    ships_flown: int
    locations_visited: int
    shards_joined: int
    first_event_at: datetime | None
    last_event_at: datetime | None


@dataclass(frozen=True)
class TypeDay:
    date: date
    total: int
    by_type: list[TypeCount]
    other: int


@dataclass(frozen=True)
class TypeTimeline:
    days: int
    types: list[str]
    buckets: list[TypeDay]


async def _type_counts(conn: AsyncConnection, handle: str) -> dict[str, int]:
    table = event_type_counts
    query = sa.select(table.c.event_type, table.c["count"]).where(table.c.handle == handle)
    return {name: int(n) for name, n in await conn.execute(query)}


async def _value_counts(conn: AsyncConnection, handle: str) -> tuple[dict[str, int], list[str]]:
    """Distinct names per kind, and the game versions themselves."""
    table = event_distinct_values
    per_kind = sa.select(table.c.kind, sa.func.count()).where(table.c.handle == handle)
    counts = {kind: int(n) for kind, n in await conn.execute(per_kind.group_by(table.c.kind))}
    versions = sa.select(table.c.value).where(
        table.c.handle == handle, table.c.kind == ValueKind.GAME_VERSION.value
    )
    return counts, list((await conn.execute(versions)).scalars())


async def _time_range(conn: AsyncConnection, handle: str) -> tuple[datetime | None, ...]:
    # Two scalar subqueries, so each is one probe of the (handle, event_timestamp) index on
    # both databases (SQLite applies its min/max shortcut only to a lone aggregate).
    owner = events.c.handle == handle
    earliest = sa.select(sa.func.min(events.c.event_timestamp)).where(owner).scalar_subquery()
    latest = sa.select(sa.func.max(events.c.event_timestamp)).where(owner).scalar_subquery()
    row = (await conn.execute(sa.select(earliest, latest))).one()
    return tuple(row)


def _kills_logged(type_counts: dict[str, int], versions: Sequence[str]) -> bool:
    """Do this player's logs record kills? Yes when any kill line is stored, or when a launch
    ran a version that writes them (3.24-4.3) even if nobody died in it."""
    if type_counts.get(EventType.ACTOR_DEATH, 0) > 0:
        return True
    return any(logs_combat(parse_version(version)) for version in versions)


async def overview(state: AppState, handle: str) -> StatsOverview:
    """The stat strip: totals, sessions and play time, active days, deaths (logged and
    inferred), kills where the logs carry them (else None), ships, places and shards."""
    handle = handle.lower()
    async with state.engine.connect() as conn:
        types = await _type_counts(conn, handle)
        totals = (
            await conn.execute(sa.select(handle_totals).where(handle_totals.c.handle == handle))
        ).first()
        days = event_day_counts
        active_days = (
            await conn.execute(
                sa.select(sa.func.count(sa.distinct(days.c.day))).where(days.c.handle == handle)
            )
        ).scalar_one()
        values, versions = await _value_counts(conn, handle)
        first, last = await _time_range(conn, handle)
    kills_logged = _kills_logged(types, versions)
    # 4.4+ logs have no kill lines; the "Incapacitated:" banner is how they show a death.
    inferred = types.get(EventType.PLAYER_INCAPACITATED, 0)
    logged = int(totals.deaths_logged) if totals else 0
    return StatsOverview(
        total_events=sum(types.values()),
        sessions=int(totals.sessions) if totals else 0,
        play_time_seconds=int(totals.play_time_us) // 1_000_000 if totals else 0,
        active_days=int(active_days),
        deaths=logged + inferred,
        deaths_inferred=inferred,
        kills=(int(totals.kills) if totals else 0) if kills_logged else None,
        kills_logged=kills_logged,
        ships_flown=values.get(ValueKind.SHIP, 0),
        locations_visited=values.get(ValueKind.LOCATION, 0),
        shards_joined=values.get(ValueKind.SHARD, 0),
        first_event_at=first,
        last_event_at=last,
    )


async def timeline_by_type(state: AppState, handle: str, days: int, top: int) -> TypeTimeline:
    """Events per UTC day for the `days` days ending today (zero-filled, oldest first), split
    into the window's `top` most frequent types (`types`, most frequent first, ties by name)
    and `other` for the rest. 400 `invalid_days` outside 1..366."""
    first, last = timeline_window(state, days)
    table = event_day_counts
    window = (table.c.handle == handle.lower(), table.c.day.between(first, last))
    total = sa.func.sum(table.c["count"])
    top_query = (
        sa.select(table.c.event_type)
        .where(*window)
        .group_by(table.c.event_type)
        .order_by(total.desc(), table.c.event_type)
        .limit(top)
    )
    per_day: dict[date, dict[str | None, int]] = {}
    async with state.engine.connect() as conn:
        types = list((await conn.execute(top_query)).scalars())
        if types:
            # The other types are summed by the database: at most top + 1 rows per day.
            kind = sa.case((table.c.event_type.in_(types), table.c.event_type), else_=sa.null())
            query = sa.select(table.c.day, kind, total).where(*window).group_by(table.c.day, kind)
            for day, name, n in await conn.execute(query):
                per_day.setdefault(day, {})[name] = int(n)
    buckets = []
    for offset in range(days):
        current = first + timedelta(days=offset)
        counts = per_day.get(current, {})
        by_type = [TypeCount(name, counts[name]) for name in types if counts.get(name)]
        other = counts.get(None, 0)
        buckets.append(TypeDay(current, sum(counts.values()), by_type, other))
    return TypeTimeline(days=days, types=types, buckets=buckets)
