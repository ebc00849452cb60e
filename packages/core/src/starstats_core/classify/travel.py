"""Rules for ship, quantum-travel and place lines (see events/travel.py).

The 4.5+ quantum lines share one shape,
`[ItemNavigation][CL][n] | NOT AUTH | <Vehicle>_<id>[<id>]|CSCItemNavigation::<Fn>|<message>`,
and their shell names vary (`- Local` / `- Server Routing`). So each is dispatched on its
known shell name and, for shell names not seen yet, on the `CSCItemNavigation::<Fn>` keyword.
The stow line's shell was renamed once already (2026-07), so it gets the same treatment on
its `[STOWING ON UNREGISTER]` body marker.
"""

import math
import re

from starstats_core.classify.rule import (
    KeywordRules,
    NameNeedles,
    NameRules,
    SilentKeys,
    SilentKeywords,
)
from starstats_core.events.base import BaseEvent
from starstats_core.events.travel import (
    FleetSize,
    InsuranceClaim,
    JumpDriveState,
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
from starstats_core.structure import Entry

# Entity names end in their numeric id (`RSI_Aurora_MR_200000001483`): cut it for the class.
_ID_SUFFIX = re.compile(r"_\d+$")

# -- [ItemNavigation] quantum lines ------------------------------------------------------
_NAV_FN = "|CSCItemNavigation::"
_NAV_ENTITY = re.compile(r"(?P<name>[A-Za-z0-9_]+)\[(?P<id>\d+)\]")
_SELECTED_POINT = re.compile(r"Player has selected point\s+(?P<dest>\S+)")
_FUEL_POINT = re.compile(r"Player has requested fuel calculation to destination\s+(?P<dest>\S+)")
_MISSION_BEACON = re.compile(r"MISSION_QT_Quantum_Beacon_(?P<beacon>\d+)")
_ROUTE_WITH_START = re.compile(
    r"Projected Start Location is\s+(?P<start>.+?)\s+for route to destination\s+(?P<dest>\S+)"
)
_ROUTE_DONE = re.compile(r"Successfully calculated route to\s+(?P<dest>\S+)")
_FUEL_ESTIMATE = re.compile(r"fuel estimate\s+(?P<fuel>\d{1,20}(?:\.\d+)?)(?!\d)")
_FINAL_STOP = re.compile(r"FinalStop=(?P<stop>-?\d{1,9})(?!\d)")

# -- other ship and place lines ----------------------------------------------------------
# `Now Idle | CL17860 | NOT AUTH | Pyro | JDRV_…_2619314706628 [2619314706628]
#  (adam: ANVL_C8R_Pisces_2619314706583 in zone SolarSystem_2741054412411) | CSC…`;
# a UI preview's adam carries a ` (vehicle)` note: `(adam: ui_entity_0024 (vehicle) in zone …`.
_JUMP_DRIVE = re.compile(
    r"^(?P<head>[^|]+?)\s*\|[^|]*\|[^|]*\|\s*(?P<system>[^|]+?)\s*\|\s*"
    r"(?P<drive>[^\s|\[]+)\s*\[(?P<drive_id>\d+)\]\s*"
    r"\(adam:\s*(?P<adam>[^\s()]+)(?:\s*\([^()]*\))?\s+in zone\s+(?P<zone>[^\s()]+)\)"
)
_JUMP_NOW = re.compile(r"^Now\s+(?P<state>\w+)$")
_JUMP_REQUEST = re.compile(
    r"^Requested change from\s+(?P<from>\w+)\s+to\s+(?P<to>\w+)(?:,\s*reason:\s*(?P<reason>.+))?$"
)
# A ship entity: manufacturer code, model, long entity id (`ANVL_C8R_Pisces_2619314706583`).
# Places (`SolarSystem_…`, `Hangar_SmallTop_…`) and UI previews (`ui_entity_0024`) fail it.
_SHIP_ENTITY = re.compile(r"(?P<cls>[A-Z][A-Z0-9]{1,5}_[A-Za-z0-9_]+?)_(?P<id>\d{6,})")
_CONTROL_TOKEN = re.compile(
    r"Local client node\s*\[(?P<node>\d+)\]\s*(?P<verb>requesting|releasing)\s+control token for\s+"
    r"'(?P<vehicle>[^']+)'\s*\[(?P<vid>\d+)\]"
)
_VEHICLE_SPAWN = re.compile(
    r"OnVehicleSpawned\s+(?P<vid>\d+)\s*\((?P<vehicle>[^()\s]+)\)\s*by player\s+(?P<geid>\d+)"
)
_STOW_MARKER = "[STOWING ON UNREGISTER]"
_STOW = re.compile(
    r"\[STOWING\s+ON\s+UNREGISTER\]\s*(?P<area>\S+)\s*\[(?P<area_id>\d+)\]\s*-\s*"
    r"Attempting to stow current vehicle\s*\[(?P<vid>\d+)\].*?Vehicle Zone Host\s*\[(?P<host>\d+)\]"
)
_FLEET = re.compile(
    r"Fetching Owned Ship Data of\s+(?P<count>\d{1,9})\s+entitlements for player\s+(?P<geid>\d+)"
)
# `planet cells:  133 [16384] meshes:   58 [ 2048] name: OOC_Stanton_1_Hurston`: cells and
# meshes in use [pool size] on one body.
_PLANET_CELLS_KEYWORD = "planet cells:"
_PLANET_CELLS = re.compile(
    r"planet cells:\s*(?P<cells>\d{1,9})\s*\[\s*\d{1,9}\s*\]\s*"
    r"meshes:\s*(?P<meshes>\d{1,9})\s*\[\s*\d{1,9}\s*\]\s*name:\s*(?P<body>\S+)"
)
_CLAIM_REQUEST = re.compile(
    r"New Insurance Claim Request\s*-\s*entitlementURN:\s*(?P<urn>[^\s,]+)\s*,\s*"
    r"requestId\s*:\s*(?P<req>\d{1,9})(?!\d)"
)
_CLAIM_COMPLETE = re.compile(
    r"Claim Complete\s*-\s*entitlementURN:\s*(?P<urn>[^\s,]+)\s*,\s*result:\s*(?P<result>-?\d{1,9})"
    r"\s*,\s*requestId\s*:\s*(?P<req>\d{1,9})(?!\d)"
)
# The `Player[X] requested Location[INVALID_LOCATION_ID] doesn't have inventory.` failure
# reply does not say "requested inventory for", so it is (rightly) not a second request.
_LOCATION_INVENTORY = re.compile(
    r"Player\[(?P<player>[^\]]+)\]\s*requested\s+inventory\s+for\s+Location\[(?P<loc>[^\]]+)\]"
)
# Upstream wanted `Planet OOC_…`; real lines read `Planet planet invalidated …`, so any name.
_TERRAIN = re.compile(r"Planet\s+(?P<planet>\S+)\s+invalidated all terrain cells")


def _vehicle_class(name: str) -> str:
    return _ID_SUFFIX.sub("", name)


def _nav_parts(body: str) -> tuple[str | None, str | None, str] | None:
    """(vehicle class, vehicle id, message) of an `[ItemNavigation]` line; None if not one.

    The vehicle is the `|`-field just before `|CSCItemNavigation::`; `NULL ENTITY` gives
    (None, None, message).
    """
    fn = body.find(_NAV_FN)
    if fn < 0:
        return None
    rest = body[fn + len(_NAV_FN) :]
    bar = rest.find("|")
    message = rest[bar + 1 :].strip() if bar >= 0 else ""
    entity = _NAV_ENTITY.fullmatch(body[:fn].rsplit("|", 1)[-1].strip())
    if entity is None:
        return None, None, message
    return _vehicle_class(entity["name"]), entity["id"], message


def quantum_target(entry: Entry) -> BaseEvent | None:
    parts = _nav_parts(entry.body)
    if parts is None:
        return None
    vehicle_class, vehicle_id, message = parts
    if vehicle_class is None or vehicle_id is None:
        return None
    selected = _SELECTED_POINT.search(message)
    fuel = None if selected is not None else _FUEL_POINT.search(message)
    found = selected or fuel
    if found is None:
        return None
    # `…, routing locally` style text can glue a comma to the point name.
    destination = found["dest"].removesuffix(",")
    if not destination:
        return None
    beacon = _MISSION_BEACON.fullmatch(destination)
    if beacon is not None:
        return MissionQuantumDestinationSelected(
            timestamp=entry.timestamp,
            phase="selected" if selected is not None else "fuel_requested",
            beacon_id=beacon["beacon"],
            vehicle_class=vehicle_class,
            vehicle_id=vehicle_id,
        )
    return QuantumTargetSelected(
        timestamp=entry.timestamp,
        phase="selected" if selected is not None else "fuel_requested",
        vehicle_class=vehicle_class,
        vehicle_id=vehicle_id,
        destination=destination,
    )


def quantum_route(entry: Entry) -> BaseEvent | None:
    parts = _nav_parts(entry.body)
    if parts is None:
        return None
    vehicle_class, vehicle_id, message = parts
    if vehicle_class is None or vehicle_id is None:
        return None
    start: str | None = None
    with_start = _ROUTE_WITH_START.search(message)
    if with_start is not None:
        start, destination = with_start["start"], with_start["dest"]
    else:
        done = _ROUTE_DONE.search(message)
        if done is None:
            return None
        destination = done["dest"]
    destination = destination.removesuffix(",")
    if not destination:
        return None
    fuel_estimate: float | None = None
    fuel = _FUEL_ESTIMATE.search(message)
    if fuel is not None:
        value = float(fuel["fuel"])
        fuel_estimate = value if math.isfinite(value) else None
    return QuantumRoute(
        timestamp=entry.timestamp,
        vehicle_class=vehicle_class,
        vehicle_id=vehicle_id,
        start_location=start,
        destination=destination,
        fuel_estimate=fuel_estimate,
    )


def quantum_arrived(entry: Entry) -> BaseEvent | None:
    parts = _nav_parts(entry.body)
    if parts is None or parts[0] is None or parts[1] is None:
        return None
    return QuantumArrived(timestamp=entry.timestamp, vehicle_class=parts[0], vehicle_id=parts[1])


def quantum_rerouted(entry: Entry) -> BaseEvent | None:
    parts = _nav_parts(entry.body)
    if parts is None:
        return None
    stop = _FINAL_STOP.search(parts[2])
    if stop is None:
        return None
    return QuantumRerouted(
        timestamp=entry.timestamp,
        final_stop=int(stop["stop"]),
        vehicle_class=parts[0],
        vehicle_id=parts[1],
    )


def jump_drive_state(entry: Entry) -> BaseEvent | None:
    m = _JUMP_DRIVE.search(entry.body)
    if m is None:
        return None
    head = m["head"].strip()
    previous: str | None = None
    reason: str | None = None
    now = _JUMP_NOW.match(head)
    if now is not None:
        state = now["state"]
    else:
        request = _JUMP_REQUEST.match(head)
        if request is None:
            return None
        state, previous = request["to"], request["from"]
        reason = None if request["reason"] is None else request["reason"].strip()
    # The ship is the drive's root entity ("adam"), unless the drive is its own root, which
    # happens when it sits inside the ship: then the zone is the ship.
    candidate = m["zone"] if m["adam"] == m["drive"] else m["adam"]
    ship = _SHIP_ENTITY.fullmatch(candidate)
    return JumpDriveState(
        timestamp=entry.timestamp,
        phase="changed" if now is not None else "requested",
        state=state,
        previous_state=previous,
        reason=reason,
        system=m["system"],
        drive_class=_vehicle_class(m["drive"]),
        drive_id=m["drive_id"],
        vehicle_class=None if ship is None else ship["cls"],
        vehicle_id=None if ship is None else ship["id"],
        zone=m["zone"],
    )


def vehicle_control(entry: Entry) -> BaseEvent | None:
    m = _CONTROL_TOKEN.search(entry.body)
    if m is None:
        return None
    node = m["node"]
    return VehicleControl(
        timestamp=entry.timestamp,
        action="entered" if m["verb"] == "requesting" else "left",
        vehicle_class=_vehicle_class(m["vehicle"]),
        vehicle_id=m["vid"],
        player_geid=None if node.strip("0") == "" else node,
    )


def vehicle_spawned(entry: Entry) -> BaseEvent | None:
    m = _VEHICLE_SPAWN.search(entry.body)
    if m is None:
        return None
    return VehicleSpawned(
        timestamp=entry.timestamp,
        vehicle_class=_vehicle_class(m["vehicle"]),
        vehicle_id=m["vid"],
        player_geid=m["geid"],
    )


def vehicle_stowed(entry: Entry) -> BaseEvent | None:
    m = _STOW.search(entry.body)
    if m is None:
        return None
    host = m["host"]
    return VehicleStowed(
        timestamp=entry.timestamp,
        vehicle_id=m["vid"],
        landing_area=m["area"],
        landing_area_id=m["area_id"],
        zone_host_id=None if host.strip("0") == "" else host,
    )


def fleet_size(entry: Entry) -> BaseEvent | None:
    # The same shell also logs `AsyncQueryEntitiesByEntitlement for player …`: no count.
    m = _FLEET.search(entry.body)
    if m is None:
        return None
    return FleetSize(
        timestamp=entry.timestamp, entitlement_count=int(m["count"]), player_geid=m["geid"]
    )


def insurance_claim_request(entry: Entry) -> BaseEvent | None:
    # The shell's other line, `Existing Active Claim Found`, repeats up to 166 times in the
    # same millisecond while a claim is open: a guard, not a new claim.
    m = _CLAIM_REQUEST.search(entry.body)
    if m is None:
        return None
    return InsuranceClaim(
        timestamp=entry.timestamp,
        phase="requested",
        entitlement_urn=m["urn"],
        request_id=int(m["req"]),
    )


def insurance_claim_complete(entry: Entry) -> BaseEvent | None:
    m = _CLAIM_COMPLETE.search(entry.body)
    if m is None:
        return None
    return InsuranceClaim(
        timestamp=entry.timestamp,
        phase="completed",
        entitlement_urn=m["urn"],
        request_id=int(m["req"]),
        result=int(m["result"]),
    )


def location_inventory_requested(entry: Entry) -> BaseEvent | None:
    m = _LOCATION_INVENTORY.search(entry.body)
    if m is None:
        return None
    return LocationInventoryRequested(
        timestamp=entry.timestamp, player=m["player"], location=m["loc"]
    )


def planet_terrain_load(entry: Entry) -> BaseEvent | None:
    m = _TERRAIN.search(entry.body)
    if m is None:
        return None
    return PlanetTerrainLoad(timestamp=entry.timestamp, planet=m["planet"])


def planet_cells_loaded(entry: Entry) -> BaseEvent | None:
    m = _PLANET_CELLS.search(entry.body)
    if m is None or int(m["cells"]) == 0:
        return None
    return PlanetCellsLoaded(
        timestamp=entry.timestamp, body=m["body"], cells=int(m["cells"]), meshes=int(m["meshes"])
    )


NAME_RULES: NameRules = {
    "Player Selected Quantum Target - Local": quantum_target,
    "Player Requested Fuel to Quantum Target - Server Routing": quantum_target,
    "Calculate Route": quantum_route,
    "Quantum Drive Arrived - Arrived at Final Destination": quantum_arrived,
    "Local Route Guard - Server Rerouted": quantum_rerouted,
    "Jump Drive State Changed": jump_drive_state,
    "Jump Drive Requesting State Change": jump_drive_state,
    "Vehicle Control Flow": vehicle_control,
    "CLandingArea::UnregisterFromExternalSystems": vehicle_stowed,
    "LandingArea_UnregisterFromExternalSystems_StowingVehicle": vehicle_stowed,
    "CEntityComponentShipListProvider::FetchOwnedShipsData": fleet_size,
    "CWallet::ProcessClaimToNextStep": insurance_claim_request,
    "CWallet::RmMulticastOnProcessClaimCallback": insurance_claim_complete,
    "RequestLocationInventory": location_inventory_requested,
    "InvalidateAllTerrainCells": planet_terrain_load,
}
KEYWORD_RULES: KeywordRules = (
    # 4.1 spawn lines have no `<event name>`: `[VEHICLE SPAWN] CPlayerShipRespawnManager::…`.
    ("CPlayerShipRespawnManager::OnVehicleSpawned", vehicle_spawned),
    # Fallbacks for shell names not seen yet (see the module docstring).
    (_STOW_MARKER, vehicle_stowed),
    ("CSCItemNavigation::OnPlayerSelectedQuantumTarget", quantum_target),
    ("CSCItemNavigation::OnPlayerRequestFuelToQuantumTarget", quantum_target),
    ("CSCItemNavigation::CalculateRoute", quantum_route),
    ("CSCItemNavigation::OnQuantumDriveArrived", quantum_arrived),
    # The engine's periodic memory dump, one line per body and no `<event name>`.
    (_PLANET_CELLS_KEYWORD, planet_cells_loaded),
)
# Most bodies of a dump have no cells loaded: recognised, but nothing happened there.
SILENT_KEYWORDS: SilentKeywords = (_PLANET_CELLS_KEYWORD,)
# Their usual line, `planet cells:    0 [    0] meshes: …`, is known silent by its key (digits
# masked to `0`): a one-digit pool. Pools seen are 0 or thousands (`133 [16384]`) and a key
# cannot tell 0 from 1-9, so a pool under 10 is taken for none. Any other line with 0 cells
# reaches the rule and is counted silent through SILENT_KEYWORDS.
SILENT_KEYS: SilentKeys = (re.compile(r"planet cells:\s*0 \[\s*0\]"),)
# `Existing Active Claim Found` repeats up to 166 times a millisecond: not a claim.
NAME_NEEDLES: NameNeedles = {
    "CWallet::ProcessClaimToNextStep": ("New Insurance Claim Request",),
}
