"""The tray's background work: tailing, reading the store, importing and pairing, each on its
own thread with its own SQLite connections (connections are per thread).

Workers never touch Qt. They post immutable notices to an `Outbox` (a `queue.SimpleQueue`)
that the Qt thread drains on a timer; see `tray.py` for why a queue rather than signals.
"""

import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Generic, TypeVar

from starstats_client.errors import ClientError, StoreLockedError
from starstats_client.importer import ImportProgress, ProgressCallback
from starstats_client.localjourney import StoreJourney
from starstats_client.store import Store
from starstats_client.tailer import FileTail, Tailer, TailStatus
from starstats_client.ui.actions import SyncActions
from starstats_client.ui.eventlog import EventLog
from starstats_client.ui.journeyview import JourneyFacts, JourneyRequest, read_journey
from starstats_client.ui.viewmodel import FactsRequest, StoreFacts, read_facts

JOIN_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class TailsPolled:
    statuses: tuple[TailStatus, ...]


@dataclass(frozen=True, slots=True)
class FactsRead:
    facts: StoreFacts


@dataclass(frozen=True, slots=True)
class JourneyRead:
    journey: JourneyFacts


@dataclass(frozen=True, slots=True)
class ImportAdvanced:
    progress: ImportProgress | None  # a copy taken on the worker thread
    finished: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PairingFinished:
    handle: str | None
    device_id: str | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class WorkerFailed:
    worker: str
    error: str


Notice = TailsPolled | FactsRead | JourneyRead | ImportAdvanced | PairingFinished | WorkerFailed
Outbox = queue.SimpleQueue[Notice]
# Backfill: import into the given store, reporting progress (composed by the CLI from
# app.run_import, which the ui layer may not import).
Backfill = Callable[[Store, ProgressCallback], object]


class _Loop:
    """A thread running `_run(stop)`, startable again after `stop`; failures become
    `WorkerFailed` notices."""

    name = "worker"

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            if not self._stop.is_set():
                return  # already running
            self._thread.join()  # still finishing a long poll after `stop` gave up waiting
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._guarded, args=(self._stop,), name=f"starstats-{self.name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(JOIN_SECONDS)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _guarded(self, stop: threading.Event) -> None:
        try:
            self._run(stop)
        except ClientError as err:
            self.outbox.put(WorkerFailed(self.name, str(err)))
        except Exception as err:
            self.outbox.put(WorkerFailed(self.name, f"internal error: {err!r}"))
            raise  # and let threading.excepthook log the traceback

    def _run(self, stop: threading.Event) -> None:
        raise NotImplementedError


class TailWorker(_Loop):
    """Follows `logs` into the store at `database`, like `run` does, posting the files'
    statuses whenever they change and calling `on_events` after a poll that stored some.
    Stop and start it to apply a changed noise list."""

    name = "tailer"

    def __init__(
        self,
        database: Path,
        logs: Sequence[Path],
        outbox: Outbox,
        *,
        interval: float | None = None,
        notify: bool = True,
        on_events: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(outbox)
        self.database = database
        self.logs = list(logs)
        self.interval = interval  # None: the tailer's default (see tailer.Tailer)
        self.notify = notify
        self.on_events = on_events  # called on this worker's thread (the sync worker's wake)
        self._tailer: Tailer | None = None

    def stop(self) -> None:
        self._stop.set()
        tailer = self._tailer
        if tailer is not None:
            tailer.wake()  # a wait for filesystem notifications ends now
        super().stop()

    def _run(self, stop: threading.Event) -> None:
        with Store(self.database) as store:
            noise = store.noise_names()
            tails = [FileTail(path, store, noise=noise) for path in self.logs]
            tailer = self._tailer = Tailer(tails, interval=self.interval, notify=self.notify)
            posted: tuple[TailStatus, ...] | None = None

            def post() -> None:  # the tray shows offsets and read errors after each poll
                nonlocal posted
                statuses = tuple(tailer.status())
                if statuses != posted:
                    self.outbox.put(TailsPolled(statuses))
                    posted = statuses

            woken = self.on_events
            tailer.run(stop, None if woken is None else lambda _: woken(), on_poll=post)


Request = TypeVar("Request")


class _Reader(_Loop, Generic[Request]):
    """Reads for the latest request every `interval` seconds while active; `_run` opens
    the thread's connections and hands `_loop` what reads (and posts) with them."""

    def __init__(self, database: Path, outbox: Outbox, *, interval: float = 1.0) -> None:
        super().__init__(outbox)
        self.database = database
        self.interval = interval
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._request: Request | None = None
        self._active = True
        self._forced = False

    def request(self, request: Request, *, force: bool = False) -> None:
        """Read for `request` from now on (at once if it differs, or if `force`)."""
        with self._lock:
            changed = request != self._request
            self._request = request
            self._forced = self._forced or force
        if changed or force:
            self._wake.set()

    def set_active(self, active: bool) -> None:
        """Inactive (window hidden): no reads at all, so a game session costs nothing."""
        with self._lock:
            self._active = active
        if active:
            self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        super().stop()

    def _loop(self, stop: threading.Event, read: Callable[[Request, bool], None]) -> None:
        """Call `read(request, forced)` each turn the reader is active and has a request."""
        while not stop.is_set():
            with self._lock:
                request, active, forced = self._request, self._active, self._forced
                self._forced = False
            if active and request is not None:
                # Locked: rare for a reader under WAL; the next turn tries again.
                with contextlib.suppress(StoreLockedError):
                    read(request, forced)
            self._wake.wait(self.interval)
            self._wake.clear()


class FactsReader(_Reader[FactsRequest]):
    """Reads `StoreFacts` for the latest `FactsRequest`, only when the database or the
    request changed since the last read."""

    name = "reader"

    def _run(self, stop: threading.Event) -> None:
        last: tuple[int, FactsRequest] | None = None
        with Store(self.database) as store, EventLog(self.database) as log:

            def read(request: FactsRequest, forced: bool) -> None:
                nonlocal last
                version = (log.data_version(), request)
                if forced or version != last:
                    self.outbox.put(FactsRead(read_facts(store, log, request)))
                    last = version

            self._loop(stop, read)


class JourneyReader(_Reader[JourneyRequest]):
    """Keeps the local journey folded (`StoreJourney`) and posts what the Journey tab shows
    for the latest `JourneyRequest`, when the database or the request changed. The fold
    lives as long as the thread: showing the window again folds only what came meanwhile."""

    name = "journey"

    def _run(self, stop: threading.Event) -> None:
        last: tuple[int, JourneyRequest] | None = None
        with StoreJourney(self.database) as journey:

            def read(request: JourneyRequest, forced: bool) -> None:
                nonlocal last
                version = (journey.data_version(), request)
                if forced or version != last:
                    self.outbox.put(JourneyRead(read_journey(journey, request)))
                    last = version

            self._loop(stop, read)


def start_import(database: Path, backfill: Backfill, outbox: Outbox) -> threading.Thread:
    """Run `backfill` on a new thread with its own store, posting progress copies."""

    def work() -> None:
        last: ImportProgress | None = None

        def advanced(progress: ImportProgress) -> None:
            nonlocal last
            last = replace(progress)  # the importer keeps mutating its own object
            outbox.put(ImportAdvanced(last))

        try:
            with Store(database) as store:
                backfill(store, advanced)
        except ClientError as err:
            outbox.put(ImportAdvanced(last, finished=True, error=str(err)))
            return
        outbox.put(ImportAdvanced(last, finished=True))

    thread = threading.Thread(target=work, name="starstats-import", daemon=True)
    thread.start()
    return thread


def start_pairing(
    actions: SyncActions, api_url: str, code: str, outbox: Outbox
) -> threading.Thread:
    """Redeem `code` on a new thread (it waits on the network), posting the outcome."""

    def work() -> None:
        try:
            handle, device_id = actions.pair(api_url, code)
        except (ClientError, OSError) as err:
            outbox.put(PairingFinished(None, None, str(err)))
            return
        outbox.put(PairingFinished(handle, device_id))

    thread = threading.Thread(target=work, name="starstats-pairing", daemon=True)
    thread.start()
    return thread
