"""Reading Game.log files from disk in chunks and running them through the core parser.

Owns the file I/O the pure core may not do: opening (shared, so the game is never blocked),
chunked reads, the file signature.
"""

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from starstats_client.errors import LogFileError
from starstats_core.parser import LogParser, ParsedEvent
from starstats_core.stats import LINE_COUNTS, ParseStats
from starstats_core.wire import file_signature

CHUNK_BYTES = 4 << 20
FIRST_LINE_MAX = 64 * 1024  # a first line longer than this is hashed by its first 64 KiB

__all__ = [
    "CHUNK_BYTES",
    "LogFileError",
    "Totals",
    "expand_paths",
    "open_shared",
    "parse_file",
    "read_first_line",
    "read_signature",
]


# open_shared(path) opens a log read-only without ever getting in the game's way. On
# Windows the game holds Game.log open for writing and renames it into logbackups/ at the
# next launch; a reader must share read, write *and delete*, or the game gets "access
# denied" (or stutters). Python's `open` does not share delete, so we call CreateFileW
# ourselves. Elsewhere a plain read-only open never blocks a writer.
if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import ctypes
    import msvcrt
    from ctypes import wintypes

    _GENERIC_READ = 0x80000000
    _SHARE_ALL = 0x1 | 0x2 | 0x4  # FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
    _OPEN_EXISTING = 3
    _FILE_ATTRIBUTE_NORMAL = 0x80
    _INVALID_HANDLE = wintypes.HANDLE(-1).value
    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _kernel32.CreateFileW.restype = wintypes.HANDLE
    _kernel32.CreateFileW.argtypes = [
        wintypes.LPCWSTR,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.LPVOID,
        wintypes.DWORD,
        wintypes.DWORD,
        wintypes.HANDLE,
    ]

    def open_shared(path: Path) -> BinaryIO:
        """`path` opened for reading, sharing read, write and delete with the game."""
        handle = _kernel32.CreateFileW(
            str(path), _GENERIC_READ, _SHARE_ALL, None, _OPEN_EXISTING, _FILE_ATTRIBUTE_NORMAL, None
        )
        if handle == _INVALID_HANDLE:
            # WinError picks FileNotFoundError / PermissionError from the code, as open() does.
            raise ctypes.WinError(ctypes.get_last_error())
        fd = msvcrt.open_osfhandle(handle, os.O_RDONLY | os.O_BINARY)
        return os.fdopen(fd, "rb")

else:

    def open_shared(path: Path) -> BinaryIO:
        """`path` opened for reading (a POSIX reader never blocks the writer)."""
        return path.open("rb")


def read_first_line(handle: BinaryIO) -> bytes | None:
    """The first line of an open log, with its newline; None while it is still incomplete
    (the game may be writing it right now, and a partial line would hash differently)."""
    handle.seek(0)
    line = handle.readline(FIRST_LINE_MAX)
    if line.endswith(b"\n") or len(line) >= FIRST_LINE_MAX:
        return line
    return None


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
    with open_shared(path) as f:
        return file_signature(f.readline(FIRST_LINE_MAX))


def parse_file(
    path: Path, parser: LogParser, on_read: Callable[[int], None] | None = None
) -> Iterator[ParsedEvent]:
    """Every event of the file at `path`, streamed in 4 MiB reads (constant memory).
    `on_read(n)` is told of every n bytes read (for a progress display)."""
    try:
        with open_shared(path) as f:
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
