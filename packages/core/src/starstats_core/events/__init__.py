"""Domain events: one frozen model per kind, tagged by `type` (see `types.EventType`).

`EVENT_CLASSES` maps each type name to its model; `event_from_dict` rebuilds an event from
its wire form (raising pydantic's ValidationError; validators.py turns that into problems).
"""

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from starstats_core.events import (
    combat,
    commerce,
    header,
    hud,
    inventory,
    missions,
    session,
    system,
    travel,
)
from starstats_core.events.base import BaseEvent
from starstats_core.events.types import EventType

_MODULES: tuple[ModuleType, ...] = (
    header,
    session,
    combat,
    travel,
    hud,
    missions,
    commerce,
    inventory,
    system,
)


def _collect() -> dict[str, type[BaseEvent]]:
    classes: dict[str, type[BaseEvent]] = {}
    for module in _MODULES:
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, BaseEvent) and obj is not BaseEvent:
                name = obj.model_fields["type"].default
                if name in classes and classes[name] is not obj:
                    raise ValueError(f"event type {name!r} is defined twice")
                classes[name] = obj
    return classes


EVENT_CLASSES: Mapping[str, type[BaseEvent]] = _collect()


def event_from_dict(data: Mapping[str, Any]) -> BaseEvent:
    """The event whose wire form is `data`. Raises KeyError for an unknown `type` and
    pydantic.ValidationError for wrong fields."""
    cls = EVENT_CLASSES[str(data.get("type"))]
    return cls.model_validate(dict(data))


def event_to_dict(event: BaseEvent) -> dict[str, Any]:
    """The JSON-ready wire form of an event (with `type`, None kept as null)."""
    return event.model_dump(mode="json")


__all__ = ["EVENT_CLASSES", "BaseEvent", "EventType", "event_from_dict", "event_to_dict"]
