"""Combat events: deaths, ship destruction, corpses, incapacitations and injuries.

Kill lines (`<Actor Death>`, `<Vehicle Destruction>`, corpses, stalls) exist only in
3.24-4.3 logs; 4.4 removed them. Names are kept verbatim as logged, including the game's
"nobody" placeholder `'unknown' [0]`: deaths.py interprets them, the event does not.
GEIDs and entity ids stay strings; levels, lengths and damage are numbers.
"""

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from starstats_core.events.base import BaseEvent


class ActorDeath(BaseEvent):
    """An actor died (`<Actor Death> CActor::Kill: 'V' [id] in zone 'Z' killed by 'K' …`).

    The direction vector is three flat fields rather than a nested object, so it stores as
    plain columns; all three are None when the line has no `from direction` part.
    """

    type: Literal["actor_death"] = "actor_death"
    victim: str
    victim_geid: str | None = None
    # A location or, for deaths in a ship, the ship entity (`ANVL_Hornet_F7CM_Mk2_673…`).
    zone: str
    killer: str
    killer_geid: str | None = None
    # The weapon entity with its id suffix; `weapon_class` is the `[Class …]` value.
    weapon: str
    weapon_class: str | None = None
    damage_type: str
    direction_x: float | None = None
    direction_y: float | None = None
    direction_z: float | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("victim", "killer")


class VehicleDestruction(BaseEvent):
    """A ship advanced a destroy level (`<Vehicle Destruction>`): 1 = disabled, 2 = exploded."""

    type: Literal["vehicle_destruction"] = "vehicle_destruction"
    # The ship entity name with its `_<id>` suffix removed (`DRAK_Cutlass_Red`).
    vehicle_class: str
    vehicle_id: str | None = None
    zone: str | None = None
    driver: str | None = None
    driver_geid: str | None = None
    # None only on upstream's older `destroyLevel N` shape, which gives the new level alone.
    destroy_level_from: int | None = None
    destroy_level_to: int
    caused_by: str
    caused_by_geid: str | None = None
    # `Combat`, `Collision`, `SelfDestruct`, `GameRules`, …
    cause: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("vehicle_class", "caused_by")


class Corpse(BaseEvent):
    """A step of a player's corpse lifecycle (`<[ActorState] Corpse>`, before 4.1 `<Corpse>`)."""

    type: Literal["corpse"] = "corpse"
    player: str
    # `<local client>` (this player) or `<remote client>` (someone nearby).
    is_local: bool
    # The message after the client marker, e.g. `Entering control state dead.`
    detail: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("player",)


class PlayerDeath(BaseEvent):
    """The local player's body entered item recovery: the 4.x death signal (upstream)."""

    type: Literal["player_death"] = "player_death"
    body_class: str
    body_id: str
    # Never known from the line; kept because upstream reserves it for later enrichment.
    zone: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("body_class",)


class IncapCause(BaseModel):
    """One cause in an incapacitation: `Bleed (0.350000 damage)`."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    name: str
    damage: float


class IncapLogged(BaseEvent):
    """A player was incapacitated (`Logged an incap.! nickname: X, causes: [...]`, 4.0-4.1)."""

    type: Literal["incap_logged"] = "incap_logged"
    nickname: str
    causes: tuple[IncapCause, ...] = ()

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("nickname",)


class StatusEffect(BaseEvent):
    """A status effect started or ended (`Logged a start of a status effect! …`)."""

    type: Literal["status_effect"] = "status_effect"
    nickname: str
    effect: str
    phase: Literal["start", "end"]

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("nickname", "effect")


class SpawnReservationLost(BaseEvent):
    """A player's spawn point reservation was released (`<Spawn Flow>`): a nearby player."""

    type: Literal["spawn_reservation_lost"] = "spawn_reservation_lost"
    player: str
    player_geid: str
    # `Unknown` or a spawn point class such as `Bed_Single_Front_Spawnpoint_…`.
    spawnpoint: str
    spawnpoint_id: str
    location_id: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("player",)


class FatalCollision(BaseEvent):
    """A ship hit something hard enough to kill (`<FatalCollision>`)."""

    type: Literal["fatal_collision"] = "fatal_collision"
    vehicle_class: str
    vehicle_id: str | None = None
    zone: str | None = None
    # `PlayerPilot: 1`: a player, not an AI, was flying.
    player_pilot: bool | None = None
    # The entity hit; None when the game logs `UNKNOWN`.
    hit_entity: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("vehicle_class",)


class ActorStall(BaseEvent):
    """A nearby player's network stream stalled (`<Actor stall>`)."""

    type: Literal["actor_stall"] = "actor_stall"
    player: str
    # `downstream` / `upstream` (named stall_type because `type` is the event tag).
    stall_type: str
    length: float

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("player",)


class HostileHit(BaseEvent):
    """Someone hit a ship near us (`<Debug Hostility Events> … Fake hit FROM A TO B`)."""

    type: Literal["hostile_hit"] = "hostile_hit"
    attacker: str
    # The target entity with any `_<id>` suffix removed, and that id.
    target: str
    target_id: str | None = None
    # `Being sent to child X`: the actor inside the target that receives the hit.
    child: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("attacker", "target")


class ActorEjected(BaseEvent):
    """An actor left a zone dead (`<[ActorState] Dead> … Actor 'X' [id] ejected from zone …`)."""

    type: Literal["actor_ejected"] = "actor_ejected"
    player: str
    player_geid: str | None = None
    # The zone left (often the ship: `RSI_Hermes_…`) and, when logged, the zone entered.
    zone: str
    zone_id: str | None = None
    to_zone: str | None = None
    to_zone_id: str | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("player",)


class MedBedHeal(BaseEvent):
    """A med bed performed surgery (`<MED BED HEAL>`); the booleans are the healed limbs."""

    type: Literal["med_bed_heal"] = "med_bed_heal"
    actor: str
    # The surgery event word, e.g. `Success`.
    outcome: str
    med_bed: str
    # None when the bed is not in a ship (`vehicle name: none`).
    vehicle: str | None = None
    head: bool
    torso: bool
    left_arm: bool
    right_arm: bool
    left_leg: bool
    right_leg: bool

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("actor",)
