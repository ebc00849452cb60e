"""`SyncActions`: what the tray asks of pairing and the sync worker (the port), with its
in-memory twin and the default adapter over `starstats_client.pairing` and a sync-worker
factory handed in by the composition root. `pair` blocks on the network: the tray calls it
from a worker thread; the rest is quick and called on the Qt thread (`wake` from the
tailer's thread).
"""

import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from starstats_client import pairing
from starstats_client.config import load_config
from starstats_client.credentials import TokenStore
from starstats_client.errors import ClientError

STOP_SECONDS = 2.0  # a request still in flight after this is abandoned; its events stay pending


class SyncActions(Protocol):
    """Pairing and the sync worker's lifecycle, as the tray uses them."""

    def pair(self, api_url: str, code: str) -> tuple[str, str]:
        """Redeem a pairing `code` at `api_url`; returns (handle, device id). Raises
        `ClientError` with a message for the player when the server refuses or is away."""
        ...

    def paired_handle(self) -> str | None:
        """The handle this device is paired as, or None."""
        ...

    def start(self) -> str | None:
        """Start syncing (again: after `stop`, or a new pairing). None if it now runs,
        else why it cannot (not paired, pairing lost...)."""
        ...

    def stop(self) -> None: ...

    def wake(self) -> None:
        """New events were stored: the worker may end its idle wait."""
        ...


class MemorySyncActions:
    """The in-memory twin: pairing succeeds for any 8-character code and is remembered in
    `redeemed` (api_url, code); syncing "runs" once paired. No network, no files."""

    def __init__(self, handle: str = "MemoryPilot", *, paired: bool = False) -> None:
        self.handle = handle
        self.redeemed: list[tuple[str, str]] = []
        self.running = False
        self.woken = threading.Event()
        self._paired = paired

    def pair(self, api_url: str, code: str) -> tuple[str, str]:
        code = code.strip().upper()
        if len(code) != 8:
            raise ClientError("a pairing code is 8 characters")
        self.redeemed.append((api_url, code))
        self._paired = True
        return self.handle, str(uuid.uuid4())

    def paired_handle(self) -> str | None:
        return self.handle if self._paired else None

    def start(self) -> str | None:
        self.running = self._paired
        return None if self.running else "not paired"

    def stop(self) -> None:
        self.running = False

    def wake(self) -> None:
        self.woken.set()


class SyncWorkerHandle(Protocol):
    """The part of a sync worker (`starstats_client.sync.SyncWorker`) the tray uses."""

    def wake(self) -> None: ...

    def stop(self, timeout: float) -> bool: ...


# Starts a sync worker for the recorded pairing: (worker, "") or (None, why sync is off).
WorkerFactory = Callable[[], tuple[SyncWorkerHandle | None, str]]


class PairingModuleActions:
    """The default adapter. Pairs through `starstats_client.pairing.pair` (which redeems the
    code, keeps the device token in the keyring or the fallback file under `data`, and
    records the pairing in config.toml's `[remote_sync]` table); runs workers made by
    `start_worker` (the composition root's `app.start_sync`)."""

    def __init__(
        self,
        config_path: Path,
        *,
        data: Path | None = None,
        tokens: TokenStore | None = None,
        start_worker: WorkerFactory | None = None,
    ) -> None:
        self.config_path = config_path
        self.data = data
        self.tokens = tokens
        self._start_worker = start_worker
        self._worker: SyncWorkerHandle | None = None

    def pair(self, api_url: str, code: str) -> tuple[str, str]:
        paired = pairing.pair(
            api_url, code, data=self.data, config_path=self.config_path, tokens=self.tokens
        )
        return paired.handle, paired.device_id

    def paired_handle(self) -> str | None:
        config = load_config(self.config_path)
        found = pairing.current_pairing(config)
        return None if found is None or pairing.pairing_lost(config) else found.handle

    def start(self) -> str | None:
        self.stop()
        if self._start_worker is None:
            return "no sync worker in this build"
        try:
            worker, why = self._start_worker()
        except ClientError as err:  # an unreadable config.toml or keyring, say
            return str(err)
        self._worker = worker
        # What follows "; " in app.start_sync's reasons is a CLI command to run; the tray
        # has its own pairing form.
        return None if worker is not None else why.split("; ", 1)[0]

    def stop(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(STOP_SECONDS)

    def wake(self) -> None:
        worker = self._worker  # read once: the Qt thread may swap it meanwhile
        if worker is not None:
            worker.wake()
