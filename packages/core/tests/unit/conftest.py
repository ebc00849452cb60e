"""Shared test helpers for core unit tests."""

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

import pytest

from starstats_core.classify import classify_entry
from starstats_core.events.base import BaseEvent
from starstats_core.structure import parse_structure

# The real Game.log corpus: not in the repo, but in ../shared beside it.
CORPUS_DIR = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "gamelog"


def classify_line(line: str) -> BaseEvent | None:
    """Structural pass then classify pass on one line, with no parser state."""
    entry = parse_structure(line)
    return None if entry is None else classify_entry(entry)


def corpus_files() -> list[Path]:
    """The corpus's `*.log` files, sorted; skips the test when the corpus is absent."""
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"real Game.log corpus not found at {CORPUS_DIR} (../shared beside the repo)")
    return sorted(CORPUS_DIR.glob("*.log"))


def corpus_lines() -> list[str]:
    """Every line of every corpus file, trailing CR removed; skips when the corpus is absent."""
    lines: list[str] = []
    for path in corpus_files():
        text = path.read_bytes().decode("utf-8", errors="replace")
        lines.extend(raw.rstrip("\r") for raw in text.split("\n"))
    return lines


def corpus_counts(
    types: Collection[str], kinds_of: Callable[[str], Iterable[str]]
) -> tuple[Counter[str], Counter[str]]:
    """Over every corpus line: the events of `types` it classifies to, and the event kinds
    `kinds_of` reads off its raw text. Skips when the corpus is absent."""
    events: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for line in corpus_lines():
        event = classify_line(line)
        if event is not None and event.type in types:
            events[event.type] += 1
        kinds.update(kinds_of(line))
    return events, kinds


def needle_kinds(markers: Mapping[str, Iterable[str]]) -> Callable[[str], list[str]]:
    """`kinds_of` for `corpus_counts`: every kind one of whose needles is in the line."""
    return lambda line: [
        kind for kind, needles in markers.items() if any(needle in line for needle in needles)
    ]


@pytest.fixture(name="classify")
def classify_fixture() -> object:
    return classify_line
