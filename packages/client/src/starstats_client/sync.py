"""Sync: a worker thread drains the outbox to `POST /v1/ingest`, batch after batch until it
is empty, then waits for new events (or the interval). Owns the sync thread and its state.

Exactly once in effect: events are marked synced only after a 2xx, and the server dedupes
by idempotency key, so a batch sent twice (a crash between the two) changes nothing. The
error class decides what happens next: back off with jitter (network, 5xx, 429 with its
Retry-After), split the batch (413; 400/422 to isolate the events at fault, which are
quarantined), or stop (401/403: the pairing is lost until the player pairs again).
"""

import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import httpx

from starstats_client.config import SYNC_BATCH_SIZE, SYNC_INTERVAL_SECS, Config
from starstats_client.delivery import Now, Remote, TraceContext, send_batch
from starstats_client.errors import (
    BatchTooLargeError,
    ClientError,
    PairingLostError,
    PermanentSyncError,
    RetryableSyncError,
    StoreError,
    SyncError,
)
from starstats_client.outbox import Batch, build_batch
from starstats_client.pairing import USER_AGENT, Pairing, current_pairing, sync_table
from starstats_client.store import Store, utc_now
from starstats_client.telemetry import tracer
from starstats_core.wire import MAX_BATCH_BYTES, MAX_BATCH_EVENTS

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = SYNC_BATCH_SIZE
DEFAULT_INTERVAL = float(SYNC_INTERVAL_SECS)
MAX_RETRY_AFTER = 3600.0  # a Retry-After beyond an hour is a server bug, not a plan


class SyncState(StrEnum):
    IDLE = "idle"  # the outbox is empty (or the worker is not running)
    SYNCING = "syncing"
    BACKOFF = "backoff"  # the last request failed; waiting before the next
    PAIRING_LOST = "pairing_lost"  # the token was refused: pair again
    DISABLED = "disabled"  # not paired, or sync switched off


@dataclass(frozen=True, slots=True)
class SyncSettings:
    batch_size: int = DEFAULT_BATCH_SIZE
    interval: float = DEFAULT_INTERVAL
    max_batch_bytes: int = MAX_BATCH_BYTES
    timeout: float = 30.0
    backoff_base: float = 1.0
    backoff_max: float = 300.0
    # After a wake-up, wait this long before the round: the tailer wakes the worker after
    # every poll that stored events (up to 20 a second while the game writes), and without
    # it each wake-up became a POST of one or two events.
    gather: float = 1.0


def sync_settings(config: Config) -> SyncSettings:
    """`[remote_sync]` batch_size (1..1000), interval_secs and max_batch_bytes, with the
    defaults for anything missing or out of range."""
    table = sync_table(config)
    batch = _number(table.get("batch_size"), int) or DEFAULT_BATCH_SIZE
    interval = _number(table.get("interval_secs"), float) or DEFAULT_INTERVAL
    max_bytes = _number(table.get("max_batch_bytes"), int) or MAX_BATCH_BYTES
    return SyncSettings(
        batch_size=min(max(int(batch), 1), MAX_BATCH_EVENTS),
        interval=max(float(interval), 0.05),
        max_batch_bytes=max(int(max_bytes), 1024),
    )


def sync_enabled(config: Config) -> bool:
    """`[remote_sync] enabled = false` switches sync off without unpairing."""
    return sync_table(config).get("enabled", True) is not False


def _number(value: object, kind: type[int] | type[float]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if kind is int and not isinstance(value, int):
        return None
    return float(value) if value > 0 else None


# -- the loop -------------------------------------------------------------------------------
class Backoff:
    """Exponential backoff with "equal jitter": the n-th failure in a row waits between
    half and all of min(cap, base * 2^(n-1)); a server's Retry-After is honoured (never
    less, plus up to 10 % so many clients do not return at the same instant)."""

    def __init__(self, base: float, cap: float, rng: random.Random) -> None:
        self.base, self.cap, self.rng = base, cap, rng
        self.failures = 0

    def delay(self, retry_after: float | None = None) -> float:
        self.failures += 1
        if retry_after is not None:
            wait = min(max(retry_after, 0.0), MAX_RETRY_AFTER)
            return wait + self.rng.uniform(0, wait * 0.1)
        ceiling = min(self.cap, self.base * 2.0 ** min(self.failures - 1, 32))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.failures = 0


@dataclass(frozen=True, slots=True)
class Pause:
    """How long to wait before the next round; `wakeable`: new events end it early (after
    a drain), else only stopping does (a backoff is never cut short by the tailer)."""

    seconds: float
    wakeable: bool


StateListener = Callable[[SyncState, str | None], None]


class Syncer:
    """The sync logic of one thread, without the thread: `round()` drains the outbox as far
    as it goes and says how long to pause (None: stop, the pairing is lost). `store` and
    `http` belong to the calling thread."""

    def __init__(
        self,
        store: Store,
        remote: Remote,
        http: httpx.Client,
        settings: SyncSettings = SyncSettings(),
        *,
        stop: threading.Event | None = None,
        rng: random.Random | None = None,
        now: Now = utc_now,
        on_change: StateListener | None = None,
        on_pairing_lost: Callable[[str], None] | None = None,
    ) -> None:
        self.store, self.remote, self.http, self.settings = store, remote, http, settings
        self.stop = stop if stop is not None else threading.Event()
        self.backoff = Backoff(settings.backoff_base, settings.backoff_max, rng or random.Random())  # noqa: S311 - jitter, not a secret
        self.now = now
        self.on_change = on_change
        self.on_pairing_lost = on_pairing_lost
        self.state = SyncState.IDLE
        self.last_trace_id: str | None = None
        self._cap = settings.batch_size

    def round(self) -> Pause | None:
        self._cap = self.settings.batch_size  # a 413 shrinks batches for one round only
        try:
            self._drain()
        except PairingLostError as err:
            reason = f"{err.reason} (the device token was refused: pair again)"
            self._record_error(reason)
            self.set_state(SyncState.PAIRING_LOST, reason)
            log.info("sync stopped, pairing lost: %s", reason)  # on_change tells the player
            if self.on_pairing_lost is not None:
                try:
                    self.on_pairing_lost(reason)
                except ClientError as problem:  # config.toml unwritable: still stop
                    log.warning("cannot record the lost pairing: %s", problem)
            return None
        except (RetryableSyncError, StoreError) as err:
            retry_after = err.retry_after if isinstance(err, RetryableSyncError) else None
            seconds = self.backoff.delay(retry_after)
            self._record_error(str(err))
            self.set_state(SyncState.BACKOFF, f"{err}; next try in {seconds:.1f} s")
            log.info("sync backing off %.1f s: %s", seconds, err)
            return Pause(seconds, wakeable=False)
        self.backoff.reset()
        if not self.stop.is_set():
            self.set_state(SyncState.IDLE)
        return Pause(self.settings.interval, wakeable=True)

    def _drain(self) -> None:
        while not self.stop.is_set():
            outbox = self.store.next_unsynced(self._cap)
            if not outbox:
                return
            self.set_state(SyncState.SYNCING)
            batch = build_batch(outbox, self.remote.handle, max_bytes=self.settings.max_batch_bytes)
            for key, reason in batch.unsendable:
                self.store.quarantine([key], reason)
            if batch.events:
                self._deliver(batch)

    def _deliver(self, batch: Batch) -> None:
        """Send `batch`. On 413 the round goes on with half as many events per batch (the
        outbox is read again); on 400/422 the halves are sent instead, down to the single
        events at fault. A single event refused either way is quarantined with the reason."""
        if self.stop.is_set():
            return  # what is not sent stays pending
        with tracer().start_as_current_span(
            "sync.batch", attributes={"starstats.batch.events": len(batch.events)}
        ):
            self._deliver_in_span(batch)

    def _deliver_in_span(self, batch: Batch) -> None:
        trace = TraceContext.current()
        self.last_trace_id = trace.trace_id
        try:
            result = send_batch(self.http, self.remote, batch, now=self.now)
        except (BatchTooLargeError, PermanentSyncError) as err:
            count = len(batch.events)
            if count == 1:
                self._quarantine(batch, err, trace)
                return
            log.info("trace %s: %s for %d events, splitting", trace.trace_id, err.reason, count)
            if isinstance(err, BatchTooLargeError):
                self._cap = min(self._cap, count // 2)
                return
            for part in (batch.events[: count // 2], batch.events[count // 2 :]):
                self._deliver(build_batch(part, batch.handle, max_bytes=len(batch.body)))
            return
        self.store.mark_synced(batch.keys)
        self.store.record_sync(
            accepted=result.accepted,
            duplicate=result.duplicate,
            rejected=result.rejected,
            trace_id=trace.trace_id,
        )
        log.info(
            "batch %s trace %s: %d events, %d accepted, %d duplicate, %d rejected",
            batch.batch_id,
            trace.trace_id,
            len(batch.events),
            result.accepted,
            result.duplicate,
            result.rejected,
        )

    def _quarantine(self, batch: Batch, err: SyncError, trace: TraceContext) -> None:
        self.store.quarantine(batch.keys, err.reason)
        self.store.record_sync(error=f"quarantined an event: {err.reason}", trace_id=trace.trace_id)
        log.warning("trace %s: event %s quarantined: %s", trace.trace_id, batch.keys[0], err.reason)

    def _record_error(self, error: str) -> None:
        try:
            self.store.record_sync(error=error, trace_id=self.last_trace_id)
        except StoreError:
            log.warning("cannot record the sync error in the store: %s", error)

    def set_state(self, state: SyncState, detail: str | None = None) -> None:
        """Record `state` (in the store, for `status` in other processes) when it changes."""
        if state is self.state and state is not SyncState.BACKOFF:
            return
        self.state = state
        try:
            self.store.set_sync_state(state.value)
        except StoreError:
            log.warning("cannot record the sync state %s in the store", state.value)
        if self.on_change is not None:
            self.on_change(state, detail)


class SyncWorker:
    """Runs a `Syncer` in a daemon thread with its own Store and HTTP client.

    `wake()` (hand it to the tailer's `on_events`) ends an idle wait early. `stop()` ends
    the loop: a request in flight is finished when it answers within the grace time, else
    abandoned with its events still pending (never marked synced)."""

    def __init__(
        self,
        database: Path,
        remote: Remote,
        settings: SyncSettings = SyncSettings(),
        *,
        transport: httpx.BaseTransport | None = None,
        on_change: StateListener | None = None,
        on_pairing_lost: Callable[[str], None] | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[Pause], None] | None = None,
    ) -> None:
        self.database = database
        self.remote = remote
        self.settings = settings
        self._transport = transport
        self._on_change = on_change
        self._on_pairing_lost = on_pairing_lost
        self._rng = rng
        self._sleep = sleep if sleep is not None else self._wait
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = SyncState.IDLE
        self.error: BaseException | None = None  # what ended the thread unexpectedly

    def start(self) -> "SyncWorker":
        if self._thread is not None:
            raise RuntimeError("a SyncWorker starts once")
        self._thread = threading.Thread(target=self._run, name="starstats-sync", daemon=True)
        self._thread.start()
        return self

    def wake(self, *_: object) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop and wait up to `timeout` s; False if a request was still in flight (it is
        abandoned with the daemon thread; its events stay pending)."""
        self._stop.set()
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _wait(self, pause: Pause) -> None:
        if not pause.wakeable:
            self._stop.wait(pause.seconds)
        elif self._wake.wait(pause.seconds):
            self._stop.wait(self.settings.gather)

    def _changed(self, state: SyncState, detail: str | None) -> None:
        self.state = state
        if self._on_change is not None:
            self._on_change(state, detail)

    def _run(self) -> None:
        try:
            with (
                Store(self.database) as store,
                httpx.Client(
                    transport=self._transport,
                    timeout=self.settings.timeout,
                    headers={"User-Agent": USER_AGENT},
                ) as http,
            ):
                syncer = Syncer(
                    store,
                    self.remote,
                    http,
                    self.settings,
                    stop=self._stop,
                    rng=self._rng,
                    on_change=self._changed,
                    on_pairing_lost=self._on_pairing_lost,
                )
                self._loop(syncer)
        except Exception as err:
            self.error = err
            log.exception("the sync worker stopped on an unexpected error")

    def _loop(self, syncer: Syncer) -> None:
        try:
            while not self._stop.is_set():
                self._wake.clear()  # events committed from here on wake the next wait
                try:
                    pause = syncer.round()
                except Exception:  # a bug must not end sync for good: log it, back off
                    log.exception("sync round failed")
                    pause = Pause(syncer.backoff.delay(), wakeable=False)
                if pause is None:
                    return
                if not self._stop.is_set():
                    self._sleep(pause)
        finally:
            if syncer.state is not SyncState.PAIRING_LOST:
                syncer.set_state(SyncState.IDLE)


# -- what the tray and the CLI show ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OutboxPreview:
    """The next batch exactly as it would be sent (None: nothing pending)."""

    batch: Batch | None
    pending: int
    pairing: Pairing | None

    def pretty(self) -> str:
        """The body as indented JSON (same content as `batch.body`)."""
        if self.batch is None:
            return ""
        return json.dumps(json.loads(self.batch.body), ensure_ascii=False, indent=2)


def preview_outbox(store: Store, config: Config) -> OutboxPreview:
    """The body the worker would send next with these settings (a fresh batch id each
    time; the claimed handle is empty when not paired: then nothing is sent at all)."""
    settings = sync_settings(config)
    pairing = current_pairing(config)
    pending = store.counts().unsynced
    outbox = store.next_unsynced(settings.batch_size)
    if not outbox:
        return OutboxPreview(None, pending, pairing)
    handle = pairing.handle if pairing is not None else ""
    return OutboxPreview(
        build_batch(outbox, handle, max_bytes=settings.max_batch_bytes), pending, pairing
    )
