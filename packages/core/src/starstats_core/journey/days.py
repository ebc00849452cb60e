"""Time played per UTC day: the activity heatmap's numbers, computed once here so the server
(which answers them) and any client that draws a heatmap split a session the same way."""

from collections.abc import Iterable
from datetime import date, datetime

_DAY = 86400.0
# date.toordinal() of 1970-01-01: day numbers since the epoch become dates with one addition.
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def seconds_per_day(spans: Iterable[tuple[datetime | float, float]]) -> dict[date, float]:
    """Seconds per UTC day of `spans` (start as an aware datetime or POSIX seconds, seconds
    long); a span past midnight counts on each day it covers, for the part it spent in it.
    Spans without seconds count nowhere. Arithmetic on POSIX seconds (no time zones: UTC
    days are 86,400 s apart there), as a year of sessions is thousands of spans."""
    by_number: dict[int, float] = {}
    get = by_number.get
    for began, seconds in spans:
        if not seconds or seconds <= 0:
            continue
        at = began.timestamp() if isinstance(began, datetime) else began
        day = int(at // _DAY)
        end = at + seconds
        midnight = (day + 1) * _DAY
        if end <= midnight:  # most sessions end the day they began
            by_number[day] = get(day, 0.0) + seconds
            continue
        while at < end:
            part = end if end < midnight else midnight
            by_number[day] = get(day, 0.0) + (part - at)
            at, day, midnight = part, day + 1, midnight + _DAY
    return {date.fromordinal(_EPOCH_ORDINAL + n): s for n, s in by_number.items()}
