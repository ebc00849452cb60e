"""Shared helpers for client tests: synthesized logs, the one-shot parse oracle, and what
the store holds (read straight from SQLite, not through the code under test)."""

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from starstats_core.parser import LogParser
from starstats_core.synth import Era, synthesize_log
from starstats_core.wire import LogSource, file_signature, idempotency_key

# The real Game.log corpus: not in the repo, but in ../shared beside it.
CORPUS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "gamelog"

Row = tuple[str, str, int]  # (idempotency key, event type, source offset)


def corpus_files() -> list[Path]:
    """The corpus's `*.log` files; skips the test when the corpus is absent."""
    if not CORPUS_DIR.is_dir():
        pytest.skip(f"real Game.log corpus not found at {CORPUS_DIR} (../shared beside the repo)")
    return sorted(CORPUS_DIR.glob("*.log"))


def synth_log(
    seed: int, *, sessions: int = 2, lines: int = 3000, era: Era | None = None, crlf: bool = True
) -> bytes:
    text = synthesize_log(
        seed=seed, sessions=sessions, era=era, lines_per_session=lines // sessions, crlf=crlf
    )
    return "".join(text).encode()


def oracle(
    data: bytes,
    source: LogSource = LogSource.LIVE,
    *,
    finish: bool = False,
    noise: frozenset[str] | None = None,
) -> list[Row]:
    """The events of `data` parsed in one go (`finish`: the end of input too), as rows.
    A tailer never ends a live file, so by default the end of input is not processed."""
    parser = LogParser(noise)
    parsed = parser.feed(data)
    if finish:
        parsed += parser.finish()
    signature = file_signature(data)
    return sorted(
        (
            idempotency_key(source, signature, p.offset, p.raw_line.split("\n", 1)[0]),
            p.event.type,
            p.offset,
        )
        for p in parsed
    )


def stored(database: Path) -> list[Row]:
    """Every stored event as a row, sorted like `oracle`."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT idempotency_key, event_type, source_offset FROM events")
        return sorted(rows.fetchall())


def duplicates(rows: list[Row]) -> Counter[Row]:
    return Counter({row: n for row, n in Counter(rows).items() if n > 1})
