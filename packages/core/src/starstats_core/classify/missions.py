"""Rules for missions lines (see events/missions.py).

Real shapes (4.3+ push messages, 4.7+ markers) and upstream's synthetic shapes share rules.
Spacing before `[` is inconsistent inside one real line (`missionId [`, `contract [` but
`contractDefinitionId[`), so every pattern takes `\\s*` there: upstream's `missionId\\[`
matched no real marker line at all. Fields are looked up one by one rather than by one
line-long pattern, so a reordered or extended line still yields what it carries.
"""

import re

from starstats_core.classify.rule import KeywordRules, NameRules, word_search
from starstats_core.events.base import BaseEvent
from starstats_core.events.missions import (
    MissionEnd,
    MissionEnded,
    MissionObjective,
    MissionStart,
    ObjectiveUpserted,
)
from starstats_core.structure import Entry

# `missionId [3af45943-...]` (real marker) and `missionId[ABC12345-...]` (upstream synthetic).
_MISSION_ID = re.compile(r"missionId\s*\[\s*(?P<v>[0-9A-Fa-f-]+)\s*\]")
_MISSION_NAME = re.compile(r"missionName\s*\[(?P<v>[^\]]*)\]")
_GENERATOR = re.compile(r"generator\s*name\s*\[(?P<v>[^\]]*)\]")
# `contract [X]` only: `contractDefinitionId[` has a letter, not a bracket, after `contract`.
_CONTRACT = re.compile(r"contract\s*\[(?P<v>[^\]]*)\]")
_CONTRACT_DEFINITION_ID = re.compile(r"contractDefinitionId\s*\[(?P<v>[^\]]*)\]")
# Real objective ids are not UUIDs (`dropoff_2c480515-..._1`), so take anything bracketed.
_OBJECTIVE_ID = re.compile(r"objectiveId\s*\[(?P<v>[^\]]*)\]")
_OBJECTIVE_MARKER_CALL = re.compile(
    r"CreateMissionObjectiveMarker\([^)]*?"
    r"(?P<v>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})"
)

# `<EndMission>`: real `MissionId[..] Player[..] PlayerId[..] CompletionType[..] Reason[..]`,
# upstream synthetic `missionId[..] outcome[..]`. `Player\s*\[` cannot bind to `PlayerId[`.
_END_MISSION_ID = re.compile(r"[Mm]issionId\s*\[\s*(?P<v>[0-9A-Fa-f-]+)\s*\]")
_END_OUTCOME = re.compile(r"(?:CompletionType|outcome)\s*\[(?P<v>[^\]]*)\]")
_END_REASON = re.compile(r"Reason\s*\[(?P<v>[^\]]*)\]")
_END_PLAYER = re.compile(r"Player\s*\[(?P<v>[^\]]*)\]")

_MISSION_ENDED = re.compile(
    r"mission_id\s+(?P<mission>[0-9A-Fa-f-]+)\s*-\s*mission_state\s+"
    r"(?:MISSION_STATE_)?(?P<state>\w+)"
)
# Objective ids are `\S+`, not upstream's hex class: hauling objectives are
# `pickup_<uuid>_0`, and the hex class dropped every one of them.
_OBJECTIVE_UPSERTED = re.compile(
    r"mission_id\s+(?P<mission>[0-9A-Fa-f-]+)\s*-\s*objective_id\s+(?P<objective>\S+)"
    r"\s*-\s*state\s+(?:MISSION_OBJECTIVE_STATE_)?(?P<state>\w+)"
    r"(?:\s*-\s*created\s+(?P<created>[01])\b)?"
)

_ACTIVE_OBJECTIVE_ID = re.compile(r"id=(?P<v>[^,\s\]]+)")
_ACTIVE_OBJECTIVE_PRIORITY = re.compile(r"\[Priority=(?P<v>\d{1,9})\]")
_TEXT_OPEN = "[Text="


def _value(pattern: re.Pattern[str], text: str, *, word: bool = True) -> str | None:
    """The stripped `v` group of the first match, or None when absent or blank."""
    m = word_search(pattern, text) if word else pattern.search(text)
    if m is None:
        return None
    value = m["v"].strip()
    return value or None


def _id_value(pattern: re.Pattern[str], text: str, *, word: bool = True) -> str | None:
    """Like `_value`, but an all-zero GUID (the game's "no id") is None too."""
    value = _value(pattern, text, word=word)
    return None if value is None or _is_zero_id(value) else value


def _is_zero_id(value: str) -> bool:
    return set(value) <= {"0", "-"}


def mission_start_phase(entry: Entry) -> BaseEvent | None:
    """`<CLocalMissionPhaseMarker::CreateMarker>`: real marker line or upstream's synthetic."""
    body = entry.body
    mission_id = _id_value(_MISSION_ID, body)
    if mission_id is None:
        return None
    return MissionStart(
        timestamp=entry.timestamp,
        mission_id=mission_id,
        marker_kind="phase",
        mission_name=_value(_MISSION_NAME, body),
        generator=_value(_GENERATOR, body),
        contract=_value(_CONTRACT, body),
        contract_definition_id=_id_value(_CONTRACT_DEFINITION_ID, body),
        objective_id=_value(_OBJECTIVE_ID, body),
    )


def mission_start_objective(entry: Entry) -> BaseEvent | None:
    """Unshelled `CreateMissionObjectiveMarker(<uuid>, ...)` (upstream keyword form)."""
    mission_id = _id_value(_OBJECTIVE_MARKER_CALL, entry.body, word=False)
    if mission_id is None:
        return None
    return MissionStart(timestamp=entry.timestamp, mission_id=mission_id, marker_kind="objective")


def mission_end(entry: Entry) -> BaseEvent:
    """`<EndMission>` always emits, as upstream does: the name alone says a mission ended."""
    body = entry.body
    return MissionEnd(
        timestamp=entry.timestamp,
        mission_id=_id_value(_END_MISSION_ID, body),
        outcome=_value(_END_OUTCOME, body),
        reason=_value(_END_REASON, body),
        player=_value(_END_PLAYER, body),
    )


def mission_ended(entry: Entry) -> BaseEvent | None:
    m = word_search(_MISSION_ENDED, entry.body)
    if m is None or _is_zero_id(m["mission"]):
        return None
    return MissionEnded(
        timestamp=entry.timestamp, mission_id=m["mission"], state=m["state"].lower()
    )


def objective_upserted(entry: Entry) -> BaseEvent | None:
    m = word_search(_OBJECTIVE_UPSERTED, entry.body)
    if m is None:
        return None
    mission = m["mission"]
    created = m["created"]
    return ObjectiveUpserted(
        timestamp=entry.timestamp,
        mission_id=None if _is_zero_id(mission) else mission,
        objective_id=m["objective"],
        state=m["state"].lower(),
        created=None if created is None else created == "1",
    )


def _bracketed_text(body: str) -> str | None:
    """The `[Text=...]` value, balancing inner brackets (mods add `[150 Rep]` to titles)."""
    start = body.find(_TEXT_OPEN)
    if start < 0:
        return None
    start += len(_TEXT_OPEN)
    depth = 1
    for index in range(start, len(body)):
        char = body[index]
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return body[start:index].strip() or None
    return None


def mission_objective(entry: Entry) -> BaseEvent | None:
    """`<CMissionLogEntry::UpdateActiveObjective> Objective updated id=..., ... [Text=...]`."""
    body = entry.body
    objective_id = _id_value(_ACTIVE_OBJECTIVE_ID, body)
    if objective_id is None:
        return None
    priority = _value(_ACTIVE_OBJECTIVE_PRIORITY, body, word=False)
    return MissionObjective(
        timestamp=entry.timestamp,
        objective_id=objective_id,
        text=_bracketed_text(body),
        priority=None if priority is None else int(priority),
    )


NAME_RULES: NameRules = {
    "CLocalMissionPhaseMarker::CreateMarker": mission_start_phase,
    "EndMission": mission_end,
    "MissionEnded": mission_ended,
    "ObjectiveUpserted": objective_upserted,
    "CMissionLogEntry::UpdateActiveObjective": mission_objective,
}
KEYWORD_RULES: KeywordRules = (("CreateMissionObjectiveMarker(", mission_start_objective),)
