"""What goes on the wire: batch bodies (exact IngestBatch JSON within the byte limit), batch
ids, traceparent headers, Retry-After, how each answer is classified, sync settings."""

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from starstats_client.config import Config
from starstats_client.delivery import TraceContext, parse_retry_after, read_response
from starstats_client.errors import (
    BatchTooLargeError,
    PairingLostError,
    PermanentSyncError,
    RetryableSyncError,
    SyncError,
)
from starstats_client.outbox import build_batch, uuid7
from starstats_client.store import OutboxEvent, Store
from starstats_client.sync import SyncSettings, preview_outbox, sync_settings
from starstats_core.wire import MAX_BATCH_BYTES, IngestBatch

from .ingest_fake import error, fill

NOW = datetime(2026, 5, 2, 20, 0, tzinfo=UTC)


def outbox_event(n: int, raw: str = "raw") -> OutboxEvent:
    payload = json.dumps({"type": "join_pu", "timestamp": "2026-05-02T20:00:00.000Z", "n": n})
    return OutboxEvent(f"key-{n}", "join_pu", "2026-05-02T20:00:00.000Z", "live", n, raw, payload)


def test_a_batch_body_is_exactly_an_ingest_batch() -> None:
    events = [outbox_event(n, raw=f"line {n} «ünïcode»") for n in range(5)]
    batch = build_batch(events, "Pílot", batch_id="b-1")
    parsed = IngestBatch.model_validate_json(batch.body, strict=True)  # as the server reads it
    assert parsed.schema_version == 2
    assert (parsed.batch_id, parsed.claimed_handle, parsed.game_build) == ("b-1", "Pílot", None)
    assert (
        [e.idempotency_key for e in parsed.events] == batch.keys == [f"key-{n}" for n in range(5)]
    )
    assert parsed.events[3].raw_line == "line 3 «ünïcode»"
    assert parsed.events[3].event == json.loads(events[3].payload)
    raw = json.loads(batch.body)
    assert "metadata" not in raw["events"][0]  # left for the server to stamp
    assert raw["game_build"] is None


def test_batches_stop_before_the_byte_limit() -> None:
    events = [outbox_event(n, raw="x" * 12_000) for n in range(1000)]
    batch = build_batch(events, "Pilot")
    assert len(batch.body) <= MAX_BATCH_BYTES
    assert 300 < len(batch.events) < 1000
    one_more = build_batch(events[: len(batch.events) + 1], "Pilot", max_bytes=10**9)
    assert len(one_more.body) > MAX_BATCH_BYTES  # it was as full as it could be
    small = build_batch(events, "Pilot", max_bytes=50_000)
    assert len(small.body) <= 50_000
    assert len(small.events) == 4


def test_a_single_event_over_the_limit_still_makes_a_batch_of_one() -> None:
    batch = build_batch([outbox_event(1, raw="y" * 5000), outbox_event(2)], "P", max_bytes=1000)
    assert batch.keys == ["key-1"]


def test_rows_that_cannot_be_put_on_the_wire_are_listed_not_sent() -> None:
    broken = OutboxEvent("key-b", "join_pu", "t", "no-such-source", 0, "raw", "{}")
    batch = build_batch([outbox_event(1), broken, outbox_event(2)], "P")
    assert batch.keys == ["key-1", "key-2"]
    [(key, reason)] = batch.unsendable
    assert key == "key-b"
    assert reason.startswith("local unsendable:")


def test_batch_ids_are_uuid7_in_time_order() -> None:
    ids = [uuid7(now_ms=1_770_000_000_000 + n) for n in range(50)]
    assert ids == sorted(ids)
    for text in ids:
        value = uuid.UUID(text)
        assert value.version == 7
        assert value.variant == uuid.RFC_4122
    assert len(set(ids)) == 50
    assert uuid.UUID(build_batch([outbox_event(1)], "P").batch_id).version == 7


def test_a_traceparent_is_version_00_with_random_ids_and_sampled() -> None:
    contexts = [TraceContext.new() for _ in range(20)]
    for context in contexts:
        version, trace, span, flags = context.traceparent.split("-")
        assert (version, flags) == ("00", "01")
        assert (trace, span) == (context.trace_id, context.span_id)
        assert len(trace) == 32
        assert len(span) == 16
        int(trace, 16), int(span, 16)  # hex
        assert set(trace) != {"0"}
    assert len({c.trace_id for c in contexts}) == 20


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("0", 0.0),
        ("120", 120.0),
        (" 5 ", 5.0),
        ("Sat, 02 May 2026 20:00:30 GMT", 30.0),
        ("Sat, 02 May 2026 19:00:00 GMT", 0.0),  # in the past: now
        ("soon", None),
        ("", None),
        (None, None),
        ("-3", None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(
    header: str | None, seconds: float | None
) -> None:
    assert parse_retry_after(header, NOW) == seconds


BATCH = build_batch([outbox_event(1)], "P", batch_id="b-1")


@pytest.mark.parametrize(
    ("response", "kind", "code"),
    [
        (
            error(401, "unauthorized", "token rejected: device revoked"),
            PairingLostError,
            "unauthorized",
        ),
        (error(403, "handle_mismatch", "no"), PairingLostError, "handle_mismatch"),
        (error(413, "payload_too_large", "big"), BatchTooLargeError, "payload_too_large"),
        (httpx.Response(413, text="Request Entity Too Large"), BatchTooLargeError, "http_413"),
        (error(400, "malformed_json", "bad"), PermanentSyncError, "malformed_json"),
        (error(422, "invalid_request", "events.0: x"), PermanentSyncError, "invalid_request"),
        (
            error(400, "unsupported_schema_version", "got 2"),
            RetryableSyncError,
            "unsupported_schema_version",
        ),
        (error(429, "rate_limited", "slow"), RetryableSyncError, "rate_limited"),
        (error(500, "internal", "oops"), RetryableSyncError, "internal"),
        (httpx.Response(502, text="Bad Gateway"), RetryableSyncError, "http_502"),
        (error(404, "not_found", "no route"), RetryableSyncError, "not_found"),
        (httpx.Response(200, json={"ok": True}), RetryableSyncError, "bad_response"),
        (
            httpx.Response(
                200, json={"batch_id": "other", "accepted": 1, "duplicate": 0, "rejected": 0}
            ),
            RetryableSyncError,
            "bad_response",
        ),
    ],
)
def test_each_answer_maps_to_what_the_worker_does(
    response: httpx.Response, kind: type[SyncError], code: str
) -> None:
    with pytest.raises(kind) as caught:
        read_response(response, BATCH, now=lambda: NOW)
    assert type(caught.value) is kind
    assert caught.value.code == code
    assert caught.value.status == response.status_code


def test_a_2xx_for_this_batch_is_its_result() -> None:
    ok = httpx.Response(201, json={"batch_id": "b-1", "accepted": 1, "duplicate": 0, "rejected": 0})
    assert read_response(ok, BATCH).accepted == 1


def test_429_keeps_its_retry_after() -> None:
    with pytest.raises(RetryableSyncError) as caught:
        read_response(error(429, "rate_limited", "", **{"Retry-After": "9"}), BATCH)
    assert caught.value.retry_after == 9.0
    assert caught.value.reason == "429 rate_limited"


def test_sync_settings_come_from_the_remote_sync_table_with_defaults() -> None:
    assert sync_settings(Config()) == SyncSettings(batch_size=500, interval=5.0)
    table = {"batch_size": 5000, "interval_secs": 0.5, "max_batch_bytes": 65536}
    custom = sync_settings(Config(extra={"remote_sync": table}))
    assert (custom.batch_size, custom.interval, custom.max_batch_bytes) == (1000, 0.5, 65536)
    odd = {"batch_size": "lots", "interval_secs": True, "max_batch_bytes": -1}
    assert sync_settings(Config(extra={"remote_sync": odd})) == SyncSettings()
    assert sync_settings(Config(extra={"remote_sync": {"batch_size": 20}})).batch_size == 20


def test_the_preview_is_the_next_batch_exactly(tmp_path: Path) -> None:
    config = Config(
        extra={
            "remote_sync": {
                "api_url": "https://api.test",
                "claimed_handle": "Pilot",
                "device_id": "d-1",
                "batch_size": 30,
            }
        }
    )
    with Store(tmp_path / "data.sqlite3") as store:
        assert preview_outbox(store, config).batch is None
        keys = fill(store, 100)
        preview = preview_outbox(store, config)
        assert preview.pending == 100
        assert preview.pairing is not None
        assert preview.batch is not None
        assert preview.batch.keys == keys[:30]
        body = json.loads(preview.batch.body)
        assert body["claimed_handle"] == "Pilot"
        assert json.loads(preview.pretty()) == body
        assert store.counts().unsynced == 100  # previewing sends and marks nothing
