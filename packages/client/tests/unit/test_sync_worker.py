"""The sync loop against a scripted ingest endpoint (httpx.MockTransport) and a real Store:
draining until empty, backoff and Retry-After, 413 halving, quarantine of refused events,
pairing lost, exactly-once delivery, and the worker thread's wake and stop."""

import random
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from starstats_client.delivery import Remote
from starstats_client.store import Store
from starstats_client.sync import Pause, Syncer, SyncSettings, SyncState, SyncWorker

from .ingest_fake import (
    API,
    HANDLE,
    TOKEN,
    Body,
    FakeIngest,
    always,
    error,
    event_row,
    fill,
    network_down,
)

# Flags: sampled (01), with OpenTelemetry's "random trace id" bit (02) as W3C level 2 allows.
TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-0[13]$")
NOW = datetime(2026, 5, 2, 20, 0, tzinfo=UTC)


@pytest.fixture(name="store")
def store_fixture(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "data.sqlite3") as store:
        yield store


@pytest.fixture(name="server")
def server_fixture() -> FakeIngest:
    return FakeIngest()


class Harness:
    """A Syncer wired to the fake server, recording state changes and pairing loss."""

    def __init__(self, store: Store, server: FakeIngest, **settings: float) -> None:
        self.http = httpx.Client(transport=server.transport)
        self.changes: list[tuple[SyncState, str | None]] = []
        self.lost: list[str] = []
        self.syncer = Syncer(
            store,
            Remote(API, HANDLE, TOKEN),
            self.http,
            SyncSettings(**settings),  # type: ignore[arg-type]
            rng=random.Random(7),
            now=lambda: NOW,
            on_change=lambda state, detail: self.changes.append((state, detail)),
            on_pairing_lost=self.lost.append,
        )

    def round(self) -> Pause | None:
        return self.syncer.round()


@pytest.fixture(name="harness")
def harness_fixture(store: Store, server: FakeIngest) -> Iterator[Harness]:
    harness = Harness(store, server, batch_size=500, interval=5.0)
    yield harness
    harness.http.close()


def test_a_round_sends_batches_until_the_outbox_is_empty(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    keys = fill(store, 1203)
    pause = harness.round()
    assert pause == Pause(5.0, wakeable=True)
    assert server.sizes == [500, 500, 203]
    assert sorted(server.stored) == sorted(keys)
    assert store.counts().unsynced == 0
    stats = store.sync_stats()
    assert (stats.batches_sent, stats.events_accepted, stats.events_duplicate) == (3, 1203, 0)
    assert stats.state == "idle"
    assert [state for state, _ in harness.changes] == [SyncState.SYNCING, SyncState.IDLE]


def test_every_request_carries_the_batch_shape_and_a_fresh_traceparent(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    fill(store, 1001)
    harness.round()
    traces, batch_ids = set(), set()
    for sent in server.requests:
        match = TRACEPARENT.match(sent.headers["traceparent"])
        assert match is not None, sent.headers["traceparent"]
        traces.add(match.group(1))
        body = sent.body
        assert body["schema_version"] == 2
        assert body["claimed_handle"] == HANDLE
        assert body["game_build"] is None
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", body["batch_id"]
        )
        batch_ids.add(body["batch_id"])
        assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
        assert sent.headers["Content-Type"] == "application/json"
    assert len(traces) == len(batch_ids) == 3
    last = TRACEPARENT.match(server.requests[-1].headers["traceparent"])
    assert last is not None
    assert store.sync_stats().last_trace_id == last.group(1)


def test_an_empty_outbox_sends_nothing(server: FakeIngest, harness: Harness) -> None:
    assert harness.round() == Pause(5.0, wakeable=True)
    assert server.requests == []


def test_network_errors_back_off_exponentially_with_jitter_then_recover(
    store: Store, server: FakeIngest
) -> None:
    harness = Harness(store, server, backoff_base=1.0, backoff_max=8.0)
    fill(store, 10)
    server.script = [network_down] * 6
    delays = []
    for _ in range(6):
        pause = harness.round()
        assert pause is not None
        assert not pause.wakeable  # new events do not cut a backoff short
        delays.append(pause.seconds)
    for n, delay in enumerate(delays):
        ceiling = min(8.0, 2.0**n)
        assert ceiling / 2 <= delay <= ceiling, (n, delays)
    assert len(set(delays)) == len(delays)  # jittered
    assert store.counts().unsynced == 10  # nothing was marked
    stats = store.sync_stats()
    assert stats.state == "backoff"
    assert stats.last_error is not None
    assert "cannot reach https://api.test" in stats.last_error
    assert harness.changes[-1][0] is SyncState.BACKOFF

    assert harness.round() == Pause(5.0, wakeable=True)
    assert store.counts().unsynced == 0
    assert store.sync_stats().last_error is None
    fill(store, 1, start=100)
    server.script = [network_down]
    pause = harness.round()  # the failure count started over
    assert pause is not None
    assert 0.5 <= pause.seconds <= 1.0
    harness.http.close()


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 404])
def test_server_errors_and_unexpected_statuses_back_off_without_losing_events(
    store: Store, server: FakeIngest, harness: Harness, status: int
) -> None:
    fill(store, 3)
    server.script = [always(lambda: error(status, "internal", "boom"))]
    pause = harness.round()
    assert pause is not None
    assert not pause.wakeable
    assert store.counts().unsynced == 3
    assert store.counts().quarantined == 0
    assert f"HTTP {status}" in (store.sync_stats().last_error or "")


def test_429_waits_for_retry_after_in_seconds(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    fill(store, 3)
    server.script = [
        always(lambda: error(429, "rate_limited", "slow down", **{"Retry-After": "7"}))
    ]
    pause = harness.round()
    assert pause is not None
    assert 7.0 <= pause.seconds <= 7.7
    assert store.counts().unsynced == 3
    assert harness.round() == Pause(5.0, wakeable=True)
    assert store.counts().unsynced == 0


def test_retry_after_as_an_http_date_and_on_a_503(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    fill(store, 1)
    date = "Sat, 02 May 2026 20:02:00 GMT"  # two minutes after NOW
    server.script = [always(lambda: error(503, "unavailable", "", **{"Retry-After": date}))]
    pause = harness.round()
    assert pause is not None
    assert 120.0 <= pause.seconds <= 132.0


def test_413_halves_the_batch_until_it_fits_and_delivers_everything(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    keys = fill(store, 1100)

    def limit(_request: httpx.Request, body: Body) -> httpx.Response | None:
        too_many = len(body["events"]) > 100
        return error(413, "payload_too_large", "body over the limit") if too_many else None

    server.rule = limit
    harness.round()
    assert sorted(server.stored) == sorted(keys)
    assert all(n == 1 for n in server.stored.values())  # nothing went twice
    assert store.counts().unsynced == 0
    assert store.counts().quarantined == 0
    assert server.sizes[:4] == [500, 250, 125, 62]  # halved on each 413
    assert set(server.sizes[4:-1]) == {62}  # the rest of the round keeps the size that fit
    assert len(server.sizes) == 3 + 18

    fill(store, 300, start=5000)
    server.rule = None
    harness.round()
    assert server.sizes[-1] == 300  # the next round starts at the full batch size again


def test_an_event_still_too_large_alone_is_quarantined_and_the_rest_delivered(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    keys = fill(store, 40)

    def huge(_request: httpx.Request, body: Body) -> httpx.Response | None:
        if any(e["idempotency_key"] == "key-17" for e in body["events"]):
            return error(413, "payload_too_large", "request body over 4194304 bytes")
        return None

    server.rule = huge
    assert harness.round() == Pause(5.0, wakeable=True)
    assert sorted(server.stored) == sorted(k for k in keys if k != "key-17")
    parked = store.quarantined()
    assert [(key, reason) for key, reason, _ in parked] == [
        ("key-17", "413 payload_too_large: request body over 4194304 bytes")
    ]
    assert store.counts().unsynced == 0


def test_a_refused_batch_is_split_so_only_the_events_at_fault_are_quarantined(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    keys = fill(store, 64)
    bad = {"key-3", "key-40"}

    def refuse(_request: httpx.Request, body: Body) -> httpx.Response | None:
        at_fault = [n for n, e in enumerate(body["events"]) if e["idempotency_key"] in bad]
        if at_fault:
            return error(422, "invalid_request", f"events.{at_fault[0]}.source: bad value")
        return None

    server.rule = refuse
    harness.round()
    assert sorted(server.stored) == sorted(set(keys) - bad)
    parked = {key: reason for key, reason, _ in store.quarantined()}
    assert set(parked) == bad
    assert parked["key-3"] == "422 invalid_request: events.0.source: bad value"
    assert store.counts().unsynced == 0
    assert store.counts().quarantined == 2


def test_a_400_for_every_event_quarantines_them_all_with_the_server_reason(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    fill(store, 4)
    server.rule = always(lambda: error(400, "malformed_json", "request body is not valid JSON"))
    harness.round()
    counts = store.counts()
    assert (counts.unsynced, counts.quarantined) == (0, 4)
    assert {r for _, r, _ in store.quarantined()} == {
        "400 malformed_json: request body is not valid JSON"
    }
    assert server.stored == {}


def test_a_400_about_the_whole_request_is_retried_not_quarantined(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    fill(store, 4)
    server.script = [
        always(lambda: error(400, "unsupported_schema_version", "got 2, server speaks 1..1"))
    ]
    pause = harness.round()
    assert pause is not None
    assert not pause.wakeable
    assert store.counts().quarantined == 0
    assert "unsupported_schema_version" in (store.sync_stats().last_error or "")


@pytest.mark.parametrize(
    "refusal",
    [
        (401, "unauthorized", "token rejected: device revoked"),
        (403, "handle_mismatch", "claimed_handle does not match authenticated identity"),
    ],
)
def test_a_refused_token_means_pairing_lost_and_the_loop_stops(
    store: Store, server: FakeIngest, harness: Harness, refusal: tuple[int, str, str]
) -> None:
    status, code, detail = refusal
    fill(store, 5)
    server.script = [always(lambda: error(status, code, detail))]
    assert harness.round() is None
    assert store.counts().unsynced == 5
    assert store.counts().quarantined == 0
    assert harness.lost == [f"{status} {code}: {detail} (the device token was refused: pair again)"]
    stats = store.sync_stats()
    assert stats.state == "pairing_lost"
    assert stats.last_error == harness.lost[0]
    assert harness.changes[-1][0] is SyncState.PAIRING_LOST


def test_a_batch_stored_by_the_server_whose_answer_was_lost_is_counted_once(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    keys = fill(store, 700)

    def store_then_drop(request: httpx.Request, body: Body) -> httpx.Response:
        server.store(body)  # committed on the server...
        raise httpx.ReadError("connection reset by peer", request=request)  # ...answer lost

    server.script = [store_then_drop]
    pause = harness.round()
    assert pause is not None
    assert not pause.wakeable
    assert store.counts().unsynced == 700  # not marked: no 2xx was seen
    harness.round()
    assert store.counts().unsynced == 0
    assert sorted(server.stored) == sorted(keys)  # each key stored once on the server
    stats = store.sync_stats()
    assert (stats.events_accepted, stats.events_duplicate) == (200, 500)


def test_a_2xx_that_is_not_an_ingest_result_leaves_the_events_pending(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    fill(store, 3)
    server.script = [always(lambda: httpx.Response(200, text="<html>Welcome to hotel wifi</html>"))]
    pause = harness.round()
    assert pause is not None
    assert not pause.wakeable
    assert store.counts().unsynced == 3
    assert "without an ingest result" in (store.sync_stats().last_error or "")


def test_a_damaged_row_is_quarantined_locally_and_the_rest_sent(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    from .ingest_fake import CURSOR

    store.commit([event_row(1), event_row(2, payload="{not json"), event_row(3)], CURSOR)
    harness.round()
    assert sorted(server.stored) == ["key-1", "key-3"]
    [(key, reason, _)] = store.quarantined()
    assert key == "key-2"
    assert reason.startswith("local unsendable:")


def test_stopping_during_a_request_sends_nothing_more_and_marks_only_what_was_answered(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    fill(store, 1500)

    def stop_now(_request: httpx.Request, body: Body) -> httpx.Response:
        harness.syncer.stop.set()  # SIGTERM arrives while this request is in flight
        return server.store(body)

    server.script = [stop_now]
    harness.round()
    assert server.sizes == [500]
    assert store.counts().unsynced == 1000


# -- the thread ---------------------------------------------------------------------------
def wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_worker_drains_then_sleeps_until_woken_and_stops_at_once(
    tmp_path: Path, server: FakeIngest
) -> None:
    database = tmp_path / "data.sqlite3"
    with Store(database) as store:
        fill(store, 20)
        worker = SyncWorker(
            database,
            Remote(API, HANDLE, TOKEN),
            SyncSettings(interval=60.0),
            transport=server.transport,
        ).start()
        wait_for(lambda: store.counts().unsynced == 0)
        wait_for(lambda: worker.state is SyncState.IDLE)
        fill(store, 5, start=100)
        worker.wake()  # what the tailer does after a commit: no 60 s wait
        wait_for(lambda: store.counts().unsynced == 0)
        started = time.monotonic()
        assert worker.stop(timeout=5)
        assert time.monotonic() - started < 2
        assert not worker.running
        assert len(server.stored) == 25
        assert store.sync_stats().state == "idle"


def test_the_worker_sleeps_through_backoff_pauses_it_is_given(
    tmp_path: Path, server: FakeIngest
) -> None:
    database = tmp_path / "data.sqlite3"
    with Store(database) as store:
        fill(store, 3)
    pauses: list[Pause] = []
    server.rule = always(lambda: error(503, "unavailable", "maintenance"))

    def sleep(pause: Pause) -> None:  # injected: no real waiting
        pauses.append(pause)
        if len(pauses) == 4:
            worker.stop(timeout=0)

    worker = SyncWorker(
        database,
        Remote(API, HANDLE, TOKEN),
        SyncSettings(backoff_base=2.0, backoff_max=100.0),
        transport=server.transport,
        rng=random.Random(3),
        sleep=sleep,
    )
    worker.start().join(timeout=10)
    assert not worker.running
    assert [p.wakeable for p in pauses] == [False] * 4
    for n, pause in enumerate(pauses):
        assert 2.0 ** (n + 1) / 2 <= pause.seconds <= 2.0 ** (n + 1)
    with Store(database) as store:
        assert store.counts().unsynced == 3


def test_the_worker_ends_by_itself_when_the_pairing_is_lost(
    tmp_path: Path, server: FakeIngest
) -> None:
    database = tmp_path / "data.sqlite3"
    with Store(database) as store:
        fill(store, 3)
    lost: list[str] = []
    worker = SyncWorker(
        database,
        Remote(API, HANDLE, "revoked-token"),
        transport=server.transport,
        on_pairing_lost=lost.append,
    )
    worker.start().join(timeout=10)
    assert not worker.running
    assert worker.state is SyncState.PAIRING_LOST
    assert lost == [
        "401 unauthorized: token rejected: device revoked "
        "(the device token was refused: pair again)"
    ]
    with Store(database) as store:
        assert store.sync_stats().state == "pairing_lost"
        assert store.counts().unsynced == 3


def test_stop_abandons_a_request_that_does_not_answer_and_marks_nothing(
    tmp_path: Path, server: FakeIngest
) -> None:
    database = tmp_path / "data.sqlite3"
    with Store(database) as store:
        fill(store, 3)
    arrived, release = threading.Event(), threading.Event()

    def hang(_request: httpx.Request, body: Body) -> httpx.Response:
        arrived.set()
        release.wait(10)
        return error(503, "unavailable", "went away")

    server.script = [hang]
    worker = SyncWorker(database, Remote(API, HANDLE, TOKEN), transport=server.transport)
    worker.start()
    assert arrived.wait(10)
    assert not worker.stop(timeout=0.2)  # still in flight: abandoned
    with Store(database) as store:
        assert store.counts().unsynced == 3
    release.set()
    worker.join(timeout=10)
    assert not worker.running
    assert len(server.requests) == 1  # no new request after stop


def test_each_request_is_a_client_span_whose_traceparent_the_server_receives(
    store: Store, server: FakeIngest, harness: Harness
) -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind

    from starstats_client import telemetry

    exported = InMemorySpanExporter()
    telemetry.install_tracing(exporter=exported)
    fill(store, 700)
    harness.round()
    telemetry.flush()
    spans = exported.get_finished_spans()
    posts = [s for s in spans if s.name == "POST /v1/ingest"]
    assert len(posts) == len(server.requests) == 2
    by_id = {s.context.span_id: s for s in spans}
    for post, sent in zip(posts, server.requests, strict=True):
        assert post.kind is SpanKind.CLIENT
        assert post.resource.attributes["service.name"] == "starstats-client"
        assert post.attributes is not None
        assert post.attributes["http.response.status_code"] == 200
        match = TRACEPARENT.match(sent.headers["traceparent"])
        assert match is not None
        # The server continues exactly this span: same trace, this span as the parent.
        assert match.group(1) == format(post.context.trace_id, "032x")
        assert match.group(2) == format(post.context.span_id, "016x")
        assert post.parent is not None
        assert by_id[post.parent.span_id].name == "sync.batch"
