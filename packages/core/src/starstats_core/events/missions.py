"""Missions events (see classify/missions.py for the lines they come from).

Contracts are keyed by the mission UUID the game assigns (`missionId [...]`, `MissionId[...]`,
`mission_id ...`): one contract's lines can be joined on it across accept, objective and end.
Field names follow upstream StarStats where it has the variant. HUD contract banners
("Contract Accepted: ...") are `hud_notification` events, not these.
"""

from typing import ClassVar, Literal

from starstats_core.events.base import BaseEvent


class MissionStart(BaseEvent):
    """An objective marker was created for a mission, which is how the log shows an accept.

    `marker_kind` says which line it came from: `phase` for
    `<CLocalMissionPhaseMarker::CreateMarker>`, `objective` for the unshelled
    `CreateMissionObjectiveMarker(...)` call. A 4.7+ contract logs one phase marker per
    objective (pickup and each drop-off), all with the same timestamp and mission id, so a
    contract yields several of these: count contracts by distinct `mission_id`.
    """

    type: Literal["mission_start"] = "mission_start"
    mission_id: str
    marker_kind: Literal["phase", "objective"]
    # Only upstream's `missionName[...]` form carries a display name; real lines carry the
    # contract's class name in `contract` instead.
    mission_name: str | None = None
    generator: str | None = None
    contract: str | None = None
    contract_definition_id: str | None = None
    objective_id: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("mission_id",)


class MissionEnd(BaseEvent):
    """The game ended a mission for the local player (`<EndMission>`).

    `outcome` is the verbatim `CompletionType[...]` (`Complete`, ...) of real 4.3+ lines, or
    upstream's `outcome[...]`. Every field is optional because upstream always emits on this
    event name, whatever the body says.
    """

    type: Literal["mission_end"] = "mission_end"
    mission_id: str | None = None
    outcome: str | None = None
    reason: str | None = None
    player: str | None = None


class MissionEnded(BaseEvent):
    """The mission service pushed a final state for a mission (`<MissionEnded>`).

    `state` is the suffix after `MISSION_STATE_`, lower-cased (`completed`, ...).
    """

    type: Literal["mission_ended"] = "mission_ended"
    mission_id: str
    state: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("mission_id", "state")


class ObjectiveUpserted(BaseEvent):
    """The mission service pushed an objective's state (`<ObjectiveUpserted>`).

    `state` is the suffix after `MISSION_OBJECTIVE_STATE_`, lower-cased (`inprogress`,
    `completed`, `withdrawn`, `failed`). `created` is the line's `created 0|1` flag, None if
    a line lacks it.
    """

    type: Literal["objective_upserted"] = "objective_upserted"
    mission_id: str | None = None
    objective_id: str
    state: str
    created: bool | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("objective_id", "state")


class MissionObjective(BaseEvent):
    """The client's mission log updated an objective's on-screen text.

    From `<CMissionLogEntry::UpdateActiveObjective>`. `text` is verbatim and often an
    unexpanded engine template (`Go to ~mission(Location)`): a category hint, not a display
    string. Join it to `objective_upserted` on `objective_id` for the mission and state.
    """

    type: Literal["mission_objective"] = "mission_objective"
    objective_id: str
    text: str | None = None
    priority: int | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("objective_id",)


class TravelToContractLocation(BaseEvent):
    """Inferred intent to travel to a contract's quantum beacon (no line of its own).

    Produced from a `mission_quantum_destination_selected` event, never by the line
    classifier. It records intent only, so `travel_started` and `travel_completed` are always
    False here; an arrival is a separate, later fact.
    """

    type: Literal["travel_to_contract_location"] = "travel_to_contract_location"
    beacon_id: str
    travel_started: Literal[False] = False
    travel_completed: Literal[False] = False

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("beacon_id",)
