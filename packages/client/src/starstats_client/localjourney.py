"""The journey of the local store: its events folded by core's `JourneyFold`, kept up to date
as events are stored, so the tray can tell the story unpaired and offline. Owns its reads of
the events table, on a read-only SQLite connection of the calling thread.

Events are folded in log order, each with its idempotency key as the evidence reference (the
key the server stores). An update folds only the rows stored since the last one; it folds
everything again only when a new row belongs before one already folded (backups imported
after the live log was read, or a launch's header stored after its first lines).
"""

import sqlite3
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import ValidationError

from starstats_client.errors import StoreError
from starstats_core.events import EVENT_CLASSES, BaseEvent
from starstats_core.journey import Fact, JourneyFold
from starstats_core.journey.fold import RELEVANT_TYPES

# Log order is `journey.order_key` (time, then byte offset). Stored times are the game's own
# fixed-width UTC text (`2026-05-02T21:14:23.189Z`), so ordering by the text orders by time
# and SQLite can do the sorting of a whole store; `id` breaks the remaining ties the same way
# every time. Payloads are only read for the types the fold looks into.
_COLUMNS = "id, idempotency_key, event_type, timestamp, source_offset, {payload}"
_ORDER = " ORDER BY timestamp, source_offset, id"
_PAGE = 5000  # rows fetched at a time during a full fold: memory holds a page, not the store

Position = tuple[str, int, int]  # (timestamp, source_offset, id): a row's place in log order


class _Row(NamedTuple):
    id: int
    key: str
    event_type: str
    timestamp: str
    offset: int
    payload: str | None

    @property
    def position(self) -> Position:
        return (self.timestamp, self.offset, self.id)


class Bare(NamedTuple):
    """An event no part of the fold reads: only its type and time matter to it."""

    type: str
    timestamp: str


def event_of(row: _Row) -> BaseEvent | Bare | None:
    """The fold's view of a stored row (None: a payload that no longer validates, which
    only a hand-edited database holds; the story goes on without it)."""
    cls = EVENT_CLASSES.get(row.event_type) if row.payload is not None else None
    if cls is None or row.payload is None:
        return Bare(row.event_type, row.timestamp)
    try:
        return cls.model_validate_json(row.payload)
    except ValidationError:
        return None


class StoreJourney:
    """The fold of the store at `database` (which must exist: open a `Store` on it first).
    Use one per thread; `update` reads what is new, `facts` shows the journey so far."""

    def __init__(self, database: Path, handle: str | None = None) -> None:
        self.path = database
        self.handle = handle
        try:
            # mode=ro: folding can never take the write lock from the tailer.
            self._db = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as err:
            raise StoreError(f"{database}: cannot open for reading ({err})") from err
        wanted = ", ".join(f"'{kind}'" for kind in sorted(RELEVANT_TYPES))
        self._select = "SELECT " + _COLUMNS.format(
            payload=f"CASE WHEN event_type IN ({wanted}) THEN payload END"
        )
        self.refolds = 0  # how many times everything was folded (the first update's included)
        self._reset()

    def _reset(self) -> None:
        self._fold = JourneyFold(self.handle)
        self._closed: list[Fact] = []
        self._last_id = 0  # the highest row id folded
        self._last: Position | None = None  # the latest position folded

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "StoreJourney":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: {err}") from err

    def data_version(self) -> int:
        """Changes whenever another connection commits (see `EventLog.data_version`)."""
        value = self._rows("PRAGMA data_version").fetchone()[0]
        assert isinstance(value, int)
        return value

    def update(self) -> bool:
        """Fold the rows stored since the last update; True when there were any."""
        if not self.refolds:
            self._refold()
            return self._last is not None
        cursor = self._rows(f"{self._select} FROM events WHERE id > ?", (self._last_id,))
        page = cursor.fetchmany(_PAGE + 1)
        cursor.close()  # an unfinished statement would keep its read snapshot open
        if not page:
            return False
        new = sorted((_Row(*row) for row in page), key=lambda row: row.position)
        # More than a page (an import): fold everything, a page at a time, rather than
        # hold every new row at once.
        if len(new) > _PAGE or (self._last is not None and new[0].position < self._last):
            self._refold()
        else:
            self._feed(new)
        return True

    def _refold(self) -> None:
        self._reset()
        self.refolds += 1
        cursor = self._rows(f"{self._select} FROM events{_ORDER}")
        while page := cursor.fetchmany(_PAGE):
            self._feed([_Row(*row) for row in page])

    def _feed(self, rows: list[_Row]) -> None:
        """Fold `rows`, which are in log order and all after the last row folded."""
        items = [(event, row.key) for row in rows if (event := event_of(row)) is not None]
        self._closed += self._fold.feed(items)
        self._last_id = max(self._last_id, *(row.id for row in rows))
        self._last = rows[-1].position

    def facts(self) -> tuple[list[Fact], list[Fact]]:
        """(closed, open): the facts the fold has closed, and copies of the open ones (the
        session being played first) as they stand at the last event."""
        return list(self._closed), self._fold.open_facts()

    def player(self) -> dict[str, Any]:
        return self._fold.player()
