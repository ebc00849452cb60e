"""A journey at a glance: everything a dashboard shows for one window in one read (the
overview, the newest sessions, a year of play per day, the top places, ships and goods, the
contract, trade and combat sums, the records). One request instead of ten: the web's
dashboard and `/u/{handle}` make one call through the API's auth and sharing checks (and the
public rate limit counts one), and nothing is fetched only to be counted."""

import functools
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from starstats_core.journey.days import seconds_per_day
from starstats_server.db.tables import journey_sessions
from starstats_server.db.types import UtcDateTime
from starstats_server.services import journey
from starstats_server.services.journey_read import Page, connection, in_window, one_connection
from starstats_server.state import AppState

# Rows of each top list (places, ships, goods, sessions): a dashboard card's worth.
ROWS = 8
# The heatmap's reach: 53 weeks back to the Monday of its first column.
YEAR_DAYS = 53 * 7 + 7
# A session that started this long before a window can still have been played in it.
_LONGEST_SESSION = timedelta(days=2)


async def play_by_day(
    state: AppState, handle: str, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Seconds played per UTC day from `since` to `until` (days with play only, oldest
    first): each session's play time from its start, split at midnights by core."""
    params = {"handle": handle, "since": since - _LONGEST_SESSION, "until": until}
    async with connection(state) as conn:
        arrays = conn.dialect.name == "postgresql"
        found = await conn.execute(_play_statement(arrays), params)
        if arrays:
            starts, seconds = found.one()
            spans: Any = zip(starts or (), seconds or (), strict=True)
        else:
            spans = found.all()
    first, last = since.date(), until.date()
    days = seconds_per_day(spans)
    return [
        {"day": day, "seconds": round(seconds, 3)}
        for day, seconds in sorted(days.items())
        if first <= day <= last
    ]


@functools.cache
def _play_statement(arrays: bool) -> Any:
    """The start and play time of the sessions started in [since, until) (bound
    parameters), built once: on PostgreSQL as two arrays of POSIX seconds in one row (a year
    of sessions is thousands of rows: asyncpg decodes arrays in C instead of making a row
    and a datetime each; date_part gives a double, EXTRACT a numeric whose cast doubled the
    query's time)."""
    c = journey_sessions.c
    where = (
        c.handle == sa.bindparam("handle", type_=sa.Text),
        *in_window(
            c.start_at,
            sa.bindparam("since", type_=UtcDateTime),
            sa.bindparam("until", type_=UtcDateTime),
        ),
    )
    if arrays:
        columns = (
            sa.func.array_agg(sa.func.date_part("epoch", c.start_at)),
            sa.func.array_agg(c.play_seconds),
        )
        return sa.select(*columns).where(*where)
    return sa.select(c.start_at, c.play_seconds).where(*where)


async def glance(state: AppState, handle: str, days: int | None) -> dict[str, Any]:
    """The dashboard of the last `days` days (None: all time): its parts one after another
    on one connection. They are mostly Python's work, which one process does one at a time
    anyway (run side by side on two connections they measured no faster); one connection
    pays one pool checkout and ping instead of one per part."""
    async with one_connection(state):
        overview = await journey.overview(state, handle, days)  # validates `days` first
        now, totals = overview["until"], overview["totals"]  # contracts and combat reuse these
        window = Page(limit=0, since=overview["since"])  # the sums, no list
        recent = await journey.sessions_page(state, handle, Page(limit=ROWS))
        year = await play_by_day(state, handle, now - timedelta(days=YEAR_DAYS), now)
        places = await journey.places(state, handle, window, ROWS)
        ships = await journey.ships(state, handle, window, ROWS)
        contracts = await journey.contracts(state, handle, window, totals)
        trades = await journey.trades(state, handle, window, ROWS)
        combat = await journey.combat(state, handle, window, totals)
        records = await journey.records(state, handle)
    for listing in (contracts, trades, combat):
        del listing["items"], listing["next_cursor"]
    return {
        "overview": overview,
        "recent_sessions": recent["sessions"],
        "play_by_day": year,
        "places": places["places"],
        "ships": ships["ships"],
        "contracts": contracts,
        "trades": trades,
        "combat": combat,
        "records": records,
    }
