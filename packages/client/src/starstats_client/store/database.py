"""`Store`: the client's SQLite database (stdlib sqlite3, WAL) in the per-user data folder.

Owns all SQL. Events, the tail cursor they came from and the unknown-shape counts of the
same bytes are written in one transaction (`commit`), so a crash at any instant neither
loses nor duplicates an event. sqlite3 errors become the typed errors of `errors.py`.
"""

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from starstats_client.errors import (
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
    StoreVersionError,
)
from starstats_client.store.rows import (
    Checkpoint,
    Cursor,
    EventRow,
    OutboxEvent,
    ShapeCount,
    StoreCounts,
    SyncStats,
    UnknownShape,
)
from starstats_client.store.schema import SCHEMA_VERSION, migrate, schema_version
from starstats_core.noise import DEFAULT_NOISE
from starstats_core.shapes import shape_of
from starstats_core.wire import LogSource

Clock = Callable[[], datetime]

_INSERT_EVENT = (
    "INSERT INTO events (idempotency_key, event_type, timestamp, source, source_offset,"
    " file_signature, raw_line, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (idempotency_key) DO NOTHING"
)
_UPSERT_CURSOR = (
    "INSERT INTO tail_cursors (file_signature, source, path, byte_offset, finished, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (file_signature) DO UPDATE SET path = excluded.path,"
    " byte_offset = excluded.byte_offset, finished = excluded.finished,"
    " updated_at = excluded.updated_at"
)
_UPSERT_SHAPE = (
    "INSERT INTO unknown_shapes (shape, count, sample, first_seen, last_seen)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (shape) DO UPDATE SET"
    " count = count + excluded.count, last_seen = excluded.last_seen"
)
_SELECT_CURSORS = (
    "SELECT file_signature, source, path, byte_offset, finished FROM tail_cursors"
    " WHERE (file_signature = ? OR ? IS NULL) AND (finished = 0 OR NOT ?)"
    " ORDER BY updated_at, path"
)
_PENDING, _SYNCED, _QUARANTINED = 0, 1, 2


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    """One connection to the database at `path` (created and migrated on open).

    Use one Store per thread. Every write is one short IMMEDIATE transaction; another
    process holding the write lock longer than `busy_timeout` seconds is a StoreLockedError.
    """

    def __init__(self, path: Path, *, clock: Clock = utc_now, busy_timeout: float = 5.0) -> None:
        self.path = path
        self._now = clock
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"{path.parent}: cannot create the data folder ({err})") from err
        with self._errors():
            self._db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
        try:
            with self._errors():
                self._configure()
        except BaseException:
            self._db.close()
            raise

    def _configure(self) -> None:
        version = schema_version(self._db)  # the first read: fails here on a damaged file
        if version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{self.path}: made by a newer StarStats (schema {version}, this client knows "
                f"{SCHEMA_VERSION}); update the client"
            )
        self._db.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL: a commit survives a crash of this process (not a power cut, after
        # which the database is still consistent and merely a few commits older).
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA cache_size = -16384")  # KiB: 16 MiB keeps bulk imports fast
        migrate(self._db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- errors and transactions ----------------------------------------------------------
    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as err:
            raise self._typed(err) from err

    def _typed(self, err: sqlite3.Error) -> StoreError:
        code = getattr(err, "sqlite_errorname", "") or ""
        if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return StoreLockedError(
                f"{self.path}: the database is locked by another process (is another "
                "StarStats client running?)"
            )
        if code.startswith("SQLITE_FULL"):
            return StoreFullError(
                f"{self.path}: the disk is full; nothing was lost (the log is read again "
                "from the last stored line once there is room)"
            )
        if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return StoreCorruptError(
                f"{self.path}: the database is damaged ({err}); move it aside and run "
                "`starstats-client import` to rebuild it from the logs"
            )
        return StoreError(f"{self.path}: {err}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                # SQLite has already rolled back after some errors (a full disk): undo only
                # what is still open, or ROLLBACK's own error would hide the real one.
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _stamp(self) -> str:
        return self._now().astimezone(UTC).isoformat(timespec="milliseconds")

    # -- ingestion --------------------------------------------------------------------------
    def commit(
        self, events: Sequence[EventRow], cursor: Cursor, shapes: Sequence[ShapeCount] = ()
    ) -> int:
        """Store `events` (known idempotency keys are skipped), move `cursor` and add the
        shape counts, all in one transaction. Returns how many events were new."""
        return self.commit_all([Checkpoint(list(events), cursor, list(shapes))])

    def commit_all(self, points: Sequence[Checkpoint]) -> int:
        """`commit` for several checkpoints (in order) in one transaction. Every commit
        rewrites the index pages it touched, and random idempotency keys touch pages all
        over the index, so bulk imports group many files per transaction."""
        now = self._stamp()
        added = 0
        with self._write() as db:
            for point in points:
                before = db.total_changes
                db.executemany(_INSERT_EVENT, point.events)
                added += db.total_changes - before
                cursor = point.cursor
                db.execute(
                    _UPSERT_CURSOR,
                    (
                        cursor.file_signature,
                        cursor.source.value,
                        cursor.path,
                        cursor.offset,
                        int(cursor.finished),
                        now,
                    ),
                )
                db.executemany(
                    _UPSERT_SHAPE, [(s.shape, s.count, s.sample, now, now) for s in point.shapes]
                )
        return added

    def cursor(self, signature: str) -> Cursor | None:
        with self._errors():
            row = self._db.execute(_SELECT_CURSORS, (signature, signature, False)).fetchone()
        return None if row is None else _cursor(row)

    def cursors(self, *, unfinished_only: bool = False) -> list[Cursor]:
        with self._errors():
            rows = self._db.execute(_SELECT_CURSORS, (None, None, unfinished_only)).fetchall()
        return [_cursor(row) for row in rows]

    # -- noise and unknown shapes -----------------------------------------------------------
    def noise_names(self) -> frozenset[str]:
        """The built-in noise list plus the user's entries (what parsers are built with)."""
        return DEFAULT_NOISE | {name for name, source in self.noise_list() if source == "user"}

    def noise_list(self) -> list[tuple[str, str]]:
        """(event name, "builtin" | "user"), by name."""
        with self._errors():
            users = [r[0] for r in self._db.execute("SELECT event_name FROM noise")]
        builtin = [(name, "builtin") for name in DEFAULT_NOISE]
        return sorted([*builtin, *((n, "user") for n in users if n not in DEFAULT_NOISE)])

    def add_noise(self, event_name: str) -> bool:
        """Ignore `event_name` from now on and forget its unknown shapes. False if it
        already was noise."""
        if event_name in self.noise_names():
            return False
        # The name as it appears in a shape: `<Name>` with its digits and quotes masked.
        fragment = shape_of(f"x <{event_name}>")[2:]
        with self._write() as db:
            db.execute(
                "INSERT INTO noise (event_name, added_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (event_name, self._stamp()),
            )
            db.execute("DELETE FROM unknown_shapes WHERE instr(shape, ?) > 0", (fragment,))
        return True

    def unknown_shapes(self, limit: int | None = None) -> list[UnknownShape]:
        """Unknown line shapes, most frequent first."""
        with self._errors():
            rows = self._db.execute(
                "SELECT shape, count, sample, first_seen, last_seen FROM unknown_shapes"
                " ORDER BY count DESC, shape LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()
        return [UnknownShape(*row) for row in rows]

    # -- the sync outbox --------------------------------------------------------------------
    def next_unsynced(self, limit: int) -> list[OutboxEvent]:
        """The oldest `limit` events neither synced nor quarantined, in insertion order."""
        with self._errors():
            rows = self._db.execute(
                "SELECT idempotency_key, event_type, timestamp, source, source_offset,"
                " raw_line, payload FROM events WHERE sync_state = ? ORDER BY id LIMIT ?",
                (_PENDING, limit),
            ).fetchall()
        return [OutboxEvent(*row) for row in rows]

    def mark_synced(self, keys: Iterable[str]) -> int:
        """The server has these events (accepted or duplicate); returns rows changed."""
        with self._write() as db:
            before = db.total_changes
            db.executemany(
                "UPDATE events SET sync_state = ? WHERE idempotency_key = ? AND sync_state = ?",
                [(_SYNCED, key, _PENDING) for key in keys],
            )
            return db.total_changes - before

    def quarantine(self, keys: Iterable[str], reason: str) -> int:
        """The server refused these events for good: park them with `reason` so the outbox
        moves on and the player can see why. Returns how many events were parked."""
        now = self._stamp()
        with self._write() as db:
            before = db.total_changes
            params = [(key,) for key in keys]
            db.executemany(
                "UPDATE events SET sync_state = ? WHERE idempotency_key = ?",
                [(_QUARANTINED, key) for (key,) in params],
            )
            parked = db.total_changes - before
            db.executemany(
                "INSERT INTO quarantine (idempotency_key, reason, quarantined_at)"
                " SELECT idempotency_key, ?, ? FROM events WHERE idempotency_key = ?"
                " ON CONFLICT (idempotency_key) DO UPDATE SET reason = excluded.reason,"
                " quarantined_at = excluded.quarantined_at",
                [(reason, now, key) for (key,) in params],
            )
        return parked

    def quarantined(self, limit: int = 100) -> list[tuple[str, str, str]]:
        """(idempotency key, reason, when) of parked events, newest first."""
        with self._errors():
            return self._db.execute(
                "SELECT idempotency_key, reason, quarantined_at FROM quarantine"
                " ORDER BY quarantined_at DESC, idempotency_key LIMIT ?",
                (limit,),
            ).fetchall()

    def record_sync(
        self,
        *,
        error: str | None = None,
        accepted: int = 0,
        duplicate: int = 0,
        rejected: int = 0,
        trace_id: str | None = None,
    ) -> None:
        """One sync attempt: a failure records `error`; a success clears it and adds counts.
        `trace_id` (when given) is remembered as the last request's trace."""
        now = self._stamp()
        with self._write() as db:
            if trace_id is not None:
                db.execute("UPDATE sync_stats SET last_trace_id = ? WHERE id = 1", (trace_id,))
            if error is not None:
                db.execute(
                    "UPDATE sync_stats SET last_attempt_at = ?, last_error = ? WHERE id = 1",
                    (now, error),
                )
                return
            db.execute(
                "UPDATE sync_stats SET last_attempt_at = ?, last_success_at = ?,"
                " last_error = NULL, batches_sent = batches_sent + 1,"
                " events_accepted = events_accepted + ?, events_duplicate = events_duplicate + ?,"
                " events_rejected = events_rejected + ? WHERE id = 1",
                (now, now, accepted, duplicate, rejected),
            )

    def set_sync_state(self, state: str) -> None:
        """What the sync worker is doing now, for readers in other processes (`status`)."""
        with self._write() as db:
            db.execute("UPDATE sync_stats SET state = ? WHERE id = 1", (state,))

    def sync_stats(self) -> SyncStats:
        with self._errors():
            row = self._db.execute(
                "SELECT last_attempt_at, last_success_at, last_error, batches_sent,"
                " events_accepted, events_duplicate, events_rejected, state, last_trace_id"
                " FROM sync_stats"
            ).fetchone()
        return SyncStats(*row)

    # -- reporting --------------------------------------------------------------------------
    def counts(self) -> StoreCounts:
        """Totals for `status` and the tray."""
        with self._errors():
            by_type = dict(
                self._db.execute(
                    "SELECT event_type, count(*) FROM events GROUP BY event_type ORDER BY 1"
                ).fetchall()
            )
            unsynced = self._scalar("SELECT count(*) FROM events WHERE sync_state = 0")
            quarantined = self._scalar("SELECT count(*) FROM quarantine")
            shapes = self._scalar("SELECT count(*) FROM unknown_shapes")
        return StoreCounts(sum(by_type.values()), by_type, unsynced, quarantined, shapes)

    def tailed_count(self) -> int:
        """Events of launches whose cursor last read a live `Game.log`, as opposed to a
        backup in `logbackups/` (imported, or a launch the tailer finished from its backup)."""
        with self._errors():
            return self._scalar(
                "SELECT count(*) FROM events WHERE file_signature IN"
                " (SELECT file_signature FROM tail_cursors WHERE lower(path) LIKE '%game.log')"
            )

    def _scalar(self, sql: str) -> int:
        value: int = self._db.execute(sql).fetchone()[0]
        return value


def _cursor(row: tuple[str, str, str, int, int]) -> Cursor:
    signature, source, path, offset, finished = row
    return Cursor(signature, LogSource(source), path, offset, bool(finished))
