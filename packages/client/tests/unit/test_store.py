"""The local store: migrations, typed errors for damaged and locked databases, one-
transaction commits, the outbox, unknown shapes and the user's noise list."""

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from starstats_client.errors import (
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreVersionError,
)
from starstats_client.store import (
    SCHEMA_VERSION,
    Cursor,
    EventRow,
    ShapeCount,
    Store,
)
from starstats_client.store.schema import migrate
from starstats_core.noise import DEFAULT_NOISE
from starstats_core.wire import LogSource

CURSOR = Cursor("sig1", LogSource.LIVE, "/logs/LIVE/Game.log", 100)


def event(n: int, kind: str = "join_pu") -> EventRow:
    payload = f'{{"type": "{kind}", "timestamp": "2026-05-02T20:00:{n % 60:02d}.000Z"}}'
    return EventRow(
        f"key-{n}",
        kind,
        f"2026-05-02T20:00:{n % 60:02d}.000Z",
        "live",
        n * 10,
        "sig1",
        "raw",
        payload,
    )


class Tick:
    """A clock that moves one second per reading."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 2, 20, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture(name="store")
def store_fixture(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "data.sqlite3", clock=Tick())
    yield store
    store.close()


def test_a_new_database_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "d" / "data.sqlite3"):
        pass
    db = sqlite3.connect(tmp_path / "d" / "data.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "events",
        "tail_cursors",
        "unknown_shapes",
        "noise",
        "quarantine",
        "sync_stats",
    } <= tables


def test_an_older_database_is_migrated_step_by_step_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    assert migrate(db, target=1) == 1
    db.execute(
        "INSERT INTO events (idempotency_key, event_type, timestamp, source, source_offset,"
        " file_signature, raw_line, payload)"
        " VALUES ('k', 'join_pu', 't', 'live', 0, 's', 'r', '{}')"
    )
    db.close()
    with Store(path) as store:
        assert store.counts().events == 1
        assert store.sync_stats().batches_sent == 0  # created by step 2
        assert [e.idempotency_key for e in store.next_unsynced(10)] == ["k"]


def test_a_database_from_a_newer_client_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreVersionError, match="newer StarStats"):
        Store(path)


def test_a_file_that_is_not_a_database_is_a_clear_corruption_error(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    path.write_bytes(b"this is not a database, just some text\n" * 200)
    with pytest.raises(StoreCorruptError) as err:
        Store(path)
    assert str(path) in str(err.value)
    assert "move it aside" in str(err.value)
    assert path.read_bytes().startswith(b"this is not")  # never overwritten


def test_damaged_pages_are_a_corruption_error_not_silent_loss(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite3"
    with Store(path) as store:
        store.commit([event(n) for n in range(3000)], CURSOR)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    data[3 * page : len(data) - page] = b"\xa5" * (len(data) - 4 * page)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreCorruptError, match="damaged"), Store(path) as store:
        store.counts()


def test_a_database_locked_by_another_writer_is_a_clear_error_and_loses_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data.sqlite3"
    store = Store(path, busy_timeout=0.05)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(StoreLockedError, match="locked by another process"):
        store.commit([event(1)], CURSOR)
    other.execute("ROLLBACK")
    assert store.commit([event(1)], CURSOR) == 1
    assert store.counts().events == 1
    store.close()
    other.close()


def test_opening_a_database_another_process_holds_exclusively_is_a_locked_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreLockedError):
        Store(path, busy_timeout=0.05)
    other.execute("ROLLBACK")
    other.close()


def test_commit_stores_events_once_and_moves_the_cursor(store: Store) -> None:
    assert store.commit([event(1), event(2)], CURSOR) == 2
    moved = Cursor("sig1", LogSource.LIVE, "/logs/LIVE/Game.log", 250, finished=True)
    assert store.commit([event(2), event(3)], moved) == 1
    assert store.cursor("sig1") == moved
    assert store.cursor("other") is None
    assert store.counts().events == 3


def test_a_failed_commit_stores_neither_events_nor_cursor(store: Store) -> None:
    bad = event(2)._replace(event_type=None)  # type: ignore[arg-type]  # NOT NULL violated
    with pytest.raises(StoreError, match="NOT NULL"):
        store.commit([event(1), bad], CURSOR)
    assert store.counts().events == 0
    assert store.cursor("sig1") is None


def test_unfinished_cursors_are_listed_oldest_first(store: Store) -> None:
    store.commit([], Cursor("b", LogSource.PTU, "/PTU/Game.log", 5))
    store.commit([], Cursor("a", LogSource.LIVE, "/LIVE/x.log", 9, finished=True))
    store.commit([], Cursor("c", LogSource.LIVE, "/LIVE/Game.log", 7))
    assert [c.file_signature for c in store.cursors()] == ["b", "a", "c"]
    assert [c.file_signature for c in store.cursors(unfinished_only=True)] == ["b", "c"]
    assert store.cursors(unfinished_only=True)[0].source is LogSource.PTU


def test_the_outbox_hands_out_pending_events_in_order(store: Store) -> None:
    store.commit([event(n) for n in range(10)], CURSOR)
    batch = store.next_unsynced(4)
    assert [e.idempotency_key for e in batch] == ["key-0", "key-1", "key-2", "key-3"]
    envelope = batch[0].envelope()
    assert envelope.event == {"type": "join_pu", "timestamp": "2026-05-02T20:00:00.000Z"}
    assert envelope.source is LogSource.LIVE
    assert store.mark_synced(["key-0", "key-1", "nope"]) == 2
    assert store.mark_synced(["key-0"]) == 0
    assert store.quarantine(["key-2", "key-5"], "400 event_problems: bad timestamp") == 2
    assert [e.idempotency_key for e in store.next_unsynced(4)] == [
        "key-3",
        "key-4",
        "key-6",
        "key-7",
    ]
    counts = store.counts()
    assert (counts.events, counts.unsynced, counts.quarantined) == (10, 6, 2)
    parked = store.quarantined()
    assert {key for key, _, _ in parked} == {"key-2", "key-5"}
    assert all(reason.startswith("400") for _, reason, _ in parked)
    assert store.mark_synced(["key-2"]) == 0  # a parked event stays parked


def test_sync_stats_record_failures_and_successes(store: Store) -> None:
    store.record_sync(error="connection refused")
    stats = store.sync_stats()
    assert stats.last_error == "connection refused"
    assert stats.last_success_at is None
    assert stats.last_attempt_at is not None
    store.record_sync(accepted=5, duplicate=2, rejected=1)
    stats = store.sync_stats()
    assert stats.last_error is None
    assert stats.last_success_at == stats.last_attempt_at
    assert (stats.batches_sent, stats.events_accepted, stats.events_duplicate) == (1, 5, 2)
    assert stats.events_rejected == 1


def test_unknown_shapes_add_up_and_keep_their_first_sample(store: Store) -> None:
    shape = "<TS> [Notice] <Odd Thing> value <N>"
    store.commit([], CURSOR, [ShapeCount(shape, 3, "first"), ShapeCount("<TS> rare", 1, "r")])
    store.commit([], CURSOR, [ShapeCount(shape, 2, "second")])
    top = store.unknown_shapes()
    assert [(s.shape, s.count, s.sample) for s in top] == [
        (shape, 5, "first"),
        ("<TS> rare", 1, "r"),
    ]
    assert top[0].first_seen < top[0].last_seen
    assert len(store.unknown_shapes(1)) == 1


def test_ignoring_a_name_adds_it_to_the_noise_list_and_forgets_its_shapes(store: Store) -> None:
    store.commit(
        [],
        CURSOR,
        [
            ShapeCount("<TS> [Notice] <Odd Thing <N>> value <N>", 3, "a"),
            ShapeCount("<TS> [Notice] <Other> value", 2, "b"),
        ],
    )
    assert store.add_noise("Odd Thing 42") is True
    assert store.add_noise("Odd Thing 42") is False
    assert store.add_noise(sorted(DEFAULT_NOISE)[0]) is False
    assert [s.shape for s in store.unknown_shapes()] == ["<TS> [Notice] <Other> value"]
    assert "Odd Thing 42" in store.noise_names()
    assert store.noise_names() > DEFAULT_NOISE
    assert ("Odd Thing 42", "user") in store.noise_list()
    assert len(store.noise_list()) == len(DEFAULT_NOISE) + 1
