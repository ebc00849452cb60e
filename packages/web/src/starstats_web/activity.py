"""The query strings of the dashboard (the window of its journey totals) and of the activity
log (`/activity`: its filters by type and from/to dates and its seq cursors), read leniently
(a bad value is dropped with a note, never a 500) and written back into links that keep
everything else. Pure: no I/O."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

DEFAULT_DAYS = 30
# The dashboard's windows in days; None is all time (`?days=all`).
WINDOWS: tuple[int | None, ...] = (1, 7, 30, 90, None)
WINDOW_NAMES = {1: "24 h", 7: "7 days", 30: "30 days", 90: "90 days", None: "All time"}
PAGE_SIZE = 25
_EVENT_TYPE = re.compile(r"[a-z0-9_]{1,64}")  # what the API accepts
_MAX_SEQ = 2**63 - 1


@dataclass(frozen=True)
class DashboardQuery:
    days: int | None = DEFAULT_DAYS  # the window; None: all time
    event_type: str | None = None
    since: date | None = None  # first day shown (UTC), inclusive
    until: date | None = None  # last day shown (UTC), inclusive
    before: int | None = None  # seq cursor: older than this
    after: int | None = None  # seq cursor: newer than this
    problems: tuple[str, ...] = ()
    page: str = "/dashboard"  # the page its links lead to

    @classmethod
    def parse(cls, params: Mapping[str, str], page: str = "/dashboard") -> "DashboardQuery":
        problems: list[str] = []
        raw_days = params.get("days")
        days = None if raw_days == "all" else _int(raw_days)
        if raw_days != "all" and (days is None or days not in WINDOWS):
            if raw_days:
                problems.append("That window is not offered; showing 30 days.")
            days = DEFAULT_DAYS
        event_type = params.get("type") or None
        if event_type is not None and _EVENT_TYPE.fullmatch(event_type) is None:
            problems.append("Unknown event type; showing all types.")
            event_type = None
        since = _date(params.get("since"), "From", problems)
        until = _date(params.get("until"), "To", problems)
        if since and until and since > until:
            problems.append("The From date is after the To date; they were swapped.")
            since, until = until, since
        before = _seq(params.get("before"))
        after = None if before is not None else _seq(params.get("after"))
        return cls(days, event_type, since, until, before, after, tuple(problems), page)

    @property
    def window_name(self) -> str:
        return WINDOW_NAMES[self.days]

    @property
    def filtered(self) -> bool:
        return bool(self.event_type or self.since or self.until)

    def since_at(self) -> datetime | None:
        return datetime.combine(self.since, time(), tzinfo=UTC) if self.since else None

    def until_at(self) -> datetime | None:
        """The end of the `until` day: the API's `until` is exclusive."""
        if self.until is None:
            return None
        return datetime.combine(self.until + timedelta(days=1), time(), tzinfo=UTC)

    def link(self, **changes: object) -> str:
        """This query's page (`/dashboard?…`, `/activity?…`) with `changes` (cursors reset
        unless given)."""
        changed = replace(self, before=None, after=None, problems=())
        changed = replace(changed, **changes)  # type: ignore[arg-type]
        params: dict[str, str] = {}
        if changed.days != DEFAULT_DAYS:
            params["days"] = "all" if changed.days is None else str(changed.days)
        if changed.event_type:
            params["type"] = changed.event_type
        if changed.since:
            params["since"] = changed.since.isoformat()
        if changed.until:
            params["until"] = changed.until.isoformat()
        if changed.before is not None:
            params["before"] = str(changed.before)
        if changed.after is not None:
            params["after"] = str(changed.after)
        return self.page + ("?" + urlencode(params) if params else "")


@dataclass(frozen=True)
class Pager:
    newer: str | None  # link to the page of newer events
    older: str | None  # link to the page of older events
    newest: str | None  # back to the first page (when not on it)


def pager(query: DashboardQuery, seqs: list[int], next_before: int | None) -> Pager:
    """Links around a page of events shown newest first. `next_before` is the API's cursor
    for an older page (None when there is none, and always None on `after` pages, whose
    older neighbour is simply the page below their lowest seq)."""
    on_first = query.before is None and query.after is None
    if not seqs:
        return Pager(None, None, None if on_first else query.link())
    older_cursor = next_before if query.after is None else min(seqs)
    return Pager(
        newer=None if on_first else query.link(after=max(seqs)),
        older=None if older_cursor is None else query.link(before=older_cursor),
        newest=None if on_first else query.link(),
    )


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


def _seq(raw: str | None) -> int | None:
    value = _int(raw)
    return value if value is not None and value <= _MAX_SEQ else None


def _date(raw: str | None, name: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"The {name} date was not understood (use YYYY-MM-DD); it is ignored.")
        return None
