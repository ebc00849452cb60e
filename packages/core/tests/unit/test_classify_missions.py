"""Missions rules: one positive and one near-miss line per variant, then the real corpus.

Lines copy the shapes of real corpus lines (mission-mate excerpt, StarStats-Platform test
lines) with made-up handles and ids; the `missionId[...] missionName[...]`, `outcome[...]`
and `CreateMissionObjectiveMarker(...)` lines are upstream's synthetic forms.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from starstats_core.events.missions import (
    MissionEnd,
    MissionEnded,
    MissionObjective,
    MissionStart,
    ObjectiveUpserted,
    TravelToContractLocation,
)

from .conftest import classify_line, corpus_counts, needle_kinds

TS = "2026-06-29T22:42:54.060Z"
MISSION = "11111111-aaaa-4bbb-8ccc-000000000001"
CONTRACT_DEF = "22222222-bbbb-4ccc-8ddd-000000000002"
ZERO = "00000000-0000-0000-0000-000000000000"


def marker_line(mission: str = MISSION, objective: str = "dropoff_aaaa_1") -> str:
    return (
        f"<{TS}> [Notice] <CLocalMissionPhaseMarker::CreateMarker> Creating objective marker: "
        f"missionId [{mission}], generator name [Covalex_Hauling], "
        "contract [HaulCargo_SingleToMulti2_RefinedOre_Aluminium_Stanton4_SmallGrade], "
        f"contractDefinitionId[{CONTRACT_DEF}], objectiveId [{objective}], "
        "markerEntityId [1280], zoneHostId [600000000001], "
        "position [x: -423347.340000, y: -141168.750000, z: -895144.870000] "
        "[Team_MissionFeatures][Missions]"
    )


# -- mission_start ---------------------------------------------------------------------------


def test_real_objective_marker_starts_a_mission_with_its_contract_and_objective() -> None:
    assert classify_line(marker_line()) == MissionStart(
        timestamp=TS,
        mission_id=MISSION,
        marker_kind="phase",
        mission_name=None,
        generator="Covalex_Hauling",
        contract="HaulCargo_SingleToMulti2_RefinedOre_Aluminium_Stanton4_SmallGrade",
        contract_definition_id=CONTRACT_DEF,
        objective_id="dropoff_aaaa_1",
    )


def test_each_of_a_contracts_same_timestamp_markers_is_its_own_event() -> None:
    # Dedupe by mission_id is the consumer's job; the classifier records every line.
    objectives = ("dropoff_aaaa_1", "dropoff_aaaa_0", "pickup_aaaa_0")
    events = [classify_line(marker_line(objective=o)) for o in objectives]
    assert [e.objective_id for e in events if isinstance(e, MissionStart)] == list(objectives)


def test_upstream_synthetic_phase_marker_gives_mission_name() -> None:
    line = (
        "<2026-05-07T12:00:00.000Z> [Notice] <CLocalMissionPhaseMarker::CreateMarker> "
        "missionId[ABC12345-0000-0000-0000-000000000001] missionName[Hauling Run] "
        "[Team_Missions]"
    )
    assert classify_line(line) == MissionStart(
        timestamp="2026-05-07T12:00:00.000Z",
        mission_id="ABC12345-0000-0000-0000-000000000001",
        marker_kind="phase",
        mission_name="Hauling Run",
    )


def test_unshelled_create_mission_objective_marker_call_is_an_objective_marker() -> None:
    line = (
        "<2026-05-07T12:01:00.000Z> [Notice] "
        "CreateMissionObjectiveMarker(11111111-2222-3333-4444-555555555555, deliver_to_lorville)"
    )
    assert classify_line(line) == MissionStart(
        timestamp="2026-05-07T12:01:00.000Z",
        mission_id="11111111-2222-3333-4444-555555555555",
        marker_kind="objective",
    )


def test_marker_with_the_zero_mission_guid_is_not_a_mission_start() -> None:
    assert classify_line(marker_line(mission=ZERO)) is None


def test_marker_line_without_a_mission_id_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <CLocalMissionPhaseMarker::CreateMarker> Creating objective marker: "
        "generator name [Covalex_Hauling] [Team_MissionFeatures][Missions]"
    )
    assert classify_line(line) is None


def test_objective_marker_call_without_a_uuid_is_not_an_event() -> None:
    line = f"<{TS}> [Notice] CreateMissionObjectiveMarker(deliver_to_lorville)"
    assert classify_line(line) is None


# -- mission_end -----------------------------------------------------------------------------


def test_real_end_mission_line_gives_id_outcome_reason_and_player() -> None:
    line = (
        "<2026-06-29T23:32:53.457Z> [Notice] <EndMission> Ending mission for player. "
        f"MissionId[{MISSION}] Player[TestPilot_01] PlayerId[100000000001] "
        "CompletionType[Complete] Reason[Mission Ended] [Team_MissionFeatures][Missions]"
    )
    assert classify_line(line) == MissionEnd(
        timestamp="2026-06-29T23:32:53.457Z",
        mission_id=MISSION,
        outcome="Complete",
        reason="Mission Ended",
        player="TestPilot_01",
    )


def test_upstream_synthetic_end_mission_gives_id_and_outcome() -> None:
    line = (
        "<2026-05-07T12:30:00.000Z> [Notice] <EndMission> "
        "missionId[ABC12345-0000-0000-0000-000000000001] outcome[Success] [Team_Missions]"
    )
    assert classify_line(line) == MissionEnd(
        timestamp="2026-05-07T12:30:00.000Z",
        mission_id="ABC12345-0000-0000-0000-000000000001",
        outcome="Success",
    )


def test_end_mission_with_an_unknown_body_still_records_an_end_without_fields() -> None:
    line = "<2026-05-07T12:30:00.000Z> [Notice] <EndMission> something new [Team_Missions]"
    assert classify_line(line) == MissionEnd(timestamp="2026-05-07T12:30:00.000Z")


def test_end_mission_with_the_zero_guid_has_no_mission_id() -> None:
    line = (
        f"<{TS}> [Notice] <EndMission> Ending mission for player. MissionId[{ZERO}] "
        "Player[TestPilot_01] PlayerId[100000000001] CompletionType[Abandon] Reason[Quit]"
    )
    event = classify_line(line)
    assert isinstance(event, MissionEnd)
    assert event.mission_id is None


def test_ending_mission_text_under_another_event_name_is_not_a_mission_end() -> None:
    line = (
        f"<{TS}> [Notice] <EndMissionRequest> Ending mission for player. "
        f"MissionId[{MISSION}] CompletionType[Complete] [Team_MissionFeatures]"
    )
    assert classify_line(line) is None


# -- mission_ended ---------------------------------------------------------------------------


def test_mission_ended_push_message_gives_id_and_lower_cased_state() -> None:
    line = (
        "<2025-10-15T20:24:35.171Z> [Notice] <MissionEnded> Received MissionEnded push message "
        f"for: mission_id {MISSION} - mission_state MISSION_STATE_COMPLETED "
        "[Team_GameServices][Missions]"
    )
    assert classify_line(line) == MissionEnded(
        timestamp="2025-10-15T20:24:35.171Z", mission_id=MISSION, state="completed"
    )


def test_mission_ended_without_a_mission_state_is_not_an_event() -> None:
    line = (
        "<2025-10-15T20:24:35.171Z> [Notice] <MissionEnded> Received MissionEnded push message "
        f"for: mission_id {MISSION} [Team_GameServices][Missions]"
    )
    assert classify_line(line) is None


def test_mission_ended_for_the_zero_guid_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <MissionEnded> Received MissionEnded push message for: "
        f"mission_id {ZERO} - mission_state MISSION_STATE_FAILED [Team_GameServices]"
    )
    assert classify_line(line) is None


# -- objective_upserted ----------------------------------------------------------------------


def upsert_line(objective: str, state: str, created: str = "0", mission: str = MISSION) -> str:
    return (
        "<2026-07-16T19:34:39.774Z> [Notice] <ObjectiveUpserted> Received ObjectiveUpserted push "
        f"message for: mission_id {mission} - objective_id {objective} - state {state} - "
        f"created {created} - flags=ShowInLog|ShowProgress|RespectInheritedVisibility| "
        "[Team_GameServices][Missions]"
    )


def test_objective_upserted_gives_mission_objective_state_and_created_flag() -> None:
    line = upsert_line("33333333-cccc-7ddd-8eee-000000000003", "MISSION_OBJECTIVE_STATE_INPROGRESS")
    assert classify_line(line) == ObjectiveUpserted(
        timestamp="2026-07-16T19:34:39.774Z",
        mission_id=MISSION,
        objective_id="33333333-cccc-7ddd-8eee-000000000003",
        state="inprogress",
        created=False,
    )


@pytest.mark.parametrize(
    ("suffix", "state"),
    [("COMPLETED", "completed"), ("WITHDRAWN", "withdrawn"), ("FAILED", "failed")],
)
def test_hauling_objective_ids_that_are_not_uuids_keep_their_state(suffix: str, state: str) -> None:
    # Upstream's hex-only objective id class dropped every `pickup_<uuid>_0` line.
    line = upsert_line("pickup_aaaa_0", f"MISSION_OBJECTIVE_STATE_{suffix}", created="1")
    assert classify_line(line) == ObjectiveUpserted(
        timestamp="2026-07-16T19:34:39.774Z",
        mission_id=MISSION,
        objective_id="pickup_aaaa_0",
        state=state,
        created=True,
    )


def test_objective_upserted_for_the_zero_mission_guid_keeps_the_objective() -> None:
    event = classify_line(
        upsert_line("pickup_aaaa_0", "MISSION_OBJECTIVE_STATE_COMPLETED", "0", ZERO)
    )
    assert isinstance(event, ObjectiveUpserted)
    assert event.mission_id is None


def test_objective_upserted_without_an_objective_id_is_not_an_event() -> None:
    line = (
        "<2026-07-16T19:34:39.774Z> [Notice] <ObjectiveUpserted> Received ObjectiveUpserted push "
        f"message for: mission_id {MISSION} - state MISSION_OBJECTIVE_STATE_COMPLETED "
        "[Team_GameServices][Missions]"
    )
    assert classify_line(line) is None


# -- mission_objective -----------------------------------------------------------------------


def active_objective_line(text_field: str) -> str:
    return (
        "<2026-07-16T19:34:38.265Z> [Notice] <CMissionLogEntry::UpdateActiveObjective> "
        "Objective updated id=33333333-cccc-7ddd-8eee-000000000003, flags=ShowInLog|, hidden=0, "
        f"hiddenInUI=0, markerHidden=0, uiDisplay[Priority=1]{text_field} "
        "[Team_MissionFeatures][Missions]"
    )


def test_update_active_objective_gives_objective_id_text_and_priority() -> None:
    assert classify_line(active_objective_line("[Text=Go to ~mission(Location)]")) == (
        MissionObjective(
            timestamp="2026-07-16T19:34:38.265Z",
            objective_id="33333333-cccc-7ddd-8eee-000000000003",
            text="Go to ~mission(Location)",
            priority=1,
        )
    )


def test_objective_text_keeps_brackets_a_localisation_mod_adds() -> None:
    event = classify_line(active_objective_line("[Text=Deliver cargo [150 Rep]]"))
    assert isinstance(event, MissionObjective)
    assert event.text == "Deliver cargo [150 Rep]"


def test_update_active_objective_without_an_id_is_not_an_event() -> None:
    line = (
        "<2026-07-16T19:34:38.265Z> [Notice] <CMissionLogEntry::UpdateActiveObjective> "
        "Objective updated flags=ShowInLog|, uiDisplay[Priority=1][Text=Go] [Team_Missions]"
    )
    assert classify_line(line) is None


# -- travel_to_contract_location (inferred, model only) --------------------------------------


def test_travel_to_contract_location_records_intent_only() -> None:
    event = TravelToContractLocation(timestamp=TS, beacon_id="661234")
    assert (event.travel_started, event.travel_completed) == (False, False)
    with pytest.raises(ValidationError):
        TravelToContractLocation.model_validate(
            {"timestamp": TS, "beacon_id": "661234", "travel_started": True}
        )


def test_no_log_line_classifies_as_travel_to_contract_location() -> None:
    line = (
        "<2026-07-16T19:40:00.123Z> [Notice] <Player Selected Quantum Target - Local> "
        "travel to contract location MISSION_QT_Quantum_Beacon_661234 [Team_CGP4]"
    )
    event = classify_line(line)
    assert event is None or event.type != "travel_to_contract_location"


# -- robustness and the real corpus ----------------------------------------------------------

_NAMES = (
    "<CLocalMissionPhaseMarker::CreateMarker>",
    "<EndMission>",
    "<MissionEnded>",
    "<ObjectiveUpserted>",
    "<CMissionLogEntry::UpdateActiveObjective>",
    "CreateMissionObjectiveMarker(",
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(_NAMES), body=st.text())
def test_mission_rules_never_raise_on_any_body(name: str, body: str) -> None:
    classify_line(f"<{TS}> [Notice] {name} {body}")


# Every line carrying one of these markers is exactly one event of that type, and no other
# line produces one.
_CORPUS_MARKERS = {
    "mission_start": ("<CLocalMissionPhaseMarker::CreateMarker>", "CreateMissionObjectiveMarker("),
    "mission_end": ("<EndMission>",),
    "mission_ended": ("<MissionEnded>",),
    "objective_upserted": ("<ObjectiveUpserted>",),
    "mission_objective": ("<CMissionLogEntry::UpdateActiveObjective>",),
    "travel_to_contract_location": (),
}


@pytest.mark.corpus
def test_every_real_mission_line_in_the_corpus_gives_exactly_one_event() -> None:
    events, markers = corpus_counts(_CORPUS_MARKERS, needle_kinds(_CORPUS_MARKERS))
    assert events == markers
    # The corpus does hold these shapes: guard against a test that passes on nothing.
    assert markers["mission_start"] > 0
    assert markers["objective_upserted"] > 0
    assert markers["mission_end"] > 0
