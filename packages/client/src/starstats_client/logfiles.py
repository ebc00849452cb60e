"""Reading Game.log files from disk in chunks and running them through the core parser.

Owns the file I/O the pure core may not do: opening, chunked reads, the file signature.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from starstats_core.parser import LogParser, ParsedEvent
from starstats_core.stats import LINE_COUNTS, ParseStats
from starstats_core.wire import file_signature

CHUNK_BYTES = 4 << 20


class LogFileError(Exception):
    """A path given to us cannot be read as a log (missing, a directory without logs...)."""


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to read: each file as given, each directory's `*.log` files in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.log") if p.is_file())
            if not found:
                raise LogFileError(f"{path}: directory holds no *.log files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise LogFileError(f"{path}: not a regular file")
        else:
            raise LogFileError(f"{path}: no such file")
    return files


def read_signature(path: Path) -> str:
    """The signature of the log at `path`, from its first line."""
    with path.open("rb") as f:
        return file_signature(f.readline(64 * 1024))


def parse_file(
    path: Path, parser: LogParser, on_read: Callable[[int], None] | None = None
) -> Iterator[ParsedEvent]:
    """Every event of the file at `path`, streamed in 4 MiB reads (constant memory).
    `on_read(n)` is told of every n bytes read (for a progress display)."""
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK_BYTES):
                yield from parser.feed(chunk)
                if on_read is not None:
                    on_read(len(chunk))
    except OSError as err:
        raise LogFileError(f"{path}: {err.strerror or err}") from err
    yield from parser.finish()


@dataclass(slots=True)
class Totals:
    """Line accounting summed over several files (merged as they come: constant memory)."""

    files: int = 0
    merged: ParseStats = field(default_factory=ParseStats)

    def add(self, stats: ParseStats) -> None:
        self.files += 1
        self.merged.merge(stats)

    def summary(self, top: int) -> dict[str, object]:
        """The `parse --format summary` object."""
        merged = self.merged
        counts = {name: getattr(merged, name) for name in LINE_COUNTS}
        return {
            "files": self.files,
            **{k: counts[k] for k in LINE_COUNTS[:4]},
            "events": dict(sorted(merged.events.items())),
            "event_count": sum(merged.events.values()),
            **{k: counts[k] for k in LINE_COUNTS[4:]},
            "unknown_shape_count": len(merged.top_shapes()),
            "unknown_shapes": [
                {"shape": s.shape, "count": s.count, "sample": s.sample}
                for s in merged.top_shapes(top)
            ],
        }
