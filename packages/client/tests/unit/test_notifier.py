"""Filesystem notifications wake the tailer: with the fallback poll set to 5 s, anything stored
within 2 s was read because a notification (the real OS observer: inotify here) said so.
Each tailer runs on its own thread with its own store, as in the app."""

import errno
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from starstats_client.notifier import DISABLE_ENV, ChangeNotifier
from starstats_client.store import Store
from starstats_client.tailer import FileTail, Tailer
from starstats_core.noise import DEFAULT_NOISE

from ..conftest import Row, oracle, stored, synth_log  # noqa: TID252 - helpers shared by unit and integration tests; tests are not an installed package

SLOW_POLL = 5.0  # the fallback poll: far later than any deadline below
SOON = 2.0


def eventually(check: Callable[[], bool], within: float = SOON) -> float:
    """Seconds until `check()` holds; fails after `within`."""
    began = time.monotonic()
    while not check():
        if time.monotonic() - began > within:
            raise AssertionError(f"not within {within} s")
        time.sleep(0.01)
    return time.monotonic() - began


@contextmanager
def tailing(
    log: Path, database: Path, *, interval: float | None = SLOW_POLL, notify: bool = True
) -> Iterator[None]:
    """A Tailer following `log` on a thread (with its own store), from its first poll on."""
    stop, ready = threading.Event(), threading.Event()
    tailers: list[Tailer] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            with Store(database) as store:
                tail = FileTail(log, store, noise=DEFAULT_NOISE)
                tailers.append(Tailer([tail], interval=interval, notify=notify))
                tailers[0].run(stop, on_poll=ready.set)
        except BaseException as err:  # reported on the test's thread
            failures.append(err)
            ready.set()

    thread = threading.Thread(target=work, name="test-tailer")
    thread.start()
    try:
        assert ready.wait(SOON), "the tailer never polled"
        yield
    finally:
        stop.set()
        for tailer in tailers:
            tailer.wake()
        thread.join(SOON)
    assert not thread.is_alive(), "the tailer did not stop at once"
    assert not failures, failures


def rows(database: Path) -> list[Row]:
    return stored(database) if database.exists() else []


@pytest.fixture(name="log")
def log_fixture(tmp_path: Path) -> Path:
    log = tmp_path / "LIVE" / "Game.log"
    log.parent.mkdir()
    return log


def test_an_append_is_stored_at_once_not_at_the_next_poll(log: Path, tmp_path: Path) -> None:
    data = synth_log(20, sessions=1, lines=1500)
    half = data.index(b"\n", len(data) // 2) + 1
    log.write_bytes(data[:half])
    db = tmp_path / "data.sqlite3"
    with tailing(log, db):
        eventually(lambda: rows(db) == oracle(data[:half]))
        with log.open("ab") as out:
            out.write(data[half:])
        took = eventually(lambda: rows(db) == oracle(data))
    assert took < SOON < SLOW_POLL


def test_with_notifications_off_the_tailer_still_follows_by_polling(
    log: Path, tmp_path: Path
) -> None:
    data = synth_log(21, sessions=1, lines=1500)
    log.write_bytes(data[:20_000])
    db = tmp_path / "data.sqlite3"
    with tailing(log, db, interval=None, notify=False):  # the default poll: 100 ms
        eventually(lambda: len(rows(db)) > 0)
        with log.open("ab") as out:
            out.write(data[20_000:])
        eventually(lambda: rows(db) == oracle(data))


def test_a_new_launch_replacing_the_file_is_noticed_at_once(log: Path, tmp_path: Path) -> None:
    first, second = synth_log(22, sessions=1, lines=2000), synth_log(23, sessions=1, lines=800)
    half = len(first) // 2 + 17  # mid-line
    log.write_bytes(first[:half])
    db = tmp_path / "data.sqlite3"
    with tailing(log, db):
        eventually(lambda: rows(db) == oracle(first[:half]))
        backups = log.parent / "logbackups"
        backups.mkdir()
        with log.open("ab") as out:
            out.write(first[half:])  # the old launch ends ...
        log.rename(backups / "Game Build(1) 02 May 26 (20 00 00).log")  # ... is moved away
        log.write_bytes(second)  # ... and the next launch starts a new Game.log
        eventually(lambda: rows(db) == sorted(oracle(first, finish=True) + oracle(second)))


def test_a_log_in_a_folder_that_does_not_exist_yet_is_picked_up_when_it_appears(
    tmp_path: Path,
) -> None:
    log = tmp_path / "StarCitizen" / "LIVE" / "Game.log"
    data = synth_log(24, sessions=1, lines=1000)
    db = tmp_path / "data.sqlite3"
    with tailing(log, db):
        log.parent.mkdir(parents=True)  # both folders at once, racing the new watch
        log.write_bytes(data)
        eventually(lambda: rows(db) == oracle(data))


@pytest.mark.parametrize("away", [0.0, 0.3])  # 0.3 s: the watch moves up to tmp_path meanwhile
def test_a_folder_deleted_and_made_again_is_watched_again(
    log: Path, tmp_path: Path, away: float
) -> None:
    first, second = synth_log(25, sessions=1, lines=1000), synth_log(26, sessions=1, lines=800)
    log.write_bytes(first)
    db = tmp_path / "data.sqlite3"
    with tailing(log, db):
        eventually(lambda: rows(db) == oracle(first))
        log.unlink()
        log.parent.rmdir()
        time.sleep(away)
        log.parent.mkdir()
        log.write_bytes(second)
        eventually(lambda: set(oracle(second)) <= set(rows(db)))


def test_the_notifier_wakes_only_for_the_tailed_files(log: Path) -> None:
    changed = threading.Event()
    log.write_bytes(b"")
    with ChangeNotifier([log], changed) as notifier:
        assert notifier.active
        assert notifier.folders == [str(log.parent)]
        changed.clear()
        (log.parent / "Other.log").write_bytes(b"another file\n")
        (log.parent / "logbackups").mkdir()  # not on the way to Game.log
        assert not changed.wait(0.3)
        with log.open("ab") as out:
            out.write(b"a line\n")
        assert changed.wait(SOON)


def test_stopping_joins_every_thread_the_observer_started(log: Path) -> None:
    before = set(threading.enumerate())
    with ChangeNotifier([log], threading.Event()) as notifier:
        assert notifier.active
        assert set(threading.enumerate()) > before
    assert set(threading.enumerate()) == before


@pytest.mark.parametrize("disable", ["argument", "environment"])
def test_notifications_can_be_switched_off(
    log: Path, monkeypatch: pytest.MonkeyPatch, disable: str
) -> None:
    if disable == "environment":
        monkeypatch.setenv(DISABLE_ENV, "1")
    before = set(threading.enumerate())
    with ChangeNotifier([log], threading.Event(), enabled=disable != "argument") as notifier:
        assert not notifier.active
        assert set(threading.enumerate()) == before


class WatchLimitReached(PollingObserver):
    """Like inotify once max_user_watches is reached: no folder can be watched."""

    def schedule(self, *args: object, **kwargs: object) -> ObservedWatch:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


def no_inotify_instance() -> BaseObserver:
    raise OSError(errno.EMFILE, "inotify instance limit reached")


@pytest.mark.parametrize("observer", [WatchLimitReached, no_inotify_instance])
def test_without_notifications_the_notifier_says_why_and_stays_out_of_the_way(
    log: Path, caplog: pytest.LogCaptureFixture, observer: Callable[[], BaseObserver]
) -> None:
    before = set(threading.enumerate())
    with (
        caplog.at_level(logging.WARNING, logger="starstats_client.notifier"),
        ChangeNotifier([log], threading.Event(), observer=observer) as notifier,
    ):
        assert not notifier.active
        assert set(threading.enumerate()) == before  # nothing left running
        notifier.wait(0)  # harmless: the caller polls instead
    assert "limit reached" in caplog.text
    assert "polling" in caplog.text
