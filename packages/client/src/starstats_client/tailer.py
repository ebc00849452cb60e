"""Following live Game.log files: the new bytes of each poll become one committed batch.

A poll stats the file (cheap while nothing changes), opens it shared (logfiles.open_shared),
and compares the signature of its first line with the launch being read: a different one
means the game started again and replaced the file, whatever the sizes say. The old launch
is then read to its end from logbackups/ (found by signature) before the new one starts.
Between polls no handle is held, so the game can always rename or delete the file.
`Tailer` polls when a filesystem notification says a tailed file changed (notifier.py) and
at least every `FALLBACK_POLL_SECONDS` anyway; without notifications, every `POLL_SECONDS`.
"""

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from starstats_client.discovery import BACKUP_DIRS, source_for
from starstats_client.errors import StoreFullError, StoreLockedError
from starstats_client.logfiles import open_shared, read_first_line
from starstats_client.logstream import Committer, LogStream, drain, resume_stream
from starstats_client.notifier import ChangeNotifier
from starstats_client.store import Cursor, Store
from starstats_core.wire import LogSource, file_signature

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1  # polling only: one stat per file, ~10 per second, costs nothing
# With notifications the poll is the safety net for what they miss (NTFS may report an append
# by a writer that keeps its handle open late; a folder being replaced), still within 250 ms.
FALLBACK_POLL_SECONDS = 0.25
# Notifications come per write, and the game writes a line at a time: polls (each a commit)
# are at least this far apart, so a burst of lines costs at most 20 commits a second.
MIN_GAP_SECONDS = 0.05
_BACKUPS_CHECKED = 20  # newest backup files whose first line is compared on a rotation


@dataclass(frozen=True, slots=True)
class TailStatus:
    """What the tray shows per tailed file."""

    path: Path
    signature: str | None
    offset: int
    last_error: str | None


class FileTail:
    """One live log path, followed across appends, truncation and replacement.

    `backup_dirs()` lists where the game moves a finished log (default: the `logbackups/`
    and `Logs/` folders beside the file)."""

    def __init__(
        self,
        path: Path,
        store: Store,
        *,
        noise: frozenset[str],
        source: LogSource | None = None,
        backup_dirs: Callable[[], list[Path]] | None = None,
    ) -> None:
        self.path = path
        self._store = store
        self._noise = noise
        self._source = source if source is not None else source_for(path)
        self._backup_dirs = backup_dirs if backup_dirs is not None else self._sibling_backups
        self._stream: LogStream | None = None
        self._seen: tuple[int, int, int, int] | None = None
        self._adopted = False
        self.last_error: str | None = None

    @property
    def status(self) -> TailStatus:
        stream = self._stream
        return TailStatus(
            self.path,
            None if stream is None else stream.signature,
            0 if stream is None else stream.cursor.offset,
            self.last_error,
        )

    def poll(self) -> int:
        """Store what was appended since the last poll; returns the number of new events.
        A missing or unreadable file is not an error: the game may be between launches."""
        try:
            info = os.stat(self.path)
        except OSError as err:
            self.last_error = None if isinstance(err, FileNotFoundError) else str(err)
            return 0
        seen = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        if seen == self._seen:
            return 0
        try:
            with open_shared(self.path) as handle:
                added = self._read(handle)
        except FileNotFoundError:
            return 0
        except (StoreLockedError, StoreFullError) as err:
            # The batch was rolled back but the parser had consumed it: start over from the
            # stored cursor next time (and retry finishing earlier launches too). A full
            # disk is the same: transient, nothing lost, so keep tailing rather than exit.
            if self.last_error != str(err):
                log.warning("%s", err)
            self._stream, self._adopted, self.last_error = None, False, str(err)
            return 0
        except OSError as err:
            self._stream, self.last_error = None, str(err)
            return 0
        if added is None:
            return 0  # the first line is still being written: look again next poll
        self._seen, self.last_error = seen, None
        return added

    def _read(self, handle: BinaryIO) -> int | None:
        first = read_first_line(handle)
        if first is None:
            return None
        signature = file_signature(first)
        added = 0
        stream = self._stream
        if not self._adopted:
            added += self._finish_orphans(signature)
            self._adopted = True
        if stream is None or stream.signature != signature:
            if stream is not None:
                added += self._finish_rotated(stream)
            stream = self._stream = self._resume(handle, signature)
        elif os.fstat(handle.fileno()).st_size < stream.read_pos:
            # Same first line but shorter: rewritten in place. Read it again from the start;
            # idempotency keys turn the events already stored into no-ops.
            stream = self._stream = LogStream(signature, stream.source, self.path, self._noise)
        return added + self._drain(handle, stream, finish=False)

    def _drain(self, handle: BinaryIO, stream: LogStream, *, finish: bool) -> int:
        committer = Committer(self._store)  # every read is committed at once
        drain(handle, stream, committer, finish=finish)
        return committer.added

    def _resume(self, handle: BinaryIO, signature: str) -> LogStream:
        cursor = self._store.cursor(signature)
        return resume_stream(
            handle, signature, cursor, source=self._source, path=self.path, noise=self._noise
        )

    def _finish_rotated(self, stream: LogStream) -> int:
        """The launch `stream` was reading has been replaced: read the rest of it from its
        backup copy and end it. Without a backup it stays unfinished (its complete lines
        are stored); `import` finishes it once the backup shows up."""
        backup = find_by_signature(self._backup_dirs(), stream.signature)
        if backup is None:
            return 0
        with open_shared(backup) as handle:
            stream.path = backup
            return self._drain(handle, stream, finish=True)

    def _finish_orphans(self, signature: str) -> int:
        """Launches of this path that ended while the client was not running."""
        added = 0
        for cursor in self._store.cursors(unfinished_only=True):
            if cursor.path == str(self.path) and cursor.file_signature != signature:
                added += self._finish_from_backup(cursor)
        return added

    def _finish_from_backup(self, cursor: Cursor) -> int:
        backup = find_by_signature(self._backup_dirs(), cursor.file_signature)
        if backup is None:
            return 0
        with open_shared(backup) as handle:
            stream = resume_stream(
                handle,
                cursor.file_signature,
                cursor,
                source=cursor.source,
                path=backup,
                noise=self._noise,
            )
            return self._drain(handle, stream, finish=True)

    def _sibling_backups(self) -> list[Path]:
        try:
            return [
                p
                for p in self.path.parent.iterdir()
                if p.is_dir() and p.name.casefold() in BACKUP_DIRS
            ]
        except OSError:
            return []


def find_by_signature(folders: Sequence[Path], signature: str) -> Path | None:
    """The newest `*.log` in `folders` whose first line has `signature`."""
    candidates: list[tuple[int, Path]] = []
    for folder in folders:
        try:
            candidates.extend((p.stat().st_mtime_ns, p) for p in folder.glob("*.log"))
        except OSError:
            continue
    for _, path in sorted(candidates, reverse=True)[:_BACKUPS_CHECKED]:
        try:
            with open_shared(path) as handle:
                first = read_first_line(handle)
        except OSError:
            continue
        if first is not None and file_signature(first) == signature:
            return path
    return None


class Tailer:
    """Polls several FileTails until `stop` is set: at once when notified of a change to one
    of their files (`notify`, see notifier.py), and every `interval` seconds regardless
    (default: `FALLBACK_POLL_SECONDS` with notifications, `POLL_SECONDS` without). Every poll
    commits what it read, so stopping (or being killed) between polls or inside one loses
    nothing."""

    def __init__(
        self,
        tails: Sequence[FileTail],
        *,
        interval: float | None = None,
        notify: bool = True,
    ) -> None:
        self.tails = list(tails)
        self.interval = interval
        self.notify = notify
        self._changed = threading.Event()

    def run(
        self,
        stop: threading.Event,
        on_events: Callable[[int], None] | None = None,
        *,
        on_poll: Callable[[], None] | None = None,
    ) -> None:
        """`on_events(n)` follows every poll that stored new events, `on_poll()` every poll.
        Call `wake()` after setting `stop` to end a wait for notifications at once."""
        paths = [tail.path for tail in self.tails]
        with ChangeNotifier(paths, self._changed, enabled=self.notify) as notifier:
            while not stop.is_set():
                began = time.monotonic()
                added = sum(tail.poll() for tail in self.tails)
                if added and on_events is not None:
                    on_events(added)
                if on_poll is not None:
                    on_poll()
                if notifier.active:
                    notifier.wait(self._interval(notified=True))
                    rest = MIN_GAP_SECONDS - (time.monotonic() - began)
                    if rest > 0:
                        stop.wait(rest)
                else:
                    stop.wait(self._interval(notified=False))

    def wake(self) -> None:
        """Poll now (from any thread)."""
        self._changed.set()

    def status(self) -> list[TailStatus]:
        return [tail.status for tail in self.tails]

    def _interval(self, *, notified: bool) -> float:
        if self.interval is not None:
            return self.interval
        return FALLBACK_POLL_SECONDS if notified else POLL_SECONDS
