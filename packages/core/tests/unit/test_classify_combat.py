"""Combat rules, one positive and one negative line per variant.

Lines copy the shapes of real 4.1-4.3 corpus lines (and, for the incap, status-effect,
fatal-collision and hostility lines, the real lines quoted in peers-and-gamelog §3) with
made-up handles and ids. Two shapes are not in any corpus: `<[ActorState] Dead>` is only
known shortened (SC Bridge), so its test keeps the middle generic; `<MED BED HEAL>` follows
all-slain's full regex for the line. The last test replays the real corpus.
"""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from starstats_core.classify import combat
from starstats_core.events.combat import (
    ActorDeath,
    ActorEjected,
    ActorStall,
    Corpse,
    FatalCollision,
    HostileHit,
    IncapCause,
    IncapLogged,
    MedBedHeal,
    PlayerDeath,
    SpawnReservationLost,
    StatusEffect,
    VehicleDestruction,
)
from starstats_core.events.session import SessionEnd
from starstats_core.structure import Entry

from .conftest import classify_line, corpus_lines

TS = "2025-04-19T09:31:50.461Z"
PILOT = "TestPilot_01"
PILOT_GEID = "100000000001"
RIVAL = "Rival-07-X"
RIVAL_GEID = "100000000002"


# -- actor_death -----------------------------------------------------------------------------


def test_fps_kill_gives_victim_killer_weapon_damage_and_direction() -> None:
    line = (
        f"<{TS}> [Notice] <Actor Death> CActor::Kill: '{RIVAL}' [{RIVAL_GEID}] in zone "
        f"'ab_pyro_int_dung_exec_002' killed by '{PILOT}' [{PILOT_GEID}] using "
        "'behr_rifle_ballistic_02_civilian_100000000900' [Class behr_rifle_ballistic_02_civilian] "
        "with damage type 'Bullet' from direction x: -0.620461, y: -0.183274, z: -0.762521 "
        "[Team_ActorTech][Actor]"
    )
    assert classify_line(line) == ActorDeath(
        timestamp=TS,
        victim=RIVAL,
        victim_geid=RIVAL_GEID,
        zone="ab_pyro_int_dung_exec_002",
        killer=PILOT,
        killer_geid=PILOT_GEID,
        weapon="behr_rifle_ballistic_02_civilian_100000000900",
        weapon_class="behr_rifle_ballistic_02_civilian",
        damage_type="Bullet",
        direction_x=-0.620461,
        direction_y=-0.183274,
        direction_z=-0.762521,
    )


def test_crash_by_unknown_without_the_actor_tag_is_still_a_death() -> None:
    line = (
        f"<{TS}> [Notice] <Actor Death> CActor::Kill: '{PILOT}' [{PILOT_GEID}] in zone "
        "'ANVL_Hornet_F7A_Mk2_100000000300' killed by 'unknown' [0] using 'unknown' "
        "[Class unknown] with damage type 'Crash' from direction x: 0.000000, y: 0.000000, "
        "z: 0.000000 [Team_ActorTech]"
    )
    assert classify_line(line) == ActorDeath(
        timestamp=TS,
        victim=PILOT,
        victim_geid=PILOT_GEID,
        zone="ANVL_Hornet_F7A_Mk2_100000000300",
        killer="unknown",
        killer_geid="0",
        weapon="unknown",
        weapon_class="unknown",
        damage_type="Crash",
        direction_x=0.0,
        direction_y=0.0,
        direction_z=0.0,
    )


def test_upstream_synthetic_death_without_direction_has_no_direction() -> None:
    line = (
        f"<{TS}> [Notice] <Actor Death> CActor::Kill: '{RIVAL}' in zone 'OOC_Stanton_4a' "
        f"killed by '{PILOT}' using 'Weapon_Pistol_01' with damage type 'Bullet' "
        "[Team_ActorFeatures][Actor]"
    )
    assert classify_line(line) == ActorDeath(
        timestamp=TS,
        victim=RIVAL,
        zone="OOC_Stanton_4a",
        killer=PILOT,
        weapon="Weapon_Pistol_01",
        damage_type="Bullet",
    )


def test_actor_death_without_a_damage_type_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Actor Death> CActor::Kill: '{RIVAL}' [{RIVAL_GEID}] in zone 'z' "
        f"killed by '{PILOT}' [{PILOT_GEID}] using 'unknown' [Class unknown] [Team_ActorTech]"
    )
    assert classify_line(line) is None


# -- vehicle_destruction ---------------------------------------------------------------------

VEHICLE_LINE = (
    "<{ts}> [Notice] <Vehicle Destruction> CVehicle::OnAdvanceDestroyLevel: Vehicle "
    "'DRAK_Cutlass_Red_100000000500' [100000000500] in zone 'SolarSystem_100000000600' "
    "[pos x: -2125020065.262824, y: -1195699799.975921, z: 802185199.494236 vel x: -0.001666, "
    "y: 0.000643, z: -0.001014] driven by '{driver}' [{driver_id}] advanced from destroy level "
    "{frm} to {to} caused by '{by}' [{by_id}] with '{how}' [Team_VehicleFeatures][Vehicle]"
)


def test_real_vehicle_soft_death_gives_class_levels_driver_and_cause() -> None:
    line = VEHICLE_LINE.format(
        ts=TS, driver="unknown", driver_id=0, frm=0, to=1, by=PILOT, by_id=PILOT_GEID, how="Combat"
    )
    assert classify_line(line) == VehicleDestruction(
        timestamp=TS,
        vehicle_class="DRAK_Cutlass_Red",
        vehicle_id="100000000500",
        zone="SolarSystem_100000000600",
        driver="unknown",
        driver_geid="0",
        destroy_level_from=0,
        destroy_level_to=1,
        caused_by=PILOT,
        caused_by_geid=PILOT_GEID,
        cause="Combat",
    )


def test_ai_ship_destroyed_by_an_ai_module_keeps_both_names() -> None:
    line = (
        f"<{TS}> [Notice] <Vehicle Destruction> CVehicle::OnAdvanceDestroyLevel: Vehicle "
        "'MISC_Reliant_Sen_PU_AI_CRIM_100000000501' [100000000501] in zone "
        "'SolarSystem_100000000600' [pos x: 1.0, y: 2.0, z: 3.0 vel x: 0.0, y: 0.0, z: 0.0] "
        f"driven by '{RIVAL}' [{RIVAL_GEID}] advanced from destroy level 1 to 2 caused by "
        "'AIModule_Unmanned_PU_Advocacy_100000000700' [100000000700] with 'Collision' "
        "[Team_CGP4][Vehicle]"
    )
    assert classify_line(line) == VehicleDestruction(
        timestamp=TS,
        vehicle_class="MISC_Reliant_Sen_PU_AI_CRIM",
        vehicle_id="100000000501",
        zone="SolarSystem_100000000600",
        driver=RIVAL,
        driver_geid=RIVAL_GEID,
        destroy_level_from=1,
        destroy_level_to=2,
        caused_by="AIModule_Unmanned_PU_Advocacy_100000000700",
        caused_by_geid="100000000700",
        cause="Collision",
    )


def test_upstream_synthetic_vehicle_destruction_gives_the_new_level_only() -> None:
    line = (
        "<2026-05-17T14:02:30.000Z> [Notice] <Vehicle Destruction> "
        "CVehicle::OnAdvanceDestroyLevel: vehicle 'AEGS_Cutlass_Black_4321' [4321] "
        "destroyLevel 2 caused by 'self' zone 'OOC_Stanton_2b_Daymar' [Team_ActorTech][Vehicle]"
    )
    assert classify_line(line) == VehicleDestruction(
        timestamp="2026-05-17T14:02:30.000Z",
        vehicle_class="AEGS_Cutlass_Black",
        vehicle_id="4321",
        zone="OOC_Stanton_2b_Daymar",
        destroy_level_to=2,
        caused_by="self",
    )


def test_vehicle_destruction_without_a_cause_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Vehicle Destruction> CVehicle::OnAdvanceDestroyLevel: Vehicle "
        "'DRAK_Cutlass_Red_100000000500' [100000000500] advanced from destroy level 0 to 1 "
        "[Team_VehicleFeatures][Vehicle]"
    )
    assert classify_line(line) is None


# -- corpse ----------------------------------------------------------------------------------

ACTOR_STATE = "[ACTOR STATE][SSCActorStateCVars::LogCorpse]"


def test_local_corpse_line_marks_the_local_player_and_keeps_the_step() -> None:
    line = (
        f"<{TS}> [Notice] <[ActorState] Corpse> {ACTOR_STATE} Player '{PILOT}' <local client>: "
        "Entering control state dead. [Team_ActorTech][Actor]"
    )
    assert classify_line(line) == Corpse(
        timestamp=TS, player=PILOT, is_local=True, detail="Entering control state dead."
    )


def test_remote_corpse_line_with_a_hospital_search_is_a_nearby_player() -> None:
    line = (
        f"<{TS}> [Notice] <[ActorState] Corpse> {ACTOR_STATE} Player '{RIVAL}' <remote client>: "
        'DoesLocationContainHospital: Searching landing zone location "@Stanton1_Hospital" '
        "for the closest hospital. [Team_ActorFeatures][Actor]"
    )
    assert classify_line(line) == Corpse(
        timestamp=TS,
        player=RIVAL,
        is_local=False,
        detail='DoesLocationContainHospital: Searching landing zone location "@Stanton1_Hospital" '
        "for the closest hospital.",
    )


def test_pre_4_1_corpse_shell_is_read_the_same_way() -> None:
    line = (
        f"<{TS}> [Notice] <Corpse> Player '{RIVAL}' <remote client>: IsCorpseEnabled: No. "
        "[Team_ActorTech][Actor]"
    )
    assert classify_line(line) == Corpse(
        timestamp=TS, player=RIVAL, is_local=False, detail="IsCorpseEnabled: No."
    )


def test_corpse_line_without_a_client_marker_is_not_an_event() -> None:
    line = f"<{TS}> [Notice] <[ActorState] Corpse> {ACTOR_STATE} Player '{PILOT}' [Team_ActorTech]"
    assert classify_line(line) is None


# -- player_death ----------------------------------------------------------------------------

RECOVERY = (
    "<{ts}> [Notice] <Adding non kept item "
    "[CSCActorCorpseUtils::PopulateItemPortForItemRecoveryEntitlement]> "
)


def test_body_item_of_the_corpse_recovery_burst_is_a_player_death() -> None:
    line = RECOVERY.format(ts=TS) + (
        "Item 'body_01_noMagicPocket_100000000800 - Class(body_01_noMagicPocket) - "
        "Context(Streamable Runtime-spawned) - Socpak()', Recorded data is: Port Name "
        "'Body_ItemPort', Class GUID: 'dbaa8a7d-755f-4104-8b24-7b58fd1e76f6', "
        "KeptId: '100000000800' [Team_CoreGameplayFeatures][Unknown]"
    )
    assert classify_line(line) == PlayerDeath(
        timestamp=TS, body_class="body_01_noMagicPocket", body_id="100000000800", zone=None
    )


def test_undersuit_item_of_the_same_burst_is_not_a_death() -> None:
    line = RECOVERY.format(ts=TS) + (
        "Item 'vgl_undersuit_01_01_13_100000000801 - Class(vgl_undersuit_01_01_13) - "
        "Context(Streamable Runtime-spawned) - Socpak()', Recorded data is: Port Name "
        "'Armor_Undersuit', Class GUID: '1ae7202d-b9c0-4492-87e6-a46b2e80fc56' "
        "[Team_CoreGameplayFeatures][Unknown]"
    )
    assert classify_line(line) is None


# -- incap_logged and status_effect ----------------------------------------------------------


def test_logged_incap_gives_nickname_and_each_cause_with_damage() -> None:
    line = (
        f"<{TS}> Logged an incap.! nickname: {PILOT}, causes: "
        "[Bleed (0.350000 damage), Suffocation (1.500000 damage)]"
    )
    assert classify_line(line) == IncapLogged(
        timestamp=TS,
        nickname=PILOT,
        causes=(
            IncapCause(name="Bleed", damage=0.35),
            IncapCause(name="Suffocation", damage=1.5),
        ),
    )


def test_logged_incap_with_a_bare_cause_list_keeps_the_nickname() -> None:
    line = f"<{TS}> Logged an incap.! nickname: {PILOT}, causes: [Bleed]"
    assert classify_line(line) == IncapLogged(timestamp=TS, nickname=PILOT, causes=())


def test_incap_line_without_causes_is_not_an_event() -> None:
    assert classify_line(f"<{TS}> Logged an incap.! nickname: {PILOT}") is None


def test_status_effect_start_gives_nickname_and_effect() -> None:
    line = f"<{TS}> Logged a start of a status effect! nickname: {PILOT}, status effect: Dehydrated"
    assert classify_line(line) == StatusEffect(
        timestamp=TS, nickname=PILOT, effect="Dehydrated", phase="start"
    )


def test_status_effect_end_is_an_end() -> None:
    line = f"<{TS}> Logged an end of a status effect! nickname: {PILOT}, status effect: Hungry"
    assert classify_line(line) == StatusEffect(
        timestamp=TS, nickname=PILOT, effect="Hungry", phase="end"
    )


def test_status_effect_line_without_an_effect_is_not_an_event() -> None:
    assert classify_line(f"<{TS}> Logged a start of a status effect! nickname: {PILOT}") is None


# -- spawn_reservation_lost ------------------------------------------------------------------

SPAWN_FLOW = (
    "<{ts}> [Notice] <Spawn Flow> CSCPlayerPUSpawningComponent::UnregisterFromExternalSystems: "
)


def test_lost_spawn_reservation_names_the_nearby_player_and_spawn_point() -> None:
    line = SPAWN_FLOW.format(ts=TS) + (
        f"Player '{RIVAL}' [{RIVAL_GEID}] lost reservation for spawnpoint "
        "Bed_Single_Front_Spawnpoint_No_Persistent_Hab-007 [100000000900] at location 3515131989 "
        "[Team_ActorFeatures][Gamerules]"
    )
    assert classify_line(line) == SpawnReservationLost(
        timestamp=TS,
        player=RIVAL,
        player_geid=RIVAL_GEID,
        spawnpoint="Bed_Single_Front_Spawnpoint_No_Persistent_Hab-007",
        spawnpoint_id="100000000900",
        location_id="3515131989",
    )


def test_spawn_flow_line_without_lost_reservation_is_not_an_event() -> None:
    line = SPAWN_FLOW.format(ts=TS) + (
        f"Player '{RIVAL}' [{RIVAL_GEID}] reserved spawnpoint Unknown [1] [Team_ActorFeatures]"
    )
    assert classify_line(line) is None


# -- fatal_collision -------------------------------------------------------------------------


def test_fatal_collision_gives_ship_zone_pilot_flag_and_no_hit_entity_for_unknown() -> None:
    line = (
        f"<{TS}> [Notice] <FatalCollision> Fatal Collision occured for vehicle "
        "ANVL_C8R_Pisces_100000000300 [Part: Body, Pos: x: -2125018801.228558, "
        "y: -1195709609.195568, z: 802185691.274997, Zone: Pyro, PlayerPilot: 1] after hitting "
        "entity: UNKNOWN [Zone: UNKNOWN State: ]. Hit Pos: x: 0.000000, y: 0.000000, "
        "z: 0.000000, Distance: 3.088693, Relative Vel: x: 29.121277, y: -4.987267, "
        "z: 15.981821, Collider [Id: -1, Name: UNKNOWN, PhysType: -1, Entity: UNKNOWN, "
        "LocalExtents: x: 0.000000, y: 0.000000, z: 0.000000], LastFrameTime (ms): 18.203699 "
        "[Team_LiveExperience][ZoneSystem][Vehicle][Tracking][Position][Physics][Environment]"
    )
    assert classify_line(line) == FatalCollision(
        timestamp=TS,
        vehicle_class="ANVL_C8R_Pisces",
        vehicle_id="100000000300",
        zone="Pyro",
        player_pilot=True,
        hit_entity=None,
    )


def test_fatal_collision_with_a_named_entity_keeps_it() -> None:
    line = (
        f"<{TS}> [Notice] <FatalCollision> Fatal Collision occured for vehicle "
        "ORIG_m50_100000000301 [Part: Body, Zone: OOC_Stanton_1_Hurston, PlayerPilot: 0] "
        "after hitting entity: Asteroid_Large_100000000302 [Zone: X State: ]. "
        "[Team_LiveExperience][Vehicle]"
    )
    assert classify_line(line) == FatalCollision(
        timestamp=TS,
        vehicle_class="ORIG_m50",
        vehicle_id="100000000301",
        zone="OOC_Stanton_1_Hurston",
        player_pilot=False,
        hit_entity="Asteroid_Large_100000000302",
    )


def test_fatal_collision_line_without_a_vehicle_is_not_an_event() -> None:
    line = f"<{TS}> [Notice] <FatalCollision> Fatal Collision occured [Team_LiveExperience]"
    assert classify_line(line) is None


# -- actor_stall -----------------------------------------------------------------------------


def test_actor_stall_gives_player_direction_and_length() -> None:
    line = (
        f"<{TS}> [Notice] <Actor stall> Actor stall detected, Player: {RIVAL}, "
        "Type: downstream, Length: 5.325314. [Team_ActorTech][Actor]"
    )
    assert classify_line(line) == ActorStall(
        timestamp=TS, player=RIVAL, stall_type="downstream", length=5.325314
    )


def test_actor_stall_shell_with_a_capital_s_is_not_the_games_spelling() -> None:
    line = (
        f"<{TS}> [Notice] <Actor Stall> Actor stall detected, Player: {RIVAL}, "
        "Type: downstream, Length: 5.325314. [Team_ActorTech][Actor]"
    )
    assert classify_line(line) is None


def test_actor_stall_without_a_length_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Actor stall> Actor stall detected, Player: {RIVAL}, "
        "Type: downstream. [Team_ActorTech][Actor]"
    )
    assert classify_line(line) is None


# -- hostile_hit -----------------------------------------------------------------------------


def test_fake_hit_gives_attacker_target_ship_and_child() -> None:
    line = (
        f"<{TS}> [Notice] <Debug Hostility Events> [OnHandleHit] Fake hit FROM {RIVAL} TO "
        "ARGO_RAFT_100000000400. Being sent to child Test_Child-01 "
        "[Team_MissionFeatures][HitInfo]"
    )
    assert classify_line(line) == HostileHit(
        timestamp=TS,
        attacker=RIVAL,
        target="ARGO_RAFT",
        target_id="100000000400",
        child="Test_Child-01",
    )


def test_hostility_line_that_is_not_a_hit_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Debug Hostility Events> [OnHandleHit] Ignored hit from {RIVAL} "
        "[Team_MissionFeatures][HitInfo]"
    )
    assert classify_line(line) is None


# -- actor_ejected ---------------------------------------------------------------------------


def test_dead_actor_ejected_from_a_ship_gives_player_and_both_zones() -> None:
    line = (
        f"<{TS}> [Notice] <[ActorState] Dead> [ACTOR STATE] Actor '{PILOT}' [{PILOT_GEID}] "
        "ejected from zone 'RSI_Hermes_100000000310' [100000000310] to zone "
        "'OOC_Stanton_1_Hurston' [100000000311] [Team_ActorFeatures][Actor]"
    )
    assert classify_line(line) == ActorEjected(
        timestamp=TS,
        player=PILOT,
        player_geid=PILOT_GEID,
        zone="RSI_Hermes_100000000310",
        zone_id="100000000310",
        to_zone="OOC_Stanton_1_Hurston",
        to_zone_id="100000000311",
    )


def test_dead_state_line_without_an_ejection_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <[ActorState] Dead> [ACTOR STATE] Actor '{PILOT}' [{PILOT_GEID}] "
        "entering dead state [Team_ActorFeatures][Actor]"
    )
    assert classify_line(line) is None


# -- med_bed_heal ----------------------------------------------------------------------------

MED_BED = (
    "<{ts}> [Notice] <MED BED HEAL> Actor: {actor} (Non-Authoritative CLIENT: {actor}) | "
    "[CEntityComponentMedBed::HandleComponentEvent:1234] | -> Perform surgery event Success, "
    "med bed name: bed_hospital_1_a-003, vehicle name: {vehicle}, head: false torso: false "
    "leftArm: true rightArm: false leftLeg: false rightLeg: true [Team_ActorFeatures][Actor]"
)


def test_med_bed_surgery_in_a_hospital_gives_bed_and_healed_limbs() -> None:
    line = MED_BED.format(ts=TS, actor=PILOT, vehicle="none")
    assert classify_line(line) == MedBedHeal(
        timestamp=TS,
        actor=PILOT,
        outcome="Success",
        med_bed="bed_hospital_1_a-003",
        vehicle=None,
        head=False,
        torso=False,
        left_arm=True,
        right_arm=False,
        left_leg=False,
        right_leg=True,
    )


def test_med_bed_in_a_ship_names_the_ship() -> None:
    event = classify_line(MED_BED.format(ts=TS, actor=PILOT, vehicle="@vehicle_NameRSI_Apollo"))
    assert isinstance(event, MedBedHeal)
    assert event.vehicle == "@vehicle_NameRSI_Apollo"


def test_med_bed_line_without_limb_flags_is_not_an_event() -> None:
    line = f"<{TS}> [Notice] <MED BED HEAL> Actor: {PILOT} | -> Perform surgery event Success"
    assert classify_line(line) is None


# -- dispatch --------------------------------------------------------------------------------


def test_combat_keywords_do_not_steal_a_shutdown_line() -> None:
    assert classify_line(f"<{TS}> [CIG] CCIGBroker::FastShutdown") == SessionEnd(
        timestamp=TS, kind="fast_shutdown"
    )


COMBAT_RULES = [*combat.NAME_RULES.values(), *(rule for _, rule in combat.KEYWORD_RULES)]


@given(body=st.text(max_size=300))
def test_no_combat_rule_raises_on_any_body(body: str) -> None:
    entry = Entry(timestamp=TS, level="Notice", name=None, body=body, tags=(), line=body)
    for rule in COMBAT_RULES:
        rule(entry)


# -- the real corpus -------------------------------------------------------------------------


@pytest.mark.corpus
def test_every_combat_shell_in_the_corpus_becomes_exactly_one_event() -> None:
    lines = corpus_lines()
    counts = Counter(event.type for event in map(classify_line, lines) if event is not None)

    def having(*needles: str) -> int:
        return sum(all(needle in line for needle in needles) for line in lines)

    expected = {
        "actor_death": having("<Actor Death>"),
        "vehicle_destruction": having("<Vehicle Destruction>"),
        "corpse": having("<[ActorState] Corpse>") + having("<Corpse>"),
        "player_death": having("<Adding non kept item [CSCActorCorpseUtils::", "Item 'body_"),
        "spawn_reservation_lost": having("<Spawn Flow>", "lost reservation"),
        "actor_stall": having("<Actor stall>"),
        "fatal_collision": having("<FatalCollision>"),
        "hostile_hit": having("<Debug Hostility Events>", "Fake hit"),
        "actor_ejected": having("<[ActorState] Dead>", "ejected from zone"),
        "incap_logged": having("Logged an incap.!"),
        "status_effect": having("of a status effect!"),
        "med_bed_heal": having("<MED BED HEAL>"),
    }
    assert {kind: counts[kind] for kind in expected} == expected
    # The shells our 4.1/4.3 corpus holds (the others only have the hand-written tests above):
    # a zero here would make the check above vacuous.
    in_corpus = ("actor_death", "vehicle_destruction", "corpse", "player_death", "actor_stall")
    assert all(expected[kind] for kind in (*in_corpus, "spawn_reservation_lost"))
