"""One-line, human summaries of stored events for the tray's event list (after upstream's
timeline `format_summary`); a type without a template shows its first few fields. Class
names and place codes are shown by their readable names (core's `names`)."""

import json
from collections.abc import Callable, Mapping
from typing import Any

from starstats_core.names import (
    actor_name,
    commodity_name,
    item_name,
    place_name,
    ship_name,
    shop_name,
    weapon_name,
)

MAX_SUMMARY = 120

# `{field}` placeholders; a template whose fields are missing falls back to the generic form.
_TEMPLATES: Mapping[str, str] = {
    "session_started": "Log started (build {build})",
    "process_init": "Game process started",
    "character_status": "Character {name}: {state}",
    "player_spawned": "Player spawned",
    "pu_session_ended": "Left the PU",
    "corpse": "{player}: {detail}",
    "fatal_collision": "{vehicle_class} fatal collision in {zone}",
    "jump_drive_state": "Jump drive {state} ({system})",
    "insurance_claim": "Insurance claim {phase}",
    "spawn_reservation_lost": "{player} lost the spawn point {spawnpoint}",
    "legacy_login": "Logged in as {handle}",
    "join_pu": "Joined PU shard {shard} ({address}:{port})",
    "actor_death": "{victim} killed by {killer} with {weapon} ({damage_type}) in {zone}",
    "vehicle_destruction": "{vehicle_class} destroyed (level {destroy_level_to}) by {caused_by}",
    "player_death": "Died ({body_class})",
    "hud_notification": "HUD: {text}",
    "location_inventory_requested": "{player} opened inventory at {location}",
    "planet_terrain_load": "Near planet/moon: {planet}",
    "planet_cells_loaded": "At planet/moon: {body}",
    "quantum_target_selected": "Quantum target selected: {vehicle_class} → {destination}",
    "quantum_route": "Quantum route: {vehicle_class} → {destination}",
    "quantum_arrived": "Quantum arrival: {vehicle_class}",
    "attachment_received": "Attached {item_class}",
    "vehicle_stowed": "Ship {vehicle_id} stowed at {landing_area}",
    "vehicle_control": "{action} {vehicle_class}",
    "vehicle_spawned": "{vehicle_class} spawned",
    "game_crash": "Game crash ({channel}, {crash_dir_name})",
    "launcher_activity": "[{category}] {message}",
    "location_changed": "Location: {to}",
    "mission_ended": "Mission {state}",
    "mission_end": "Mission {outcome}: {reason}",
    "objective_upserted": "Objective {state}",
    "commodity_box_added": "Commodity box: {commodity}",
    "blueprint_received": "Blueprint received: {blueprint}",
    "session_end": "Game closed ({kind})",
    "channel_disconnected": "Disconnected: {reason}",
}
# Fields holding the game's codes, and how a player names what they hold.
_NAMED: Mapping[str, Callable[[str], str]] = {
    "vehicle_class": ship_name,
    "item_class": item_name,
    "weapon": weapon_name,
    "victim": actor_name,
    "killer": actor_name,
    "caused_by": actor_name,
    "zone": place_name,
    "location": place_name,
    "destination": place_name,
    "to": place_name,
    "landing_area": place_name,
    "planet": place_name,
    "body": place_name,
    "commodity": commodity_name,
    "shop_name": shop_name,
}
# Fields that say nothing to a player (ids, raw text, the type and time shown beside it).
_SKIPPED = {"type", "timestamp", "raw"}
_ID_SUFFIXES = ("_id", "_geid", "_guid", "_urn")


def summarize(event_type: str, payload: str) -> str:
    """The summary of one stored event (`payload`: its wire JSON)."""
    try:
        fields = json.loads(payload)
    except ValueError:
        return ""
    if not isinstance(fields, dict):
        return ""
    template = _TEMPLATES.get(event_type)
    text = _filled(template, fields) if template else None
    if text is None:
        # Last resort, for a type whose fields are all ids: its name in words.
        text = _generic(fields) or event_type.replace("_", " ").capitalize()
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1] + "…"


def _filled(template: str, fields: Mapping[str, Any]) -> str | None:
    try:
        text = template.format_map({k: _plain(v, k) for k, v in fields.items() if v is not None})
    except (KeyError, ValueError, IndexError):
        return None
    return " ".join(text.split())  # HUD text may carry stitched newlines


def _generic(fields: Mapping[str, Any]) -> str:
    shown = [
        f"{key}={_plain(value, key)}"
        for key, value in fields.items()
        if key not in _SKIPPED
        and not key.endswith(_ID_SUFFIXES)
        and isinstance(value, str | int | float | bool)
    ]
    return ", ".join(shown[:4])


def _plain(value: Any, key: str) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    namer = _NAMED.get(key)
    if isinstance(value, str) and namer is not None and value.strip():
        return namer(value)
    if isinstance(value, str) and value.startswith("body_"):
        return value.removeprefix("body_")
    return str(value)
