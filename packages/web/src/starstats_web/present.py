"""How values read on a page: counts, durations, UTC times, ages. Pure functions, used as
Jinja filters and by the page builders; no I/O, and "now" is always passed in."""

from datetime import UTC, date, datetime, timedelta


def count(value: int | None) -> str:
    """`1234567` -> `1,234,567`; None -> an em dash."""
    return "—" if value is None else f"{value:,}"


def duration(seconds: int | float | None) -> str:
    """A play time as players say it: `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`."""
    if seconds is None:
        return "—"
    total = max(0, int(seconds))
    if total < 60:
        return f"{total} s"
    minutes = total // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def utc(value: datetime | None, *, seconds: bool = False) -> str:
    """`2026-05-02 21:14 UTC` (the log's own clock; the page script shows local time)."""
    if value is None:
        return "—"
    shown = value.astimezone(UTC)
    return shown.strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")


def iso(value: datetime) -> str:
    """Machine form for `<time datetime=…>`."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# English month names, as the pages are written: strftime's `%b` follows the process locale
# (and cost a heatmap 371 calls per render).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: date | datetime | None) -> str:
    """`2 May 2026`."""
    if value is None:
        return "—"
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def ago(value: datetime | None, now: datetime) -> str:
    """`just now`, `5 min ago`, `3 h ago`, `2 days ago`, else the date."""
    if value is None:
        return "never"
    delta = now - value
    if delta < timedelta(minutes=1):
        return "just now"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)} min ago"
    if delta < timedelta(days=1):
        return f"{int(delta.total_seconds() // 3600)} h ago"
    if delta < timedelta(days=30):
        days = delta.days
        return "yesterday" if days == 1 else f"{days} days ago"
    return day(value)


def remaining(until: datetime, now: datetime) -> str:
    """`9:41` left of a countdown (minutes:seconds), `0:00` once passed."""
    seconds = max(0, int((until - now).total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """`1 ship`, `3 ships`."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
