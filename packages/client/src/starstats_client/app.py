"""Composition root: builds the store, discovery and tailer from settings for the CLI (and
later the tray). Nothing is created at import time."""

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starstats_client.config import Config, load_config
from starstats_client.discovery import Channel, Machine, find_channels
from starstats_client.errors import DiscoveryError, LogFileError
from starstats_client.importer import ImportProgress, archive_backups, backup_paths, import_logs
from starstats_client.logfiles import expand_paths
from starstats_client.paths import archive_dir, config_file, data_dir, database_file
from starstats_client.store import Store
from starstats_client.tailer import POLL_SECONDS, FileTail, Tailer


def settings() -> Config:
    return load_config(config_file())


def open_store(data: Path | None) -> Store:
    return Store(database_file(data_dir(data)))


def channels(config: Config, machine: Machine | None = None) -> list[Channel]:
    found = machine if machine is not None else Machine.this_one(config.library_paths)
    return find_channels(found)


def live_logs(override: Path | None, config: Config, machine: Machine | None = None) -> list[Path]:
    """The Game.log files to tail: the override (flag, then config) or every channel's."""
    chosen = override if override is not None else config.gamelog_path
    if chosen is not None:
        if chosen.is_dir():
            raise LogFileError(f"{chosen}: a folder; give the Game.log file itself")
        if not chosen.parent.is_dir():
            raise LogFileError(f"{chosen}: its folder does not exist")
        return [chosen]
    found = [channel.game_log for channel in channels(config, machine)]
    if not found:
        raise DiscoveryError(
            "no Star Citizen install found; pass --gamelog PATH or set gamelog_path in "
            f"{config_file()}"
        )
    return found


def run_tailer(
    store: Store,
    logs: Sequence[Path],
    *,
    stop: threading.Event | None = None,
    interval: float = POLL_SECONDS,
) -> None:
    """Tail `logs` until SIGINT/SIGTERM (or `stop`). Each poll commits its events with its
    cursor, so a signal only ends the loop at the next turn."""
    stop = stop if stop is not None else threading.Event()
    noise = store.noise_names()
    tailer = Tailer([FileTail(path, store, noise=noise) for path in logs], interval=interval)
    with _stop_on_signals(stop):
        tailer.run(stop)


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may install handlers; the caller owns `stop`
        return
    wanted = [signal.SIGINT, signal.SIGTERM]
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in wanted}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_import(
    store: Store,
    paths: Sequence[Path],
    config: Config,
    *,
    archive: bool,
    data: Path,
    on_progress: Callable[[ImportProgress], None] | None = None,
) -> tuple[ImportProgress, int]:
    """Import `paths` (files or folders), or every discovered backup and archived copy.
    Returns the totals and how many backups were newly archived."""
    archived = 0
    if paths:
        files = expand_paths(paths)
    else:
        found = channels(config)
        if archive or config.archive_backups:
            archived = len(archive_backups(found, archive_dir(data)))
        files = backup_paths(found, archive_dir(data))
    return import_logs(store, files, noise=store.noise_names(), on_progress=on_progress), archived


def status_report(store: Store) -> dict[str, Any]:
    """The `status --json` object."""
    counts = store.counts()
    latest: dict[str, Any] = {}
    for cursor in store.cursors(unfinished_only=True):  # ordered by update: newest wins
        if Path(cursor.path).name.casefold() == "game.log":
            latest[cursor.path] = {"path": cursor.path, "offset": cursor.offset}
    sync = store.sync_stats()
    return {
        "events": counts.events,
        "by_type": counts.by_type,
        "unsynced": counts.unsynced,
        "quarantined": counts.quarantined,
        "unknown_shapes": counts.unknown_shapes,
        "tailing": list(latest.values()),
        "sync": {
            "enabled": False,
            "paired": False,
            "last_attempt_at": sync.last_attempt_at,
            "last_success_at": sync.last_success_at,
            "last_error": sync.last_error,
            "batches_sent": sync.batches_sent,
            "events_accepted": sync.events_accepted,
            "events_duplicate": sync.events_duplicate,
            "events_rejected": sync.events_rejected,
        },
    }
