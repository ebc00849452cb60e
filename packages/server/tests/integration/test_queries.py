"""GET /v1/me/events, /summary, /timeline and /sessions on both backends: cursors, filters,
zero-padded days, ordering, sessions from launch markers and from gaps, and scoping."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from starstats_core.events import event_to_dict
from starstats_core.events.base import BaseEvent
from starstats_core.events.header import SessionStarted
from starstats_core.events.session import JoinPu, PlayerSpawned, SessionEnd
from starstats_server.clock import ManualClock

MakeUser = Callable[..., Any]


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def join_pu(at: datetime, shard: str = "pub_euw1b_9") -> BaseEvent:
    return JoinPu(timestamp=_iso(at), address="10.0.0.1", port=64300, shard=shard, location_id="1")


def spawned(at: datetime) -> BaseEvent:
    return PlayerSpawned(timestamp=_iso(at))


def started(at: datetime, version: str = "4.1.148.71954") -> BaseEvent:
    return SessionStarted(timestamp=_iso(at), file_version=version, channel="LIVE")


def ended(at: datetime, kind: str = "system_quit") -> BaseEvent:
    return SessionEnd(timestamp=_iso(at), kind=kind)  # type: ignore[arg-type]


_counter = iter(range(1_000_000))


def ingest(client: TestClient, user: Any, items: list[BaseEvent | None]) -> None:
    envelopes = []
    for item in items:
        key = f"key-{next(_counter)}"
        envelopes.append(
            {
                "idempotency_key": key,
                "raw_line": key,
                "event": None if item is None else event_to_dict(item),
                "source": "live",
                "source_offset": 0,
            }
        )
    body = {
        "schema_version": 2,
        "batch_id": "b",
        "claimed_handle": user.handle,
        "events": envelopes,
    }
    response = client.post("/v1/ingest", json=body, headers=user.headers)
    assert response.json()["accepted"] == len(items), response.text


def get(client: TestClient, user: Any, path: str, **params: Any) -> httpx.Response:
    return client.get(path, params=params, headers=user.headers)


def page(client: TestClient, user: Any, **params: Any) -> dict[str, Any]:
    response = get(client, user, "/v1/me/events", **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]


@pytest.fixture
def now(clock: ManualClock) -> datetime:
    return clock.now()


# -- /v1/me/events ------------------------------------------------------------------------
def test_events_page_newest_first_and_before_seq_walks_back_to_the_start(
    client: TestClient, make_user: MakeUser, now: datetime
) -> None:
    user = make_user("Pager")
    ingest(client, user, [join_pu(now - timedelta(minutes=i)) for i in range(25)])
    first = page(client, user, limit=10)
    assert [e["seq"] for e in first["events"]] == list(range(25, 15, -1))
    assert (first["next_before"], first["next_after"]) == (16, 25)
    second = page(client, user, limit=10, before_seq=first["next_before"])
    assert [e["seq"] for e in second["events"]] == list(range(15, 5, -1))
    last = page(client, user, limit=10, before_seq=second["next_before"])
    assert [e["seq"] for e in last["events"]] == [5, 4, 3, 2, 1]
    assert last["next_before"] is None
    # Exactly a full last page: no phantom next page.
    assert page(client, user, limit=5, before_seq=6)["next_before"] is None


def test_events_after_seq_reads_forward_oldest_first_and_keeps_the_cursor_when_caught_up(
    client: TestClient, make_user: MakeUser, now: datetime
) -> None:
    user = make_user("Follower")
    ingest(client, user, [join_pu(now) for _ in range(12)])
    first = page(client, user, after_seq=0, limit=5)
    assert [e["seq"] for e in first["events"]] == [1, 2, 3, 4, 5]
    assert (first["next_after"], first["next_before"]) == (5, None)
    rest = page(client, user, after_seq=5, limit=50)
    assert [e["seq"] for e in rest["events"]] == list(range(6, 13))
    caught_up = page(client, user, after_seq=12)
    assert caught_up == {"events": [], "next_after": 12, "next_before": None}
    ingest(client, user, [join_pu(now)])
    assert [e["seq"] for e in page(client, user, after_seq=12)["events"]] == [13]


def test_an_event_is_returned_with_its_stored_fields(
    client: TestClient, make_user: MakeUser, now: datetime
) -> None:
    user = make_user("Reader")
    event = join_pu(datetime(2026, 5, 2, 21, 14, 23, 189000, tzinfo=UTC))
    ingest(client, user, [event, None])
    newest, oldest = page(client, user)["events"]
    assert newest == {
        "seq": 2,
        "event_type": "unknown",
        "event_timestamp": None,
        "log_source": "live",
        "source_offset": 0,
        "payload": None,
    }
    assert oldest["event_type"] == "join_pu"
    assert datetime.fromisoformat(oldest["event_timestamp"]) == datetime(
        2026, 5, 2, 21, 14, 23, 189000, tzinfo=UTC
    )
    assert oldest["payload"] == event_to_dict(event)


def test_both_cursors_at_once_is_400_conflicting_cursors(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Pager")
    response = get(client, user, "/v1/me/events", before_seq=5, after_seq=1)
    assert error(response) == (400, "conflicting_cursors")


def test_events_filter_by_type_and_by_time_range(
    client: TestClient, make_user: MakeUser, now: datetime
) -> None:
    user = make_user("Filter")
    base = now.replace(microsecond=0) - timedelta(hours=10)
    ingest(
        client,
        user,
        [
            join_pu(base),
            spawned(base + timedelta(hours=1)),
            join_pu(base + timedelta(hours=2)),
            spawned(base + timedelta(hours=3)),
            None,
        ],
    )
    joins = page(client, user, event_type="join_pu")["events"]
    assert [e["seq"] for e in joins] == [3, 1]
    since, until = _iso(base + timedelta(hours=1)), _iso(base + timedelta(hours=3))
    window = page(client, user, since=since, until=until)["events"]
    assert [e["seq"] for e in window] == [3, 2]  # since inclusive, until exclusive
    both = page(client, user, since=since, event_type="player_spawned")["events"]
    assert [e["seq"] for e in both] == [4, 2]
    assert page(client, user, event_type="unknown")["events"][0]["seq"] == 5


@pytest.mark.parametrize("event_type", ["Join_PU", "join-pu", "x" * 65, ""])
def test_a_malformed_event_type_is_400(
    client: TestClient, make_user: MakeUser, event_type: str
) -> None:
    user = make_user("Filter")
    response = get(client, user, "/v1/me/events", event_type=event_type)
    assert error(response) == (400, "invalid_event_type")


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"limit": "ten"},
        {"before_seq": -1},
        {"after_seq": 2**63},
        {"since": "2026-05-02T21:14:23"},  # no offset: ambiguous
        {"since": "1700000000"},  # not read as a Unix time
        {"until": "yesterday"},
        {"until": "0001-01-01T00:30:00+01:00"},  # no UTC form: year 0
        {"cursor": "5"},  # unknown parameters are refused, not ignored
    ],
)
def test_out_of_range_or_mistyped_parameters_are_422(
    client: TestClient, make_user: MakeUser, params: dict[str, Any]
) -> None:
    user = make_user("Strict")
    response = get(client, user, "/v1/me/events", **params)
    assert error(response) == (422, "invalid_request")


def test_limit_bounds_are_inclusive(client: TestClient, make_user: MakeUser, now: datetime) -> None:
    user = make_user("Bounds")
    ingest(client, user, [join_pu(now) for _ in range(3)])
    assert len(page(client, user, limit=1)["events"]) == 1
    assert len(page(client, user, limit=500)["events"]) == 3


# -- /v1/me/summary --------------------------------------------------------------------------
def test_summary_counts_by_type_most_frequent_first(
    client: TestClient, make_user: MakeUser, now: datetime
) -> None:
    user = make_user("Counter")
    ingest(
        client,
        user,
        [spawned(now), join_pu(now), spawned(now), ended(now), spawned(now), join_pu(now), None],
    )
    body = get(client, user, "/v1/me/summary").json()
    assert body == {
        "claimed_handle": "Counter",
        "total": 7,
        "by_type": [
            {"event_type": "player_spawned", "count": 3},
            {"event_type": "join_pu", "count": 2},
            {"event_type": "session_end", "count": 1},
            {"event_type": "unknown", "count": 1},
        ],
    }


def test_summary_of_a_player_without_events_is_empty(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Nobody")
    body = get(client, user, "/v1/me/summary").json()
    assert body == {"claimed_handle": "Nobody", "total": 0, "by_type": []}


# -- /v1/me/timeline -------------------------------------------------------------------------
def test_timeline_has_exactly_days_zero_filled_utc_buckets_ending_today(
    client: TestClient, make_user: MakeUser, clock: ManualClock
) -> None:
    user = make_user("Daily")
    today = clock.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ingest(
        client,
        user,
        [
            join_pu(today + timedelta(minutes=1)),
            join_pu(today + timedelta(hours=23, minutes=59)),
            join_pu(today - timedelta(seconds=1)),  # yesterday, last second
            join_pu(today - timedelta(days=2)),  # first day of a 3-day window
            join_pu(today - timedelta(days=2, seconds=1)),  # just outside it
            join_pu(today + timedelta(days=1)),  # tomorrow: not on the timeline
            None,  # no timestamp
        ],
    )
    body = get(client, user, "/v1/me/timeline", days=3).json()
    dates = [(today - timedelta(days=n)).date().isoformat() for n in (2, 1, 0)]
    assert body == {
        "days": 3,
        "buckets": [
            {"date": dates[0], "count": 1},
            {"date": dates[1], "count": 1},
            {"date": dates[2], "count": 2},
        ],
    }
    default = get(client, user, "/v1/me/timeline").json()
    assert default["days"] == 30
    assert len(default["buckets"]) == 30
    assert default["buckets"][-1] == {"date": dates[2], "count": 2}
    assert sum(b["count"] for b in default["buckets"]) == 5
    assert len(get(client, user, "/v1/me/timeline", days=366).json()["buckets"]) == 366
    assert len(get(client, user, "/v1/me/timeline", days=1).json()["buckets"]) == 1


@pytest.mark.parametrize("days", [0, 367, -5])
def test_timeline_days_out_of_range_is_400_invalid_days(
    client: TestClient, make_user: MakeUser, days: int
) -> None:
    user = make_user("Daily")
    assert error(get(client, user, "/v1/me/timeline", days=days)) == (400, "invalid_days")


def test_timeline_days_that_is_not_a_number_is_422(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Daily")
    assert error(get(client, user, "/v1/me/timeline", days="week")) == (422, "invalid_request")


# -- /v1/me/sessions -------------------------------------------------------------------------
def test_sessions_run_from_each_launch_to_its_quit_newest_first(
    client: TestClient, make_user: MakeUser, now: datetime
) -> None:
    user = make_user("Launcher")
    t0 = now.replace(microsecond=0) - timedelta(days=2)
    t1 = t0 + timedelta(days=1)
    ingest(
        client,
        user,
        [
            started(t0, "4.1.148.71954"),
            join_pu(t0 + timedelta(minutes=2)),
            spawned(t0 + timedelta(minutes=20)),
            ended(t0 + timedelta(minutes=25), "system_quit"),
            ended(t0 + timedelta(minutes=25, seconds=1), "fast_shutdown"),
            # The next launch crashed: no session_end.
            started(t1, "4.7.170.1"),
            join_pu(t1 + timedelta(minutes=5)),
            spawned(t1 + timedelta(minutes=10)),
        ],
    )
    sessions = get(client, user, "/v1/me/sessions").json()["sessions"]
    for session in sessions:
        session["start_at"] = datetime.fromisoformat(session["start_at"])
        session["end_at"] = datetime.fromisoformat(session["end_at"])
    assert sessions == [
        {
            "start_at": t1,
            "end_at": t1 + timedelta(minutes=10),
            "duration_seconds": 600,
            "event_count": 3,
            "game_version": "4.7.170.1",
            "shard": "pub_euw1b_9",
            "ships": [],
        },
        {
            "start_at": t0,
            "end_at": t0 + timedelta(minutes=25, seconds=1),
            "duration_seconds": 25 * 60 + 1,
            "event_count": 5,
            "game_version": "4.1.148.71954",
            "shard": "pub_euw1b_9",
            "ships": [],
        },
    ]


def test_without_launch_markers_sessions_split_at_gaps_over_30_minutes_and_after_a_quit(
    client: TestClient, make_user: MakeUser, now: datetime
) -> None:
    user = make_user("Gappy")
    t = now.replace(microsecond=0) - timedelta(days=1)
    ingest(
        client,
        user,
        [
            join_pu(t),
            spawned(t + timedelta(minutes=20)),
            spawned(t + timedelta(minutes=50)),  # 30 minutes exactly: same session
            spawned(t + timedelta(minutes=81)),  # 31 minutes: a new one
            ended(t + timedelta(minutes=90)),
            join_pu(t + timedelta(minutes=95)),  # after a quit: a new one
            None,  # no timestamp: in no session
        ],
    )
    sessions = get(client, user, "/v1/me/sessions").json()["sessions"]
    assert [(s["event_count"], s["duration_seconds"], s["game_version"]) for s in sessions] == [
        (1, 0, None),
        (2, 9 * 60, None),
        (3, 50 * 60, None),
    ]


def test_sessions_limit_and_offset_page_through_newest_first(
    client: TestClient, make_user: MakeUser, now: datetime
) -> None:
    user = make_user("Many")
    t = now.replace(microsecond=0) - timedelta(days=10)
    launches = [t + timedelta(hours=2 * n) for n in range(5)]
    ingest(
        client,
        user,
        [e for at in launches for e in (started(at), spawned(at + timedelta(minutes=1)))],
    )
    everything = get(client, user, "/v1/me/sessions").json()["sessions"]
    assert len(everything) == 5
    starts = [s["start_at"] for s in everything]
    assert starts == sorted(starts, reverse=True)
    middle = get(client, user, "/v1/me/sessions", limit=2, offset=1).json()["sessions"]
    assert middle == everything[1:3]
    assert get(client, user, "/v1/me/sessions", offset=5).json()["sessions"] == []
    assert error(get(client, user, "/v1/me/sessions", limit=0)) == (422, "invalid_request")


# -- scoping and tokens -------------------------------------------------------------------------
def test_a_player_never_sees_another_players_events(
    client: TestClient, make_user: MakeUser, now: datetime
) -> None:
    alice, bob = make_user("Alice"), make_user("Bob")
    ingest(client, alice, [join_pu(now, shard="alice_shard"), started(now)])
    ingest(client, bob, [spawned(now)])
    bob_events = page(client, bob)["events"]
    assert [e["event_type"] for e in bob_events] == ["player_spawned"]
    assert page(client, bob, after_seq=0)["events"] == bob_events
    assert get(client, bob, "/v1/me/summary").json()["total"] == 1
    assert sum(b["count"] for b in get(client, bob, "/v1/me/timeline").json()["buckets"]) == 1
    (session,) = get(client, bob, "/v1/me/sessions").json()["sessions"]
    assert session["event_count"] == 1
    assert get(client, alice, "/v1/me/summary").json()["total"] == 2


def test_reads_need_a_token(client: TestClient) -> None:
    for path in ("/v1/me/events", "/v1/me/summary", "/v1/me/timeline", "/v1/me/sessions"):
        assert error(client.get(path)) == (401, "unauthorized")


def test_a_device_token_reads_its_owners_events(
    client: TestClient, make_user: MakeUser, now: datetime
) -> None:
    import uuid

    import sqlalchemy as sa

    from starstats_server.db.tables import devices

    user = make_user("Paired")
    ingest(client, user, [spawned(now)])
    state = client.app.state.starstats  # type: ignore[attr-defined]
    device_id = uuid.uuid4()

    async def _insert() -> None:
        async with state.engine.begin() as conn:
            await conn.execute(
                sa.insert(devices).values(
                    id=device_id, user_id=user.id, label="PC", created_at=state.clock.now()
                )
            )

    client.portal.call(_insert)  # type: ignore[union-attr]
    token, _ = state.tokens.mint(user.id, user.handle, state.clock.now(), device_id=device_id)
    response = client.get("/v1/me/summary", headers={"Authorization": f"Bearer {token}"})
    assert response.json()["total"] == 1
