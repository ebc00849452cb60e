"""The rollups (db/rollups.py) equal a direct recount over the stored events, on both
databases: after many batches arriving out of order, after replays and partly new replays,
under concurrent ingest, for random event sequences, and when migration 0004 backfills them
from events stored before it existed."""

import asyncio
import itertools
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from starstats_core.parser import LogParser
from starstats_core.synth import synthesize_log
from starstats_core.wire import EventEnvelope, LogSource, file_signature, to_envelope
from starstats_server.db import bulk, rollups, sessions
from starstats_server.db.engine import create_engine
from starstats_server.db.migrate import alembic_config, upgrade_to_head
from starstats_server.services.envelopes import Valid, check_envelope

from .recount import Row, reference_sessions, stored_and_recounted

MakeUser = Callable[..., Any]


def synth_envelopes(
    handle: str, *, seed: int, sessions: int, start: datetime
) -> list[dict[str, Any]]:
    """Envelopes (JSON form) of a synthesized backup set of both eras, as a client sends them,
    plus two events without a timestamp (`unknown`)."""
    data = "".join(
        synthesize_log(
            seed=seed, sessions=sessions, start=start, handle=handle, lines_per_session=1500
        )
    ).encode()
    parser = LogParser()
    parsed = parser.feed(data) + parser.finish()
    signature = file_signature(data)
    found = [
        to_envelope(p, LogSource.LIVE, signature).model_dump(mode="json", exclude_none=True)
        for p in parsed
    ]
    for n in range(2):
        found.append(
            {"idempotency_key": f"bare-{seed}-{n}", "raw_line": "?", "event": None,
             "source": "live", "source_offset": n}
        )  # fmt: skip
    return found


def body(handle: str, envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schema_version": 2,
        "batch_id": uuid.uuid4().hex,
        "claimed_handle": handle,
        "events": envelopes,
    }


def chunks(items: list[Any], rng: random.Random, largest: int) -> list[list[Any]]:
    out = []
    start = 0
    while start < len(items):
        size = rng.randint(1, largest)
        out.append(items[start : start + size])
        start += size
    return out


def assert_exact(db_url: str, handle: str) -> list[Row]:
    stored, recounted, rows = stored_and_recounted(db_url, handle)
    assert stored.types == recounted.types
    assert stored.days == recounted.days
    assert stored.values == recounted.values
    assert (stored.sessions, stored.play_time_us) == (recounted.sessions, recounted.play_time_us)
    assert (stored.kills, stored.deaths_logged) == (recounted.kills, recounted.deaths_logged)
    return rows


# -- out of order, replays, partial replays --------------------------------------------------
def test_rollups_equal_a_recount_after_shuffled_batches_and_replays(
    client: TestClient, make_user: MakeUser, db_url: str
) -> None:
    user = make_user("Roller")
    start = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    envelopes = synth_envelopes(user.handle, seed=11, sessions=6, start=start)
    rng = random.Random(5)
    held_back = set(rng.sample(range(len(envelopes)), len(envelopes) // 5))
    first_pass = [e for i, e in enumerate(envelopes) if i not in held_back]
    batches = chunks(first_pass, rng, 120)
    rng.shuffle(batches)  # a backfill and the live tail interleave; launches arrive in any order
    accepted = 0
    for batch in batches:
        result = client.post("/v1/ingest", json=body(user.handle, batch), headers=user.headers)
        assert result.status_code == 200, result.text
        accepted += result.json()["accepted"]
    assert accepted == len(first_pass)
    assert_exact(db_url, user.handle)

    # Replays: whole batches again (all duplicates), then batches mixing stored events with
    # the held-back ones.
    for batch in rng.sample(batches, 5):
        result = client.post("/v1/ingest", json=body(user.handle, batch), headers=user.headers)
        assert result.json()["duplicate"] == len(batch)
    rest = [envelopes[i] for i in sorted(held_back)]
    rng.shuffle(rest)
    for part in chunks(rest, rng, 60):
        mixed = part + rng.sample(first_pass, 20)
        rng.shuffle(mixed)
        result = client.post("/v1/ingest", json=body(user.handle, mixed), headers=user.headers)
        assert result.json()["duplicate"] == 20
    rows = assert_exact(db_url, user.handle)
    assert len(rows) == len(envelopes)
    # The synthetic set covers what the totals are about.
    stats = client.get("/v1/me/stats", headers=user.headers).json()
    assert stats["sessions"] == len(reference_sessions(rows)) == 6
    assert stats["kills"] > 0
    assert stats["deaths"] > stats["deaths_inferred"] > 0
    assert stats["ships_flown"] > 0
    assert stats["locations_visited"] > 0


def test_sessions_and_play_time_stay_exact_when_events_land_inside_stored_sessions(
    client: TestClient, make_user: MakeUser, db_url: str
) -> None:
    """Every other event first, then the rest: each new event falls between two stored ones,
    which is the session rule's hardest case (a new pair replaces an old one)."""
    user = make_user("Zipper")
    start = datetime(2026, 4, 2, 18, 0, tzinfo=UTC)
    envelopes = synth_envelopes(user.handle, seed=23, sessions=4, start=start)
    for part in (envelopes[::2], envelopes[1::2]):
        for batch in chunks(part, random.Random(len(part)), 300):
            response = client.post(
                "/v1/ingest", json=body(user.handle, batch), headers=user.headers
            )
            assert response.status_code == 200
    assert_exact(db_url, user.handle)


# -- concurrency -------------------------------------------------------------------------------
def test_rollups_stay_exact_under_concurrent_ingest(
    make_user: MakeUser, live_server: Any, db_url: str
) -> None:
    """Four clients post the same handle's batches at once, each batch twice (by two
    clients), while another player ingests too."""
    alice, bob = make_user("Racer"), make_user("Bystander")
    start = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
    rng = random.Random(17)
    mine = chunks(synth_envelopes(alice.handle, seed=3, sessions=4, start=start), rng, 80)
    theirs = chunks(synth_envelopes(bob.handle, seed=4, sessions=2, start=start), rng, 80)
    jobs = [(alice, batch) for batch in mine] * 2 + [(bob, batch) for batch in theirs]
    rng.shuffle(jobs)
    lanes = [jobs[n::4] for n in range(4)]
    failures: list[str] = []
    accepted = {alice.handle: 0, bob.handle: 0}
    lock = threading.Lock()

    def run(lane: list[tuple[Any, list[dict[str, Any]]]]) -> None:
        with httpx.Client(base_url=live_server.url, timeout=60) as http:
            for user, batch in lane:
                response = http.post(
                    "/v1/ingest", json=body(user.handle, batch), headers=user.headers
                )
                if response.status_code != 200:
                    failures.append(response.text)
                    continue
                with lock:
                    accepted[user.handle] += response.json()["accepted"]

    threads = [threading.Thread(target=run, args=(lane,)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert accepted == {
        alice.handle: sum(map(len, mine)),
        bob.handle: sum(map(len, theirs)),
    }
    assert_exact(db_url, alice.handle)
    assert_exact(db_url, bob.handle)


# -- random sequences ---------------------------------------------------------------------------
_KINDS = ["session_started", "session_end", "player_spawned", "join_pu"]
_BASE = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _event(kind: str, minute: int, second: int) -> dict[str, Any]:
    at = _BASE + timedelta(minutes=minute, seconds=second)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if kind == "session_started":
        return {"type": kind, "timestamp": stamp, "file_version": "4.1.147.1"}
    if kind == "session_end":
        return {"type": kind, "timestamp": stamp, "kind": "system_quit"}
    if kind == "join_pu":
        return {"type": kind, "timestamp": stamp, "address": "10.0.0.1", "port": 1,
                "shard": "pub_x", "location_id": "1"}  # fmt: skip
    return {"type": kind, "timestamp": stamp}


# (kind, minute, second): minutes up to 200 put gaps on both sides of 30 minutes, and few
# distinct seconds make equal timestamps (ties broken by seq) common.
_events = st.lists(
    st.tuples(st.sampled_from(_KINDS), st.integers(0, 200), st.sampled_from([0, 0, 1, 59])),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=_events, cuts=st.lists(st.integers(0, 40), max_size=6), order=st.randoms())
def test_random_sequences_in_random_batches_count_sessions_like_the_reference(
    client: TestClient,
    make_user: MakeUser,
    db_url: str,
    *,
    items: list[tuple[str, int, int]],
    cuts: list[int],
    order: random.Random,
) -> None:
    user = make_user(f"P{uuid.uuid4().hex[:12]}")
    envelopes = [
        {"idempotency_key": f"k{n}", "raw_line": "x", "event": _event(*item),
         "source": "live", "source_offset": n}
        for n, item in enumerate(items)
    ]  # fmt: skip
    bounds = sorted({0, len(envelopes), *(c for c in cuts if c < len(envelopes))})
    batches = [envelopes[a:b] for a, b in itertools.pairwise(bounds)]
    order.shuffle(batches)
    for batch in batches:
        response = client.post("/v1/ingest", json=body(user.handle, batch), headers=user.headers)
        assert response.json()["accepted"] == len(batch)
    stored, recounted, _ = stored_and_recounted(db_url, user.handle)
    assert (stored.sessions, stored.play_time_us) == (recounted.sessions, recounted.play_time_us)
    assert stored.days == recounted.days


@settings(max_examples=300, deadline=None)
@given(items=_events)
def test_the_neighbour_rule_splits_sessions_exactly_like_the_reference(
    items: list[tuple[str, int, int]],
) -> None:
    """Pure: `joins` over sorted events gives the reference's session count and play time."""
    rows = [
        Row(n + 1, kind, _BASE + timedelta(minutes=m, seconds=s), None)
        for n, (kind, m, s) in enumerate(items)
    ]
    points = sorted(sessions.Point(r.at, r.seq, r.event_type) for r in rows if r.at is not None)
    joined = sessions.joins(points)
    reference = reference_sessions(rows)
    assert len(points) - joined.pairs == len(reference)
    play = sum((s.end_at - s.start_at) // timedelta(microseconds=1) for s in reference)
    assert joined.span_us == play


# -- migration 0004 backfill -----------------------------------------------------------------
@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all (db_url's is migrated to head already)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    pg = request.getfixturevalue("pg_server")
    name = "b_" + uuid.uuid4().hex[:16]
    pg.admin(f"CREATE DATABASE {name}")
    yield pg.database_url(name)
    pg.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _rows(handle: str, envelopes: list[dict[str, Any]], first_seq: int) -> list[bulk.EventRow]:
    now = datetime.now(UTC)
    rows = []
    for seq, raw in enumerate(envelopes, start=first_seq):
        checked = check_envelope(EventEnvelope.model_validate(raw), handle)
        assert isinstance(checked, Valid), checked
        rows.append(bulk.EventRow(handle, seq, handle, *checked, "b", None, now))
    return rows


async def _store_at_0003_then_upgrade(url: str, old: list[bulk.EventRow]) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0003"))
        async with engine.begin() as conn:
            await bulk.insert_events(conn, old)
            await bulk.lock_sequence(conn, old[0].handle)
            await bulk.set_last_seq(conn, old[0].handle, old[-1].seq)
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


async def _ingest_like_the_server(url: str, batches: list[list[bulk.EventRow]]) -> None:
    engine = create_engine(url)
    try:
        for batch in batches:
            async with engine.begin() as conn:
                await bulk.lock_sequence(conn, batch[0].handle)
                await rollups.record_batch(conn, batch[0].handle, batch)
                await bulk.insert_events(conn, batch)
    finally:
        await engine.dispose()


def test_migration_0004_backfills_rollups_equal_to_a_recount_and_to_ingest(
    empty_db_url: str,
) -> None:
    start = datetime(2026, 1, 20, 7, 30, tzinfo=UTC)
    envelopes = synth_envelopes("Veteran", seed=29, sessions=5, start=start)
    old = _rows("veteran", envelopes, 1)
    asyncio.run(_store_at_0003_then_upgrade(empty_db_url, old))
    backfilled = assert_exact(empty_db_url, "veteran")
    assert len(backfilled) == len(envelopes)

    # The same synthetic history for another player (same seed: only the handle differs),
    # ingested batch by batch out of order: backfill and ingest give the same rollups.
    rng = random.Random(2)
    fresh = _rows("rookie", synth_envelopes("Rookie", seed=29, sessions=5, start=start), 1)
    batches = chunks(fresh, rng, 150)
    rng.shuffle(batches)
    asyncio.run(_ingest_like_the_server(empty_db_url, batches))
    backfill_numbers, _, _ = stored_and_recounted(empty_db_url, "veteran")
    ingest_numbers, _, _ = stored_and_recounted(empty_db_url, "rookie")
    assert backfill_numbers == ingest_numbers


def test_rebuilding_twice_gives_the_same_rollups(db_url: str) -> None:
    """`rebuild` empties the tables first, so running it again changes nothing."""
    start = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    rows = _rows("again", synth_envelopes("Again", seed=31, sessions=2, start=start), 1)

    async def _go() -> None:
        engine = create_engine(db_url)
        try:
            async with engine.begin() as conn:
                await bulk.insert_events(conn, rows)
            for _ in range(2):
                async with engine.begin() as conn:
                    await conn.run_sync(rollups.rebuild)
            async with engine.connect() as conn:
                count = await conn.scalar(sa.text("SELECT count(*) FROM handle_totals"))
            assert count == 1
        finally:
            await engine.dispose()

    asyncio.run(_go())
    assert_exact(db_url, "again")
