"""POST /v1/ingest on both backends: counts, idempotency, quarantine, limits, identity,
per-handle sequence numbers, concurrency, metrics, and a realistic synthesized batch."""

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from starstats_core.events import event_to_dict
from starstats_core.events.session import JoinPu
from starstats_core.parser import LogParser
from starstats_core.synth import synthesize_log
from starstats_core.wire import LogSource, file_signature, to_envelope
from starstats_server.clock import ManualClock
from starstats_server.db.tables import devices, event_sequences, events, quarantined_events

MakeUser = Callable[..., Any]


# -- helpers --------------------------------------------------------------------------------
def join_pu(
    timestamp: str = "2026-05-02T21:14:23.189Z", shard: str = "pub_euw1b_9"
) -> dict[str, Any]:
    event = JoinPu(
        timestamp=timestamp, address="10.0.0.1", port=64300, shard=shard, location_id="1"
    )
    return event_to_dict(event)


_UNSET: Any = object()


def envelope(
    key: str,
    event: dict[str, Any] | None = _UNSET,
    *,
    raw_line: str | None = None,
    offset: int = 0,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "idempotency_key": key,
        "raw_line": raw_line if raw_line is not None else f"<2026-05-02T21:14:23.189Z> {key}",
        "event": join_pu() if event is _UNSET else event,
        "source": "live",
        "source_offset": offset,
    }
    if metadata is not None:
        body["metadata"] = metadata
    return body


def batch(
    handle: str,
    envelopes: list[dict[str, Any]],
    *,
    schema_version: int = 2,
    batch_id: str = "batch-1",
) -> dict[str, Any]:
    return {
        "schema_version": schema_version,
        "batch_id": batch_id,
        "game_build": None,
        "claimed_handle": handle,
        "events": envelopes,
    }


def post(
    client: TestClient, user: Any, envelopes: list[dict[str, Any]], **kwargs: Any
) -> httpx.Response:
    return client.post(
        "/v1/ingest", json=batch(user.handle, envelopes, **kwargs), headers=user.headers
    )


def fetch(client: TestClient, statement: Any) -> list[Any]:
    state = client.app.state.starstats  # type: ignore[attr-defined]

    async def _run() -> list[Any]:
        async with state.engine.connect() as conn:
            return list((await conn.execute(statement)).all())

    return client.portal.call(_run)  # type: ignore[union-attr]


def stored(client: TestClient, handle: str | None = None) -> list[Any]:
    query = sa.select(events).order_by(events.c.id)
    if handle is not None:
        query = query.where(events.c.handle == handle.lower())
    return fetch(client, query)


def seqs(client: TestClient, handle: str) -> list[int]:
    return [row.seq for row in stored(client, handle)]


def quarantined(client: TestClient) -> list[Any]:
    return fetch(client, sa.select(quarantined_events).order_by(quarantined_events.c.id))


def error(response: httpx.Response) -> tuple[int, str]:
    assert response.headers["content-type"].startswith("application/json")
    return response.status_code, response.json()["error"]


# -- counts, storage, idempotency ------------------------------------------------------------
def test_a_valid_batch_is_accepted_and_every_column_is_stored(
    client: TestClient, make_user: MakeUser, clock: ManualClock
) -> None:
    user = make_user("TestPilot")
    response = post(
        client,
        user,
        [envelope("k1", offset=10), envelope("k2", None, raw_line="no event here", offset=20)],
    )
    assert response.status_code == 200
    assert response.json() == {"batch_id": "batch-1", "accepted": 2, "duplicate": 0, "rejected": 0}
    first, second = stored(client)
    assert (first.handle, first.claimed_handle, first.seq) == ("testpilot", "TestPilot", 1)
    assert first.event_type == "join_pu"
    assert first.event_timestamp == datetime(2026, 5, 2, 21, 14, 23, 189000, tzinfo=UTC)
    assert (first.log_source, first.source_offset) == ("live", 10)
    assert first.payload == join_pu()
    # No metadata was sent: the server stamps observed metadata (the shard of a join).
    assert first.metadata["source"] == "observed"
    assert first.metadata["primary_entity"] == {
        "kind": "session",
        "id": "pub_euw1b_9",
        "display_name": "pub_euw1b_9",
    }
    assert (first.batch_id, first.device_id) == ("batch-1", None)
    assert first.received_at == clock.now()
    assert (second.seq, second.event_type, second.event_timestamp) == (2, "unknown", None)
    assert (second.payload, second.metadata, second.raw_line) == (None, None, "no event here")


def test_metadata_sent_by_the_client_is_kept_as_sent(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    metadata = {
        "primary_entity": {"kind": "location", "id": "stanton", "display_name": "Stanton"},
        "source": "inferred",
        "confidence": 0.7,
        "group_key": "join_pu:location:stanton",
        "inference_inputs": ["k0"],
        "rule_id": "implicit_location_change",
    }
    assert post(client, user, [envelope("k1", metadata=metadata)]).json()["accepted"] == 1
    assert stored(client)[0].metadata == metadata


def test_a_replayed_batch_is_all_duplicate_and_changes_nothing(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    envelopes = [envelope(f"k{i}", offset=i) for i in range(5)] + [
        envelope("bad", {"type": "no_such_event", "timestamp": "2026-05-02T21:14:23.189Z"})
    ]
    assert post(client, user, envelopes).json() == {
        "batch_id": "batch-1",
        "accepted": 5,
        "duplicate": 0,
        "rejected": 1,
    }
    events_before, quarantine_before = stored(client), quarantined(client)
    sequence_before = fetch(client, sa.select(event_sequences))
    replay = post(client, user, envelopes)
    assert replay.json() == {"batch_id": "batch-1", "accepted": 0, "duplicate": 6, "rejected": 0}
    assert stored(client) == events_before
    assert quarantined(client) == quarantine_before
    assert fetch(client, sa.select(event_sequences)) == sequence_before


def test_duplicates_inside_one_batch_count_once_as_accepted_then_as_duplicate(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    response = post(client, user, [envelope("a"), envelope("b"), envelope("a"), envelope("a")])
    assert response.json() == {"batch_id": "batch-1", "accepted": 2, "duplicate": 2, "rejected": 0}
    assert seqs(client, "TestPilot") == [1, 2]


def test_a_key_seen_in_an_earlier_batch_is_a_duplicate_among_new_events(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    post(client, user, [envelope("a"), envelope("b")])
    response = post(client, user, [envelope("b"), envelope("c")], batch_id="batch-2")
    assert response.json() == {"batch_id": "batch-2", "accepted": 1, "duplicate": 1, "rejected": 0}
    assert [(r.idempotency_key, r.seq, r.batch_id) for r in stored(client)] == [
        ("a", 1, "batch-1"),
        ("b", 2, "batch-1"),
        ("c", 3, "batch-2"),
    ]


def test_idempotency_keys_are_per_handle(client: TestClient, make_user: MakeUser) -> None:
    alice, bob = make_user("Alice"), make_user("Bob")
    assert post(client, alice, [envelope("same")]).json()["accepted"] == 1
    assert post(client, bob, [envelope("same")]).json()["accepted"] == 1


# -- quarantine ---------------------------------------------------------------------------
def test_invalid_envelopes_are_quarantined_with_their_problems_and_the_rest_stored(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    bad_shard = join_pu()
    bad_shard["shard"] = "   "
    bad_metadata = {
        "primary_entity": {"kind": "session", "id": "s", "display_name": "s"},
        "source": "observed",
        "confidence": 0.5,
        "group_key": "g",
    }
    envelopes = [
        envelope("good"),
        envelope("unknown-type", {"type": "warp_drive", "timestamp": "2026-05-02T21:14:23Z"}),
        envelope("blank-shard", bad_shard),
        envelope("bad-metadata", metadata=bad_metadata),
        envelope("bad-time", {**join_pu(), "timestamp": "yesterday"}),
    ]
    response = post(client, user, envelopes)
    assert response.json() == {"batch_id": "batch-1", "accepted": 1, "duplicate": 0, "rejected": 4}
    rows = quarantined(client)
    assert [r.idempotency_key for r in rows] == [
        "unknown-type",
        "blank-shard",
        "bad-metadata",
        "bad-time",
    ]
    by_key = {r.idempotency_key: r for r in rows}
    assert by_key["unknown-type"].problems == [
        {"code": "unknown_type", "field": "event.type", "detail": "unknown event type 'warp_drive'"}
    ]
    assert by_key["blank-shard"].problems[0]["code"] == "empty_field"
    assert by_key["blank-shard"].problems[0]["field"] == "event.shard"
    assert by_key["bad-metadata"].problems[0]["code"] == "invalid_metadata"
    assert by_key["bad-time"].problems[0]["code"] == "bad_timestamp"
    held = by_key["blank-shard"]
    assert held.envelope["idempotency_key"] == "blank-shard"
    assert held.envelope["event"] == bad_shard
    assert held.envelope["source"] == "live"
    assert (held.handle, held.batch_id, held.device_id) == ("testpilot", "batch-1", None)
    assert [r.idempotency_key for r in stored(client)] == ["good"]


def test_a_raw_line_over_16_kib_quarantines_that_envelope_not_the_batch(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    long_line = "x" * (16 * 1024 + 1)
    response = post(client, user, [envelope("ok"), envelope("long", raw_line=long_line)])
    assert response.json()["accepted"] == 1
    assert response.json()["rejected"] == 1
    (row,) = quarantined(client)
    assert row.problems[0]["code"] == "too_long"
    assert row.problems[0]["field"] == "raw_line"
    assert row.envelope["raw_line"] == long_line


def test_a_raw_line_of_exactly_16_kib_is_accepted(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("TestPilot")
    response = post(client, user, [envelope("edge", raw_line="é" * (8 * 1024))])
    assert response.json()["accepted"] == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"raw_line": "nul \x00 inside"}, "nul_character"),
        ({"idempotency_key": "key\x00nul"}, "nul_character"),
        ({"event": {**join_pu(), "shard": "shard\x00"}}, "nul_character"),
        ({"source_offset": 2**64}, "bad_field"),
    ],
)
def test_values_no_database_can_store_are_quarantined_not_a_server_error(
    client: TestClient, make_user: MakeUser, changes: dict[str, Any], code: str
) -> None:
    user = make_user("TestPilot")
    response = post(client, user, [{**envelope("k"), **changes}])
    assert response.status_code == 200
    assert response.json()["rejected"] == 1
    (row,) = quarantined(client)
    assert row.problems[0]["code"] == code
    assert "\x00" not in json.dumps(row.envelope)


def test_non_finite_numbers_in_an_event_are_quarantined(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    body = json.dumps(batch(user.handle, [envelope("k")])).replace('"port": 64300', '"port": NaN')
    response = client.post("/v1/ingest", content=body, headers=user.headers)
    assert response.status_code == 200
    assert response.json()["rejected"] == 1


# -- refusals of the whole batch ---------------------------------------------------------------
def test_more_than_1000_events_is_413_too_many_events(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    response = post(client, user, [envelope(f"k{i}", None) for i in range(1001)])
    assert error(response) == (413, "too_many_events")
    assert stored(client) == []
    assert (
        post(client, user, [envelope(f"k{i}", None) for i in range(1000)]).json()["accepted"]
        == 1000
    )


def test_a_body_over_4_mib_is_413_json_by_content_length(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    body = b'{"pad": "' + b"x" * (4 * 1024 * 1024) + b'"}'
    response = client.post("/v1/ingest", content=body, headers=user.headers)
    assert error(response) == (413, "payload_too_large")
    refused = ("starstats_ingest_batches_rejected_total", (("reason", "too_large"),))
    assert _samples(client)[refused] == 1


def test_a_streamed_body_over_4_mib_is_413_json_without_content_length(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")

    def chunks() -> Iterator[bytes]:
        yield b'{"pad": "'
        for _ in range(65):
            yield b"x" * 65536
        yield b'"}'

    response = client.post("/v1/ingest", content=chunks(), headers=user.headers)
    assert "content-length" not in response.request.headers
    assert error(response) == (413, "payload_too_large")


def test_an_unsupported_schema_version_is_400_naming_the_versions(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    response = post(client, user, [envelope("k")], schema_version=3)
    assert error(response) == (400, "unsupported_schema_version")
    assert response.json()["detail"] == "got 3, server speaks 1..2"
    # A future version's body may not fit our schema: the version is still what is reported.
    future = {"schema_version": 3, "batch": "other-shape"}
    response = client.post("/v1/ingest", json=future, headers=user.headers)
    assert error(response) == (400, "unsupported_schema_version")


def test_schema_version_1_is_accepted(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("TestPilot")
    assert post(client, user, [envelope("k")], schema_version=1).json()["accepted"] == 1


def test_a_blank_claimed_handle_is_400(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("TestPilot")
    body = batch("   ", [envelope("k")])
    response = client.post("/v1/ingest", json=body, headers=user.headers)
    assert error(response) == (400, "missing_claimed_handle")


def test_claimed_handle_matches_the_token_case_insensitively(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    body = batch("TESTPILOT", [envelope("k")])
    assert client.post("/v1/ingest", json=body, headers=user.headers).json()["accepted"] == 1
    assert stored(client)[0].handle == "testpilot"


def test_another_players_handle_is_403_handle_mismatch(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user("Alice")
    mallory = make_user("Mallory")
    response = client.post(
        "/v1/ingest", json=batch("Alice", [envelope("k")]), headers=mallory.headers
    )
    assert error(response) == (403, "handle_mismatch")
    assert stored(client) == []


def test_broken_json_is_400_malformed_json(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("TestPilot")
    response = client.post("/v1/ingest", content=b'{"schema_version": 2,', headers=user.headers)
    assert error(response) == (400, "malformed_json")


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"schema_version": 2}',
        json.dumps(batch("TestPilot", [{**envelope("k"), "source": "xbox"}])).encode(),
        json.dumps(batch("TestPilot", [{**envelope("k"), "source_offset": "7"}])).encode(),
        json.dumps(batch("TestPilot", [envelope("k")], batch_id="tab\there")).encode(),
    ],
)
def test_a_body_that_breaks_the_schema_is_422_with_the_error_body(
    client: TestClient, make_user: MakeUser, body: bytes
) -> None:
    user = make_user("TestPilot")
    response = client.post("/v1/ingest", content=body, headers=user.headers)
    assert error(response) == (422, "invalid_request")


@pytest.mark.parametrize("body", [b"{not json", b'{"schema_version": "x"}', b""])
def test_auth_is_checked_before_the_body_is_read(client: TestClient, body: bytes) -> None:
    response = client.post("/v1/ingest", content=body)
    assert error(response) == (401, "unauthorized")


# -- tokens ---------------------------------------------------------------------------------
def _device_token(client: TestClient, user: Any, *, revoked: bool = False) -> tuple[uuid.UUID, str]:
    state = client.app.state.starstats  # type: ignore[attr-defined]
    device_id = uuid.uuid4()
    now = state.clock.now()

    async def _insert() -> None:
        async with state.engine.begin() as conn:
            await conn.execute(
                sa.insert(devices).values(
                    id=device_id,
                    user_id=user.id,
                    label="Gaming PC",
                    created_at=now,
                    revoked_at=now if revoked else None,
                )
            )

    client.portal.call(_insert)  # type: ignore[union-attr]
    token, _ = state.tokens.mint(user.id, user.handle, now, device_id=device_id)
    return device_id, token


def test_a_device_token_ingests_and_its_device_is_recorded(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    device_id, token = _device_token(client, user)
    headers = {"Authorization": f"Bearer {token}"}
    bad = envelope("bad", {"type": "nope"})
    body = batch(user.handle, [envelope("k"), bad])
    response = client.post("/v1/ingest", json=body, headers=headers)
    assert response.json()["accepted"] == 1
    assert stored(client)[0].device_id == device_id
    assert quarantined(client)[0].device_id == device_id


def test_a_revoked_device_token_is_401(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("TestPilot")
    _, token = _device_token(client, user, revoked=True)
    body = batch(user.handle, [envelope("k")])
    response = client.post("/v1/ingest", json=body, headers={"Authorization": f"Bearer {token}"})
    assert error(response) == (401, "unauthorized")


# -- per-handle sequence numbers ----------------------------------------------------------------
def test_seq_counts_1_to_n_without_gaps_across_batches_and_per_handle(
    client: TestClient, make_user: MakeUser
) -> None:
    alice, bob = make_user("Alice"), make_user("Bob")
    post(client, alice, [envelope(f"a{i}") for i in range(3)])
    post(client, bob, [envelope(f"b{i}") for i in range(2)])
    # Duplicates and rejects in between take no number.
    post(client, alice, [envelope("a0"), envelope("x", {"type": "nope"}), envelope("a3")])
    post(client, alice, [envelope("a4"), envelope("a5")])
    post(client, bob, [envelope("b2")])
    assert seqs(client, "Alice") == [1, 2, 3, 4, 5, 6]
    assert seqs(client, "Bob") == [1, 2, 3]
    counters = dict(fetch(client, sa.select(event_sequences.c.handle, event_sequences.c.last_seq)))
    assert counters == {"alice": 6, "bob": 3}


def test_concurrent_batches_for_one_handle_get_unique_gap_free_seqs(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    app = client.app
    shared = [envelope(f"shared-{i}") for i in range(10)]
    bodies = [
        batch(user.handle, [envelope(f"b{b}-{i}") for i in range(40)] + shared, batch_id=f"b{b}")
        for b in range(8)
    ]

    async def _send_all() -> list[dict[str, Any]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            responses = await asyncio.gather(
                *(http.post("/v1/ingest", json=body, headers=user.headers) for body in bodies)
            )
        return [r.json() for r in responses]

    results = client.portal.call(_send_all)  # type: ignore[union-attr]
    assert sum(r["accepted"] for r in results) == 8 * 40 + 10
    assert sum(r["duplicate"] for r in results) == 7 * 10
    assert seqs(client, user.handle) == list(range(1, 8 * 40 + 10 + 1))


# -- client and server agree --------------------------------------------------------------------
@pytest.mark.parametrize("stamped_by_client", [True, False])
def test_a_realistic_synthesized_log_is_accepted_in_full(
    client: TestClient, make_user: MakeUser, stamped_by_client: bool
) -> None:
    user = make_user("SynthPilot")
    data = "".join(
        synthesize_log(seed=11, sessions=2, lines_per_session=4000, handle=user.handle)
    ).encode()
    parser = LogParser()
    parsed = parser.feed(data) + parser.finish()
    signature = file_signature(data)
    handle = user.handle if stamped_by_client else None
    wire = [
        to_envelope(p, LogSource.LIVE, signature, handle).model_dump(mode="json") for p in parsed
    ]
    assert len(wire) > 500
    totals = {"accepted": 0, "duplicate": 0, "rejected": 0}
    for start in range(0, len(wire), 1000):
        response = post(client, user, wire[start : start + 1000], batch_id=f"b{start}")
        assert response.status_code == 200
        for name in totals:
            totals[name] += response.json()[name]
    unique = len({e["idempotency_key"] for e in wire})
    assert totals == {"accepted": unique, "duplicate": len(wire) - unique, "rejected": 0}
    rows = stored(client, user.handle)
    assert all(row.metadata is not None and row.event_timestamp is not None for row in rows)


# -- metrics -----------------------------------------------------------------------------------
def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = client.get("/metrics").text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("starstats_")
    }


def test_metrics_count_events_and_refused_batches_by_reason(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("TestPilot")
    post(client, user, [envelope("a"), envelope("b"), envelope("a"), envelope("x", {"type": "?"})])
    post(client, user, [envelope("a")])
    client.post("/v1/ingest", json=batch("Someone", [envelope("k")]), headers=user.headers)
    post(client, user, [envelope("k")], schema_version=9)
    client.post("/v1/ingest", json=batch(" ", []), headers=user.headers)
    post(client, user, [envelope(f"k{i}", None) for i in range(1001)])
    client.post("/v1/ingest", content=b"{", headers=user.headers)
    samples = _samples(client)
    assert samples[("starstats_events_ingested_total", ())] == 2
    assert samples[("starstats_events_duplicate_total", ())] == 2
    assert samples[("starstats_events_rejected_total", (("reason", "validation"),))] == 1
    assert samples[("starstats_ingest_batch_duration_seconds_count", ())] == 2
    for reason in (
        "handle_mismatch",
        "bad_schema",
        "empty_handle",
        "too_many_events",
        "malformed_json",
    ):
        key = ("starstats_ingest_batches_rejected_total", (("reason", reason),))
        assert samples[key] == 1, reason
    # Labels are bounded enums: no handle, user or device ever appears.
    assert "testpilot" not in client.get("/metrics").text.lower()
