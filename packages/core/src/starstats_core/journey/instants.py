"""Log timestamps as instants: seconds since the epoch, and spans between two of them.

The log's timestamps are UTC text (`2026-05-02T21:14:23.189Z`). Text that is not an ISO-8601
time gives None, never an exception: the fold skips such events.
"""

import re
from datetime import UTC, datetime
from functools import lru_cache

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# The rest of a time in the game's own form after its hour (`:14:23.189Z`), in two parts,
# each with its microseconds: looking them up both checks the form and reads the numbers.
MINUTES_SECONDS = {
    f":{m:02d}:{s:02d}": (m * 60 + s) * 1_000_000 for m in range(60) for s in range(60)
}
MILLISECONDS_Z = {f".{ms:03d}Z": ms * 1000 for ms in range(1000)}
_HOUR = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3])").fullmatch


@lru_cache(maxsize=4096)
def _hour_micros(hour: str) -> int | None:
    """Microseconds since the epoch at the start of an hour `YYYY-MM-DDTHH` (UTC), or None
    when it is no such hour."""
    if _HOUR(hour) is None:
        return None
    try:
        moment = datetime.fromisoformat(f"{hour}:00:00+00:00")
    except ValueError:
        return None
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


@lru_cache(maxsize=4096)
def instant(timestamp: str) -> float | None:
    """Seconds since the epoch for a log timestamp, or None when it is not one."""
    # The game's form, read by parts: the same microseconds over 10**6 as
    # `timedelta.total_seconds` divides, so the same float, in a fraction of the time.
    seconds = MINUTES_SECONDS.get(timestamp[13:19])
    millis = MILLISECONDS_Z.get(timestamp[19:])
    if seconds is not None and millis is not None:
        hour = _hour_micros(timestamp[:13])
        if hour is not None:
            return (hour + seconds + millis) / 1_000_000
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
    # Milliseconds since the epoch of both, uncached (most spans end at a new time: a cache
    # of them only missed): the hour's start is looked up once when both share the hour.
    a_s, a_z = MINUTES_SECONDS.get(start[13:19]), MILLISECONDS_Z.get(start[19:])
    b_s, b_z = MINUTES_SECONDS.get(end[13:19]), MILLISECONDS_Z.get(end[19:])
    if a_s is not None and a_z is not None and b_s is not None and b_z is not None:
        hour = start[:13]
        a_hour = _hour_micros(hour)
        b_hour = a_hour if end[:13] == hour else _hour_micros(end[:13])
        if a_hour is not None and b_hour is not None:
            # Both in the game's form: whole milliseconds. Their instants differ from them
            # over 10**3 by far less than half a millisecond (a float's error, even in year
            # 9999), so `round(b - a, 3)` below is the same float as this exact quotient.
            a_ms, b_ms = (a_hour + a_s + a_z) // 1000, (b_hour + b_s + b_z) // 1000
            return (b_ms - a_ms) / 1000 if b_ms > a_ms else 0.0
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
