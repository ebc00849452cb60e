"""GET /v1/me/stats, /v1/me/timeline/types and the shard and ships of /v1/me/sessions, on
both backends: hand-counted figures for a 4.1 launch (kills logged) and a 4.7 launch
(deaths inferred), "not logged" kills, zero-filled days, top types and `other`, scoping."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from starstats_core.events import event_to_dict
from starstats_core.events.base import BaseEvent
from starstats_core.events.combat import ActorDeath
from starstats_core.events.header import SessionStarted
from starstats_core.events.hud import PlayerIncapacitated
from starstats_core.events.session import JoinPu, PlayerSpawned, SessionEnd
from starstats_core.events.travel import (
    LocationInventoryRequested,
    QuantumTargetSelected,
    VehicleControl,
)
from starstats_server.clock import ManualClock

MakeUser = Callable[..., Any]
_keys = iter(range(10**9))


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def ingest(client: TestClient, user: Any, items: list[BaseEvent | None]) -> None:
    envelopes = [
        {
            "idempotency_key": f"s-{next(_keys)}",
            "raw_line": "x",
            "event": None if item is None else event_to_dict(item),
            "source": "live",
            "source_offset": 0,
        }
        for item in items
    ]
    body = {
        "schema_version": 2,
        "batch_id": "b",
        "claimed_handle": user.handle,
        "events": envelopes,
    }
    response = client.post("/v1/ingest", json=body, headers=user.headers)
    assert response.json()["accepted"] == len(items), response.text


def death(at: datetime, victim: str, killer: str, damage: str = "Bullet") -> ActorDeath:
    return ActorDeath(
        timestamp=_iso(at), victim=victim, zone="OOC_Stanton_2b_Daymar", killer=killer,
        weapon="behr_rifle_ballistic_01_123", damage_type=damage,
    )  # fmt: skip


def pilot(at: datetime, ship: str, action: str = "entered") -> VehicleControl:
    return VehicleControl(timestamp=_iso(at), action=action, vehicle_class=ship, vehicle_id="42")  # type: ignore[arg-type]


def opened(at: datetime, place: str) -> LocationInventoryRequested:
    return LocationInventoryRequested(timestamp=_iso(at), player="Ace", location=place)


def joined(at: datetime, shard: str) -> JoinPu:
    return JoinPu(timestamp=_iso(at), address="10.0.0.1", port=64300, shard=shard, location_id="1")


def quit_(at: datetime) -> list[BaseEvent]:
    return [
        SessionEnd(timestamp=_iso(at), kind="system_quit"),
        SessionEnd(timestamp=_iso(at + timedelta(seconds=1)), kind="fast_shutdown"),
    ]


@pytest.fixture
def day0(clock: ManualClock) -> datetime:
    """Midnight UTC two days ago: both launches below fall inside any timeline window."""
    today = clock.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=2)


def two_launches(day0: datetime) -> list[BaseEvent | None]:
    legacy = day0 + timedelta(hours=20)  # 4.1: kills logged
    modern = day0 + timedelta(days=1, hours=21)  # 4.7: deaths inferred
    return [
        SessionStarted(timestamp=_iso(legacy), file_version="4.1.147.53417", channel="LIVE"),
        joined(legacy + timedelta(minutes=1), "pub_euw1b_1"),
        pilot(legacy + timedelta(minutes=2), "ANVL_Hornet_F7CM_Mk2"),
        death(legacy + timedelta(minutes=3), "PU_Human-NineTails-Grunt_7", "Ace"),  # kill
        death(legacy + timedelta(minutes=4), "Rival_1", "Ace"),  # kill
        death(legacy + timedelta(minutes=5), "Ace", "Rival_1"),  # death
        death(legacy + timedelta(minutes=6), "Ace", "Ace", "Suicide"),  # death (suicide)
        death(legacy + timedelta(minutes=7), "Ace", "unknown", "Crash"),  # death (crash)
        death(legacy + timedelta(minutes=8), "Someone", "Other"),  # not about Ace
        opened(legacy + timedelta(minutes=9), "Stanton2_Orison"),
        opened(legacy + timedelta(minutes=10), "INVALID_LOCATION_ID"),  # not a place
        *quit_(legacy + timedelta(minutes=40)),
        SessionStarted(timestamp=_iso(modern), file_version="4.7.178.50402", channel="LIVE"),
        joined(modern + timedelta(minutes=1), "pub_use1a_2"),
        pilot(modern + timedelta(minutes=2), "ANVL_Hornet_F7CM_Mk2"),
        QuantumTargetSelected(
            timestamp=_iso(modern + timedelta(minutes=3)),
            phase="selected",
            vehicle_class="CRUS_Starfighter_Ion",
            vehicle_id="7",
            destination="Crusader",
        ),
        PlayerIncapacitated(timestamp=_iso(modern + timedelta(minutes=4)), queue_id=89),
        PlayerIncapacitated(timestamp=_iso(modern + timedelta(minutes=50)), queue_id=90),
        opened(modern + timedelta(minutes=51), "Stanton2_Orison"),
        opened(modern + timedelta(minutes=52), "Stanton4_NewBabbage"),
        PlayerSpawned(timestamp=_iso(modern + timedelta(minutes=60))),
        None,  # no timestamp: counted, but in no day and no session
    ]


def test_stats_of_a_legacy_and_a_modern_launch_are_counted_by_hand(
    client: TestClient, make_user: MakeUser, day0: datetime
) -> None:
    user = make_user("Ace")
    ingest(client, user, two_launches(day0))
    stats = client.get("/v1/me/stats", headers=user.headers).json()
    legacy = day0 + timedelta(hours=20)
    modern = day0 + timedelta(days=1, hours=21)
    assert datetime.fromisoformat(stats.pop("first_event_at")) == legacy
    assert datetime.fromisoformat(stats.pop("last_event_at")) == modern + timedelta(minutes=60)
    assert stats == {
        "total_events": 23,
        # The legacy launch: 40 min 1 s up to its fast_shutdown. The modern one: 60 min,
        # though 46 quiet minutes split it in two (at the second incapacitation).
        "sessions": 3,
        "play_time_seconds": 40 * 60 + 1 + 4 * 60 + 10 * 60,
        "active_days": 2,
        "deaths": 3 + 2,
        "deaths_inferred": 2,
        "kills": 2,
        "kills_logged": True,
        "ships_flown": 2,
        "locations_visited": 2,
        "shards_joined": 2,
    }


def test_kills_are_null_when_no_log_carries_kill_lines(
    client: TestClient, make_user: MakeUser, day0: datetime
) -> None:
    user = make_user("Modern")
    at = day0 + timedelta(hours=3)
    ingest(
        client,
        user,
        [
            SessionStarted(timestamp=_iso(at), file_version="4.7.178.50402"),
            PlayerIncapacitated(timestamp=_iso(at + timedelta(minutes=5)), queue_id=1),
        ],
    )
    stats = client.get("/v1/me/stats", headers=user.headers).json()
    assert (stats["kills"], stats["kills_logged"]) == (None, False)
    assert (stats["deaths"], stats["deaths_inferred"]) == (1, 1)


def test_a_launch_of_a_version_that_logs_kills_reports_zero_not_null(
    client: TestClient, make_user: MakeUser, day0: datetime
) -> None:
    user = make_user("Peaceful")
    ingest(client, user, [SessionStarted(timestamp=_iso(day0), file_version="4.3.158.1")])
    stats = client.get("/v1/me/stats", headers=user.headers).json()
    assert (stats["kills"], stats["kills_logged"], stats["deaths"]) == (0, True, 0)


def test_stats_of_a_player_without_events(client: TestClient, make_user: MakeUser) -> None:
    user = make_user("Fresh")
    assert client.get("/v1/me/stats", headers=user.headers).json() == {
        "total_events": 0,
        "sessions": 0,
        "play_time_seconds": 0,
        "active_days": 0,
        "deaths": 0,
        "deaths_inferred": 0,
        "kills": None,
        "kills_logged": False,
        "ships_flown": 0,
        "locations_visited": 0,
        "shards_joined": 0,
        "first_event_at": None,
        "last_event_at": None,
    }


def test_sessions_list_the_first_shard_and_the_ships_in_order_of_first_use(
    client: TestClient, make_user: MakeUser, day0: datetime
) -> None:
    user = make_user("Ace")
    ingest(client, user, two_launches(day0))
    sessions = client.get("/v1/me/sessions", headers=user.headers).json()["sessions"]
    assert [(s["shard"], s["ships"], s["event_count"]) for s in sessions] == [
        (None, [], 4),  # after the 46-minute gap: incapacitated, two inventories, spawn
        ("pub_use1a_2", ["ANVL_Hornet_F7CM_Mk2", "CRUS_Starfighter_Ion"], 5),
        ("pub_euw1b_1", ["ANVL_Hornet_F7CM_Mk2"], 13),
    ]
    stats = client.get("/v1/me/stats", headers=user.headers).json()
    assert stats["sessions"] == len(sessions)
    assert stats["play_time_seconds"] == sum(s["duration_seconds"] for s in sessions)


def test_a_second_shard_in_a_session_keeps_the_first(
    client: TestClient, make_user: MakeUser, day0: datetime
) -> None:
    user = make_user("Hopper")
    ingest(
        client,
        user,
        [
            joined(day0, "pub_first"),
            pilot(day0 + timedelta(minutes=1), "RSI_Aurora_MR"),
            joined(day0 + timedelta(minutes=2), "pub_second"),
            pilot(day0 + timedelta(minutes=3), "AEGS_Gladius", action="left"),
            pilot(day0 + timedelta(minutes=4), "RSI_Aurora_MR"),
        ],
    )
    (session,) = client.get("/v1/me/sessions", headers=user.headers).json()["sessions"]
    assert session["shard"] == "pub_first"
    assert session["ships"] == ["RSI_Aurora_MR", "AEGS_Gladius"]


# -- /v1/me/timeline/types ---------------------------------------------------------------------
def test_timeline_by_type_lists_the_top_types_and_folds_the_rest_into_other(
    client: TestClient, make_user: MakeUser, day0: datetime
) -> None:
    user = make_user("Ace")
    ingest(client, user, two_launches(day0))
    body = client.get("/v1/me/timeline/types", params={"days": 4, "top": 2}, headers=user.headers)
    assert body.status_code == 200
    timeline = body.json()
    # Window counts: actor_death 6, location_inventory_requested 4, then 2 each.
    assert timeline["types"] == ["actor_death", "location_inventory_requested"]
    dates = [(day0 + timedelta(days=n)).date().isoformat() for n in (-1, 0, 1, 2)]
    assert timeline["days"] == 4
    assert timeline["buckets"] == [
        {"date": dates[0], "total": 0, "by_type": [], "other": 0},
        {
            "date": dates[1],
            "total": 13,
            "by_type": [
                {"event_type": "actor_death", "count": 6},
                {"event_type": "location_inventory_requested", "count": 2},
            ],
            "other": 5,
        },
        {
            "date": dates[2],
            "total": 9,
            "by_type": [{"event_type": "location_inventory_requested", "count": 2}],
            "other": 7,
        },
        {"date": dates[3], "total": 0, "by_type": [], "other": 0},
    ]
    # The totals are the plain timeline's counts.
    plain = client.get("/v1/me/timeline", params={"days": 4}, headers=user.headers).json()
    assert [b["count"] for b in plain["buckets"]] == [b["total"] for b in timeline["buckets"]]
    # By default up to 8 types.
    default = client.get("/v1/me/timeline/types", headers=user.headers).json()
    assert default["days"] == 30
    assert len(default["types"]) == 8
    assert len(default["buckets"]) == 30


def test_timeline_by_type_of_a_player_without_events_is_all_zero(
    client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("Fresh")
    body = client.get("/v1/me/timeline/types", params={"days": 7}, headers=user.headers).json()
    assert body["types"] == []
    assert [(b["total"], b["by_type"], b["other"]) for b in body["buckets"]] == [(0, [], 0)] * 7


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"days": 0}, 400, "invalid_days"),
        ({"days": 367}, 400, "invalid_days"),
        ({"days": "week"}, 422, "invalid_request"),
        ({"top": 0}, 422, "invalid_request"),
        ({"top": 65}, 422, "invalid_request"),
        ({"colour": "red"}, 422, "invalid_request"),
    ],
)
def test_timeline_by_type_validates_its_parameters(
    client: TestClient, make_user: MakeUser, params: dict[str, Any], status: int, code: str
) -> None:
    user = make_user("Strict")
    response = client.get("/v1/me/timeline/types", params=params, headers=user.headers)
    assert (response.status_code, response.json()["error"]) == (status, code)


def test_stats_are_scoped_to_the_caller_and_need_a_token(
    client: TestClient, make_user: MakeUser, day0: datetime
) -> None:
    ace, other = make_user("Ace"), make_user("Other")
    ingest(client, ace, two_launches(day0))
    ingest(client, other, [PlayerSpawned(timestamp=_iso(day0))])
    stats = client.get("/v1/me/stats", headers=other.headers).json()
    assert (stats["total_events"], stats["sessions"], stats["ships_flown"]) == (1, 1, 0)
    types = client.get("/v1/me/timeline/types", headers=other.headers).json()
    assert types["types"] == ["player_spawned"]
    for path in ("/v1/me/stats", "/v1/me/timeline/types"):
        assert client.get(path).status_code == 401


# -- reads that page through a long history ----------------------------------------------------
def test_sessions_longer_than_a_page_are_read_across_pages(
    client: TestClient, make_user: MakeUser, day0: datetime, db_url: str
) -> None:
    """2,600 events in the newest session (three at each instant, so a page boundary falls
    between events with the same timestamp) and 100 in the one before."""
    from .recount import reference_sessions, stored_and_recounted

    user = make_user("Marathon")
    older = [PlayerSpawned(timestamp=_iso(day0 + timedelta(seconds=n))) for n in range(100)]
    start = day0 + timedelta(hours=3)
    newer: list[BaseEvent | None] = [joined(start, "pub_long_1")]
    newer += [pilot(start + timedelta(seconds=n // 3), f"SHIP_{n % 4}") for n in range(2599)]
    ingest(client, user, older)
    for part in range(0, len(newer), 1000):
        ingest(client, user, newer[part : part + 1000])
    _, _, rows = stored_and_recounted(db_url, user.handle)
    expected = reference_sessions(rows)
    got = client.get("/v1/me/sessions", params={"limit": 1}, headers=user.headers).json()
    (newest,) = got["sessions"]
    assert newest["event_count"] == expected[0].event_count == 2600
    assert datetime.fromisoformat(newest["start_at"]) == expected[0].start_at == start
    assert newest["shard"] == "pub_long_1"
    assert newest["ships"] == ["SHIP_0", "SHIP_1", "SHIP_2", "SHIP_3"]
    second = client.get("/v1/me/sessions", params={"limit": 1, "offset": 1}, headers=user.headers)
    assert [s["event_count"] for s in second.json()["sessions"]] == [100]


def test_event_pages_with_a_time_window_are_the_same_whichever_way_they_are_read(
    client: TestClient, make_user: MakeUser, clock: ManualClock
) -> None:
    """A window far back (fewer events than after it: read by time, sorted by seq) and a
    wide one (walked by seq) both give exactly the filtered events, newest first."""
    user = make_user("Archivist")
    now = clock.now().astimezone(UTC).replace(microsecond=0)
    # Out of order on purpose: seq does not follow time.
    stamps = [now - timedelta(days=(n * 7) % 40, minutes=n) for n in range(400)]
    ingest(client, user, [PlayerSpawned(timestamp=_iso(at)) for at in stamps])
    for since, until in [
        (now - timedelta(days=35), now - timedelta(days=34)),  # far back, narrow
        (now - timedelta(days=39), now - timedelta(days=1)),  # wide
    ]:
        expected = [
            seq for seq, at in sorted(enumerate(stamps, 1), reverse=True) if since <= at < until
        ]
        seen: list[int] = []
        params: dict[str, Any] = {"since": _iso(since), "until": _iso(until), "limit": 7}
        while True:
            page = client.get("/v1/me/events", params=params, headers=user.headers).json()
            seen += [e["seq"] for e in page["events"]]
            if page["next_before"] is None:
                break
            params["before_seq"] = page["next_before"]
        assert seen == expected
        assert expected
