"""Backfill: every launch imported once, resumable, with right progress totals; archiving."""

import shutil
from pathlib import Path

import pytest

from starstats_client.discovery import Channel
from starstats_client.importer import ImportProgress, archive_backups, backup_paths, import_logs
from starstats_client.store import Store
from starstats_client.tailer import FileTail
from starstats_core.noise import DEFAULT_NOISE
from starstats_core.parser import LogParser
from starstats_core.wire import LogSource

from ..conftest import duplicates, oracle, stored, synth_log  # noqa: TID252 - helpers shared by unit and integration tests; tests are not an installed package


def make_backups(channel: Path, seeds: range) -> dict[Path, bytes]:
    folder = channel / "logbackups"
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for seed in seeds:
        path = folder / f"Game Build(1) {seed:02d} May 26 (20 00 00).log"
        files[path] = synth_log(seed, sessions=1, lines=1500)
        path.write_bytes(files[path])
    return files


def expected(files: dict[Path, bytes]) -> list[tuple[str, str, int]]:
    return sorted(row for data in files.values() for row in oracle(data, finish=True))


def test_reimporting_imports_nothing_twice(tmp_path: Path) -> None:
    files = make_backups(tmp_path / "LIVE", range(4))
    with Store(tmp_path / "db.sqlite3") as store:
        first = import_logs(store, list(files), noise=DEFAULT_NOISE)
        again = import_logs(store, list(files), noise=DEFAULT_NOISE)
    rows = stored(tmp_path / "db.sqlite3")
    assert rows == expected(files)
    assert first.events == len(rows)
    assert (again.files_total, again.files_skipped, again.events, again.lines) == (4, 4, 0, 0)
    assert again.bytes_total == 0


def test_progress_totals_are_right(tmp_path: Path) -> None:
    files = make_backups(tmp_path / "LIVE", range(3))
    reports: list[ImportProgress] = []

    def seen(progress: ImportProgress) -> None:
        reports.append(ImportProgress(**{f: getattr(progress, f) for f in progress.__slots__}))

    with Store(tmp_path / "db.sqlite3") as store:
        final = import_logs(store, list(files), noise=DEFAULT_NOISE, on_progress=seen)
    lines = 0
    for data in files.values():
        parser = LogParser()
        parser.feed(data)
        parser.finish()
        lines += parser.stats.lines
    assert final.lines == lines
    assert final.events == len(expected(files))
    assert final.bytes_total == final.bytes_done == sum(map(len, files.values()))
    assert final.files_done == final.files_total == 3
    assert reports[0].files_done == 0
    assert reports[-1] == final
    done = [r.bytes_done for r in reports]
    assert done == sorted(done)


def test_an_interrupted_import_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    files = make_backups(tmp_path / "LIVE", range(3))
    calls = 0

    class Interrupted(Exception):
        pass

    def crash_after_a_few_commits(progress: ImportProgress) -> None:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise Interrupted

    with Store(tmp_path / "db.sqlite3") as store:
        with pytest.raises(Interrupted):
            import_logs(
                store,
                list(files),
                noise=DEFAULT_NOISE,
                on_progress=crash_after_a_few_commits,
                commit_bytes=64 << 10,
            )
        partial = stored(tmp_path / "db.sqlite3")
        assert 0 < len(partial) < len(expected(files))
        rest = import_logs(store, list(files), noise=DEFAULT_NOISE, commit_bytes=64 << 10)
    rows = stored(tmp_path / "db.sqlite3")
    assert not duplicates(rows)
    assert rows == expected(files)
    assert rest.events == len(rows) - len(partial)


def test_a_backup_and_its_archived_copy_are_read_once(tmp_path: Path) -> None:
    files = make_backups(tmp_path / "StarCitizen" / "LIVE", range(2))
    channel = Channel(tmp_path / "StarCitizen" / "LIVE")
    archive = tmp_path / "data" / "archive"
    copies = archive_backups([channel], archive)
    assert sorted(p.name for p in copies) == sorted(p.name for p in files)
    assert all(p.parent == archive / "LIVE" for p in copies)
    assert archive_backups([channel], archive) == []  # already there
    paths = backup_paths([channel], archive)
    assert len(paths) == 4
    with Store(tmp_path / "db.sqlite3") as store:
        progress = import_logs(store, paths, noise=DEFAULT_NOISE)
    assert progress.files_skipped == 2
    assert stored(tmp_path / "db.sqlite3") == expected(files)
    for original in files:
        original.unlink()  # the game pruned its backups: the archive still has them
    with Store(tmp_path / "db2.sqlite3") as store:
        import_logs(store, backup_paths([channel], archive), noise=DEFAULT_NOISE)
    assert stored(tmp_path / "db2.sqlite3") == expected(files)


def test_a_launch_tailed_live_then_imported_from_its_backup_is_stored_once(
    tmp_path: Path,
) -> None:
    data = synth_log(21, sessions=1, lines=2000)
    live = tmp_path / "LIVE" / "Game.log"
    live.parent.mkdir()
    live.write_bytes(data[: len(data) // 2])
    with Store(tmp_path / "db.sqlite3") as store:
        FileTail(live, store, noise=DEFAULT_NOISE).poll()
        (tmp_path / "LIVE" / "logbackups").mkdir()
        backup = tmp_path / "LIVE" / "logbackups" / "Game Build(1).log"
        shutil.move(live, backup)
        backup.write_bytes(data)
        import_logs(store, [backup], noise=DEFAULT_NOISE)
    assert stored(tmp_path / "db.sqlite3") == oracle(data, LogSource.LIVE, finish=True)


def test_empty_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "Game empty.log").write_bytes(b"")
    with Store(tmp_path / "db.sqlite3") as store:
        progress = import_logs(store, [tmp_path / "Game empty.log"], noise=DEFAULT_NOISE)
    assert (progress.files_total, progress.files_skipped, progress.events) == (1, 1, 0)


def test_user_noise_is_honoured_on_import(tmp_path: Path) -> None:
    data = synth_log(22, sessions=1, lines=1500)
    path = tmp_path / "Game a.log"
    path.write_bytes(data)
    with Store(tmp_path / "db.sqlite3") as store:
        import_logs(store, [path], noise=store.noise_names())
        top = store.unknown_shapes(1)[0]
        name = top.shape.split("<", 2)[2].split(">", 1)[0]
        assert store.add_noise(name)
        import_logs(store, [path], noise=store.noise_names())  # nothing new: skipped
        fresh = tmp_path / "Game b.log"
        fresh.write_bytes(synth_log(23, sessions=1, lines=1500))
        import_logs(store, [fresh], noise=store.noise_names())
        assert all(f"<{name}>" not in s.shape for s in store.unknown_shapes())
