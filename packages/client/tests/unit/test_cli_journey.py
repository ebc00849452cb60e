"""`starstats-client journey`, driven through typer's CliRunner: the JSON document's layout,
the readable text story, the errors, and whose deaths count."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from starstats_client.cli import app
from starstats_core.synth import Era

from ..conftest import CORPUS_DIR, corpus_files, synth_log  # noqa: TID252 - helpers shared by every client test; tests are not an installed package

DOCUMENT_KEYS = [
    "player",
    "totals",
    "sessions",
    "places",
    "legs",
    "ships",
    "lives",
    "kills",
    "deaths",
    "contracts",
    "trades",
    "records",
]
REQUIRED_TOTALS = {
    "sessions",
    "play_seconds",
    "pu_seconds",
    "quantum_legs",
    "ship_seconds",
    "deaths",
    "kills",
    "vehicle_kills",
    "contracts_completed",
    "contracts_failed",
    "contracts_abandoned",
    "trade_spent",
    "trade_earned",
}
SHIP_KEYS = {"ship", "name", "seconds", "stints"}
# A class name with its entity id (`ANVL_Hornet_F7A_Mk2_2516120332762`): never in the story.
RAW_ENTITY = re.compile(r"_\d{9,}")
SAMPLE_41 = "danieldeschain__citizenmon__Game-4.1.147-20250419T0556Z.log"
SAMPLE_47 = "ntatschner__StarStats__sample_game_log-4.7.178-20260502.log"


@pytest.fixture(scope="module", name="runner")
def runner_fixture() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module", name="synth_logs")
def synth_logs_fixture(tmp_path_factory: pytest.TempPathFactory) -> dict[Era, Path]:
    folder = tmp_path_factory.mktemp("journey")
    logs = {}
    for seed, era in enumerate(Era, start=11):
        path = folder / f"{era.value}.log"
        path.write_bytes(synth_log(seed, sessions=2, lines=4000, era=era))
        logs[era] = path
    return logs


def _json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["journey", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _text(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, ["journey", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _check_layout(document: dict[str, Any]) -> None:
    assert list(document) == DOCUMENT_KEYS
    totals = document["totals"]
    assert set(totals) >= REQUIRED_TOTALS
    for ship in document["ships"]:
        assert set(ship) >= SHIP_KEYS
        assert not RAW_ENTITY.search(ship["ship"]), ship["ship"]
        assert ship["name"]
        assert ship["name"] != ship["ship"] or "_" not in ship["ship"]
        assert ship["stints"] >= 1


@pytest.mark.parametrize("era", list(Era))
def test_json_is_one_object_with_exactly_the_documented_keys(
    runner: CliRunner, synth_logs: dict[Era, Path], era: Era
) -> None:
    document = _json(runner, str(synth_logs[era]))
    _check_layout(document)
    assert document["totals"]["sessions"] == 2
    # The synthetic 4.1 era, like our real 4.1 logs, has no `<Vehicle Control Flow>` line.
    assert bool(document["ships"]) is (era is Era.MODERN_4_7)
    assert document["player"]["handle"] == "Synth_Pilot"


def test_kills_are_counted_in_41_and_not_logged_in_47(
    runner: CliRunner, synth_logs: dict[Era, Path]
) -> None:
    legacy = _json(runner, str(synth_logs[Era.LEGACY_4_1]))["totals"]
    modern = _json(runner, str(synth_logs[Era.MODERN_4_7]))["totals"]
    assert isinstance(legacy["kills"], int)
    assert isinstance(legacy["vehicle_kills"], int)
    assert modern["kills"] is None
    assert modern["vehicle_kills"] is None
    assert isinstance(modern["deaths"], int)


def test_json_of_a_real_log(runner: CliRunner) -> None:
    corpus_files()
    document = _json(runner, str(CORPUS_DIR / SAMPLE_41))
    _check_layout(document)
    # The hand-checked figures of this log: core's test_journey_golden.py says why.
    totals = document["totals"]
    assert (totals["sessions"], totals["deaths"], totals["kills"]) == (1, 3, 0)
    assert (totals["play_seconds"], totals["pu_seconds"]) == (2724.796, 2672.663)
    assert document["player"] == {"handle": "Jon_Arris", "character": "Jon_Arris"}


def _check_story(text: str) -> None:
    assert not RAW_ENTITY.search(text), RAW_ENTITY.search(text)
    assert "None" not in text
    assert "Totals" in text


@pytest.mark.parametrize("era", list(Era))
def test_the_story_uses_readable_names(
    runner: CliRunner, synth_logs: dict[Era, Path], era: Era
) -> None:
    text = _text(runner, str(synth_logs[era]))
    _check_story(text)
    assert text.count(" launched ") == 2
    assert ("took the controls of the " in text) is (era is Era.MODERN_4_7)
    document = _json(runner, str(synth_logs[era]))
    # Every ship's readable name is told, none of its raw class names.
    for ship in document["ships"]:
        assert ship["name"] in text
        assert f" {ship['ship']} " not in text


def test_the_story_of_real_logs(runner: CliRunner) -> None:
    corpus_files()
    text = _text(runner, str(CORPUS_DIR / SAMPLE_41), str(CORPUS_DIR / SAMPLE_47))
    _check_story(text)
    assert "launched 4.1.147" in text
    assert "launched 4.7.178" in text
    assert "arrived at Checkmate" in text
    assert "arrived at Lorville" in text
    # 06:21:11 <Actor Death>: killed by JTomahawk with a laser repeater (readable).
    assert "killed by JTomahawk" in text
    assert "destroyed the " in text
    # One 4.1 session logs kills, so the total is a number, not "not logged".
    assert re.search(r"kills\s+0", text)


def test_the_story_says_kills_are_not_logged_for_47(runner: CliRunner) -> None:
    corpus_files()
    text = _text(runner, str(CORPUS_DIR / SAMPLE_47))
    assert "not logged" in text


def test_a_missing_file_is_one_error_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["journey", str(tmp_path / "nope.log")])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "nope.log" in lines[0]
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("output", ["text", "json"])
def test_a_folder_without_logs_is_one_error_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, output: str
) -> None:
    result = runner.invoke(app, ["journey", str(tmp_path), "--format", output])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "no *.log" in lines[0]


# Two real 4.1 <Actor Death> lines (RodriguesBruno/sckilltracker_client test lines): CBCORP
# crashes, then BluePanda kills Fr33.
DEATH_LINES = (
    "<2025-04-08T13:53:00.119Z> [Notice] <Actor Death> CActor::Kill: 'CBCORP' [2542505084000] "
    "in zone 'RSI_Aurora_MR_2577693134594' killed by 'CBCORP' [2542505084000] using 'unknown' "
    "[Class unknown] with damage type 'Crash' from direction x: 0.000000, y: 0.000000, "
    "z: 0.000000 [Team_ActorTech][Actor]\r\n"
    "<2025-04-08T13:56:40.104Z> [Notice] <Actor Death> CActor::Kill: 'Fr33' [201964490746] in "
    "zone 'util_a_orbital_001_occu_a_final_int' killed by 'BluePanda' [202139681949] using "
    "'behr_lmg_ballistic_01_2529333258789' [Class behr_lmg_ballistic_01] with damage type "
    "'Bullet' from direction x: -0.883246, y: 0.152149, z: -0.443540 [Team_ActorTech][Actor]\r\n"
)


@pytest.mark.parametrize(
    ("handle", "deaths", "kills"),
    [(None, 0, 0), ("CBCORP", 1, 0), ("cbcorp", 1, 0), ("BluePanda", 0, 1), ("Fr33", 1, 0)],
)
def test_handle_decides_whose_deaths_and_kills_count(
    runner: CliRunner, tmp_path: Path, handle: str | None, deaths: int, kills: int
) -> None:
    path = tmp_path / "Game.log"
    path.write_bytes(DEATH_LINES.encode())
    args = [str(path)] if handle is None else [str(path), "--handle", handle]
    totals = _json(runner, *args)["totals"]
    assert (totals["deaths"], totals["kills"]) == (deaths, kills)
