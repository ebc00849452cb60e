"""The closed set of event type names (the wire `type` tag and the database `event_type`).

Names follow upstream StarStats where it has them (snake_case, past-tense facts or plain
nouns); the kinds upstream lacks are ours. A name is never renamed once shipped.
"""

from enum import StrEnum


class EventType(StrEnum):
    """Every event kind the parser, the client or the server can produce."""

    # -- session and identity -------------------------------------------------------------
    SESSION_STARTED = "session_started"
    PROCESS_INIT = "process_init"
    LEGACY_LOGIN = "legacy_login"
    CHARACTER_STATUS = "character_status"
    INCOMING_CONNECTION = "incoming_connection"
    JOIN_PU = "join_pu"
    CHANGE_SERVER = "change_server"
    SEED_SOLAR_SYSTEM = "seed_solar_system"
    RESOLVE_SPAWN = "resolve_spawn"
    CONTEXT_ESTABLISHED = "context_established"
    LOADING_SCREEN_CLOSED = "loading_screen_closed"
    PLAYER_SPAWNED = "player_spawned"
    CHANNEL_DISCONNECTED = "channel_disconnected"
    PU_SESSION_ENDED = "pu_session_ended"
    SESSION_END = "session_end"
    GAME_MODE_CHANGED = "game_mode_changed"
    GAME_CRASH = "game_crash"
    LAUNCHER_ACTIVITY = "launcher_activity"
    # -- combat, deaths and injuries (kills only in 3.24-4.3 logs) ------------------------
    ACTOR_DEATH = "actor_death"
    VEHICLE_DESTRUCTION = "vehicle_destruction"
    CORPSE = "corpse"
    PLAYER_DEATH = "player_death"
    PLAYER_INCAPACITATED = "player_incapacitated"
    INCAP_LOGGED = "incap_logged"
    STATUS_EFFECT = "status_effect"
    SPAWN_RESERVATION_LOST = "spawn_reservation_lost"
    FATAL_COLLISION = "fatal_collision"
    ACTOR_STALL = "actor_stall"
    HOSTILE_HIT = "hostile_hit"
    ACTOR_EJECTED = "actor_ejected"
    MED_BED_HEAL = "med_bed_heal"
    # -- ships, travel and places ---------------------------------------------------------
    VEHICLE_CONTROL = "vehicle_control"
    VEHICLE_SPAWNED = "vehicle_spawned"
    VEHICLE_STOWED = "vehicle_stowed"
    FLEET_SIZE = "fleet_size"
    INSURANCE_CLAIM = "insurance_claim"
    JUMP_DRIVE_STATE = "jump_drive_state"
    QUANTUM_TARGET_SELECTED = "quantum_target_selected"
    QUANTUM_ROUTE = "quantum_route"
    QUANTUM_ARRIVED = "quantum_arrived"
    QUANTUM_REROUTED = "quantum_rerouted"
    MISSION_QUANTUM_DESTINATION_SELECTED = "mission_quantum_destination_selected"
    LOCATION_INVENTORY_REQUESTED = "location_inventory_requested"
    PLANET_TERRAIN_LOAD = "planet_terrain_load"
    PLANET_CELLS_LOADED = "planet_cells_loaded"
    LOCATION_CHANGED = "location_changed"
    # -- HUD, contracts and missions ------------------------------------------------------
    HUD_NOTIFICATION = "hud_notification"
    BLUEPRINT_RECEIVED = "blueprint_received"
    MISSION_START = "mission_start"
    MISSION_END = "mission_end"
    MISSION_OBJECTIVE = "mission_objective"
    OBJECTIVE_UPSERTED = "objective_upserted"
    MISSION_ENDED = "mission_ended"
    TRAVEL_TO_CONTRACT_LOCATION = "travel_to_contract_location"
    # -- commerce -------------------------------------------------------------------------
    SHOP_BUY_REQUEST = "shop_buy_request"
    SHOP_SELL_REQUEST = "shop_sell_request"
    SHOP_FLOW_RESPONSE = "shop_flow_response"
    COMMODITY_BUY_REQUEST = "commodity_buy_request"
    COMMODITY_SELL_REQUEST = "commodity_sell_request"
    COMMODITY_BOX_ADDED = "commodity_box_added"
    SHOP_REQUEST_TIMED_OUT = "shop_request_timed_out"
    # -- loadout and inventory ------------------------------------------------------------
    ATTACHMENT_RECEIVED = "attachment_received"
    ITEM_EQUIP_CHANGE = "item_equip_change"
    ITEM_STORED = "item_stored"
    INVENTORY_MANAGEMENT = "inventory_management"
    # -- produced outside the line classifier (tray rules, server rules) ------------------
    REMOTE_MATCH = "remote_match"
    BURST_SUMMARY = "burst_summary"
