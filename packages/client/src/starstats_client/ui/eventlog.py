"""`EventLog`: read-only queries over the store's events table that `Store` lacks (recent
events, events since a moment, the latest event), on a read-only SQLite connection.

These belong in `Store` (which owns the SQL); they live here until it grows them, and read
through their own connection because SQLite connections are per thread.
"""

import sqlite3
from pathlib import Path
from typing import NamedTuple

from starstats_client.errors import StoreError

_RECENT = (
    "SELECT event_type, timestamp, source, payload, sync_state FROM events"
    " ORDER BY timestamp DESC, id DESC LIMIT ?"
)
# Served by the (event_type, timestamp) index.
_RECENT_OF_TYPE = (
    "SELECT event_type, timestamp, source, payload, sync_state FROM events"
    " WHERE event_type = ? ORDER BY timestamp DESC, id DESC LIMIT ?"
)


class StoredEvent(NamedTuple):
    event_type: str
    timestamp: str  # the line's own UTC ISO-8601 text
    source: str
    payload: str  # the event's wire form, JSON
    sync_state: int  # 0 pending, 1 synced, 2 quarantined


class EventLog:
    """A read-only connection to the database at `path` (which must already exist: open a
    `Store` on it first). Use one per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            # mode=ro: the tray's readers can never take the write lock from the tailer.
            self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as err:
            raise StoreError(f"{path}: cannot open for reading ({err})") from err

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "EventLog":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: {err}") from err

    def data_version(self) -> int:
        """Changes whenever another connection commits: lets a reader skip re-reading an
        unchanged database (a full read costs ~0.3 s at a million events)."""
        value = self._rows("PRAGMA data_version")[0][0]
        assert isinstance(value, int)
        return value

    def recent(self, limit: int, event_type: str | None = None) -> list[StoredEvent]:
        """The newest `limit` events by game time (of one type if given), newest first."""
        if event_type is None:
            rows = self._rows(_RECENT, (limit,))
        else:
            rows = self._rows(_RECENT_OF_TYPE, (event_type, limit))
        return [StoredEvent(*row) for row in rows]  # type: ignore[arg-type]  # sqlite rows are untyped tuples

    def latest(self) -> StoredEvent | None:
        found = self.recent(1)
        return found[0] if found else None

    def count_since(self, timestamp: str) -> int:
        """Events whose game time is at or after `timestamp` (UTC ISO-8601 text, which
        orders like the times it names)."""
        value = self._rows("SELECT count(*) FROM events WHERE timestamp >= ?", (timestamp,))[0][0]
        assert isinstance(value, int)
        return value
