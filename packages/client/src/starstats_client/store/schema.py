"""The local database's schema as an ordered list of migrations, tracked by user_version.

Step N takes a database at version N-1 to N. Steps are only ever appended: a shipped step
is never edited, so every player's database reaches the same schema whatever it started at.
"""

import sqlite3

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: events, tail cursors, unknown shapes, the user's noise list.
    (
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            event_type TEXT NOT NULL,
            timestamp TEXT NOT NULL,
            source TEXT NOT NULL,
            source_offset INTEGER NOT NULL,
            file_signature TEXT NOT NULL,
            raw_line TEXT NOT NULL,
            payload TEXT NOT NULL,
            sync_state INTEGER NOT NULL DEFAULT 0  -- 0 pending, 1 synced, 2 quarantined
        )""",
        # The outbox reads pending rows in id order; a partial index keeps that cheap
        # however many synced rows pile up.
        "CREATE INDEX events_pending ON events (id) WHERE sync_state = 0",
        "CREATE INDEX events_by_type ON events (event_type, timestamp)",
        # One row per launch's log (file signature): where its next new event starts.
        """CREATE TABLE tail_cursors (
            file_signature TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            path TEXT NOT NULL,
            byte_offset INTEGER NOT NULL,
            finished INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE unknown_shapes (
            shape TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            sample TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        )""",
        # Built-in noise comes from the code (starstats_core.noise); only user entries here.
        """CREATE TABLE noise (
            event_name TEXT PRIMARY KEY,
            added_at TEXT NOT NULL
        )""",
    ),
    # 2: the sync outbox's quarantine and the sync worker's statistics.
    (
        """CREATE TABLE quarantine (
            idempotency_key TEXT PRIMARY KEY REFERENCES events (idempotency_key),
            reason TEXT NOT NULL,
            quarantined_at TEXT NOT NULL
        )""",
        """CREATE TABLE sync_stats (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            last_attempt_at TEXT,
            last_success_at TEXT,
            last_error TEXT,
            batches_sent INTEGER NOT NULL DEFAULT 0,
            events_accepted INTEGER NOT NULL DEFAULT 0,
            events_duplicate INTEGER NOT NULL DEFAULT 0,
            events_rejected INTEGER NOT NULL DEFAULT 0
        )""",
        "INSERT INTO sync_stats (id) VALUES (1)",
    ),
    # 3: what the sync worker is doing (for `status` in another process) and the trace id
    # of its last request, to follow a batch from the client into the server's logs.
    (
        "ALTER TABLE sync_stats ADD COLUMN state TEXT",
        "ALTER TABLE sync_stats ADD COLUMN last_trace_id TEXT",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite3.Connection) -> int:
    version: int = db.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(db: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the missing steps up to `target`, each in its own transaction; returns the
    version reached. `db` must be in autocommit mode (isolation_level=None)."""
    version = schema_version(db)
    while version < target:
        db.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            version = schema_version(db)
            if version < target:
                for statement in MIGRATIONS[version]:
                    db.execute(statement)
                version += 1
                db.execute(f"PRAGMA user_version = {version:d}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return version
