"""The real Game.log corpus against checked-in golden counts, plus checks from the raw text.

For every `*.log` in ../shared/corpus/gamelog the parser's line accounting and its event
counts per type must equal `tests/golden/corpus_counts.json`. A change there is a change in
what the parser reports on real logs: review it, then regenerate with

    uv run python packages/core/tests/unit/test_golden_corpus.py --regenerate

and commit the new JSON together with the parser change that explains it. Independently of
the golden file, marker lines counted in the raw text must equal the matching events, and
no line may be lost.
"""

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from starstats_core.parser import LogParser, ParseStats

try:
    from .conftest import CORPUS_DIR, corpus_files
except ImportError:  # run as a script (`--regenerate`): conftest is then a top-level module
    from conftest import CORPUS_DIR, corpus_files

pytestmark = pytest.mark.corpus

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "corpus_counts.json"
STAT_FIELDS = (
    "lines",
    "structured",
    "continuation",
    "blank",
    "event_lines",
    "silent",
    "noise",
    "unknown_lines",
    "duplicates",
)
# Event type -> substring of the line that carries it; one such line is one event.
MARKERS = {
    "actor_death": "<Actor Death>",
    "join_pu": "<Join PU>",
    "vehicle_destruction": "<Vehicle Destruction>",
    "legacy_login": "<Legacy login response>",
    "attachment_received": "<AttachmentReceived>",
    "location_inventory_requested": "<RequestLocationInventory>",
    "session_started": "> Log started on ",
}


def _parse(path: Path) -> ParseStats:
    parser = LogParser()
    parser.feed(path.read_bytes())
    parser.finish()
    return parser.stats


def _counts(path: Path) -> dict[str, Any]:
    stats = _parse(path)
    return {
        "bytes": path.stat().st_size,
        "stats": {name: getattr(stats, name) for name in STAT_FIELDS},
        "events": dict(sorted(stats.events.items())),
    }


def _golden() -> dict[str, Any]:
    if not GOLDEN.is_file():
        pytest.fail(f"{GOLDEN} is missing: regenerate it (see this module's docstring)")
    data: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module", name="files")
def files_fixture() -> list[Path]:
    files = corpus_files()
    assert files, f"no *.log files in {CORPUS_DIR}"
    return files


@pytest.fixture(scope="module", name="parsed")
def parsed_fixture(files: list[Path]) -> dict[str, tuple[bytes, ParseStats]]:
    return {path.name: (path.read_bytes(), _parse(path)) for path in files}


def test_the_golden_file_covers_exactly_the_corpus_files(files: list[Path]) -> None:
    assert sorted(_golden()) == [path.name for path in files]


def test_every_corpus_file_matches_its_golden_counts(files: list[Path]) -> None:
    golden = _golden()
    mismatches = []
    for path in files:
        expected = golden.get(path.name)
        actual = _counts(path)
        if expected is None:
            mismatches.append(f"{path.name}: no golden entry")
            continue
        assert actual["bytes"] == expected["bytes"], f"{path.name}: the corpus file changed"
        for part in ("stats", "events"):
            if actual[part] != expected[part]:
                mismatches.append(f"{path.name} {part}: {expected[part]} -> {actual[part]}")
    assert not mismatches, "\n".join(mismatches)


def test_marker_lines_in_the_raw_text_equal_their_events(
    parsed: dict[str, tuple[bytes, ParseStats]],
) -> None:
    seen: Counter[str] = Counter()
    for name, (data, stats) in parsed.items():
        lines = data.decode("utf-8", "replace").splitlines()
        for event_type, marker in MARKERS.items():
            expected = sum(marker in line for line in lines)
            assert stats.events[event_type] == expected, (name, event_type)
            seen[event_type] += expected
        quits = sum("<SystemQuit>" in line for line in lines)
        shutdowns = sum("CCIGBroker::FastShutdown" in line for line in lines)
        assert stats.events["session_end"] == quits + shutdowns, name
    # The equalities above must not hold only because the corpus lacks the lines.
    assert seen["actor_death"] > 0
    assert seen["join_pu"] > 0
    assert seen["vehicle_destruction"] > 0


def test_no_line_is_lost(parsed: dict[str, tuple[bytes, ParseStats]]) -> None:
    for name, (data, stats) in parsed.items():
        newline_count = data.count(b"\n")
        expected = newline_count + (1 if data and not data.endswith(b"\n") else 0)
        assert stats.lines == expected, name
        assert stats.lines == stats.structured + stats.continuation + stats.blank, name
        assert stats.structured == (
            stats.event_lines + stats.silent + stats.noise + stats.unknown_lines
        ), name
        assert stats.rule_errors == 0, name
        assert stats.truncated_lines == 0, name


def regenerate() -> None:
    """Rewrite the golden file from the current parser (review the diff before committing)."""
    if not CORPUS_DIR.is_dir():
        raise SystemExit(f"real Game.log corpus not found at {CORPUS_DIR}")
    golden = {path.name: _counts(path) for path in corpus_files()}
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(golden, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN} ({len(golden)} files)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--regenerate"]:
        raise SystemExit(f"usage: uv run python {Path(__file__).name} --regenerate")
    regenerate()
