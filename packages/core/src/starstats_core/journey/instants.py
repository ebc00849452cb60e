"""Log timestamps as instants: seconds since the epoch, and spans between two of them.

The log's timestamps are UTC text (`2026-05-02T21:14:23.189Z`). Text that is not an ISO-8601
time gives None, never an exception: the fold skips such events.
"""

from datetime import UTC, datetime
from functools import lru_cache

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=4096)
def instant(timestamp: str) -> float | None:
    """Seconds since the epoch for a log timestamp, or None when it is not one."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH).total_seconds()


def span(start: str | None, end: str | None) -> float:
    """Seconds from `start` to `end` (0 when either is missing or the end is earlier),
    rounded to milliseconds."""
    if start is None or end is None:
        return 0.0
    a, b = instant(start), instant(end)
    if a is None or b is None or b <= a:
        return 0.0
    return round(b - a, 3)


def order_key(timestamp: str, offset: int) -> tuple[float, int]:
    """Where an event stands in a player's log order: by time, then by its byte offset.

    The parser emits a launch's header event (`session_started`, timed by the `Log started`
    line) after the lines that follow it, so events are sorted by this key before they are
    folded; the server sorts stored events the same way (time, offset, then seq)."""
    moment = instant(timestamp)
    return (float("-inf") if moment is None else moment, offset)
