"""The tray's workers on real threads with real stores, without Qt: what they post to the
outbox, and that what they write is what the one-shot parser finds."""

import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from starstats_client.errors import LogFileError
from starstats_client.importer import ProgressCallback, import_logs
from starstats_client.store import Store
from starstats_client.ui.actions import MemorySyncActions
from starstats_client.ui.viewmodel import FactsRequest, day_start
from starstats_client.ui.workers import (
    FactsRead,
    FactsReader,
    ImportAdvanced,
    Notice,
    Outbox,
    PairingFinished,
    TailsPolled,
    TailWorker,
    WorkerFailed,
    start_import,
    start_pairing,
)

from ..conftest import oracle, stored  # noqa: TID252 - helpers shared by every client test; tests are not an installed package
from .conftest import NOW, Game

REQUEST = FactsRequest(day_start=day_start(NOW))


def next_notice(outbox: Outbox, wanted: Callable[[Notice], bool], timeout: float = 10) -> Notice:
    """The first notice `wanted` accepts (others are dropped)."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            notice = outbox.get(timeout=left)
        except queue.Empty:
            break
        if wanted(notice):
            return notice
    raise AssertionError("no such notice arrived")


def quiet_for(outbox: Outbox, seconds: float) -> list[Notice]:
    time.sleep(seconds)
    found = []
    while not outbox.empty():
        found.append(outbox.get_nowait())
    return found


def test_the_tail_worker_stores_the_live_log_and_posts_its_offset(
    database: Path, game: Game
) -> None:
    outbox: Outbox = queue.SimpleQueue()
    woken = threading.Event()  # the sync worker's wake, in the tray
    worker = TailWorker(database, [game.live], outbox, interval=0.05, on_events=woken.set)
    worker.start()
    try:
        notice = next_notice(
            outbox, lambda n: isinstance(n, TailsPolled) and n.statuses[0].offset > 0
        )
    finally:
        worker.stop()
    assert not worker.running
    assert isinstance(notice, TailsPolled)
    (status,) = notice.statuses
    assert status.path == game.live
    assert status.last_error is None
    assert stored(database) == oracle(game.live.read_bytes())
    assert woken.is_set()


def test_the_tail_worker_wakes_on_an_append_and_stops_at_once(database: Path, game: Game) -> None:
    outbox: Outbox = queue.SimpleQueue()
    worker = TailWorker(database, [game.live], outbox, interval=5.0)  # only notifications wake it
    worker.start()
    try:
        first = next_notice(outbox, lambda n: isinstance(n, TailsPolled))
        assert isinstance(first, TailsPolled)
        with game.live.open("ab") as out:
            out.write(b"<2026-05-02T22:59:59.000Z> [Notice] <Some Engine Chatter> more\r\n")
        size = game.live.stat().st_size
        moved = next_notice(
            outbox, lambda n: isinstance(n, TailsPolled) and n.statuses[0].offset == size, 2.0
        )
    finally:
        began = time.monotonic()
        worker.stop()
    assert time.monotonic() - began < 1.0  # not a fallback poll of 5 s
    assert not worker.running
    assert isinstance(moved, TailsPolled)


def test_a_failing_tail_worker_posts_why(tmp_path: Path, game: Game) -> None:
    outbox: Outbox = queue.SimpleQueue()
    not_a_database = tmp_path / "junk.sqlite3"
    not_a_database.write_bytes(b"this is not SQLite" * 100)
    worker = TailWorker(not_a_database, [game.live], outbox)
    worker.start()
    notice = next_notice(outbox, lambda n: isinstance(n, WorkerFailed))
    worker.stop()
    assert isinstance(notice, WorkerFailed)
    assert notice.worker == "tailer"
    assert "damaged" in notice.error


def test_the_reader_reads_again_only_when_the_database_or_the_request_changes(
    imported: Path,
) -> None:
    outbox: Outbox = queue.SimpleQueue()
    reader = FactsReader(imported, outbox, interval=0.02)
    reader.request(REQUEST)
    reader.start()
    try:
        first = next_notice(outbox, lambda n: isinstance(n, FactsRead))
        assert quiet_for(outbox, 0.2) == []  # ten idle turns, no re-read
        with Store(imported) as store:
            total = store.counts().events
            store.add_noise("Some Engine Chatter")  # any commit by another connection
        assert isinstance(next_notice(outbox, lambda n: isinstance(n, FactsRead)), FactsRead)
        reader.request(FactsRequest(day_start=REQUEST.day_start, event_type="actor_death"))
        narrowed = next_notice(outbox, lambda n: isinstance(n, FactsRead))
        reader.set_active(False)
        with Store(imported) as store:
            store.add_noise("More Engine Chatter")
        assert quiet_for(outbox, 0.2) == []  # hidden window: nothing is read
    finally:
        reader.stop()
    assert isinstance(first, FactsRead)
    assert first.facts.counts.events == total
    assert isinstance(narrowed, FactsRead)
    assert {e.event_type for e in narrowed.facts.recent} == {"actor_death"}


def test_an_import_posts_progress_copies_then_its_end(database: Path, game: Game) -> None:
    outbox: Outbox = queue.SimpleQueue()

    def backfill(store: Store, report: ProgressCallback) -> None:
        import_logs(store, game.backups, noise=store.noise_names(), on_progress=report)

    start_import(database, backfill, outbox).join(30)
    notices = quiet_for(outbox, 0)
    assert all(isinstance(n, ImportAdvanced) for n in notices)
    *progress, end = notices
    assert isinstance(end, ImportAdvanced)
    assert end.finished
    assert end.error is None
    assert end.progress is not None
    assert end.progress.files_done == end.progress.files_total == 2
    copies = [n.progress for n in progress if isinstance(n, ImportAdvanced)]
    assert len({id(p) for p in copies}) == len(copies)  # each a copy, not the live object
    assert copies[0] is not None
    assert copies[0].files_done == 0
    expected = sorted(
        row for path in game.backups for row in oracle(path.read_bytes(), finish=True)
    )
    assert stored(database) == expected


def test_a_failed_import_posts_its_error(database: Path) -> None:
    outbox: Outbox = queue.SimpleQueue()

    def backfill(store: Store, report: ProgressCallback) -> None:
        raise LogFileError("backups: permission denied")

    start_import(database, backfill, outbox).join(10)
    (end,) = quiet_for(outbox, 0)
    assert end == ImportAdvanced(None, finished=True, error="backups: permission denied")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("abcd2345", PairingFinished("MemoryPilot", None)),
        ("short", PairingFinished(None, None, "a pairing code is 8 characters")),
    ],
)
def test_pairing_runs_off_the_calling_thread_and_posts_the_outcome(
    code: str, expected: PairingFinished
) -> None:
    outbox: Outbox = queue.SimpleQueue()
    actions = MemorySyncActions()
    start_pairing(actions, "https://api.example.org", code, outbox).join(10)
    (done,) = quiet_for(outbox, 0)
    assert isinstance(done, PairingFinished)
    assert (done.handle, done.error) == (expected.handle, expected.error)
    assert actions.paired_handle() == expected.handle
