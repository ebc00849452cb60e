"""The journey fold on hand-written events: each fact kind from the lines that make it, the
paired lines that make one fact, and the properties every caller relies on (chunking does
not matter, two players' folds do not interfere)."""

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starstats_core.events import event_from_dict
from starstats_core.events.base import BaseEvent
from starstats_core.journey import (
    Contract,
    JourneyFold,
    Session,
    journey_document,
    order_key,
    session_totals,
    state,
)
from starstats_core.parser import LogParser
from starstats_core.synth import Era, synthesize_log

ME = "Pilot_One"


def ev(type_: str, at: str, **fields: Any) -> BaseEvent:
    """An event of type `type_` at `2026-05-02T{at}Z`."""
    return event_from_dict({"type": type_, "timestamp": f"2026-05-02T{at}Z", **fields})


def fold(events: Sequence[BaseEvent], handle: str | None = ME) -> dict[str, Any]:
    journey = JourneyFold(handle)
    facts = journey.feed((e, f"ref{i}") for i, e in enumerate(events))
    facts += journey.finish()
    return journey_document(journey.player(), facts)


HEADER = ev("session_started", "20:00:00.000", file_version="4.7.178.50402", channel="LIVE")
JOIN = ev(
    "join_pu",
    "20:01:00.000",
    address="1.2.3.4",
    port=64300,
    shard="pub_euw1b_1_090",
    location_id="1",
)
QUIT = ev("session_end", "21:00:00.000", kind="system_quit", reason="User closed the application")
SHUTDOWN = ev("session_end", "21:00:00.200", kind="fast_shutdown")


def test_one_launch_is_one_session_and_two_quit_lines_are_one_quit() -> None:
    doc = fold([HEADER, JOIN, QUIT, SHUTDOWN])
    assert len(doc["sessions"]) == 1
    session = doc["sessions"][0]
    assert session["end"] == "quit"
    assert session["ended_at"] == "2026-05-02T21:00:00.000Z"
    assert session["seconds"] == 3600.0
    # PU from the join to the quit: 59 minutes; the first minute was menus.
    assert session["pu_seconds"] == 3540.0
    assert session["menu_seconds"] == 60.0
    assert session["game_version"] == "4.7.178"
    assert doc["totals"]["sessions"] == 1


def test_a_log_that_stops_without_a_quit_is_closed_at_its_last_line() -> None:
    last = ev("player_spawned", "20:30:00.000")
    doc = fold([HEADER, JOIN, last])
    session = doc["sessions"][0]
    assert (session["end"], session["ended_at"]) == ("unclosed", "2026-05-02T20:30:00.000Z")
    assert session["stretches"][0]["end"] == "unclosed"


def test_a_new_header_or_an_event_after_the_quit_starts_a_new_session() -> None:
    second = ev("session_started", "22:00:00.000", file_version="4.8.1.1")
    doc = fold([HEADER, JOIN, QUIT, SHUTDOWN, second, ev("player_spawned", "22:01:00.000")])
    assert [s["game_version"] for s in doc["sessions"]] == ["4.7.178", "4.8.1"]
    doc = fold([HEADER, QUIT, SHUTDOWN, ev("player_spawned", "21:05:00.000")])
    assert len(doc["sessions"]) == 2


def _quantum(target: str, arrive: str, destination: str = "RR_HUR_LEO") -> list[BaseEvent]:
    ship = {"vehicle_class": "DRAK_Cutlass_Black", "vehicle_id": "1234567890123"}
    return [
        ev("quantum_target_selected", target, phase="selected", destination=destination, **ship),
        ev("quantum_arrived", arrive, **ship),
    ]


def test_a_quantum_leg_runs_from_the_target_to_the_arrival_and_places_the_player() -> None:
    control = ev(
        "vehicle_control",
        "20:05:00.000",
        action="entered",
        vehicle_class="DRAK_Cutlass_Black",
        vehicle_id="1234567890123",
    )
    doc = fold([HEADER, JOIN, control, *_quantum("20:10:00.000", "20:11:30.000"), QUIT])
    (leg,) = doc["legs"]
    assert (leg["status"], leg["seconds"], leg["vehicle"]) == (
        "arrived",
        90.0,
        "DRAK_Cutlass_Black",
    )
    assert leg["destination_raw"] == "RR_HUR_LEO"
    assert doc["totals"]["quantum_legs"] == 1
    # The arrival is a stop, placed by the arrival; the stint counted the leg.
    stops = doc["sessions"][0]["stops"]
    assert [s["arrived_by"] for s in stops] == ["quantum_arrival"]
    assert stops[0]["started_at"] == "2026-05-02T20:11:30.000Z"
    (ship,) = doc["ships"]
    assert (ship["ship"], ship["stints"], ship["legs"]) == ("DRAK_Cutlass_Black", 1, 1)
    # At the controls from 20:05 until the session closed them at the quit.
    assert ship["seconds"] == 3300.0


def test_a_target_selection_alone_is_not_a_jump() -> None:
    ship = {"vehicle_class": "DRAK_Cutlass_Black", "vehicle_id": "1234567890123"}
    picks = [
        ev(
            "quantum_target_selected",
            f"20:1{i}:00.000",
            phase="selected",
            destination=place,
            **ship,
        )
        for i, place in enumerate(("RR_HUR_LEO", "RR_CRU_LEO", "RR_ARC_LEO"))
    ]
    doc = fold([HEADER, JOIN, *picks, QUIT])
    assert doc["totals"]["quantum_legs"] == 0
    assert doc["legs"] == []


def test_an_incapacitation_then_the_item_recovery_is_one_death() -> None:
    events = [
        HEADER,
        JOIN,
        ev("player_spawned", "20:02:00.000"),
        ev("player_incapacitated", "20:20:00.000", queue_id=89),
        ev("player_death", "20:20:30.000", body_class="body_01_noMagicPocket", body_id="9"),
        QUIT,
    ]
    doc = fold(events)
    assert doc["totals"]["deaths"] == 1
    (death,) = doc["deaths"]
    assert death["cause"] == "incapacitation"
    assert death["evidence"] == ["ref3", "ref4"]
    lives = doc["lives"]
    assert [life["end"] for life in lives] == ["death"]
    assert lives[0]["seconds"] == 1080.0
    # 4.7 writes no kill lines: kills are unknown, not zero.
    assert doc["totals"]["kills"] is None


def test_an_incapacitation_with_no_death_signal_in_the_window_was_a_revive() -> None:
    events = [
        HEADER,
        JOIN,
        ev("player_spawned", "20:02:00.000"),
        ev("player_incapacitated", "20:20:00.000", queue_id=89),
        ev("fleet_size", "20:40:00.000", entitlement_count=3, player_geid="1"),
        QUIT,
    ]
    doc = fold(events)
    assert doc["totals"]["deaths"] == 0
    assert doc["lives"][0]["revived"] == 1


def _actor_death(at: str, victim: str, killer: str, damage: str = "Bullet") -> BaseEvent:
    return ev(
        "actor_death",
        at,
        victim=victim,
        zone="rs_int_p2l4",
        killer=killer,
        weapon="behr_rifle_ballistic_02_2741024526900",
        damage_type=damage,
    )


def test_legacy_kills_and_deaths_come_from_actor_death_lines() -> None:
    legacy = ev("session_started", "20:00:00.000", file_version="4.1.147.53417")
    events = [
        legacy,
        JOIN,
        ev("player_spawned", "20:02:00.000"),
        _actor_death("20:10:00.000", "Someone_Else", ME),
        _actor_death("20:11:00.000", ME, ME, "Suicide"),
        # The corpse item-recovery line repeats the death in 4.1: not a second death.
        ev("player_death", "20:11:30.000", body_class="body_01_noMagicPocket", body_id="9"),
        _actor_death("20:20:00.000", ME, "Enemy_Ace"),
        QUIT,
    ]
    doc = fold(events)
    totals = doc["totals"]
    assert (totals["kills"], totals["deaths"]) == (1, 2)
    assert [d["cause"] for d in doc["deaths"]] == ["backspace", "combat"]
    assert doc["deaths"][1]["killer"] == "Enemy_Ace"
    assert doc["kills"][0]["victim"] == "Someone_Else"


def test_mission_end_and_mission_ended_are_one_outcome() -> None:
    mission = "3af45943-4580-483c-9f6c-1d7006eb5e66"
    events = [
        HEADER,
        ev(
            "hud_notification",
            "20:10:00.000",
            text="Contract Accepted:  Small Cargo Haul : ",
            notification_id=4,
            mission_id=mission,
            category="contract_accepted",
        ),
        ev(
            "objective_upserted",
            "20:10:01.000",
            mission_id=mission,
            objective_id="pickup_1",
            state="inprogress",
            created=True,
        ),
        ev(
            "objective_upserted",
            "20:30:00.000",
            mission_id=mission,
            objective_id="pickup_1",
            state="completed",
            created=False,
        ),
        ev(
            "mission_end",
            "20:40:00.000",
            mission_id=mission,
            outcome="Complete",
            reason="Mission Ended",
            player=ME,
        ),
        ev("mission_ended", "20:40:00.100", mission_id=mission, state="completed"),
        QUIT,
    ]
    doc = fold(events)
    (run,) = doc["contracts"]
    assert (run["outcome"], run["outcome_by"]) == ("completed", "end_mission")
    assert (run["title"], run["contract_kind"], run["seconds"]) == (
        "Small Cargo Haul",
        "hauling",
        1800.0,
    )
    assert [o["state"] for o in run["objectives"]] == ["completed"]
    assert doc["totals"]["contracts_completed"] == 1


def test_item_requests_pair_with_their_answer_and_commodity_orders_are_submitted() -> None:
    buy = ev(
        "shop_buy_request",
        "20:10:00.000",
        shop_id="7",
        shop_name="SCShop_CenterMass",
        item_class="behr_rifle_ballistic_01",
        price=810.0,
        quantity=1,
        raw="x",
    )
    answer = ev(
        "shop_flow_response", "20:10:01.000", shop_id="7", success=True, kind="Buying", raw="y"
    )
    refused = ev(
        "shop_buy_request",
        "20:12:00.000",
        shop_id="7",
        item_class="x_item",
        price=99.0,
        quantity=1,
        raw="z",
    )
    no = ev(
        "shop_flow_response", "20:12:01.000", shop_id="7", success=False, kind="Buying", raw="w"
    )
    sell = ev(
        "commodity_sell_request",
        "20:20:00.000",
        shop_name="SCShop_Admin_lt_base_g",
        commodity="ResourceType.Waste",
        quantity=224.0,
        quantity_unit="SCU",
        price=793520.0,
        raw="v",
    )
    doc = fold([HEADER, JOIN, buy, answer, refused, no, sell, QUIT])
    assert [t["status"] for t in doc["trades"]] == ["confirmed", "rejected", "submitted"]
    totals = doc["totals"]
    assert (totals["trade_spent"], totals["trade_earned"]) == (810.0, 793520.0)
    assert doc["trades"][2]["unit_price"] == 3542.5
    assert doc["records"]["biggest_sale"]["value"] == 793520.0


# -- properties ------------------------------------------------------------------------------
def _synth_events(era: Era, seed: int) -> list[tuple[BaseEvent, str]]:
    text = "".join(synthesize_log(seed=seed, sessions=3, era=era, lines_per_session=1500))
    parser = LogParser()
    parsed = parser.feed(text.encode()) + parser.finish()
    parsed.sort(key=lambda p: order_key(p.event.timestamp, p.offset))
    return [(p.event, str(p.offset)) for p in parsed]


STREAMS = {era: _synth_events(era, 7) for era in Era}


def _dicts(facts: Iterable[Any]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in facts]


def _fold_in_chunks(items: list[tuple[BaseEvent, str]], cuts: list[int]) -> list[dict[str, Any]]:
    journey = JourneyFold("Synth_Pilot")
    out = []
    start = 0
    for cut in [*sorted(cuts), len(items)]:
        out += _dicts(journey.feed(items[start:cut]))
        start = max(start, cut)
    return out + _dicts(journey.finish())


@pytest.mark.parametrize("era", list(Era))
def test_the_synthetic_sessions_yield_every_main_kind_of_fact(era: Era) -> None:
    kinds = {f["kind"] for f in _fold_in_chunks(STREAMS[era], [])}
    assert {"session", "stop", "life"} <= kinds


@settings(max_examples=40, deadline=None)
@given(era=st.sampled_from(list(Era)), cuts=st.lists(st.integers(0, 3000), max_size=12))
def test_chunking_never_changes_the_facts(era: Era, cuts: list[int]) -> None:
    items = STREAMS[era]
    assert _fold_in_chunks(items, cuts) == _fold_in_chunks(items, [])


def test_two_players_folded_interleaved_equal_each_folded_alone() -> None:
    a, b = STREAMS[Era.LEGACY_4_1], STREAMS[Era.MODERN_4_7]
    alone_a, alone_b = _fold_in_chunks(a, []), _fold_in_chunks(b, [])
    fa, fb = JourneyFold("Synth_Pilot"), JourneyFold("Synth_Pilot")
    out_a: list[dict[str, Any]] = []
    out_b: list[dict[str, Any]] = []
    for start in range(0, max(len(a), len(b)), 97):
        out_a += _dicts(fa.feed(a[start : start + 97]))
        out_b += _dicts(fb.feed(b[start : start + 97]))
    assert out_a + _dicts(fa.finish()) == alone_a
    assert out_b + _dicts(fb.finish()) == alone_b


def test_open_facts_are_shown_without_being_closed() -> None:
    journey = JourneyFold(ME)
    journey.feed([(HEADER, "h"), (JOIN, "j"), (ev("player_spawned", "20:02:00.000"), "s")])
    kinds = sorted(f.KIND for f in journey.open_facts())
    assert kinds == ["life", "session"]
    (session,) = (f for f in journey.open_facts() if f.KIND == "session")
    # Times run to the last event: 20:01 join to 20:02 spawn is one minute in the PU.
    assert isinstance(session, Session)
    assert (session.seconds, session.pu_seconds, session.totals["pu_seconds"]) == (
        120.0,
        60.0,
        60.0,
    )
    assert all(f.ended_at is None for f in journey.open_facts() if f.KIND != "session")
    # Looking did not close anything: finishing still closes them once.
    assert sorted(f.KIND for f in journey.finish()) == ["life", "session"]


@settings(max_examples=40, deadline=None)
@given(era=st.sampled_from(list(Era)), cuts=st.lists(st.integers(0, 3000), max_size=6))
def test_a_fold_dumped_and_loaded_between_chunks_gives_the_same_facts(
    era: Era, cuts: list[int]
) -> None:
    items = STREAMS[era]
    journey = JourneyFold("Synth_Pilot")
    out: list[dict[str, Any]] = []
    start = 0
    for cut in [*sorted(cuts), len(items)]:
        out += _dicts(journey.feed(items[start:cut]))
        start = max(start, cut)
        # Through JSON text, as a server keeps it between two batches.
        journey = state.load(json.loads(json.dumps(state.dump(journey))))
    assert out + _dicts(journey.finish()) == _fold_in_chunks(items, [])


@pytest.mark.parametrize("era", list(Era))
def test_session_totals_kept_while_folding_equal_totals_recounted_from_the_facts(era: Era) -> None:
    journey = JourneyFold("Synth_Pilot")
    facts = journey.feed(STREAMS[era]) + journey.finish()
    sessions = [f for f in facts if isinstance(f, Session)]
    assert sessions
    for session in sessions:
        mine = [f for f in facts if f.session_id == session.session_id]
        assert session.totals == session_totals(session, mine)


def test_a_state_of_another_version_is_refused() -> None:
    dumped = state.dump(JourneyFold(ME))
    with pytest.raises(ValueError, match="unknown version"):
        state.load({**dumped, "version": 999})
    with pytest.raises(ValueError, match="hold together"):
        state.load({"version": state.STATE_VERSION})


def test_an_offered_contract_is_not_a_run() -> None:
    offer = ev(
        "hud_notification", "20:10:00.000", text="Contract Available: Cargo Haul : ",
        notification_id=5, mission_id="3af45943-4580-483c-9f6c-1d7006eb5e66", category="other",
    )  # fmt: skip
    assert fold([HEADER, offer, QUIT])["contracts"] == []


def test_contracts_with_an_outcome_close_a_minute_after_their_own_end_one_by_one() -> None:
    first, second = "mission-first", "mission-second"

    def later(at: str) -> BaseEvent:  # any line: while a run settles, every line ticks
        return ev("fleet_size", at, entitlement_count=3, player_geid="1")

    events = [
        HEADER,
        ev("mission_ended", "20:40:00.000", mission_id=first, state="completed"),
        ev("mission_ended", "20:40:30.000", mission_id=second, state="failed"),
        later("20:41:00.000"),  # a minute after the first end, not more: both still settle
        later("20:41:00.001"),
        later("20:41:30.001"),
    ]
    closed: list[list[str]] = []
    journey = JourneyFold(ME)
    for i, event in enumerate(events):
        if i == 3:  # a load while both settle: the state keeps no tick bookkeeping
            journey = state.load(json.loads(json.dumps(state.dump(journey))))
        facts = journey.feed([(event, f"ref{i}")])
        closed.append([f.mission_id for f in facts if isinstance(f, Contract)])
    assert closed == [[], [], [], [], [first], [second]]
