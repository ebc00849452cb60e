"""Ship, quantum-travel and place events (see classify/travel.py for the lines they come from).

Entity ids (vehicles, GEIDs, landing areas, entitlements) stay strings like
`join_pu.location_id`; counts and codes are numbers. A `vehicle_class` is the logged
entity name with its numeric `_<id>` suffix stripped (`ANVL_Hornet_F7CM_Mk2`). Field names
follow upstream StarStats where it has the variant; place names are kept verbatim
(`INVALID_LOCATION_ID`, `[PROC]LandingArea_…`) and consumers filter or normalise them.
"""

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field

from starstats_core.events.base import BaseEvent


class QuantumTargetSelected(BaseEvent):
    """The pilot picked a quantum destination, or asked for the fuel to reach it.

    `<Player Selected Quantum Target - Local>` gives phase `selected`,
    `<Player Requested Fuel to Quantum Target - …>` gives `fuel_requested`.
    """

    type: Literal["quantum_target_selected"] = "quantum_target_selected"
    phase: Literal["selected", "fuel_requested"]
    vehicle_class: str
    vehicle_id: str
    # Verbatim point name (`OOC_Stanton_2_Crusader`, `Orison_LOC`), one trailing comma cut.
    destination: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("vehicle_class", "vehicle_id", "destination")


class MissionQuantumDestinationSelected(BaseEvent):
    """The quantum target is a contract beacon (`MISSION_QT_Quantum_Beacon_<id>`).

    The same line would otherwise be a `quantum_target_selected`; it becomes this instead,
    never both. Selecting a beacon says nothing about whether the jump was made.
    """

    type: Literal["mission_quantum_destination_selected"] = "mission_quantum_destination_selected"
    phase: Literal["selected", "fuel_requested"]
    # The digits of `MISSION_QT_Quantum_Beacon_<id>`.
    beacon_id: str
    vehicle_class: str
    vehicle_id: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("beacon_id", "vehicle_class", "vehicle_id")


class QuantumRoute(BaseEvent):
    """A quantum route was calculated (`<Calculate Route>`).

    The line has two forms: `Projected Start Location is <X> for route to destination <Y>`
    names both ends; `Successfully calculated route to <Y>` names only the destination, so
    `start_location` is None there rather than a made-up value.
    """

    type: Literal["quantum_route"] = "quantum_route"
    vehicle_class: str
    vehicle_id: str
    # Display name, may hold spaces (`Port Tressler`) or just the system (`Stanton`).
    start_location: str | None = None
    destination: str
    # `fuel estimate <n>` when the line carries it; the unit is not logged.
    fuel_estimate: float | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("vehicle_class", "vehicle_id", "destination")


class QuantumArrived(BaseEvent):
    """The quantum drive reached its final destination.

    The line names no destination: pair it with the vehicle's last target or route.
    """

    type: Literal["quantum_arrived"] = "quantum_arrived"
    vehicle_class: str
    vehicle_id: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("vehicle_class", "vehicle_id")


class QuantumRerouted(BaseEvent):
    """The server rerouted the local quantum route (`<Local Route Guard - Server Rerouted>`).

    Most of these lines log `NULL ENTITY`, so the vehicle is often unknown.
    """

    type: Literal["quantum_rerouted"] = "quantum_rerouted"
    # `FinalStop=<n>` as logged; -1 is common and its meaning is not documented.
    final_stop: int
    vehicle_class: str | None = None
    vehicle_id: str | None = None


class JumpDriveState(BaseEvent):
    """A jump drive changed state or asked to (`<Jump Drive State Changed>`, `… Requesting …`).

    Written in 4.0-4.3. Each line names the drive item and its root entity ("adam") and zone,
    from which the ship is worked out when one is recognisable.
    """

    type: Literal["jump_drive_state"] = "jump_drive_state"
    phase: Literal["changed", "requested"]
    # The new state (`Idle`); for `requested`, the state asked for.
    state: str
    # Only on `requested` lines: the state it changes from, and the logged reason.
    previous_state: str | None = None
    reason: str | None = None
    # Solar system as logged (`Pyro`, `Stanton`, `DefaultSolarSystem` in menus).
    system: str
    # The jump drive entity (`JDRV_TARS_S01_Explorer_SCItem`, or `Default` for UI previews).
    drive_class: str
    drive_id: str
    vehicle_class: str | None = None
    vehicle_id: str | None = None
    zone: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("state", "system", "drive_class")


class VehicleControl(BaseEvent):
    """The local client took or released a vehicle's control token (`<Vehicle Control Flow>`).

    `SetDriver … requesting` is `entered` (pilot seat), `ClearDriver … releasing` is `left`.
    """

    type: Literal["vehicle_control"] = "vehicle_control"
    action: Literal["entered", "left"]
    vehicle_class: str
    vehicle_id: str
    # `Local client node [0]` (seen on some ClearDriver lines) means unknown: None.
    player_geid: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("vehicle_class", "vehicle_id")


class VehicleSpawned(BaseEvent):
    """A player's ship spawned (`[VEHICLE SPAWN] CPlayerShipRespawnManager::OnVehicleSpawned`).

    The line has no `<event name>`; only 4.1 logs carry it.
    """

    type: Literal["vehicle_spawned"] = "vehicle_spawned"
    vehicle_class: str
    vehicle_id: str
    player_geid: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("vehicle_class", "vehicle_id", "player_geid")


class VehicleStowed(BaseEvent):
    """A landing area unregistered and stowed the vehicle on it (`[STOWING ON UNREGISTER]`)."""

    type: Literal["vehicle_stowed"] = "vehicle_stowed"
    vehicle_id: str
    # Verbatim, including a `[PROC]` prefix and `{GUID}` suffix on procedural pads.
    landing_area: str
    landing_area_id: str
    # `Vehicle Zone Host [0]` (procedural pads) means none: None.
    zone_host_id: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("vehicle_id", "landing_area", "landing_area_id")


class FleetSize(BaseEvent):
    """How many ship entitlements the player owns (`… FetchOwnedShipsData> Fetching Owned …`)."""

    type: Literal["fleet_size"] = "fleet_size"
    entitlement_count: int
    player_geid: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("player_geid",)


class InsuranceClaim(BaseEvent):
    """An insurance claim was filed (`requested`) or its server callback came back (`completed`).

    `CWallet::ProcessClaimToNextStep … New Insurance Claim Request` and
    `CWallet::RmMulticastOnProcessClaimCallback … Claim Complete`, paired by
    `(entitlement_urn, request_id)`. Count claims on `requested` only.
    """

    type: Literal["insurance_claim"] = "insurance_claim"
    phase: Literal["requested", "completed"]
    # `urn:sc:global:entitlement:uuid:<uuid>`, verbatim.
    entitlement_urn: str
    # Counts up per entitlement within a session (1, 2, 3 …).
    request_id: int
    # Completion code as logged (11 and 7 seen; their meaning is not documented).
    result: int | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("entitlement_urn",)


class LocationInventoryRequested(BaseEvent):
    """The player opened the local inventory of a place (`<RequestLocationInventory>`).

    The best "player is at X" signal in 4.x logs. `INVALID_LOCATION_ID` is kept verbatim.
    """

    type: Literal["location_inventory_requested"] = "location_inventory_requested"
    player: str
    location: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("player", "location")


class PlanetTerrainLoad(BaseEvent):
    """A planet's terrain cells were invalidated (`<InvalidateAllTerrainCells>`).

    Fires on load and on unload, so it means "near", not "arrived". Real 4.1 lines name the
    planet literally `planet`; the name is kept verbatim.
    """

    type: Literal["planet_terrain_load"] = "planet_terrain_load"
    planet: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("planet",)


class PlanetCellsLoaded(BaseEvent):
    """A planet or moon had terrain cells loaded when the engine dumped its memory stats.

    Every ~10 minutes the engine writes one `planet cells: <used> [<pool>] meshes: <used>
    [<pool>] name: <body>` line per body of the system; the body with cells loaded is where
    the player is (on or near it). Only lines with cells > 0 give this event, the others
    are counted silent. `body` is verbatim (`OOC_Stanton_1_Hurston`, `pyro5f`).
    """

    type: Literal["planet_cells_loaded"] = "planet_cells_loaded"
    body: str
    cells: int
    meshes: int

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("body",)


class LocationChanged(BaseEvent):
    """The player moved from one place to another: inferred from other events, no line of its own.

    The wire keys are `from` and `to` (upstream); `from` is a Python keyword, so the attribute
    is `from_` with an alias, and both names are accepted on input.
    """

    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    type: Literal["location_changed"] = "location_changed"
    from_: str | None = Field(default=None, alias="from")
    to: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("to",)
