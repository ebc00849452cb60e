"""Pass two of the parser: turn a structured entry into a typed event.

Dispatch is on the exact event name first; names without a rule (or lines without a name)
fall back to body keywords, tried in table order. Team tags are never used for matching:
the game moves them between patches.
"""

import re
from collections.abc import Mapping

from starstats_core.classify import combat, commerce, inventory, missions, session, travel
from starstats_core.classify.rule import Rule
from starstats_core.events.base import BaseEvent
from starstats_core.structure import Entry

_FAMILIES = (session, combat, travel, missions, commerce, inventory)


def _merge_names() -> dict[str, Rule]:
    merged: dict[str, Rule] = {}
    for family in _FAMILIES:
        for name, rule in family.NAME_RULES.items():
            if name in merged:
                raise ValueError(f"event name {name!r} has two rules")
            merged[name] = rule
    return merged


NAME_RULES: Mapping[str, Rule] = _merge_names()
NAME_NEEDLES: Mapping[str, tuple[str, ...]] = {
    name: needles
    for family in _FAMILIES
    for name, needles in getattr(family, "NAME_NEEDLES", {}).items()
}
KEYWORD_RULES: tuple[tuple[str, Rule], ...] = tuple(
    pair for family in _FAMILIES for pair in family.KEYWORD_RULES
)
SILENT_KEYWORDS: tuple[str, ...] = tuple(
    keyword for family in _FAMILIES for keyword in getattr(family, "SILENT_KEYWORDS", ())
)
SILENT_KEYS: tuple[re.Pattern[str], ...] = tuple(
    pattern for family in _FAMILIES for pattern in getattr(family, "SILENT_KEYS", ())
)


def classify_entry(entry: Entry) -> BaseEvent | None:
    """The event one structured entry records, or None when no rule recognises it."""
    if entry.name is not None:
        rule = NAME_RULES.get(entry.name)
        if rule is not None:
            return rule(entry)
    for keyword, rule in KEYWORD_RULES:
        if keyword in entry.line:
            event = rule(entry)
            if event is not None:
                return event
    return None
