"""Ship, quantum-travel and place rules: one positive and one negative line per variant.

Lines copy real corpus shapes with fake handles and ids; the corpus test at the end checks
every real line.
"""

import re

import pytest

from starstats_core.events.travel import (
    FleetSize,
    InsuranceClaim,
    JumpDriveState,
    LocationChanged,
    LocationInventoryRequested,
    MissionQuantumDestinationSelected,
    PlanetCellsLoaded,
    PlanetTerrainLoad,
    QuantumArrived,
    QuantumRerouted,
    QuantumRoute,
    QuantumTargetSelected,
    VehicleControl,
    VehicleSpawned,
    VehicleStowed,
)
from starstats_core.parser import LogParser

from .conftest import classify_line, corpus_counts

TS = "2026-05-03T18:03:22.115Z"
NAV = "[ItemNavigation][CL][45668] | NOT AUTH | "
QT_TAGS = " [Team_CGP4][QuantumTravel]"


def nav_line(name: str, vehicle: str, fn: str, message: str) -> str:
    return f"<{TS}> [Notice] <{name}> {NAV}{vehicle}|CSCItemNavigation::{fn}|{message}{QT_TAGS}"


# -- quantum_target_selected / mission_quantum_destination_selected ---------------------


def test_selected_quantum_target_gives_vehicle_class_id_and_destination() -> None:
    line = nav_line(
        "Player Selected Quantum Target - Local",
        "CRUS_Starfighter_Ion_100000000001[100000000001]",
        "OnPlayerSelectedQuantumTarget",
        "Player has selected point OOC_Stanton_2_Crusader as their destination, routing locally",
    )
    assert classify_line(line) == QuantumTargetSelected(
        timestamp=TS,
        phase="selected",
        vehicle_class="CRUS_Starfighter_Ion",
        vehicle_id="100000000001",
        destination="OOC_Stanton_2_Crusader",
    )


def test_fuel_request_is_the_fuel_requested_phase_with_its_trailing_comma_cut() -> None:
    line = nav_line(
        "Player Requested Fuel to Quantum Target - Server Routing",
        "CRUS_Starfighter_Ion_100000000001[100000000001]",
        "OnPlayerRequestFuelToQuantumTarget",
        "Player has requested fuel calculation to destination Orison_LOC, routing on server",
    )
    assert classify_line(line) == QuantumTargetSelected(
        timestamp=TS,
        phase="fuel_requested",
        vehicle_class="CRUS_Starfighter_Ion",
        vehicle_id="100000000001",
        destination="Orison_LOC",
    )


def test_a_quantum_target_shell_not_seen_yet_is_caught_by_its_function_name() -> None:
    line = nav_line(
        "Player Requested Fuel to Quantum Target - Local",
        "AEGS_Gladius_100000000002[100000000002]",
        "OnPlayerRequestFuelToQuantumTarget",
        "Player has requested fuel calculation to destination Stanton1_Lorville",
    )
    assert classify_line(line) == QuantumTargetSelected(
        timestamp=TS,
        phase="fuel_requested",
        vehicle_class="AEGS_Gladius",
        vehicle_id="100000000002",
        destination="Stanton1_Lorville",
    )


def test_quantum_target_without_a_vehicle_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Player Selected Quantum Target - Local> [CL][45668] | NULL ENTITY"
        "|CSCItemNavigation::OnPlayerSelectedQuantumTarget|Player has selected point "
        f"OOC_Stanton_2_Crusader as their destination, routing locally{QT_TAGS}"
    )
    assert classify_line(line) is None


def test_mission_beacon_target_is_a_mission_destination_not_a_quantum_target() -> None:
    line = nav_line(
        "Player Selected Quantum Target - Local",
        "RSI_Perseus_100000000003[100000000003]",
        "OnPlayerSelectedQuantumTarget",
        "Player has selected point MISSION_QT_Quantum_Beacon_100000000009 as their destination, "
        "routing locally",
    )
    assert classify_line(line) == MissionQuantumDestinationSelected(
        timestamp=TS,
        phase="selected",
        beacon_id="100000000009",
        vehicle_class="RSI_Perseus",
        vehicle_id="100000000003",
    )


def test_a_beacon_name_without_digits_stays_an_ordinary_quantum_target() -> None:
    line = nav_line(
        "Player Selected Quantum Target - Local",
        "RSI_Perseus_100000000003[100000000003]",
        "OnPlayerSelectedQuantumTarget",
        "Player has selected point MISSION_QT_Quantum_Beacon_Alpha as their destination",
    )
    event = classify_line(line)
    assert isinstance(event, QuantumTargetSelected)
    assert event.destination == "MISSION_QT_Quantum_Beacon_Alpha"


# -- quantum_route ------------------------------------------------------------------------


def test_route_with_a_projected_start_names_both_ends() -> None:
    line = nav_line(
        "Calculate Route",
        "ANVL_Hornet_F7CS_Mk2_100000000004[100000000004]",
        "CalculateRoute",
        "Projected Start Location is Port Tressler for route to destination "
        "PartyMemberMarker_100000000005",
    )
    assert classify_line(line) == QuantumRoute(
        timestamp=TS,
        vehicle_class="ANVL_Hornet_F7CS_Mk2",
        vehicle_id="100000000004",
        start_location="Port Tressler",
        destination="PartyMemberMarker_100000000005",
    )


def test_successful_route_form_has_no_start_and_keeps_the_fuel_estimate() -> None:
    line = nav_line(
        "Calculate Route",
        "ANVL_Hornet_F7CS_Mk2_100000000004[100000000004]",
        "CalculateRoute",
        "Successfully calculated route to NavPoint_Dynamic_100000000006 fuel estimate 773056.19",
    )
    assert classify_line(line) == QuantumRoute(
        timestamp=TS,
        vehicle_class="ANVL_Hornet_F7CS_Mk2",
        vehicle_id="100000000004",
        start_location=None,
        destination="NavPoint_Dynamic_100000000006",
        fuel_estimate=773056.19,
    )


def test_route_line_that_names_no_destination_is_not_an_event() -> None:
    line = nav_line(
        "Calculate Route",
        "ANVL_Hornet_F7CS_Mk2_100000000004[100000000004]",
        "CalculateRoute",
        "Route calculation failed",
    )
    assert classify_line(line) is None


# -- quantum_arrived ----------------------------------------------------------------------


def test_quantum_arrival_gives_the_vehicle_only() -> None:
    line = nav_line(
        "Quantum Drive Arrived - Arrived at Final Destination",
        "ARGO_MOLE_100000000007[100000000007]",
        "OnQuantumDriveArrived",
        "Quantum Drive has arrived at final destination",
    )
    assert classify_line(line) == QuantumArrived(
        timestamp=TS, vehicle_class="ARGO_MOLE", vehicle_id="100000000007"
    )


def test_quantum_arrival_without_a_vehicle_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Quantum Drive Arrived - Arrived at Final Destination> [CL][1] | "
        "NULL ENTITY|CSCItemNavigation::OnQuantumDriveArrived|Quantum Drive has arrived at "
        f"final destination{QT_TAGS}"
    )
    assert classify_line(line) is None


# -- quantum_rerouted ---------------------------------------------------------------------

REROUTE_FN = "CSCItemNavigation::PostInitialize::<lambda_1>::operator ()"


def test_server_reroute_with_null_entity_keeps_the_final_stop() -> None:
    line = (
        f"<{TS}> [Notice] <Local Route Guard - Server Rerouted> [CL][25716] | NULL ENTITY|"
        f"{REROUTE_FN}|FinalStop=-1{QT_TAGS}"
    )
    assert classify_line(line) == QuantumRerouted(timestamp=TS, final_stop=-1)


def test_server_reroute_with_a_vehicle_names_it() -> None:
    line = (
        f"<{TS}> [Notice] <Local Route Guard - Server Rerouted> [ItemNavigation][CL][25716] | "
        f"NOT AUTH | ARGO_SRV_100000000008[100000000008]|{REROUTE_FN}|FinalStop=3{QT_TAGS}"
    )
    assert classify_line(line) == QuantumRerouted(
        timestamp=TS, final_stop=3, vehicle_class="ARGO_SRV", vehicle_id="100000000008"
    )


def test_server_reroute_without_final_stop_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <Local Route Guard - Server Rerouted> [CL][25716] | NULL ENTITY|"
        f"{REROUTE_FN}|FinalStop=none{QT_TAGS}"
    )
    assert classify_line(line) is None


def test_an_absurdly_long_final_stop_is_refused_not_truncated() -> None:
    line = (
        f"<{TS}> [Notice] <Local Route Guard - Server Rerouted> [CL][25716] | NULL ENTITY|"
        f"{REROUTE_FN}|FinalStop={'9' * 5000}{QT_TAGS}"
    )
    assert classify_line(line) is None


# -- jump_drive_state ---------------------------------------------------------------------

JD_TS = "2025-04-19T06:12:59.618Z"
JD_TAGS = " [Team_VehicleFeatures][JumpSystem]"
JD_DRIVE = "JDRV_TARS_S01_Explorer_SCItem_100000000011 [100000000011]"


def test_jump_drive_state_change_names_system_drive_and_ship() -> None:
    line = (
        f"<{JD_TS}> [Notice] <Jump Drive State Changed> Now Idle | CL17860 | NOT AUTH | Pyro | "
        f"{JD_DRIVE} (adam: ANVL_C8R_Pisces_100000000012 in zone SolarSystem_100000000013) | "
        f"CSCItemJumpDrive::OnStateChanged{JD_TAGS}"
    )
    assert classify_line(line) == JumpDriveState(
        timestamp=JD_TS,
        phase="changed",
        state="Idle",
        system="Pyro",
        drive_class="JDRV_TARS_S01_Explorer_SCItem",
        drive_id="100000000011",
        vehicle_class="ANVL_C8R_Pisces",
        vehicle_id="100000000012",
        zone="SolarSystem_100000000013",
    )


def test_jump_drive_request_whose_drive_is_its_own_root_takes_the_ship_from_the_zone() -> None:
    line = (
        f"<{JD_TS}> [Notice] <Jump Drive Requesting State Change> Requested change from Idle to "
        "Idle, reason: Jump Drive is no longer in use [linked to no jump point] | CL19240 | "
        "NOT AUTH | DefaultSolarSystem | "
        f"{JD_DRIVE} (adam: JDRV_TARS_S01_Explorer_SCItem_100000000011 in zone "
        f"AEGS_Gladius_100000000014) | CSCItemJumpDrive::SetState{JD_TAGS}"
    )
    assert classify_line(line) == JumpDriveState(
        timestamp=JD_TS,
        phase="requested",
        state="Idle",
        previous_state="Idle",
        reason="Jump Drive is no longer in use [linked to no jump point]",
        system="DefaultSolarSystem",
        drive_class="JDRV_TARS_S01_Explorer_SCItem",
        drive_id="100000000011",
        vehicle_class="AEGS_Gladius",
        vehicle_id="100000000014",
        zone="AEGS_Gladius_100000000014",
    )


def test_jump_drive_of_a_ui_preview_has_no_ship() -> None:
    line = (
        f"<{JD_TS}> [Notice] <Jump Drive State Changed> Now Idle | CL17860 | AUTH | Pyro | "
        "Default_1444 [1444] (adam: ui_entity_0024 (vehicle) in zone SolarSystem_100000000013) | "
        f"CSCItemJumpDrive::OnStateChanged{JD_TAGS}"
    )
    assert classify_line(line) == JumpDriveState(
        timestamp=JD_TS,
        phase="changed",
        state="Idle",
        system="Pyro",
        drive_class="Default",
        drive_id="1444",
        zone="SolarSystem_100000000013",
    )


def test_jump_drive_line_without_a_state_phrase_is_not_an_event() -> None:
    line = (
        f"<{JD_TS}> [Notice] <Jump Drive State Changed> Something else | CL17860 | AUTH | Pyro | "
        f"{JD_DRIVE} (adam: ANVL_C8R_Pisces_100000000012 in zone SolarSystem_100000000013) | "
        f"CSCItemJumpDrive::OnStateChanged{JD_TAGS}"
    )
    assert classify_line(line) is None


# -- vehicle_control ----------------------------------------------------------------------

VC_TS = "2025-10-15T20:19:10.362Z"


def test_set_driver_is_entering_the_pilot_seat() -> None:
    line = (
        f"<{VC_TS}> [Notice] <Vehicle Control Flow> CVehicleMovementBase::SetDriver: Local client "
        "node [100000000021] requesting control token for 'MRAI_Guardian_QI_100000000022' "
        "[100000000022] [Team_CGP4][Vehicle]"
    )
    assert classify_line(line) == VehicleControl(
        timestamp=VC_TS,
        action="entered",
        vehicle_class="MRAI_Guardian_QI",
        vehicle_id="100000000022",
        player_geid="100000000021",
    )


def test_clear_driver_from_node_zero_is_leaving_with_an_unknown_player() -> None:
    line = (
        f"<{VC_TS}> [Notice] <Vehicle Control Flow> CVehicleMovementBase::ClearDriver: Local "
        "client node [0] releasing control token for 'DRAK_Clipper_100000000023' [100000000023] "
        "[Team_CGP4][Vehicle]"
    )
    assert classify_line(line) == VehicleControl(
        timestamp=VC_TS,
        action="left",
        vehicle_class="DRAK_Clipper",
        vehicle_id="100000000023",
        player_geid=None,
    )


def test_a_control_token_grant_is_not_a_seat_change() -> None:
    line = (
        f"<{VC_TS}> [Notice] <Vehicle Control Flow> CVehicle::Initialize: Local client node "
        "[100000000021] granted control token for 'DRAK_Clipper_100000000023' [100000000023] "
        "[Team_CGP4][Vehicle]"
    )
    assert classify_line(line) is None


# -- vehicle_spawned ----------------------------------------------------------------------

SPAWN_TS = "2025-04-08T22:01:11.249Z"


def test_4_1_ship_spawn_line_without_event_name_gives_ship_and_player() -> None:
    line = (
        f"<{SPAWN_TS}> [VEHICLE SPAWN] CPlayerShipRespawnManager::OnVehicleSpawned 100000000031 "
        "(RSI_Aurora_MR_100000000031) by player 100000000032"
    )
    assert classify_line(line) == VehicleSpawned(
        timestamp=SPAWN_TS,
        vehicle_class="RSI_Aurora_MR",
        vehicle_id="100000000031",
        player_geid="100000000032",
    )


def test_ship_spawn_without_its_player_is_not_an_event() -> None:
    line = (
        f"<{SPAWN_TS}> [VEHICLE SPAWN] CPlayerShipRespawnManager::OnVehicleSpawned 100000000031 "
        "(RSI_Aurora_MR_100000000031)"
    )
    assert classify_line(line) is None


# -- vehicle_stowed -----------------------------------------------------------------------

STOW_TS = "2026-05-03T17:59:40.697Z"
STOW_TAGS = " [Team_MissionFeatures][ATC]"


def test_stow_on_hangar_elevator_gives_vehicle_area_and_zone_host() -> None:
    line = (
        f"<{STOW_TS}> [Notice] <CLandingArea::UnregisterFromExternalSystems> [STOWING ON "
        "UNREGISTER] LandingArea_ShipElevator_HangarMediumTop [100000000041] - Attempting to "
        "stow current vehicle [100000000042] due to landing area unregistering. Vehicle Zone "
        f"Host [100000000043]{STOW_TAGS}"
    )
    assert classify_line(line) == VehicleStowed(
        timestamp=STOW_TS,
        vehicle_id="100000000042",
        landing_area="LandingArea_ShipElevator_HangarMediumTop",
        landing_area_id="100000000041",
        zone_host_id="100000000043",
    )


def test_stow_on_a_procedural_pad_keeps_the_area_verbatim_and_zone_host_zero_is_none() -> None:
    area = "[PROC]LandingArea_Pad_SmlB_{A27E3980-7BC8-42F5-A348-32E97E567C8B}"
    line = (
        f"<{STOW_TS}> [Notice] <CLandingArea::UnregisterFromExternalSystems> [STOWING ON "
        f"UNREGISTER] {area} [100000000044] - Attempting to stow current vehicle [100000000045] "
        f"due to landing area unregistering. Vehicle Zone Host [0]{STOW_TAGS}"
    )
    assert classify_line(line) == VehicleStowed(
        timestamp=STOW_TS,
        vehicle_id="100000000045",
        landing_area=area,
        landing_area_id="100000000044",
        zone_host_id=None,
    )


def test_stow_under_the_2026_07_shell_name_with_authority_suffix_is_the_same_event() -> None:
    line = (
        f"<{STOW_TS}> [Notice] <LandingArea_UnregisterFromExternalSystems_StowingVehicle> "
        "[STOWING ON UNREGISTER] LandingArea_ShipElevator_HangarSmallFront [100000000046] - "
        "Attempting to stow current vehicle [100000000047] due to landing area unregistering. "
        f"Vehicle Zone Host [100000000048], IsAuthorityPossible [0]{STOW_TAGS}"
    )
    assert classify_line(line) == VehicleStowed(
        timestamp=STOW_TS,
        vehicle_id="100000000047",
        landing_area="LandingArea_ShipElevator_HangarSmallFront",
        landing_area_id="100000000046",
        zone_host_id="100000000048",
    )


def test_stow_under_a_future_shell_name_is_caught_by_its_body_marker() -> None:
    line = (
        f"<{STOW_TS}> [Notice] <LandingArea_Stow_Renamed_Again> [STOWING ON UNREGISTER] "
        "LandingArea_Pad_01 [100000000049] - Attempting to stow current vehicle [100000000050] "
        f"due to landing area unregistering. Vehicle Zone Host [0]{STOW_TAGS}"
    )
    assert classify_line(line) == VehicleStowed(
        timestamp=STOW_TS,
        vehicle_id="100000000050",
        landing_area="LandingArea_Pad_01",
        landing_area_id="100000000049",
    )


def test_landing_area_line_without_a_stow_is_not_an_event() -> None:
    line = (
        f"<{STOW_TS}> [Notice] <CLandingArea::UnregisterFromExternalSystems> Unregistering "
        f"LandingArea_Pad_01 [100000000049]{STOW_TAGS}"
    )
    assert classify_line(line) is None


# -- fleet_size ---------------------------------------------------------------------------

FLEET_TS = "2026-05-02T21:15:48.945Z"
FLEET_NAME = "CEntityComponentShipListProvider::FetchOwnedShipsData"


def test_owned_ship_data_fetch_gives_the_entitlement_count() -> None:
    line = (
        f"<{FLEET_TS}> [Notice] <{FLEET_NAME}> Fetching Owned Ship Data of 23 entitlements for "
        "player 100000000051. ATCId: 0 [Team_GameServices][ASOP]"
    )
    assert classify_line(line) == FleetSize(
        timestamp=FLEET_TS, entitlement_count=23, player_geid="100000000051"
    )


def test_the_entitlement_query_line_of_the_same_shell_is_not_a_fleet_size() -> None:
    line = (
        f"<{FLEET_TS}> [Notice] <{FLEET_NAME}> AsyncQueryEntitiesByEntitlement for player "
        "100000000051 [Team_GameServices][ASOP]"
    )
    assert classify_line(line) is None


# -- insurance_claim ----------------------------------------------------------------------

CLAIM_TS = "2025-04-19T06:04:11.628Z"
URN = "urn:sc:global:entitlement:uuid:11111111-2222-5333-8444-555555555555"


def test_new_insurance_claim_request_is_a_requested_claim() -> None:
    line = (
        f"<{CLAIM_TS}> [Notice] <CWallet::ProcessClaimToNextStep> New Insurance Claim Request - "
        f"entitlementURN: {URN}, requestId : 1 [Team_GameServices][Transaction]"
    )
    assert classify_line(line) == InsuranceClaim(
        timestamp=CLAIM_TS, phase="requested", entitlement_urn=URN, request_id=1
    )


def test_claim_complete_callback_is_a_completed_claim_with_its_result_code() -> None:
    line = (
        f"<{CLAIM_TS}> [Notice] <CWallet::RmMulticastOnProcessClaimCallback> Claim Complete - "
        f"entitlementURN: {URN}, result: 11,  requestId: 2 [Team_GameServices][Transaction]"
    )
    assert classify_line(line) == InsuranceClaim(
        timestamp=CLAIM_TS, phase="completed", entitlement_urn=URN, request_id=2, result=11
    )


def test_existing_active_claim_found_is_not_a_new_claim() -> None:
    line = (
        f"<{CLAIM_TS}> [Notice] <CWallet::ProcessClaimToNextStep> Existing Active Claim Found - "
        f"Entitilement URN: {URN} [Team_GameServices][Transaction]"
    )
    assert classify_line(line) is None


# -- location_inventory_requested ---------------------------------------------------------

LOC_TS = "2026-05-03T18:09:28.551Z"
LOC_TAGS = " [Team_CoreGameplayFeatures][Inventory]"


def test_location_inventory_request_gives_player_and_location() -> None:
    line = (
        f"<{LOC_TS}> [Notice] <RequestLocationInventory> Player[TestPilot_01] requested "
        f"inventory for Location[Stanton2_Orison]{LOC_TAGS}"
    )
    assert classify_line(line) == LocationInventoryRequested(
        timestamp=LOC_TS, player="TestPilot_01", location="Stanton2_Orison"
    )


def test_invalid_location_placeholder_is_kept_verbatim() -> None:
    line = (
        f"<{LOC_TS}> [Notice] <RequestLocationInventory> Player[TestPilot_01] requested "
        f"inventory for Location[INVALID_LOCATION_ID]{LOC_TAGS}"
    )
    assert classify_line(line) == LocationInventoryRequested(
        timestamp=LOC_TS, player="TestPilot_01", location="INVALID_LOCATION_ID"
    )


def test_no_inventory_reply_is_not_a_second_request() -> None:
    line = (
        f"<{LOC_TS}> [Notice] <RequestLocationInventory> Player[TestPilot_01] requested "
        f"Location[INVALID_LOCATION_ID] doesn't have inventory.{LOC_TAGS}"
    )
    assert classify_line(line) is None


# -- planet_terrain_load ------------------------------------------------------------------

TERRAIN_TS = "2025-04-07T15:59:24.644Z"


def test_terrain_invalidation_keeps_the_real_generic_planet_name() -> None:
    line = (
        f"<{TERRAIN_TS}> [Notice] <InvalidateAllTerrainCells> Planet planet invalidated all "
        "terrain cells [Team_PlanetTech][Engine]"
    )
    assert classify_line(line) == PlanetTerrainLoad(timestamp=TERRAIN_TS, planet="planet")


def test_terrain_invalidation_keeps_an_object_container_name() -> None:
    line = (
        f"<{TERRAIN_TS}> [Notice] <InvalidateAllTerrainCells> Planet OOC_Stanton_2b_Daymar "
        "invalidated all terrain cells [Team_PlanetTech][Engine]"
    )
    assert classify_line(line) == PlanetTerrainLoad(
        timestamp=TERRAIN_TS, planet="OOC_Stanton_2b_Daymar"
    )


def test_terrain_line_without_the_invalidation_phrase_is_not_an_event() -> None:
    line = (
        f"<{TERRAIN_TS}> [Notice] <InvalidateAllTerrainCells> Planet planet skipped "
        "[Team_PlanetTech][Engine]"
    )
    assert classify_line(line) is None


# -- planet_cells_loaded (the periodic memory dump) ----------------------------------------

CELLS_TS = "2026-05-02T21:22:12.778Z"


def cells_line(cells: str, pool: str, meshes: str, mesh_pool: str, body: str) -> str:
    """One line of the dump, padded as the engine pads it."""
    return (
        f"<{CELLS_TS}>   planet cells: {cells:>4} [{pool:>5}] meshes: {meshes:>4} "
        f"[{mesh_pool:>5}] name: {body}"
    )


def test_a_body_with_cells_loaded_gives_its_name_cells_and_meshes() -> None:
    line = cells_line("133", "16384", "58", "2048", "OOC_Stanton_1_Hurston")
    assert classify_line(line) == PlanetCellsLoaded(
        timestamp=CELLS_TS, body="OOC_Stanton_1_Hurston", cells=133, meshes=58
    )


def test_a_single_cell_in_a_pool_is_loaded_and_a_pyro_body_is_kept_verbatim() -> None:
    assert classify_line(cells_line("1", "16384", "0", "2048", "pyro5f")) == PlanetCellsLoaded(
        timestamp=CELLS_TS, body="pyro5f", cells=1, meshes=0
    )


@pytest.mark.parametrize(("pool", "mesh_pool"), [("0", "0"), ("16384", "2048")])
def test_a_body_with_no_cells_loaded_is_not_an_event(pool: str, mesh_pool: str) -> None:
    assert classify_line(cells_line("0", pool, "0", mesh_pool, "OOC_Stanton_2c_Yela")) is None


def test_a_cells_line_without_a_body_name_is_not_an_event() -> None:
    assert classify_line(f"<{CELLS_TS}>   planet cells:  133 [16384] meshes:   58") is None


def test_the_parser_counts_empty_bodies_of_a_dump_as_silent_never_unknown() -> None:
    dump = [
        cells_line("0", "0", "0", "0", "OOC_Stanton_2c_Yela"),  # known silent by its key
        cells_line("0", "16384", "0", "2048", "OOC_Stanton_3_ArcCorp"),  # silent by its rule
        cells_line("133", "16384", "58", "2048", "OOC_Stanton_1_Hurston"),
        cells_line("0", "0", "0", "0", "pyro5d"),
    ]
    parser = LogParser()
    events = parser.feed("".join(line + "\n" for line in dump).encode())
    events += parser.finish()
    stats = parser.stats
    assert [p.event for p in events] == [
        PlanetCellsLoaded(timestamp=CELLS_TS, body="OOC_Stanton_1_Hurston", cells=133, meshes=58)
    ]
    assert (stats.event_lines, stats.silent, stats.unknown_lines, stats.noise) == (1, 3, 0, 0)
    assert stats.structured == 4


# -- location_changed (inferred: model only) ----------------------------------------------


def test_location_changed_takes_from_by_attribute_or_wire_key_and_dumps_the_wire_key() -> None:
    by_name = LocationChanged(timestamp=LOC_TS, from_="Stanton1_Lorville", to="Stanton2_Orison")
    by_key = LocationChanged.model_validate(
        {"timestamp": LOC_TS, "from": "Stanton1_Lorville", "to": "Stanton2_Orison"}
    )
    assert by_name == by_key
    assert by_name.model_dump() == {
        "type": "location_changed",
        "timestamp": LOC_TS,
        "from": "Stanton1_Lorville",
        "to": "Stanton2_Orison",
    }


def test_location_changed_from_is_optional_for_the_first_place() -> None:
    assert LocationChanged(timestamp=LOC_TS, to="Stanton2_Orison").from_ is None


# -- robustness ---------------------------------------------------------------------------

POSITIVE_LINES = (
    nav_line(
        "Calculate Route",
        "ANVL_Hornet_F7CS_Mk2_100000000004[100000000004]",
        "CalculateRoute",
        "Successfully calculated route to NavPoint_Dynamic_1 fuel estimate 773056.19",
    ),
    f"<{JD_TS}> [Notice] <Jump Drive Requesting State Change> Requested change from Idle to "
    f"Idle, reason: x | CL1 | NOT AUTH | Pyro | {JD_DRIVE} (adam: ui_entity_0024 (vehicle) in "
    f"zone SolarSystem_1) | CSCItemJumpDrive::SetState{JD_TAGS}",
    f"<{SPAWN_TS}> [VEHICLE SPAWN] CPlayerShipRespawnManager::OnVehicleSpawned 1 (RSI_Aurora_1) "
    "by player 2",
    f"<{CLAIM_TS}> [Notice] <CWallet::RmMulticastOnProcessClaimCallback> Claim Complete - "
    f"entitlementURN: {URN}, result: 11,  requestId: 2 [Team_GameServices][Transaction]",
    cells_line("133", "16384", "58", "2048", "OOC_Stanton_1_Hurston"),
)


@pytest.mark.parametrize("line", POSITIVE_LINES)
def test_every_truncation_of_a_travel_line_classifies_without_raising(line: str) -> None:
    for end in range(len(line) + 1):
        classify_line(line[:end])


# -- the real corpus ----------------------------------------------------------------------

NAV_TARGET_FNS = (
    "CSCItemNavigation::OnPlayerSelectedQuantumTarget",
    "CSCItemNavigation::OnPlayerRequestFuelToQuantumTarget",
)


# A dump line of a body with cells loaded (the count is not 0).
LOADED_CELLS = re.compile(r"planet cells:\s*[1-9]")


def marker_type(line: str) -> str | None:
    """The travel event a real line must give, judged by plain substrings, or None."""
    if LOADED_CELLS.search(line):
        return "planet_cells_loaded"
    if any(fn in line for fn in NAV_TARGET_FNS):
        if "MISSION_QT_Quantum_Beacon_" in line:
            return "mission_quantum_destination_selected"
        return "quantum_target_selected"
    markers = (
        ("<Calculate Route>", "quantum_route"),
        ("<Quantum Drive Arrived", "quantum_arrived"),
        ("<Local Route Guard - Server Rerouted>", "quantum_rerouted"),
        ("<Jump Drive State Changed>", "jump_drive_state"),
        ("<Jump Drive Requesting State Change>", "jump_drive_state"),
        ("<Vehicle Control Flow>", "vehicle_control"),
        ("CPlayerShipRespawnManager::OnVehicleSpawned", "vehicle_spawned"),
        ("[STOWING ON UNREGISTER]", "vehicle_stowed"),
        ("Fetching Owned Ship Data of", "fleet_size"),
        ("New Insurance Claim Request", "insurance_claim"),
        ("<CWallet::RmMulticastOnProcessClaimCallback> Claim Complete", "insurance_claim"),
        ("<RequestLocationInventory>", "location_inventory_requested"),
        ("<InvalidateAllTerrainCells>", "planet_terrain_load"),
    )
    return next((kind for marker, kind in markers if marker in line), None)


TRAVEL_TYPES = {
    "quantum_target_selected",
    "mission_quantum_destination_selected",
    "quantum_route",
    "quantum_arrived",
    "quantum_rerouted",
    "jump_drive_state",
    "vehicle_control",
    "vehicle_spawned",
    "vehicle_stowed",
    "fleet_size",
    "insurance_claim",
    "location_inventory_requested",
    "planet_terrain_load",
    "planet_cells_loaded",
}


@pytest.mark.corpus
def test_corpus_gives_one_travel_event_per_marked_line() -> None:
    got, expected = corpus_counts(TRAVEL_TYPES, lambda line: filter(None, [marker_type(line)]))
    assert got == expected
    # Guard against passing on two empty counters: every variant but `vehicle_control`
    # (absent from the 4.1 and 4.7 sessions we have) occurs in the corpus.
    assert set(expected) == TRAVEL_TYPES - {"vehicle_control"}
