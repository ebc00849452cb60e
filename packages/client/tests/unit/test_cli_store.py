"""`import`, `status`, `unknown`, `ignore` and `run`'s error path through typer's CliRunner,
with the data and config folders (and HOME, for discovery) inside tmp_path."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from starstats_client.cli import app

from ..conftest import oracle, stored, synth_log  # noqa: TID252 - helpers shared by unit and integration tests; tests are not an installed package

RSI = Path("drive_c", "Program Files", "Roberts Space Industries", "StarCitizen")
STATUS_KEYS = {
    "events", "by_type", "unsynced", "quarantined", "unknown_shapes", "tailing", "sync", "metrics"
}  # fmt: skip


@pytest.fixture(name="runner")
def runner_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("STARSTATS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STARSTATS_CONFIG_DIR", str(tmp_path / "config"))
    return CliRunner()


@pytest.fixture(name="backups")
def backups_fixture(tmp_path: Path) -> list[bytes]:
    """Two backup logs in a Lutris prefix under the fake HOME."""
    folder = tmp_path / "home" / "Games" / "star-citizen" / RSI / "LIVE" / "logbackups"
    folder.mkdir(parents=True)
    logs = [synth_log(seed, sessions=1, lines=1500) for seed in (31, 32)]
    for n, data in enumerate(logs):
        (folder / f"Game Build(1) 0{n} May 26 (20 00 00).log").write_bytes(data)
    return logs


def test_import_discovers_backups_and_status_reports_them(
    runner: CliRunner, tmp_path: Path, backups: list[bytes]
) -> None:
    result = runner.invoke(app, ["import", "--archive"])
    assert result.exit_code == 0, result.output
    events = sum(len(oracle(data, finish=True)) for data in backups)
    assert "imported 2 file(s), skipped 2 (done before, or a copy)" in result.stdout
    assert f"{events:,} new events; archived 2 backup(s)" in result.stdout
    assert len(list((tmp_path / "data" / "archive" / "LIVE").glob("*.log"))) == 2

    again = runner.invoke(app, ["import"])
    assert "imported 0 file(s), skipped 4" in again.stdout  # 2 backups + their 2 copies
    assert ", 0 new events" in again.stdout

    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert set(status) == STATUS_KEYS
    assert status["events"] == status["unsynced"] == events
    assert sum(status["by_type"].values()) == events
    assert status["by_type"]["session_started"] == 2
    assert status["quarantined"] == 0
    assert status["unknown_shapes"] > 10
    assert status["tailing"] == []
    assert status["sync"]["enabled"] is False
    assert status["sync"]["last_error"] is None
    # Imported, not tailed; waiting in the outbox with nothing ever sent: lag unknown.
    assert status["metrics"] == {
        "events_tailed": 0,
        "outbox_depth": events,
        "sync_lag_seconds": None,
    }
    log_lines = (tmp_path / "data" / "client.log").read_text(encoding="utf-8").splitlines()
    assert log_lines, "import writes the client log"
    for line in log_lines:
        assert {"timestamp", "level", "logger", "event", "trace_id", "span_id"} <= set(
            json.loads(line)
        )


def test_status_lists_the_live_files_being_tailed(runner: CliRunner, tmp_path: Path) -> None:
    from starstats_client.store import Store
    from starstats_client.tailer import FileTail
    from starstats_core.noise import DEFAULT_NOISE

    live = tmp_path / "LIVE" / "Game.log"
    live.parent.mkdir()
    data = synth_log(33, sessions=1, lines=1000)
    live.write_bytes(data)
    with Store(tmp_path / "data" / "data.sqlite3") as store:
        FileTail(live, store, noise=DEFAULT_NOISE).poll()
    status = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert status["tailing"] == [{"path": str(live), "offset": data.rindex(b"\n") + 1}]
    assert status["metrics"]["events_tailed"] == status["events"] > 0
    assert status["events"] == len(stored(tmp_path / "data" / "data.sqlite3"))
    text = runner.invoke(app, ["status"]).stdout
    assert f"tailing       {live}" in text


def test_unknown_lists_the_most_frequent_shapes(runner: CliRunner, tmp_path: Path) -> None:
    log = tmp_path / "Game a.log"
    log.write_bytes(synth_log(34, sessions=1, lines=1500))
    runner.invoke(app, ["import", "--path", str(log)])
    result = runner.invoke(app, ["unknown", "--json", "--top", "5"])
    assert result.exit_code == 0, result.output
    shapes = json.loads(result.stdout)
    assert len(shapes) == 5
    assert all(set(s) == {"shape", "count", "sample"} for s in shapes)
    counts = [s["count"] for s in shapes]
    assert counts == sorted(counts, reverse=True)
    assert all(s["shape"].startswith("<TS>") for s in shapes)
    text = runner.invoke(app, ["unknown", "--top", "2"]).stdout.splitlines()
    assert len(text) == 2
    assert text[0].split()[0] == f"{counts[0]:,}"


def test_ignore_adds_to_the_noise_list_and_drops_its_shapes(
    runner: CliRunner, tmp_path: Path
) -> None:
    log = tmp_path / "Game a.log"
    log.write_bytes(synth_log(35, sessions=1, lines=1500))
    runner.invoke(app, ["import", "--path", str(log)])
    top = json.loads(runner.invoke(app, ["unknown", "--json", "--top", "1"]).stdout)[0]
    name = top["shape"].split("<", 2)[2].split(">", 1)[0]

    result = runner.invoke(app, ["ignore", f"<{name}>"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"ignoring {name}"
    assert runner.invoke(app, ["ignore", name]).stdout.strip() == f"{name} is already ignored"
    remaining = json.loads(runner.invoke(app, ["unknown", "--json", "--top", "1000"]).stdout)
    assert all(f"<{name}>" not in s["shape"] for s in remaining)

    blank = runner.invoke(app, ["ignore", "  "])
    assert blank.exit_code == 2
    assert blank.stderr.startswith("error: ")


def test_a_damaged_database_is_one_error_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "data.sqlite3").write_bytes(b"garbage " * 1000)
    for command in (["status"], ["unknown"], ["ignore", "X"], ["import", "--path", "."]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, command
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("error: ")
        assert "damaged" in lines[0]


def test_data_dir_option_overrides_the_environment(runner: CliRunner, tmp_path: Path) -> None:
    log = tmp_path / "Game a.log"
    log.write_bytes(synth_log(36, sessions=1, lines=800))
    other = tmp_path / "elsewhere"
    assert (
        runner.invoke(app, ["import", "--path", str(log), "--data-dir", str(other)]).exit_code == 0
    )
    assert (other / "data.sqlite3").is_file()
    assert not (tmp_path / "data" / "data.sqlite3").exists()


def test_run_with_a_gamelog_in_a_missing_folder_fails_cleanly(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["run", "--no-sync", "--gamelog", str(tmp_path / "no" / "Game.log")]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "does not exist" in result.stderr


def test_run_without_any_install_says_how_to_point_at_one(runner: CliRunner) -> None:
    result = runner.invoke(app, ["run", "--no-sync"])
    assert result.exit_code == 2
    assert "--gamelog" in result.stderr


def test_a_bad_config_file_is_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("archive_backups = 'maybe'\n")
    result = runner.invoke(app, ["import"])
    assert result.exit_code == 2
    assert "archive_backups" in result.stderr
