"""Filesystem notifications for the tailer: a watchdog observer (inotify, ReadDirectoryChangesW,
FSEvents) on the tailed files' folders, not recursive, sets an Event when one of the files
changes. It owns the observer's threads and only wakes the tailer early (docs/adr/0005)."""

import logging
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

log = logging.getLogger(__name__)

DISABLE_ENV = "STARSTATS_NO_FS_EVENTS"  # any value but "" or "0": poll only
RECHECK_SECONDS = 5.0  # how often the watched folders are compared with the wanted ones
_SETTLE_TURNS = 8  # rounds of moving watches down while folders keep appearing

# Closed/opened/attribute-only events of other files are not asked for (inotify's mask is
# built from this list); directory events matter only on the way to a tailed file.
_EVENTS: list[type[FileSystemEvent]] = [
    FileModifiedEvent,
    FileCreatedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    DirCreatedEvent,
    DirMovedEvent,
    DirDeletedEvent,
]

Folder = tuple[str, int, int]  # path, st_dev, st_ino: a folder deleted and made again differs


def notifications_wanted(env: Mapping[str, str] = os.environ) -> bool:
    """False when `STARSTATS_NO_FS_EVENTS` asks for polling only."""
    return env.get(DISABLE_ENV, "").strip() in {"", "0"}


def nearest_folder(path: Path) -> Folder | None:
    """`path` if it is a folder, else its nearest existing ancestor (None: not even a root)."""
    for folder in (path, *path.parents):
        try:
            info = folder.stat()
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            return os.fspath(folder), info.st_dev, info.st_ino
    return None


def _key(path: str | bytes) -> str:
    return os.path.normcase(os.path.abspath(os.fsdecode(path)))


def _keys(paths: Iterable[Path]) -> frozenset[str]:
    """Each path as events may spell it: as given, and resolved (FSEvents reports real paths,
    e.g. /private/var for /var)."""
    return frozenset(k for p in paths for k in (_key(os.fspath(p)), _key(os.path.realpath(p))))


class _Handler(FileSystemEventHandler):
    """Runs on the observer's thread: compares paths and sets events, nothing more."""

    def __init__(
        self,
        files: frozenset[str],
        way: frozenset[str],
        changed: threading.Event,
        replan: threading.Event,
    ) -> None:
        self._files, self._way = files, way
        self._changed, self._replan = changed, replan

    def on_any_event(self, event: FileSystemEvent) -> None:
        touched = {_key(p) for p in (event.src_path, event.dest_path) if p}
        if event.is_directory:
            if touched & self._way:  # a folder on the way to a tailed file came or went
                self._replan.set()
                self._changed.set()
        elif touched & self._files:
            self._changed.set()


class ChangeNotifier:
    """Sets `changed` when one of `files` changes, by watching the folder of each (while a
    folder is missing, its nearest existing ancestor, until the folder appears). If no folder
    can be watched (disabled, inotify limits, no observer) it stays inactive, logging why,
    and the caller polls as before. Use it as a context manager: the observer's threads are
    stopped and joined on exit."""

    def __init__(
        self,
        files: Iterable[Path],
        changed: threading.Event,
        *,
        enabled: bool = True,
        observer: Callable[[], BaseObserver] = Observer,
    ) -> None:
        self.files = [Path(os.path.abspath(f)) for f in files]
        self.changed = changed
        self._enabled = enabled
        self._make_observer = observer
        self._observer: BaseObserver | None = None
        self._watches: dict[Folder, ObservedWatch] = {}
        self._failed: set[Folder] = set()
        self._replan = threading.Event()
        self._checked = 0.0
        way = {ancestor for f in self.files for ancestor in (f.parent, *f.parent.parents)}
        self._handler = _Handler(_keys(self.files), _keys(way), changed, self._replan)

    @property
    def active(self) -> bool:
        return self._observer is not None

    @property
    def folders(self) -> list[str]:
        """The folders watched now."""
        return sorted(folder for folder, _, _ in self._watches)

    def start(self) -> bool:
        """Watch the folders; False (and a logged reason) when notifications are not active."""
        if not self._enabled or not notifications_wanted():
            log.info("filesystem notifications are off: the tailer polls only")
            return False
        try:
            observer = self._make_observer()
        except (OSError, RuntimeError) as err:  # e.g. inotify's max_user_instances reached
            log.warning("filesystem notifications unavailable (%s): polling only", err)
            return False
        try:
            observer.start()
        except (OSError, RuntimeError) as err:
            _halt(observer)
            log.warning("filesystem notifications unavailable (%s): polling only", err)
            return False
        self._observer = observer
        self._watch_folders()
        if not self._watches:
            self.stop()
            names = ", ".join(str(f) for f in self.files)
            log.warning("no folder of %s can be watched: polling only", names)
            return False
        return True

    def wait(self, timeout: float) -> None:
        """Until a change is noticed or `timeout` passes; then clears it, and watches other
        folders if one on the way appeared or went (checked every `RECHECK_SECONDS` too)."""
        self.changed.wait(timeout)
        self.changed.clear()
        if self._observer is not None and (
            self._replan.is_set() or time.monotonic() - self._checked >= RECHECK_SECONDS
        ):
            self._replan.clear()
            self._watch_folders()

    def stop(self) -> None:
        observer, self._observer = self._observer, None
        self._watches.clear()
        if observer is not None:
            _halt(observer)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _watch_folders(self) -> None:
        """Watch the nearest existing folder of each file. A folder made on the way while a
        watch was being added sent no event to it: look again until nothing changes."""
        self._checked = time.monotonic()
        for _ in range(_SETTLE_TURNS):
            wanted = {found for f in self.files if (found := nearest_folder(f.parent)) is not None}
            if wanted == self._watches.keys() | self._failed:
                return
            self._apply(wanted)

    def _apply(self, wanted: set[Folder]) -> None:
        observer = self._observer
        assert observer is not None
        self._failed &= wanted
        for gone in self._watches.keys() - wanted:  # first: a new watch of the same path
            observer.unschedule(self._watches.pop(gone))  # would reuse the old emitter
        for folder in wanted - self._watches.keys():
            try:
                self._watches[folder] = observer.schedule(
                    self._handler, folder[0], event_filter=_EVENTS, follow_symlink=True
                )
            except OSError as err:  # e.g. inotify's max_user_watches reached
                if folder not in self._failed:
                    log.warning("cannot watch %s (%s): polling it", folder[0], err)
                self._failed.add(folder)
            else:
                self._failed.discard(folder)
                log.debug("watching %s", folder[0])
        self.changed.set()  # whatever was written before the new watches is read now


def _halt(observer: BaseObserver) -> None:
    """Stop the observer and its emitters (and inotify's reader thread) and join them."""
    observer.stop()
    if observer.ident is not None:  # joining a thread that never started raises
        observer.join()
