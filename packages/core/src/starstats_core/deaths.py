"""What an `<Actor Death>` means for one player: a kill, a death, a suicide, a crash, ….

Pure functions over parsed events. Suicides and crashes stay out of K/D (sckilltracker,
BlightVeil do the same); a death to an NPC or to nobody (`'unknown' [0]`) counts as
environment, not as a PvP death. NPC names are recognised by the shapes the peers found
in 3.24-4.3 logs (peers-and-gamelog §4 Pitfalls).
"""

from enum import StrEnum

from starstats_core.events.combat import ActorDeath


class DeathOutcome(StrEnum):
    """An `actor_death` seen from one player's handle."""

    KILL = "kill"  # the handle killed someone else
    DEATH = "death"  # another player killed the handle
    SUICIDE = "suicide"  # killer is the victim, or damage type `Suicide`
    CRASH = "crash"  # damage type `Crash` (self or `'unknown' [0]` as killer)
    ENVIRONMENT = "environment"  # the handle died to an NPC or to nobody
    OTHER = "other"  # the handle is neither victim nor killer


# The outcomes as plain names: reading an enum member off its class costs ~0.1 µs in 3.11.
_KILL, _DEATH, _SUICIDE = DeathOutcome.KILL, DeathOutcome.DEATH, DeathOutcome.SUICIDE
_CRASH, _ENVIRONMENT, _OTHER = DeathOutcome.CRASH, DeathOutcome.ENVIRONMENT, DeathOutcome.OTHER


# The game's placeholder for "no attacker / no driver / no weapon".
_NOBODY = "unknown"

# Prefixes of NPC and AI actor names: `PU_Human-NineTails-Grunt-…`, `NPC_Archetypes-…`,
# `AIModule_Unmanned_PU_Advocacy_…`, `AI_CRIM…`. Prefixes, not substrings, so handles that
# merely contain `AI_` (`KAI_Fighter`) stay players.
_NPC_PREFIXES = ("PU_", "NPC_", "AI_", "AIModule_")
# Markers inside NPC names (StarLogs, sckilltracker): `…_PU_AI_CRIM_…`, `Kopion_…_pet_…`.
_NPC_MARKERS = (
    "PU_AI",
    "AI_CRIM",
    "_NPC_",
    "NPC_Archetypes",
    "_PU_Advocacy_",
    "_pet_",
    "PU_Human",
    "PU_Pilots",
    "Criminal-Pilot",
    "-Pilot_Light_",
    "-Pilot_Medium_",
    "-Pilot_Heavy_",
)
# NPC actors are entities and carry an entity id suffix (11-14 digits in our corpus):
# `_\d{11,}$`, matched by `_has_entity_id`.
_ENTITY_ID_DIGITS = 11
# QuantumWake's shape rule: handles are short and use at most two hyphens (`AB-1234-CD`).
_MAX_HANDLE_LENGTH = 40
_MAX_HANDLE_HYPHENS = 2


def is_npc(name: str) -> bool:
    """True when `name` is an NPC or AI actor rather than a player handle."""
    if name.startswith(_NPC_PREFIXES):
        return True
    for marker in _NPC_MARKERS:  # a loop, not `any(…)`: no generator made per name
        if marker in name:
            return True
    if _has_entity_id(name):
        return True
    return len(name) > _MAX_HANDLE_LENGTH or name.count("-") > _MAX_HANDLE_HYPHENS


def _has_entity_id(name: str) -> bool:
    r"""Whether `re.search(r"_\d{11,}$", name)` would match, without the regex, which tries
    every `_` of the name: a match can only start at the last `_` (digits follow it to the
    end, or to a final line break, where `$` also matches); `\d` is `str.isdecimal`."""
    body = name[:-1] if name.endswith("\n") else name
    tail = body[body.rfind("_") + 1 :]
    return len(tail) >= _ENTITY_ID_DIGITS and len(tail) < len(body) and tail.isdecimal()


def classify_death(event: ActorDeath, handle: str) -> DeathOutcome:
    """What `event` means for the player `handle` (compared case-insensitively)."""
    me = handle.strip().casefold()
    if not me:
        return _OTHER
    victim = event.victim.casefold()
    killer = event.killer.casefold()
    killer_is_me = killer == me
    if victim != me and not killer_is_me:
        return _OTHER
    damage = event.damage_type.casefold()
    # Crash first: a crash logs the pilot as their own killer, which is not a suicide.
    if damage == "crash":
        return _CRASH
    if victim == killer or damage == "suicide":
        return _SUICIDE
    if killer_is_me:
        return _KILL
    if killer == _NOBODY or is_npc(event.killer):
        return _ENVIRONMENT
    return _DEATH
