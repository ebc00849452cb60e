"""The tailer against real files and a real SQLite store, checked against a one-shot parse
of the same bytes: every event stored exactly once, whatever the chunking, restarts,
truncation, replacement or invalid bytes."""

import os
import random
import threading
from pathlib import Path

import pytest

from starstats_client.app import run_tailer
from starstats_client.store import Store
from starstats_client.tailer import FileTail, Tailer, find_by_signature
from starstats_core.noise import DEFAULT_NOISE
from starstats_core.synth import Era
from starstats_core.wire import file_signature

from ..conftest import duplicates, oracle, stored, synth_log  # noqa: TID252 - helpers shared by unit and integration tests; tests are not an installed package


class Game:
    """A fake game writing `LIVE/Game.log` and a tailer following it (restartable)."""

    def __init__(self, root: Path) -> None:
        self.log = root / "LIVE" / "Game.log"
        self.log.parent.mkdir(parents=True)
        self.db = root / "data" / "data.sqlite3"
        self.store: Store | None = None
        self.tail: FileTail | None = None
        self.restart()

    def restart(self) -> None:
        """A new process: new connection, new tailer, nothing kept in memory."""
        if self.store is not None:
            self.store.close()
        self.store = Store(self.db)
        self.tail = FileTail(self.log, self.store, noise=DEFAULT_NOISE)

    def write(self, data: bytes, mode: str = "ab") -> None:
        with self.log.open(mode) as f:
            f.write(data)

    def poll(self) -> int:
        assert self.tail is not None
        return self.tail.poll()

    def rows(self) -> list[tuple[str, str, int]]:
        return stored(self.db)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


@pytest.fixture(name="game")
def game_fixture(tmp_path: Path) -> Game:
    game = Game(tmp_path)
    yield game
    game.close()


def chunks(data: bytes, rng: random.Random, largest: int) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        size = rng.choice([1, 2, rng.randint(1, 80), rng.randint(1, largest)])
        out.append(data[at : at + size])
        at += size
    return out


@pytest.mark.parametrize("seed", range(6))
def test_random_appends_and_restarts_store_every_event_once(game: Game, seed: int) -> None:
    rng = random.Random(seed)
    data = synth_log(seed, sessions=2, lines=2400, crlf=seed % 2 == 0)
    for piece in chunks(data, rng, largest=20_000):
        game.write(piece)
        if rng.random() < 0.5:
            game.poll()
        if rng.random() < 0.03:
            game.restart()
    game.poll()
    rows = game.rows()
    assert not duplicates(rows)
    assert rows == oracle(data)
    assert len(rows) > 100


def test_a_partial_last_line_waits_until_it_is_complete(game: Game) -> None:
    data = synth_log(1, sessions=1, lines=1500)
    body_end = data.rindex(b"\n", 0, len(data) - 1) + 1
    last = data[body_end:]
    assert oracle(data) != oracle(data[:body_end])  # the last line is an event
    game.write(data[:body_end] + last[:10])
    game.poll()
    assert game.rows() == oracle(data[:body_end])
    game.restart()  # the half line is not stored anywhere: read again after a restart
    game.write(last[10:-1])
    game.poll()
    assert game.rows() == oracle(data[:body_end])
    game.write(last[-1:])
    game.poll()
    assert game.rows() == oracle(data)


def test_lf_only_logs_work_like_crlf_logs(game: Game) -> None:
    data = synth_log(2, sessions=1, lines=1500, crlf=False)
    assert b"\r" not in data
    game.write(data)
    game.poll()
    assert game.rows() == oracle(data)


def test_a_multiline_notification_cut_by_a_restart_is_stored_once_and_whole(
    game: Game,
) -> None:
    data = synth_log(0, sessions=2, lines=3000, era=Era.MODERN_4_7)
    at = data.index(b'Added notification "New Objective')
    cut = data.index(b"\n", at) + 1  # just after the notification's first line
    game.write(data[:cut])
    game.poll()
    game.restart()
    game.write(data[cut:])
    game.poll()
    assert game.rows() == oracle(data)
    with Store(game.db) as store:
        joined = [
            e
            for e in store.next_unsynced(10_000)
            if e.source_offset == data.rfind(b"\n", 0, at) + 1
        ]
    assert len(joined) == 1
    assert "\n" in joined[0].raw_line  # stitched across the restart


def test_a_new_launch_replacing_the_file_starts_a_new_stream(game: Game) -> None:
    first, second = synth_log(3, sessions=1, lines=1500), synth_log(4, sessions=1, lines=1500)
    assert len(second) < len(first)  # detected by signature, although the file shrank
    game.write(first)
    game.poll()
    game.write(second, "wb")  # truncated and rewritten by the next launch
    game.poll()
    assert game.rows() == sorted(oracle(first) + oracle(second))


def test_a_new_launch_bigger_than_the_old_offset_is_still_detected(game: Game) -> None:
    first, second = synth_log(5, sessions=1, lines=1000), synth_log(6, sessions=2, lines=3000)
    game.write(first)
    game.poll()
    game.write(second, "wb")
    game.poll()
    assert game.rows() == sorted(oracle(first) + oracle(second))


def test_rotation_reads_the_rest_of_the_old_launch_from_logbackups(game: Game) -> None:
    first, second = synth_log(7, sessions=1, lines=2000), synth_log(8, sessions=1, lines=800)
    half = len(first) // 2 + 17  # mid-line
    game.write(first[:half])
    game.poll()
    game.write(first[half:])  # the last lines, written after our last poll ...
    backups = game.log.parent / "logbackups"
    backups.mkdir()
    game.log.rename(backups / "Game Build(1) 02 May 26 (20 00 00).log")  # ... then rotated
    game.write(second, "wb")
    game.poll()
    assert game.rows() == sorted(oracle(first, finish=True) + oracle(second))
    with Store(game.db) as store:
        cursor = store.cursor(file_signature(first))
    assert cursor is not None
    assert cursor.finished
    assert cursor.offset == len(first)
    assert cursor.path.endswith("(20 00 00).log")


def test_a_launch_that_ended_while_the_client_was_off_is_finished_at_start(game: Game) -> None:
    first, second = synth_log(9, sessions=1, lines=2000), synth_log(10, sessions=1, lines=800)
    game.write(first[: len(first) // 3])
    game.poll()
    assert game.store is not None
    game.store.close()
    game.store = None  # the client stops; the game writes on and is launched again
    game.write(first[len(first) // 3 :])
    (game.log.parent / "logbackups").mkdir()
    game.log.rename(game.log.parent / "logbackups" / "Game Build(1) old.log")
    game.write(second, "wb")
    game.restart()
    game.poll()
    assert game.rows() == sorted(oracle(first, finish=True) + oracle(second))


def test_a_file_missing_for_a_while_is_picked_up_again(game: Game) -> None:
    data = synth_log(11, sessions=1, lines=1500)
    game.write(data[:20_000])
    game.poll()
    before = game.rows()
    game.log.unlink()
    assert game.poll() == 0
    assert game.tail is not None
    assert game.tail.last_error is None
    game.write(data[:30_000], "wb")  # the same launch's content comes back, longer
    game.poll()
    game.write(data[30_000:])
    game.poll()
    assert set(before) <= set(game.rows())
    assert game.rows() == oracle(data)


def test_a_file_shrunk_in_place_with_the_same_first_line_is_read_again(game: Game) -> None:
    data = synth_log(12, sessions=1, lines=1500)
    game.write(data)
    game.poll()
    game.write(data[: len(data) // 2], "wb")
    game.poll()
    game.write(data[len(data) // 2 :])
    game.poll()
    assert game.rows() == oracle(data)


def test_invalid_bytes_are_stored_replaced_and_nothing_is_lost(game: Game) -> None:
    lines = synth_log(13, sessions=1, lines=1500).split(b"\n")
    lines[40] = lines[40][:30] + b"\xff\xfe\x80" + lines[40][30:]
    lines[200] = b"\xc3\x28 garbage \x00 line"
    data = b"\n".join(lines)
    for i in range(0, len(data), 777):
        game.write(data[i : i + 777])
        game.poll()
    assert game.rows() == oracle(data)


def test_an_empty_or_headerless_start_waits_for_the_first_line(game: Game) -> None:
    data = synth_log(14, sessions=1, lines=1000)
    game.write(b"")
    assert game.poll() == 0
    game.write(data[:20])  # the first line is incomplete: its signature is not known yet
    assert game.poll() == 0
    game.write(data[20:])
    assert game.poll() == len(oracle(data))


def test_polling_an_unchanged_file_does_no_work(game: Game) -> None:
    data = synth_log(15, sessions=1, lines=1000)
    game.write(data)
    assert game.poll() > 0
    os.utime(game.log, ns=(1, os.stat(game.log).st_mtime_ns))  # atime only
    assert game.poll() == 0


def test_find_by_signature_picks_the_matching_backup(tmp_path: Path) -> None:
    for seed in range(3):
        (tmp_path / f"Game {seed}.log").write_bytes(synth_log(seed, sessions=1, lines=300))
    wanted = synth_log(1, sessions=1, lines=300)
    assert find_by_signature([tmp_path], file_signature(wanted)) == tmp_path / "Game 1.log"
    assert find_by_signature([tmp_path, tmp_path / "missing"], "0" * 16) is None


def test_the_tailer_loop_stops_when_asked(game: Game) -> None:
    import threading

    data = synth_log(16, sessions=1, lines=1000)
    game.write(data)
    assert game.tail is not None
    stop = threading.Event()
    seen: list[int] = []

    def count(n: int) -> None:
        seen.append(n)
        stop.set()

    Tailer([game.tail], interval=0.01).run(stop, on_events=count)
    assert seen == [len(oracle(data))]
    assert Tailer([game.tail]).status()[0].offset == data.rindex(b"\n") + 1


def test_a_full_disk_is_reported_and_tailing_resumes_without_loss_once_there_is_room(
    game: Game,
) -> None:
    """SQLite's SQLITE_FULL, produced for real by capping the database's page count: the
    tailer reports it and keeps polling (no exit), and stores everything once room returns."""
    assert game.store is not None
    data = synth_log(3, sessions=2, lines=3000, crlf=False)
    game.write(data[: len(data) // 4])
    game.poll()
    before = len(game.rows())
    assert before > 0
    pages = game.store._db.execute("PRAGMA page_count").fetchone()[0]
    game.store._db.execute(f"PRAGMA max_page_count = {pages}")  # no room for one more page
    game.write(data[len(data) // 4 :])
    assert game.poll() == 0
    assert game.tail is not None
    assert game.tail.last_error is not None
    assert "disk is full" in game.tail.last_error
    assert len(game.rows()) == before  # nothing half-written
    assert game.poll() == 0  # still full: still no exit, still nothing lost
    game.store._db.execute("PRAGMA max_page_count = 1073741823")  # room again
    game.poll()
    assert game.tail.last_error is None
    rows = game.rows()
    assert rows == oracle(data)
    assert not duplicates(rows)


def test_run_reports_a_full_disk_and_its_end_through_on_trouble(game: Game) -> None:
    """`run`'s tailer tells the console about a full disk itself: client.log cannot be
    relied on (it is on the full disk, and one record may still fit its last page), and
    the sync worker says nothing when it has nothing left to send."""
    assert game.store is not None
    store = game.store
    data = synth_log(4, sessions=1, lines=1500, crlf=False)
    game.write(data[: len(data) // 2])
    game.poll()
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    game.write(data[len(data) // 2 :])
    news: list[tuple[Path, str | None]] = []
    stop = threading.Event()

    def trouble(path: Path, error: str | None) -> None:
        news.append((path, error))
        if error is None:
            stop.set()
        else:  # room again: the next poll stores the rest and ends the trouble
            store._db.execute("PRAGMA max_page_count = 1073741823")

    run_tailer(store, [game.log], stop=stop, interval=0.01, notify=False, on_trouble=trouble)
    assert [path for path, _ in news] == [game.log, game.log]
    assert news[0][1] is not None
    assert "disk is full" in news[0][1]
    assert news[1][1] is None
    assert game.rows() == oracle(data)
