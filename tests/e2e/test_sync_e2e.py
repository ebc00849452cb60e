"""Sync from the desktop client to the real server over HTTP: pairing through the client
code, then draining 100,000 events (SQLite and PostgreSQL), surviving a server restart, 429
with Retry-After, 413 halving, a revoked device, and a client killed mid-batch. Every flow
ends with the server's own count (`/v1/me/summary`) equal to the client's events."""

import itertools
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from starstats_client import app as client_app
from starstats_client.config import load_config
from starstats_client.credentials import default_token_store
from starstats_client.delivery import Remote
from starstats_client.pairing import Pairing
from starstats_client.store import Store
from starstats_client.sync import SyncSettings, SyncState, SyncWorker, sync_settings

from .conftest import (
    Account,
    Client,
    MakeClient,
    Server,
    pair_client,
    summary_total,
    wait_until,
)

pytestmark = pytest.mark.slow
FAST_BACKOFF = {"backoff_base": 0.2, "backoff_max": 1.0}


def worker_for(client: Client, pairing: Pairing, **settings: float) -> SyncWorker:
    """A sync worker as `run` builds it, with quicker backoff so tests do not wait long."""
    token = default_token_store(client.data).get(pairing.api_url)
    assert token
    config = sync_settings(load_config(client.config_path))
    tuned = SyncSettings(
        batch_size=config.batch_size,
        interval=config.interval,
        max_batch_bytes=config.max_batch_bytes,
        **settings,  # type: ignore[arg-type]
    )
    return SyncWorker(client.database, Remote.of(pairing, token), tuned)


def drained(client: Client) -> bool:
    return client.counts()[1] == 0


def trace_id(traceparent: str) -> str:
    version, trace, span, flags = traceparent.split("-")
    assert (version, len(trace), len(span)) == ("00", 32, 16)
    assert int(flags, 16) & 1  # sampled (OpenTelemetry also sets the random-id bit, 02)
    return trace


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_100k_events_drain_to_the_server_exactly_once(
    server: Server, account: Account, make_client: MakeClient, big_store: Path
) -> None:
    client = make_client(big_store)
    paired = pair_client(server, account, client)
    assert paired.handle == account.handle
    events = client.counts()[0]
    assert events >= 100_000

    started = time.monotonic()
    worker, why = client_app.start_sync(
        load_config(client.config_path), client.data, config_path=client.config_path
    )
    assert worker is not None, why
    wait_until(lambda: drained(client), 120, "the outbox to drain")
    assert worker.stop(timeout=10)
    elapsed = time.monotonic() - started

    assert summary_total(server, account) == events  # every event, none twice
    assert set(server.gate.statuses) == {200}
    assert len(server.gate.hits) == -(-events // 500)  # full batches of 500 until empty
    with Store(client.database) as store:
        stats = store.sync_stats()
        report = client_app.status_report(store, load_config(client.config_path))
    assert (stats.events_accepted, stats.events_duplicate, stats.events_rejected) == (events, 0, 0)
    sync = report["sync"]
    assert (sync["paired"], sync["state"], sync["unsynced"], sync["quarantined"]) == (
        True,
        "idle",
        0,
        0,
    )
    assert sync["last_trace_id"] == trace_id(server.gate.hits[-1].traceparent)
    assert len({trace_id(hit.traceparent) for hit in server.gate.hits}) == len(server.gate.hits)
    print(f"\n{events:,} events synced in {elapsed:.1f} s ({events / elapsed:,.0f} events/s)")


def test_a_server_restart_mid_drain_loses_and_repeats_nothing(
    server: Server, account: Account, make_client: MakeClient, small_store: Path
) -> None:
    client = make_client(small_store, batch_size=20)
    paired = pair_client(server, account, client)
    events = client.counts()[0]
    worker = worker_for(client, paired, **FAST_BACKOFF).start()
    wait_until(lambda: client.counts()[1] < events - 100, 30, "the first batches")
    server.stop()
    with Store(client.database) as store:
        wait_until(lambda: store.sync_stats().state == "backoff", 15, "the worker to back off")
        wait_until(
            lambda: "cannot reach" in (store.sync_stats().last_error or ""), 15, "a failed try"
        )
    assert client.counts()[1] > 0
    time.sleep(1.5)  # a few more failed tries while the server is away
    server.start()
    wait_until(lambda: drained(client), 60, "the outbox to drain after the restart")
    assert worker.stop(timeout=10)
    assert summary_total(server, account) == events
    assert client.counts() == (events, 0, 0)


def test_429_with_retry_after_is_honoured(
    server: Server, account: Account, make_client: MakeClient, small_store: Path
) -> None:
    client = make_client(small_store, batch_size=1000)
    paired = pair_client(server, account, client)
    events = client.counts()[0]
    server.gate.refuse, server.gate.retry_after = 2, "1"
    worker = worker_for(client, paired, backoff_base=0.01, backoff_max=0.02).start()
    wait_until(lambda: drained(client), 30, "the outbox to drain")
    assert worker.stop(timeout=10)
    hits = server.gate.hits
    assert [hit.status for hit in hits[:3]] == [429, 429, 200]
    for refused, following in itertools.pairwise(hits[:3]):
        assert following.at - refused.at >= 1.0  # not the 0.01 s backoff: Retry-After won
    assert summary_total(server, account) == events


def test_413_halves_the_batch_until_it_fits(
    server: Server, account: Account, make_client: MakeClient, small_store: Path
) -> None:
    # 1,000 events with ~12 KB raw lines: one batch of them is ~12 MB, over the server's
    # 4 MiB. The client's own byte limit is lifted, as if a proxy allowed less than it.
    client = make_client(small_store, batch_size=1000, max_batch_bytes=64 << 20)
    with sqlite3.connect(client.database) as db:
        db.execute(
            "DELETE FROM events WHERE id > (SELECT id FROM events ORDER BY id LIMIT 1 OFFSET 999)"
        )
        padding = "replace(hex(zeroblob(6000)), '0', 'x')"  # 12,000 x
        db.execute(f"UPDATE events SET raw_line = raw_line || ' ' || {padding}")
    paired = pair_client(server, account, client)
    assert client.counts()[0] == 1000
    worker = worker_for(client, paired, **FAST_BACKOFF).start()
    wait_until(lambda: drained(client), 60, "the outbox to drain")
    assert worker.stop(timeout=10)
    assert server.gate.statuses == [413, 413, 200, 200, 200, 200]  # 1000, 500, then 4 x 250
    assert summary_total(server, account) == 1000
    assert client.counts() == (1000, 0, 0)


def test_a_revoked_device_loses_its_pairing_and_the_worker_stops(
    server: Server, account: Account, make_client: MakeClient, small_store: Path
) -> None:
    client = make_client(small_store)
    paired = pair_client(server, account, client)
    revoked = server.api("DELETE", f"/v1/auth/devices/{paired.device_id}", account.token)
    assert revoked.status_code == 204, revoked.text
    worker, why = client_app.start_sync(
        load_config(client.config_path), client.data, config_path=client.config_path
    )
    assert worker is not None, why
    worker.join(timeout=15)
    assert not worker.running  # it ended by itself
    assert worker.state is SyncState.PAIRING_LOST
    assert server.gate.statuses == [401]

    config = load_config(client.config_path)
    with Store(client.database) as store:
        sync = client_app.status_report(store, config)["sync"]
    assert (sync["state"], sync["paired"], sync["enabled"]) == ("pairing_lost", False, False)
    assert "401 unauthorized" in sync["pairing_lost"]
    assert sync["unsynced"] == client.counts()[0]
    again, why = client_app.start_sync(config, client.data, config_path=client.config_path)
    assert again is None
    assert why.startswith("pairing lost: 401 unauthorized")
    assert summary_total(server, account) == 0


def test_a_client_killed_mid_batch_resends_without_duplicates(
    server: Server, account: Account, make_client: MakeClient, small_store: Path
) -> None:
    client = make_client(small_store, batch_size=20)
    pair_client(server, account, client)
    events = client.counts()[0]
    logs = client.data.parent / "LIVE"
    logs.mkdir()
    command = [sys.executable, "-m", "starstats_client", "run", "--gamelog", str(logs / "Game.log")]

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen(
            command, env=client.env(), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
        )

    first = start()
    try:
        wait_until(lambda: client.counts()[1] < events - 200, 30, "the first run to sync")
    finally:
        first.kill()  # SIGKILL: no handler runs, a batch may be in flight
        _, err = first.communicate(timeout=10)
    assert f"syncing to {server.url} as {account.handle}" in err
    left = client.counts()[1]
    assert 0 < left < events, "killed too late to be mid-drain"

    second = start()
    try:
        wait_until(lambda: drained(client), 60, "the second run to drain")
    finally:
        second.send_signal(signal.SIGTERM)
        _, err = second.communicate(timeout=20)
    assert second.returncode == 0, err
    assert summary_total(server, account) == events  # the resent batch changed nothing
    assert client.counts() == (events, 0, 0)
