"""Composition root: builds the store, discovery, tailer and sync worker from settings for
the CLI (and the tray). Nothing is created at import time."""

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starstats_client import early_stop
from starstats_client.config import Config, load_config
from starstats_client.credentials import TokenStore, default_token_store
from starstats_client.delivery import Remote
from starstats_client.discovery import Channel, Machine, find_channels
from starstats_client.errors import CredentialError, DiscoveryError, LogFileError
from starstats_client.importer import ImportProgress, archive_backups, backup_paths, import_logs
from starstats_client.logfiles import expand_paths
from starstats_client.pairing import current_pairing, pairing_lost, record_pairing_lost
from starstats_client.paths import archive_dir, config_file, data_dir, database_file
from starstats_client.store import Store
from starstats_client.sync import (
    StateListener,
    SyncState,
    SyncWorker,
    sync_enabled,
    sync_settings,
)
from starstats_client.tailer import FileTail, Tailer

log = logging.getLogger(__name__)


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
    interval: float | None = None,
    notify: bool = True,
    on_events: Callable[[int], None] | None = None,
    on_trouble: Callable[[Path, str | None], None] | None = None,
) -> None:
    """Tail `logs` until SIGINT/SIGTERM (or `stop`). Each poll commits its events with its
    cursor, so a signal only ends the loop at the next turn. `on_events(n)` follows every
    poll that stored new events (the sync worker's `wake`). `on_trouble(path, error)` is
    told when a log's trouble starts or changes (a full disk, an unreadable file) and
    with None when it ends. `notify`: wake on filesystem notifications
    (STARSTATS_NO_FS_EVENTS=1 turns them off too); see `Tailer`."""
    stop = stop if stop is not None else threading.Event()
    noise = store.noise_names()
    tails = [FileTail(path, store, noise=noise) for path in logs]
    tailer = Tailer(tails, interval=interval, notify=notify)
    on_poll = None if on_trouble is None else _trouble_watch(tailer, on_trouble)
    with _stop_on_signals(stop, tailer.wake):
        tailer.run(stop, on_events, on_poll=on_poll)


def _trouble_watch(
    tailer: Tailer, on_trouble: Callable[[Path, str | None], None]
) -> Callable[[], None]:
    """An `on_poll` that reports each tail's error as it changes. The log file cannot carry
    this news: on a full disk it is the first thing that cannot be written."""
    said: dict[Path, str | None] = {}

    def check() -> None:
        for status in tailer.status():
            if said.get(status.path) != status.last_error:
                if status.last_error is not None or status.path in said:
                    on_trouble(status.path, status.last_error)
                said[status.path] = status.last_error

    return check


def start_sync(
    config: Config,
    data: Path | None,
    *,
    config_path: Path | None = None,
    tokens: TokenStore | None = None,
    on_change: StateListener | None = None,
) -> tuple[SyncWorker | None, str]:
    """The sync worker for the recorded pairing, started; or None and why sync is off
    (not paired, switched off, pairing lost, no token). A refused token is recorded in
    config.toml so later runs do not try it again."""
    pairing = current_pairing(config)
    if pairing is None:
        return None, "not paired; run `starstats-client pair --api URL --code CODE`"
    if not sync_enabled(config):
        return None, "switched off in config.toml ([remote_sync] enabled = false)"
    lost = pairing_lost(config)
    if lost is not None:
        return None, f"pairing lost: {lost}; run `starstats-client pair` again"
    tokens = tokens if tokens is not None else default_token_store(data_dir(data))
    try:
        token = tokens.get(pairing.api_url)
    except CredentialError as err:  # local tailing goes on; sync waits for the fix
        return None, f"cannot read the device token ({err})"
    if not token:
        return None, (
            f"no device token for {pairing.api_url} in {tokens.where}; "
            "run `starstats-client pair` again"
        )
    path = config_path if config_path is not None else config_file()
    worker = SyncWorker(
        database_file(data_dir(data)),
        Remote.of(pairing, token),
        sync_settings(config),
        on_change=on_change,
        on_pairing_lost=lambda reason: record_pairing_lost(path, reason),
    )
    return worker.start(), f"syncing to {pairing.api_url} as {pairing.handle}"


@contextmanager
def _stop_on_signals(stop: threading.Event, wake: Callable[[], None]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may install handlers; the caller owns `stop`
        return

    def stopped(*_: object) -> None:
        stop.set()
        wake()  # end a wait for filesystem notifications now

    wanted = [signal.SIGINT, signal.SIGTERM]
    previous = {sig: signal.signal(sig, stopped) for sig in wanted}
    if early_stop.requested.is_set():
        stop.set()  # asked for while the client was starting: stop before the first poll
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
    totals = import_logs(store, files, noise=store.noise_names(), on_progress=on_progress)
    log.info(
        "import finished: %d file(s) read, %d skipped, %d lines, %d new events",
        totals.files_total - totals.files_skipped,
        totals.files_skipped,
        totals.lines,
        totals.events,
        extra={"archived": archived},
    )
    return totals, archived


def status_report(store: Store, config: Config | None = None) -> dict[str, Any]:
    """The `status --json` object."""
    counts = store.counts()
    latest: dict[str, Any] = {}
    for cursor in store.cursors(unfinished_only=True):  # ordered by update: newest wins
        if Path(cursor.path).name.casefold() == "game.log":
            latest[cursor.path] = {"path": cursor.path, "offset": cursor.offset}
    return {
        "events": counts.events,
        "by_type": counts.by_type,
        "unsynced": counts.unsynced,
        "quarantined": counts.quarantined,
        "unknown_shapes": counts.unknown_shapes,
        "tailing": list(latest.values()),
        "sync": sync_report(store, config if config is not None else Config()),
        "metrics": client_metrics(store, counts.unsynced),
    }


def client_metrics(store: Store, outbox_depth: int, now: datetime | None = None) -> dict[str, Any]:
    """The client's gauges (issue 8): events tailed from live logs, events waiting in the
    outbox, and how far sync is behind — 0 with an empty outbox, else seconds since the last
    successful batch (null when nothing was ever sent, e.g. not paired)."""
    lag: float | None = 0.0
    if outbox_depth:
        last = store.sync_stats().last_success_at
        if last is None:
            lag = None
        else:
            moment = now or datetime.now(UTC)
            lag = max(0.0, round((moment - datetime.fromisoformat(last)).total_seconds(), 3))
    return {
        "events_tailed": store.tailed_count(),
        "outbox_depth": outbox_depth,
        "sync_lag_seconds": lag,
    }


def sync_report(store: Store, config: Config) -> dict[str, Any]:
    """The `status --json` "sync" object: pairing, the worker's state, outbox, totals."""
    counts = store.counts()
    sync = store.sync_stats()
    pairing = current_pairing(config)
    lost = pairing_lost(config) if pairing is not None else None
    if pairing is None or not sync_enabled(config):
        state = SyncState.DISABLED
    elif lost is not None:
        state = SyncState.PAIRING_LOST
    else:  # what the worker last recorded; a pairing made since clears a lost one
        recorded = sync.state or SyncState.IDLE.value
        state = SyncState.IDLE if recorded == SyncState.PAIRING_LOST else SyncState(recorded)
    return {
        "enabled": state is not SyncState.DISABLED and lost is None,
        "paired": pairing is not None and lost is None,
        "handle": pairing.handle if pairing else None,
        "api_url": pairing.api_url if pairing else None,
        "device_id": pairing.device_id if pairing else None,
        "paired_at": pairing.paired_at if pairing else None,
        "pairing_lost": lost,
        "state": state.value,
        "last_attempt_at": sync.last_attempt_at,
        "last_success_at": sync.last_success_at,
        "last_error": sync.last_error,
        "last_trace_id": sync.last_trace_id,
        "unsynced": counts.unsynced,
        "quarantined": counts.quarantined,
        "recent_quarantine": [
            {"idempotency_key": key, "reason": reason, "at": when}
            for key, reason, when in store.quarantined(5)
        ],
        "batches_sent": sync.batches_sent,
        "events_accepted": sync.events_accepted,
        "events_duplicate": sync.events_duplicate,
        "events_rejected": sync.events_rejected,
    }
