"""Rules for combat lines (see events/combat.py).

Upstream's `<Actor Death>` regex matches the real lines; its `<Vehicle Destruction>` regex
was written for a synthetic `destroyLevel N` shape the game never wrote, so the real
`advanced from destroy level A to B caused by 'X' [id] with 'Cause'` shape is tried first
and upstream's kept as a fallback. No rule anchors on team tags: they moved from
`[Team_ActorTech]` to `[Team_ActorFeatures]` and `[Team_VehicleFeatures]` to `[Team_CGP4]`.
"""

import re

from starstats_core.classify.rule import KeywordRules, NameNeedles, NameRules
from starstats_core.events.base import BaseEvent
from starstats_core.events.combat import (
    ActorDeath,
    ActorEjected,
    ActorStall,
    Corpse,
    FatalCollision,
    HostileHit,
    IncapCause,
    IncapLogged,
    MedBedHeal,
    PlayerDeath,
    SpawnReservationLost,
    StatusEffect,
    VehicleDestruction,
)
from starstats_core.structure import Entry

# Bounded digit runs keep every match convertible (`int()` refuses > 4300 digits).
_FLOAT = r"-?\d{1,18}(?:\.\d+)?"

# Entity names carry their numeric id as a suffix: `ANVL_Hornet_F7CM_Mk2_6734193926082`.
_ID_SUFFIX = re.compile(r"^(?P<cls>.+?)_(?P<id>\d+)$")


def _split_entity(name: str) -> tuple[str, str | None]:
    """`DRAK_Cutlass_Red_2561902221474` -> (`DRAK_Cutlass_Red`, `2561902221474`)."""
    m = _ID_SUFFIX.match(name)
    if m is None:
        return name, None
    return m["cls"], m["id"]


# -- deaths ---------------------------------------------------------------------------------

_ACTOR_DEATH = re.compile(
    r"(?:CActor::Kill:\s*)?'(?P<victim>[^']+)'(?:\s*\[(?P<vgeid>\d+)\])?"
    r"\s*in zone\s*'(?P<zone>[^']+)'"
    r"\s*killed by\s*'(?P<killer>[^']+)'(?:\s*\[(?P<kgeid>\d+)\])?"
    r"\s*using\s*'(?P<weapon>[^']+)'(?:\s*\[Class\s+(?P<wclass>[^\]]*)\])?"
    r".*?with damage type\s*'(?P<dmg>[^']+)'"
    rf"(?:\s*from direction x:\s*(?P<x>{_FLOAT}),\s*y:\s*(?P<y>{_FLOAT}),\s*z:\s*(?P<z>{_FLOAT}))?"
)


def actor_death(entry: Entry) -> BaseEvent | None:
    m = _ACTOR_DEATH.search(entry.body)
    if m is None:
        return None
    victim, killer = m["victim"].strip(), m["killer"].strip()
    if not victim or not killer:
        return None
    has_direction = m["x"] is not None
    weapon_class = (m["wclass"] or "").strip()
    return ActorDeath(
        timestamp=entry.timestamp,
        victim=victim,
        victim_geid=m["vgeid"],
        zone=m["zone"],
        killer=killer,
        killer_geid=m["kgeid"],
        weapon=m["weapon"],
        weapon_class=weapon_class or None,
        damage_type=m["dmg"],
        direction_x=float(m["x"]) if has_direction else None,
        direction_y=float(m["y"]) if has_direction else None,
        direction_z=float(m["z"]) if has_direction else None,
    )


# Real (3.24-4.3): `Vehicle 'X_1' [1] in zone 'Z' [pos … vel …] driven by 'D' [0] advanced
# from destroy level 0 to 1 caused by 'C' [2] with 'Combat'`.
_VEHICLE_DESTRUCTION = re.compile(
    r"Vehicle\s*'(?P<vname>[^']+)'(?:\s*\[(?P<vid>[^\]]+)\])?"
    r"(?:\s*in zone\s*'(?P<zone>[^']+)')?"
    r".*?(?:driven by\s*'(?P<driver>[^']+)'(?:\s*\[(?P<dgeid>[^\]]+)\])?\s*)?"
    r"advanced from destroy level\s*(?P<from>\d{1,3})\s*to\s*(?P<to>\d{1,3})"
    r"\s*caused by\s*'(?P<cause_by>[^']+)'(?:\s*\[(?P<cgeid>[^\]]+)\])?"
    r"(?:\s*with\s*'(?P<how>[^']+)')?"
)
# Upstream's shape (only ever seen in its tests): `vehicle 'X_1' [1] destroyLevel 2 caused by
# 'self' zone 'Z'`. Accepted because it costs one regex and old exports may hold it.
_VEHICLE_DESTRUCTION_UPSTREAM = re.compile(
    r"vehicle\s*'(?P<vname>[^']+)'(?:\s*\[(?P<vid>[^\]]+)\])?"
    r".*?destroy(?:Level|_level)\s*[:=]?\s*(?P<to>\d{1,3})"
    r".*?caused by\s*'(?P<cause_by>[^']+)'(?:.*?zone\s*'(?P<zone>[^']+)')?"
)


def vehicle_destruction(entry: Entry) -> BaseEvent | None:
    m = _VEHICLE_DESTRUCTION.search(entry.body)
    if m is not None:
        vehicle_class, suffix_id = _split_entity(m["vname"])
        return VehicleDestruction(
            timestamp=entry.timestamp,
            vehicle_class=vehicle_class,
            vehicle_id=m["vid"] or suffix_id,
            zone=m["zone"],
            driver=m["driver"],
            driver_geid=m["dgeid"],
            destroy_level_from=int(m["from"]),
            destroy_level_to=int(m["to"]),
            caused_by=m["cause_by"],
            caused_by_geid=m["cgeid"],
            cause=m["how"],
        )
    m = _VEHICLE_DESTRUCTION_UPSTREAM.search(entry.body)
    if m is None:
        return None
    vehicle_class, suffix_id = _split_entity(m["vname"])
    return VehicleDestruction(
        timestamp=entry.timestamp,
        vehicle_class=vehicle_class,
        vehicle_id=m["vid"] or suffix_id,
        zone=m["zone"],
        destroy_level_to=int(m["to"]),
        caused_by=m["cause_by"],
    )


# `Player 'X' <local client>: Entering control state dead.` in both the 4.1+
# `<[ActorState] Corpse> [ACTOR STATE][SSCActorStateCVars::LogCorpse] …` and the older
# `<Corpse> …` shells.
_CORPSE = re.compile(
    r"Player\s*'(?P<player>[^']+)'\s*<(?P<client>local|remote) client>\s*:?\s*(?P<detail>.*)$"
)


def corpse(entry: Entry) -> BaseEvent | None:
    m = _CORPSE.search(entry.body)
    if m is None:
        return None
    return Corpse(
        timestamp=entry.timestamp,
        player=m["player"],
        is_local=m["client"] == "local",
        detail=m["detail"].strip(),
    )


# Only the body item of the corpse-recovery burst is the death; the other items of the same
# burst (undersuit, weapons, magazines) do not match because their class is not `body_*`.
_PLAYER_DEATH = re.compile(
    r"^Item\s*'(?P<body_class>body_[A-Za-z0-9_]+?)_(?P<body_id>\d+)\s*-\s*Class\(body_[A-Za-z0-9_]+\)"
)


def player_death(entry: Entry) -> BaseEvent | None:
    m = _PLAYER_DEATH.match(entry.body)
    if m is None:
        return None
    return PlayerDeath(timestamp=entry.timestamp, body_class=m["body_class"], body_id=m["body_id"])


# -- injuries -------------------------------------------------------------------------------

# These lines have no level and no event name. They are read from the whole line, because
# a cause list such as `[Bleed]` would look like a trailing tag to the structural pass.
_INCAP = re.compile(
    r"Logged an incap\.!\s*nickname:\s*(?P<nick>[^,]+?)\s*,\s*causes:\s*\[(?P<causes>.*)\]"
)
_INCAP_CAUSE = re.compile(rf"(?P<name>[\w-]+)\s*\((?P<dmg>{_FLOAT}) damage\)")


def incap_logged(entry: Entry) -> BaseEvent | None:
    m = _INCAP.search(entry.line)
    if m is None:
        return None
    causes = tuple(
        IncapCause(name=c["name"], damage=float(c["dmg"]))
        for c in _INCAP_CAUSE.finditer(m["causes"])
    )
    return IncapLogged(timestamp=entry.timestamp, nickname=m["nick"], causes=causes)


_STATUS_EFFECT = re.compile(
    r"Logged an? (?P<phase>start|end) of a status effect!\s*nickname:\s*(?P<nick>[^,]+?)\s*,"
    r"\s*status effect:\s*(?P<effect>.+?)\s*$"
)


def status_effect(entry: Entry) -> BaseEvent | None:
    m = _STATUS_EFFECT.search(entry.line)
    if m is None:
        return None
    return StatusEffect(
        timestamp=entry.timestamp,
        nickname=m["nick"],
        effect=m["effect"],
        phase="start" if m["phase"] == "start" else "end",
    )


_MED_BED = re.compile(
    r"Actor:\s*(?P<actor>[\w-]+).*?Perform surgery event\s+(?P<outcome>\w+)\s*,"
    r"\s*med bed name:\s*(?P<bed>[^,]+?)\s*,\s*vehicle name:\s*(?P<vehicle>[^,]+?)\s*,"
    r"\s*head:\s*(?P<head>true|false)\s*torso:\s*(?P<torso>true|false)"
    r"\s*leftArm:\s*(?P<la>true|false)\s*rightArm:\s*(?P<ra>true|false)"
    r"\s*leftLeg:\s*(?P<ll>true|false)\s*rightLeg:\s*(?P<rl>true|false)"
)


def med_bed_heal(entry: Entry) -> BaseEvent | None:
    m = _MED_BED.search(entry.body)
    if m is None:
        return None
    return MedBedHeal(
        timestamp=entry.timestamp,
        actor=m["actor"],
        outcome=m["outcome"],
        med_bed=m["bed"],
        vehicle=None if m["vehicle"].lower() == "none" else m["vehicle"],
        head=m["head"] == "true",
        torso=m["torso"] == "true",
        left_arm=m["la"] == "true",
        right_arm=m["ra"] == "true",
        left_leg=m["ll"] == "true",
        right_leg=m["rl"] == "true",
    )


# -- players and ships nearby ---------------------------------------------------------------

_SPAWN_RESERVATION_LOST = re.compile(
    r"Player\s*'(?P<player>[^']+)'\s*\[(?P<geid>\d+)\]\s*lost reservation for spawnpoint\s+"
    r"(?P<sp>.+?)\s*\[(?P<spid>\d+)\]\s*at location\s+(?P<loc>[^\s\[]+)"
)


def spawn_reservation_lost(entry: Entry) -> BaseEvent | None:
    m = _SPAWN_RESERVATION_LOST.search(entry.body)
    if m is None:
        return None
    return SpawnReservationLost(
        timestamp=entry.timestamp,
        player=m["player"],
        player_geid=m["geid"],
        spawnpoint=m["sp"],
        spawnpoint_id=m["spid"],
        location_id=m["loc"],
    )


# `Fatal Collision occured for vehicle X_1 [Part: Body, Pos: …, Zone: Pyro, PlayerPilot: 1]
# after hitting entity: UNKNOWN [Zone: UNKNOWN State: ]. Hit Pos: …` (the game's spelling;
# `occurr?ed` in case it is ever fixed).
_FATAL_COLLISION = re.compile(
    r"Fatal Collision occurr?ed for vehicle\s+(?P<vname>[^\s\[]+)"
    r"(?:\s*\[(?P<info>[^\]]*)\])?"
    r"(?:\s*after hitting entity:\s*(?P<hit>[^\s\[]+))?"
)
_COLLISION_ZONE = re.compile(r"Zone:\s*(?P<zone>[^,\]]+)")
_COLLISION_PILOT = re.compile(r"PlayerPilot:\s*(?P<pilot>[01])")


def fatal_collision(entry: Entry) -> BaseEvent | None:
    m = _FATAL_COLLISION.search(entry.body)
    if m is None:
        return None
    vehicle_class, vehicle_id = _split_entity(m["vname"])
    info = m["info"] or ""
    zone = _COLLISION_ZONE.search(info)
    pilot = _COLLISION_PILOT.search(info)
    hit = m["hit"]
    return FatalCollision(
        timestamp=entry.timestamp,
        vehicle_class=vehicle_class,
        vehicle_id=vehicle_id,
        zone=None if zone is None else zone["zone"].strip() or None,
        player_pilot=None if pilot is None else pilot["pilot"] == "1",
        hit_entity=None if hit is None or hit.upper() == "UNKNOWN" else hit,
    )


_ACTOR_STALL = re.compile(
    rf"Player:\s*(?P<player>[^,]+?)\s*,\s*Type:\s*(?P<kind>\w+)\s*,\s*Length:\s*(?P<len>{_FLOAT})"
)


def actor_stall(entry: Entry) -> BaseEvent | None:
    m = _ACTOR_STALL.search(entry.body)
    if m is None:
        return None
    return ActorStall(
        timestamp=entry.timestamp, player=m["player"], stall_type=m["kind"], length=float(m["len"])
    )


_HOSTILE_HIT = re.compile(
    r"Fake hit FROM\s+(?P<attacker>\S+)\s+TO\s+(?P<target>[^\s.]+)\.?"
    r"(?:\s*Being sent to child\s+(?P<child>[\w-]+))?"
)


def hostile_hit(entry: Entry) -> BaseEvent | None:
    m = _HOSTILE_HIT.search(entry.body)
    if m is None:
        return None
    target, target_id = _split_entity(m["target"])
    return HostileHit(
        timestamp=entry.timestamp,
        attacker=m["attacker"],
        target=target,
        target_id=target_id,
        child=m["child"],
    )


_ACTOR_EJECTED = re.compile(
    r"Actor\s*'(?P<player>[^']+)'(?:\s*\[(?P<geid>\d+)\])?\s*ejected from zone\s*'(?P<zone>[^']+)'"
    r"(?:\s*\[(?P<zid>\d+)\])?(?:\s*to zone\s*'(?P<to>[^']+)'(?:\s*\[(?P<toid>\d+)\])?)?"
)


def actor_ejected(entry: Entry) -> BaseEvent | None:
    m = _ACTOR_EJECTED.search(entry.body)
    if m is None:
        return None
    return ActorEjected(
        timestamp=entry.timestamp,
        player=m["player"],
        player_geid=m["geid"],
        zone=m["zone"],
        zone_id=m["zid"],
        to_zone=m["to"],
        to_zone_id=m["toid"],
    )


NAME_RULES: NameRules = {
    "Actor Death": actor_death,
    "Vehicle Destruction": vehicle_destruction,
    "[ActorState] Corpse": corpse,
    "Corpse": corpse,
    "Adding non kept item [CSCActorCorpseUtils::PopulateItemPortForItemRecoveryEntitlement]": (
        player_death
    ),
    "Spawn Flow": spawn_reservation_lost,
    "FatalCollision": fatal_collision,
    # Lower-case `stall`: the game's spelling (Statizen's `<Actor Stall>` never matched).
    "Actor stall": actor_stall,
    "Debug Hostility Events": hostile_hit,
    "[ActorState] Dead": actor_ejected,
    "MED BED HEAL": med_bed_heal,
}
KEYWORD_RULES: KeywordRules = (
    ("Logged an incap.!", incap_logged),
    ("of a status effect!", status_effect),
)
# A corpse-recovery burst logs every item; only its `body_*` item is the death.
NAME_NEEDLES: NameNeedles = {
    "Adding non kept item [CSCActorCorpseUtils::PopulateItemPortForItemRecoveryEntitlement]": (
        "'body_",
    ),
    "Spawn Flow": ("lost reservation",),
}
