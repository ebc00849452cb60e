"""`starstats-client parse` and `synth`, driven through typer's CliRunner."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from starstats_client.cli import app
from starstats_core.parser import LogParser, ParseStats
from starstats_core.synth import Era, synthesize_log
from starstats_core.validators import envelope_problems
from starstats_core.wire import EventEnvelope, LogSource, file_signature, idempotency_key

SUMMARY_KEYS = {
    "files",
    "lines",
    "structured",
    "continuation",
    "blank",
    "events",
    "event_count",
    "event_lines",
    "silent",
    "noise",
    "unknown_lines",
    "duplicates",
    "truncated_lines",
    "rule_errors",
    "unknown_shape_count",
    "unknown_shapes",
}
# The summary's line counters: every key but the five checked on their own below.
STAT_KEYS = sorted(
    SUMMARY_KEYS - {"files", "events", "event_count", "unknown_shape_count", "unknown_shapes"}
)


def _write_log(path: Path, *, seed: int, era: Era | None = None, lines: int = 2_000) -> bytes:
    text = "".join(synthesize_log(seed=seed, sessions=2, era=era, lines_per_session=lines // 2))
    data = text.encode()
    path.write_bytes(data)
    return data


def _stats(data: bytes) -> tuple[ParseStats, int]:
    parser = LogParser()
    events = parser.feed(data)
    events += parser.finish()
    return parser.stats, len(events)


@pytest.fixture(scope="module", name="runner")
def runner_fixture() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module", name="log_file")
def log_file_fixture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    path = tmp_path_factory.mktemp("logs") / "Game.log"
    return path, _write_log(path, seed=31)


def test_summary_has_the_documented_keys_and_matches_the_parser(
    runner: CliRunner, log_file: tuple[Path, bytes]
) -> None:
    path, data = log_file
    result = runner.invoke(app, ["parse", str(path), "--format", "summary"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) == SUMMARY_KEYS
    stats, event_count = _stats(data)
    assert summary["files"] == 1
    for key in STAT_KEYS:
        assert summary[key] == getattr(stats, key), key
    assert summary["events"] == dict(stats.events)
    assert summary["event_count"] == event_count == sum(summary["events"].values())
    assert summary["unknown_shape_count"] == len(stats.top_shapes())
    shapes = summary["unknown_shapes"]
    assert [(s["shape"], s["count"]) for s in shapes] == [
        (s.shape, s.count) for s in stats.top_shapes(50)
    ]
    assert all(set(s) == {"shape", "count", "sample"} for s in shapes)


def test_summary_is_the_default_format(runner: CliRunner, log_file: tuple[Path, bytes]) -> None:
    path, _ = log_file
    default = runner.invoke(app, ["parse", str(path)])
    explicit = runner.invoke(app, ["parse", str(path), "--format", "summary"])
    assert default.exit_code == 0
    assert json.loads(default.stdout) == json.loads(explicit.stdout)


@pytest.mark.parametrize("top", [0, 1, 3])
def test_top_limits_the_listed_unknown_shapes(
    runner: CliRunner, log_file: tuple[Path, bytes], top: int
) -> None:
    path, _ = log_file
    result = runner.invoke(app, ["parse", str(path), "--top", str(top)])
    summary = json.loads(result.stdout)
    assert len(summary["unknown_shapes"]) == min(top, summary["unknown_shape_count"])
    assert summary["unknown_shape_count"] > 3


def test_jsonl_prints_one_event_object_per_line(
    runner: CliRunner, log_file: tuple[Path, bytes]
) -> None:
    path, data = log_file
    result = runner.invoke(app, ["parse", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    stats, event_count = _stats(data)
    assert len(rows) == event_count
    types: dict[str, int] = {}
    for row in rows:
        event = json.loads(row)
        assert isinstance(event, dict)
        assert isinstance(event["type"], str)
        assert isinstance(event["timestamp"], str)
        assert event["timestamp"]
        types[event["type"]] = types.get(event["type"], 0) + 1
    assert types == dict(stats.events)


def test_envelopes_validate_and_have_no_problems(
    runner: CliRunner, log_file: tuple[Path, bytes]
) -> None:
    path, data = log_file
    result = runner.invoke(
        app, ["parse", str(path), "--format", "jsonl", "--envelope", "--source", "ptu"]
    )
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert len(rows) == _stats(data)[1]
    signature = file_signature(data)
    keys = set()
    for row in rows:
        envelope = EventEnvelope.model_validate_json(row)
        assert envelope_problems(json.loads(row)) == ()
        assert envelope.source is LogSource.PTU
        first = envelope.raw_line.split("\n", 1)[0]
        assert data[envelope.source_offset :].startswith(first.encode())
        assert envelope.idempotency_key == idempotency_key(
            LogSource.PTU, signature, envelope.source_offset, first
        )
        keys.add(envelope.idempotency_key)
    assert len(keys) == len(rows)


def test_a_directory_argument_parses_its_log_files(runner: CliRunner, tmp_path: Path) -> None:
    one = _write_log(tmp_path / "a.log", seed=1, era=Era.LEGACY_4_1, lines=800)
    two = _write_log(tmp_path / "b.log", seed=2, era=Era.MODERN_4_7, lines=800)
    (tmp_path / "notes.txt").write_text("<2026-05-02T21:14:23.189Z> not a log file\n")
    (tmp_path / "sub").mkdir()
    result = runner.invoke(app, ["parse", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["files"] == 2
    assert summary["lines"] == _stats(one)[0].lines + _stats(two)[0].lines
    assert summary["event_count"] == _stats(one)[1] + _stats(two)[1]


def test_a_missing_path_exits_2_with_one_error_line(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.log"
    result = runner.invoke(app, ["parse", str(missing)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "nope.log" in lines[0]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_directory_without_logs_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["parse", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "no *.log" in result.stderr


def test_synth_writes_a_log_the_parser_reads(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "demo.log"
    args = ["synth", "--out", str(out), "--lines", "1200", "--sessions", "2", "--seed", "5"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stdout
    data = out.read_bytes()
    assert abs(data.count(b"\n") - 1200) < 200
    stats, _ = _stats(data)
    assert stats.events["session_started"] == 2
    assert stats.events["legacy_login"] == 2
    assert b"Handle[DemoPilot]" in data
    again = tmp_path / "again.log"
    runner.invoke(app, [*args[:2], str(again), *args[3:]])
    assert again.read_bytes() == data


def test_synth_era_option_picks_the_era(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "legacy.log"
    result = runner.invoke(
        app, ["synth", "--out", str(out), "--lines", "2000", "--sessions", "1", "--era", "legacy"]
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert b"Branch: sc-alpha-4.1." in data
    assert b"Added notification" not in data


def test_an_empty_log_file_has_no_lines_and_no_events(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["parse", str(empty)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["files"], summary["lines"], summary["event_count"]) == (1, 0, 0)


def test_envelopes_for_a_handle_carry_valid_observed_metadata(
    runner: CliRunner, log_file: tuple[Path, bytes]
) -> None:
    path, _ = log_file
    result = runner.invoke(
        app, ["parse", str(path), "--format", "jsonl", "--envelope", "--handle", "TestPilot_01"]
    )
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows
    for row in rows:
        envelope = EventEnvelope.model_validate_json(row)
        assert envelope_problems(json.loads(row)) == ()
        assert envelope.metadata is not None
        assert envelope.metadata.source == "observed"
        assert envelope.metadata.group_key.startswith(f"{envelope.event['type']}:")
