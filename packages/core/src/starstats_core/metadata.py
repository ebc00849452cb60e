"""Event metadata (wire schema v2): what an event is mainly about, and how it was obtained.

`observed_metadata(event, handle)` stamps a parsed event as observed (confidence 1.0) with its
primary entity. The entity follows upstream's table (§3.3) where upstream has the event
(deaths and incapacitations are about the player, a shard join about the shard, a HUD banner
about the HUD, ...); for the other kinds the entity is found from the event's fields, in a
fixed order of preference (vehicle, item, mission, shop, location, session, player).
"""

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from starstats_core.events.base import BaseEvent

EntityKind = Literal[
    "player", "vehicle", "item", "location", "shop", "mission", "session", "system"
]


class EntityRef(BaseModel):
    """The thing an event is mainly about."""

    model_config = ConfigDict(extra="forbid")

    kind: EntityKind
    id: str = Field(max_length=256)
    display_name: str = Field(max_length=256)


class EventMetadata(BaseModel):
    """How an event was obtained (schema v2); checked by `validators.metadata_problems`."""

    model_config = ConfigDict(extra="forbid")

    primary_entity: EntityRef
    source: Literal["observed", "inferred", "synthesized"]
    confidence: float
    group_key: str = Field(max_length=512)
    field_provenance: dict[str, Any] | None = None
    inference_inputs: list[str] | None = None
    rule_id: str | None = None


_Entity = tuple[EntityKind, str, str]  # kind, id, display name

# Fields that name the entity, in order of preference: (kind, id field, display field).
_BY_FIELDS: tuple[tuple[EntityKind, str, str], ...] = (
    ("vehicle", "vehicle_id", "vehicle_class"),
    ("item", "item_id", "item_class"),
    ("mission", "mission_id", "mission_name"),
    ("shop", "shop_id", "shop_name"),
    ("shop", "commodity", "commodity"),
    ("location", "location", "location"),
    ("location", "planet", "planet"),
    ("location", "solar_system", "solar_system"),
    ("session", "shard", "shard"),
    ("session", "local_session", "env_session"),
    ("session", "session_guid", "session_guid"),
    ("player", "handle", "handle"),
    ("player", "victim", "victim"),
    ("player", "player", "player"),
    ("player", "nickname", "nickname"),
)


def _field(event: BaseEvent, name: str) -> str | None:
    value = getattr(event, name, None)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _the_player(event: BaseEvent, handle: str) -> _Entity:
    del event
    name = handle.strip() or "unknown"
    return ("player", name, name)


def _fixed(kind: EntityKind, entity_id: str, display: str) -> Callable[[BaseEvent, str], _Entity]:
    return lambda _event, _handle: (kind, entity_id, display)


def _from(field: str, kind: EntityKind) -> Callable[[BaseEvent, str], _Entity]:
    def entity(event: BaseEvent, handle: str) -> _Entity:
        del handle
        value = _field(event, field) or "unknown"
        return (kind, value, value)

    return entity


# Upstream's explicit choices (§3.3), where the field order above would pick otherwise.
_SPECIAL: dict[str, Callable[[BaseEvent, str], _Entity]] = {
    "player_death": _the_player,
    "player_incapacitated": _the_player,
    "incap_logged": _the_player,
    "resolve_spawn": _from("player_geid", "player"),
    "change_server": _fixed("session", "session", "session"),
    "session_end": _fixed("session", "session", "session"),
    "hud_notification": _fixed("system", "hud", "HUD"),
    "blueprint_received": _from("blueprint", "item"),
    "game_crash": _fixed("system", "crash", "crash"),
    "launcher_activity": _fixed("system", "launcher", "launcher"),
    "remote_match": _from("event_name", "system"),
    "burst_summary": _from("rule_id", "system"),
    "location_changed": _from("to", "location"),
    "planet_cells_loaded": _from("body", "location"),
}


def primary_entity(event: BaseEvent, handle: str) -> EntityRef:
    """The entity `event` is mainly about, for the player `handle`."""
    special = _SPECIAL.get(event.type)
    if special is not None:
        kind, entity_id, display = special(event, handle)
        return EntityRef(kind=kind, id=entity_id[:256], display_name=display[:256])
    for kind, id_field, display_field in _BY_FIELDS:
        found = _field(event, id_field)
        if found is not None:
            shown = _field(event, display_field) or found
            return EntityRef(kind=kind, id=found[:256], display_name=shown[:256])
    return EntityRef(kind="system", id=event.type, display_name=event.type)


def observed_metadata(event: BaseEvent, handle: str) -> EventMetadata:
    """Metadata for an event read straight from a log line (confidence 1.0, no inputs)."""
    entity = primary_entity(event, handle)
    return EventMetadata(
        primary_entity=entity,
        source="observed",
        confidence=1.0,
        group_key=f"{event.type}:{entity.kind}:{entity.id}"[:512],
    )
