"""Journey facts kept at ingest (db/journey.py) on both databases: whatever order batches
arrive in, replayed or concurrent, the stored facts equal a rebuild from the stored events
and core's fold of the same events; migration 0009 fills them for events stored before it;
the sums without a window (journey_sums, journey_missions) equal those of the days; account
deletion removes them; and every `/v1/me/journey*` view reads them."""

import asyncio
import base64
import json
import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient

from starstats_core.events import event_from_dict
from starstats_core.journey import JourneyFold, journey_document, order_key
from starstats_server.db import bulk, journey
from starstats_server.db.engine import create_engine
from starstats_server.db.migrate import alembic_config, upgrade_to_head
from starstats_server.db.tables import journey_missions

from .test_rollups import MakeUser, _rows, body, chunks, empty_db_url, synth_envelopes

__all__ = ["empty_db_url"]  # a fixture this module uses

# Recent, so that the API's windows (relative to the app's clock, which starts now) hold it.
START = (datetime.now(UTC) - timedelta(days=3)).replace(second=0, microsecond=0)


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def _read(url: str, handle: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:

            async def rows(sql: str) -> list[Any]:
                return list(await conn.execute(sa.text(sql), {"h": handle}))

            sessions = [
                dict(r._mapping)
                for r in await rows(
                    "SELECT * FROM journey_sessions WHERE handle = :h ORDER BY session_id"
                )
            ]
            facts = [
                dict(r._mapping)
                for r in await rows(
                    "SELECT * FROM journey_facts WHERE handle = :h ORDER BY session_id, n"
                )
            ]
            found = await rows("SELECT * FROM journey_state WHERE handle = :h")
            state = found[0] if found else None
            values = [
                tuple(r)
                for r in await rows(
                    "SELECT kind, ref, day, count, round(CAST(seconds AS NUMERIC), 3),"
                    " round(CAST(amount AS NUMERIC), 2), label FROM journey_values"
                    " WHERE handle = :h ORDER BY kind, ref, day"
                )
            ]
            sums = [
                tuple(r)
                for r in await rows(
                    "SELECT kind, ref, count, round(CAST(seconds AS NUMERIC), 3),"
                    " round(CAST(amount AS NUMERIC), 2), last_day, label FROM journey_sums"
                    " WHERE handle = :h ORDER BY kind, ref"
                )
            ]
            missions = [
                tuple(r)
                for r in await conn.execute(
                    sa.select(
                        journey_missions.c.mission_id,
                        journey_missions.c.first_at,
                        journey_missions.c.data,
                        journey_missions.c.contract_kind,
                        journey_missions.c.outcome,
                    )
                    .where(journey_missions.c.handle == handle)
                    .order_by(journey_missions.c.mission_id)
                )
            ]
    finally:
        await engine.dispose()
    for row in sessions + facts:
        for key, value in row.items():
            if isinstance(value, str) and key == "data":
                row[key] = json.loads(value)
    return {
        "sessions": sessions,
        "facts": facts,
        "state": None if state is None else tuple(state),
        "values": values,
        "sums": sums,
        "missions": missions,
    }


async def _rebuild(url: str, handle: str | None) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(journey.rebuild, handle)
    finally:
        await engine.dispose()


def assert_equal_to_a_rebuild(url: str, handle: str) -> dict[str, Any]:
    """The stored journey equals the one `rebuild` makes from the stored events."""
    kept = _run(_read(url, handle))
    assert kept["sessions"], "nothing was folded"
    _run(_rebuild(url, handle))
    rebuilt = _run(_read(url, handle))
    assert kept["sessions"] == rebuilt["sessions"]
    assert kept["facts"] == rebuilt["facts"]
    assert kept["state"] == rebuilt["state"]
    assert kept["values"] == rebuilt["values"]
    assert kept["sums"] == rebuilt["sums"]
    assert kept["missions"] == rebuilt["missions"]
    return kept


def core_document(handle: str, envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    """Core's fold over the same events, in the server's order, as the client would."""
    timed = [e for e in envelopes if e.get("event")]
    timed.sort(key=lambda e: order_key(e["event"]["timestamp"], e["source_offset"]))
    fold = JourneyFold(handle)
    facts = fold.feed((event_from_dict(e["event"]), e["idempotency_key"]) for e in timed)
    facts += fold.finish()
    return journey_document(fold.player(), facts)


def core_totals(handle: str, envelopes: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(core_document(handle, envelopes)["totals"])


def _post_all(client: TestClient, user: Any, batches: list[list[dict[str, Any]]]) -> None:
    for batch in batches:
        response = client.post("/v1/ingest", json=body(user.handle, batch), headers=user.headers)
        assert response.status_code == 200, response.text


# -- ingest order ------------------------------------------------------------------------------
def test_live_batches_in_order_give_the_facts_of_one_fold(
    client: TestClient, make_user: MakeUser, db_url: str
) -> None:
    user = make_user("Live_Pilot")
    envelopes = synth_envelopes(user.handle, seed=11, sessions=4, start=START)
    _post_all(client, user, chunks(envelopes, random.Random(1), 200))
    kept = assert_equal_to_a_rebuild(db_url, user.handle.lower())
    assert len(kept["sessions"]) == 4
    lifetime = client.get("/v1/me/journey", headers=user.headers).json()["lifetime"]
    assert lifetime == core_totals(user.handle, envelopes)


def test_shuffled_batches_and_replays_give_the_same_facts(
    client: TestClient, make_user: MakeUser, db_url: str
) -> None:
    """A backfill and the live tail interleave; launches arrive in any order; some batches
    come twice; held-back events land inside stored sessions."""
    user = make_user("Shuffler")
    envelopes = synth_envelopes(user.handle, seed=12, sessions=5, start=START)
    rng = random.Random(5)
    held = set(rng.sample(range(len(envelopes)), len(envelopes) // 6))
    batches = chunks([e for i, e in enumerate(envelopes) if i not in held], rng, 150)
    rng.shuffle(batches)
    _post_all(client, user, batches)
    _post_all(client, user, rng.sample(batches, 4))  # replays: all duplicates
    rest = [envelopes[i] for i in sorted(held)]
    rng.shuffle(rest)
    _post_all(client, user, chunks(rest, rng, 60))
    assert_equal_to_a_rebuild(db_url, user.handle.lower())
    lifetime = client.get("/v1/me/journey", headers=user.headers).json()["lifetime"]
    assert lifetime == core_totals(user.handle, envelopes)
    assert lifetime["sessions"] == 5


def test_every_other_event_then_the_rest_gives_the_same_facts(
    client: TestClient, make_user: MakeUser, db_url: str
) -> None:
    user = make_user("Zipper")
    envelopes = synth_envelopes(user.handle, seed=13, sessions=3, start=START)
    for part in (envelopes[::2], envelopes[1::2]):
        _post_all(client, user, chunks(part, random.Random(len(part)), 250))
    assert_equal_to_a_rebuild(db_url, user.handle.lower())
    lifetime = client.get("/v1/me/journey", headers=user.headers).json()["lifetime"]
    assert lifetime == core_totals(user.handle, envelopes)


def test_concurrent_batches_give_the_same_facts(
    make_user: MakeUser, live_server: Any, db_url: str
) -> None:
    """Three clients post one handle's batches at once (each batch twice) while another
    player ingests too: the handle's lock keeps the fold gap-free."""
    alice, bob = make_user("Racer"), make_user("Bystander")
    rng = random.Random(17)
    mine = chunks(synth_envelopes(alice.handle, seed=3, sessions=3, start=START), rng, 100)
    theirs = chunks(synth_envelopes(bob.handle, seed=4, sessions=2, start=START), rng, 100)
    jobs = [(alice, b) for b in mine] * 2 + [(bob, b) for b in theirs]
    rng.shuffle(jobs)
    failures: list[str] = []

    def lane(work: list[tuple[Any, list[dict[str, Any]]]]) -> None:
        with httpx.Client(base_url=live_server.url, timeout=60) as http:
            for user, batch in work:
                response = http.post("/v1/ingest", json=body(user.handle, batch),
                                     headers=user.headers)  # fmt: skip
                if response.status_code != 200:
                    failures.append(response.text)

    threads = [threading.Thread(target=lane, args=(jobs[n::3],)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert_equal_to_a_rebuild(db_url, alice.handle.lower())
    assert_equal_to_a_rebuild(db_url, bob.handle.lower())


def test_migration_0009_folds_the_events_stored_before_it(empty_db_url: str) -> None:
    """Events stored under 0006 and under 0007 (with a journey row that 0007-era ingest might
    have left) are folded by 0009, the tables and columns of 0008 and 0009 included, as a
    rebuild folds them."""
    envelopes = synth_envelopes("Veteran", seed=29, sessions=3, start=START)
    rows = _rows("veteran", envelopes, 1)
    old, newer = rows[: len(rows) // 2], rows[len(rows) // 2 :]

    async def _store_at_0006_and_0007_then_upgrade() -> None:
        engine = create_engine(empty_db_url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0006"))
            async with engine.begin() as conn:
                await bulk.insert_events(conn, old)
            async with engine.begin() as conn:
                await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0007"))
            async with engine.begin() as conn:
                await bulk.insert_events(conn, newer)
                await conn.execute(
                    sa.text(
                        "INSERT INTO journey_values (handle, kind, ref, day, count, seconds,"
                        " amount, label) VALUES ('veteran', 'stop', 'stale', '2020-01-01', 1,"
                        " 1.0, 0.0, NULL)"
                    )
                )
            await upgrade_to_head(engine)
        finally:
            await engine.dispose()

    _run(_store_at_0006_and_0007_then_upgrade())
    kept = assert_equal_to_a_rebuild(empty_db_url, "veteran")
    assert len(kept["sessions"]) == 3
    assert kept["sums"]
    assert kept["missions"]
    # Each mission's kind and outcome columns are its merged run's.
    for _id, _at, data, kind, outcome in kept["missions"]:
        assert (kind, outcome) == (json.loads(data)["contract_kind"], json.loads(data)["outcome"])
    assert not [v for v in kept["values"] if v[1] == "stale"]


def test_sums_without_a_window_equal_the_sums_of_the_days(
    client: TestClient, make_user: MakeUser, db_url: str
) -> None:
    """After late batches refold stored sessions, the all-time reads (journey_sums,
    journey_missions) answer exactly what the same reads over every day (journey_values,
    grouped runs) answer."""
    user = make_user("Late_Comer")
    envelopes = synth_envelopes(user.handle, seed=53, sessions=4, start=START)
    rng = random.Random(8)
    cut = len(envelopes) // 3
    # The newest two thirds first, then the oldest third: each late batch refolds.
    _post_all(client, user, chunks(envelopes[cut:], rng, 300))
    _post_all(client, user, chunks(envelopes[:cut], rng, 200))
    kept = assert_equal_to_a_rebuild(db_url, user.handle.lower())
    assert kept["sums"]
    assert kept["missions"]
    every_day = {"since": "2000-01-01T00:00:00Z"}
    for path in ("places", "ships", "combat", "contracts", "trades"):
        for limit in (3, 20):
            params = {"limit": limit}
            plain = client.get(f"/v1/me/journey/{path}", params=params, headers=user.headers)
            windowed = client.get(
                f"/v1/me/journey/{path}", params={**params, **every_day}, headers=user.headers
            )
            assert plain.status_code == windowed.status_code == 200, plain.text
            assert plain.json() == windowed.json(), path
    contracts = _walk(client, user, "/v1/me/journey/contracts", "items", 2)
    assert sorted(c["mission_id"] for c in contracts) == [m[0] for m in kept["missions"]]


def test_account_deletion_removes_the_journey(
    client: TestClient, make_user: MakeUser, db_url: str
) -> None:
    from starstats_server.db import tables

    user = make_user("Leaver")
    envelopes = synth_envelopes(user.handle, seed=59, sessions=2, start=START)
    _post_all(client, user, chunks(envelopes, random.Random(9), 400))
    journey_tables = (
        tables.journey_sessions, tables.journey_facts, tables.journey_state,
        tables.journey_values, tables.journey_sums, tables.journey_missions,
    )  # fmt: skip

    async def count(table: sa.Table) -> int:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as conn:
                found = await conn.scalar(
                    sa.select(sa.func.count()).where(table.c.handle == "leaver")
                )
        finally:
            await engine.dispose()
        return int(found or 0)

    assert all(_run(count(table)) for table in journey_tables)
    password = {"password": "correct horse battery staple"}  # conftest's TEST_PASSWORD
    done = client.request("DELETE", "/v1/auth/me", json=password, headers=user.headers)
    assert done.status_code == 204, done.text
    assert [_run(count(table)) for table in journey_tables] == [0] * len(journey_tables)


# -- the API ------------------------------------------------------------------------------------
def _walk(client: TestClient, user: Any, path: str, key: str, limit: int) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = client.get(path, params=params, headers=user.headers)
        assert page.status_code == 200, page.text
        items += page.json()[key]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def test_the_journey_views_read_the_stored_facts(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Reader")
    envelopes = synth_envelopes(user.handle, seed=41, sessions=4, start=START)
    _post_all(client, user, chunks(envelopes, random.Random(3), 300))
    h = user.headers

    overview = client.get("/v1/me/journey", params={"days": 7}, headers=h).json()
    assert overview["totals"] == overview["lifetime"]  # everything happened in the week
    assert overview["previous"] is None  # and nothing in the week before: no fake zero
    assert overview["last_seen"]["session_id"]
    assert client.get("/v1/me/journey", params={"days": 0}, headers=h).status_code == 400

    sessions = _walk(client, user, "/v1/me/journey/sessions", "sessions", 1)
    assert len(sessions) == 4
    assert [s["started_at"] for s in sessions] == sorted(
        (s["started_at"] for s in sessions), reverse=True
    )
    story = client.get(f"/v1/me/journey/sessions/{sessions[0]['session_id']}", headers=h).json()
    assert story["session"]["session_id"] == sessions[0]["session_id"]
    assert [f["started_at"] for f in story["facts"]] == sorted(
        f["started_at"] for f in story["facts"]
    )
    missing = client.get("/v1/me/journey/sessions/no-such-session", headers=h)
    assert (missing.status_code, missing.json()["error"]) == (404, "session_not_found")

    legs = _walk(client, user, "/v1/me/journey/legs", "items", 7)
    arrived = [leg for leg in legs if leg["status"] == "arrived" and leg["leg_kind"] == "quantum"]
    assert len(arrived) == overview["lifetime"]["quantum_legs"]
    assert len({(leg["session_id"], leg["n"]) for leg in legs}) == len(legs)  # no repeats

    core = core_document(user.handle, envelopes)
    places = client.get("/v1/me/journey/places", params={"limit": 1}, headers=h).json()
    # The per-place sums kept at ingest equal core's over the same events.
    assert {p["place"]: (round(p["seconds"], 2), p["visits"]) for p in places["places"]} == {
        p["place"]: (round(p["seconds"], 2), p["visits"]) for p in core["places"]
    }
    assert places["places"]
    assert all(p["seconds"] >= 0 for p in places["places"])
    ships = client.get("/v1/me/journey/ships", headers=h).json()
    assert round(sum(s["seconds"] for s in ships["ships"]), 3) == pytest.approx(
        overview["lifetime"]["ship_seconds"], abs=0.01
    )
    combat = client.get("/v1/me/journey/combat", headers=h).json()
    assert combat["deaths"] == overview["lifetime"]["deaths"]
    assert sum(c["count"] for c in combat["deaths_by_cause"]) == combat["deaths"]
    contracts = client.get("/v1/me/journey/contracts", headers=h).json()
    assert contracts["completed"] == overview["lifetime"]["contracts_completed"]
    runs = _walk(client, user, "/v1/me/journey/contracts", "items", 3)
    # Every mission once, merged as core merges it, newest first.
    assert [r["mission_id"] for r in runs] == [
        c["mission_id"]
        for c in sorted(core["contracts"], key=lambda c: c["started_at"], reverse=True)
    ]
    combat_items = _walk(client, user, "/v1/me/journey/combat", "items", 4)
    assert len(combat_items) == len(core["kills"]) + len(core["deaths"])
    trades = client.get("/v1/me/journey/trades", headers=h).json()
    assert trades["goods"] == len(trades["by_good"]) > 0
    assert trades["spent"] == overview["lifetime"]["trade_spent"]
    assert trades["earned"] == overview["lifetime"]["trade_earned"]
    lives = client.get("/v1/me/journey/lives", headers=h).json()
    assert lives["items"]
    records = client.get("/v1/me/journey/records", headers=h).json()
    assert records["longest_session"]["value"] == max(s["seconds"] for s in sessions)

    bad = client.get("/v1/me/journey/legs", params={"cursor": "%%%"}, headers=h)
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_cursor")
    # Two parts as sessions and contracts cursors have, but no time in the first.
    no_time = base64.urlsafe_b64encode(b"yesterday\x1fabc").decode().rstrip("=")
    for route in ("sessions", "contracts"):
        bad = client.get(f"/v1/me/journey/{route}", params={"cursor": no_time}, headers=h)
        assert (bad.status_code, bad.json()["error"]) == (400, "invalid_cursor"), route


def test_another_players_journey_is_not_found_unless_shared(
    client: TestClient, make_user: MakeUser
) -> None:
    owner, stranger = make_user("Owner_Pilot"), make_user("Stranger_Pilot")
    envelopes = synth_envelopes(owner.handle, seed=43, sessions=1, start=START)
    _post_all(client, owner, chunks(envelopes, random.Random(4), 400))
    for path in ("", "/sessions", "/places", "/records"):
        seen = client.get(f"/v1/u/{owner.handle}/journey{path}", headers=stranger.headers)
        # Without SpiceDB (this app has none) every cross-user view is unavailable, and the
        # signed-out public view the same: nothing leaks either way.
        assert seen.status_code in (404, 503), seen.text
        public = client.get(f"/v1/public/{owner.handle}/journey{path}")
        assert public.status_code in (404, 503), public.text


def test_the_rebuild_command_gives_back_the_facts_kept_at_ingest(
    client: TestClient, make_user: MakeUser, db_url: str
) -> None:
    from typer.testing import CliRunner

    from starstats_server.cli import app as cli

    user = make_user("Rebuilt")
    envelopes = synth_envelopes(user.handle, seed=47, sessions=2, start=START)
    _post_all(client, user, chunks(envelopes, random.Random(6), 300))
    kept = _run(_read(db_url, "rebuilt"))
    for args in (["journey", "rebuild", "--handle", "Rebuilt"], ["journey", "rebuild"]):
        result = CliRunner().invoke(cli, args, env={"DATABASE_URL": db_url})
        assert result.exit_code == 0, result.output
        assert "rebuilt the journey of 1 player(s)" in result.output
        assert "rebuilt: 2 sessions" in result.output
        assert _run(_read(db_url, "rebuilt")) == kept
    broken = CliRunner().invoke(cli, ["journey", "rebuild"], env={"DATABASE_URL": "mysql://x/y"})
    assert broken.exit_code == 2
    assert broken.output.startswith("error:")
