"""The journey of Game.log files: parse each file, put its events in log order and fold them
with core's `JourneyFold` into the facts `journey` prints.

Each event's evidence reference is its idempotency key, computed exactly as the uploaded
envelope's (`wire.to_envelope`), so the facts cite the same keys the server stores. Files
are folded one at a time, oldest first (by their first event's time), each sorted by
`journey.order_key`: memory holds one file's events, never a whole backup set's.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from starstats_client.logfiles import open_shared, parse_file, read_first_line, read_signature
from starstats_core.journey import Fact, JourneyFold, journey_document, order_key
from starstats_core.journey.instants import instant
from starstats_core.parser import LogParser, ParsedEvent
from starstats_core.wire import LogSource, idempotency_key


def _file_events(
    path: Path, source: LogSource, progress: Callable[[int], None] | None
) -> list[tuple[tuple[float, int], Any, str]]:
    signature = read_signature(path)
    found = []
    for parsed in parse_file(path, LogParser(), progress):
        found.append(
            (
                order_key(parsed.event.timestamp, parsed.offset),
                parsed.event,
                _ref(parsed, source, signature),
            )
        )
    found.sort(key=lambda item: item[0])
    return found


def _ref(parsed: ParsedEvent, source: LogSource, signature: str) -> str:
    first_line = parsed.raw_line.split("\n", 1)[0]
    return idempotency_key(source, signature, parsed.offset, first_line)


def fold_files(
    files: list[Path],
    *,
    handle: str | None = None,
    source: LogSource = LogSource.LIVE,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """The journey document (`journey_document`) of `files`. Raises LogFileError/OSError
    for unreadable files."""
    ordered = sorted(enumerate(files), key=lambda item: (_first_instant(item[1]), item[0]))
    fold = JourneyFold(handle)
    facts: list[Fact] = []
    for _, path in ordered:
        events = _file_events(path, source, progress)
        facts += fold.feed((event, ref) for _, event, ref in events)
    facts += fold.finish()
    return journey_document(fold.player(), facts)


def _first_instant(path: Path) -> float:
    """The time of a log's first line (`<timestamp> BackupNameAttachment=…`), to fold files
    oldest first; a file whose first line has none goes last, in the order given."""
    with open_shared(path) as handle:
        line = read_first_line(handle) or b""
    if line.startswith(b"<") and b">" in line:
        moment = instant(line[1 : line.index(b">")].decode("ascii", "replace"))
        if moment is not None:
            return moment
    return float("inf")
