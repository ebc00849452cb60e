"""Actors in kill and destruction lines: player handles as they are, NPC entity names
(`PU_Human-NineTails-Grunt-Male-Grunt_10_<id>`) as a short description such as
`NineTails grunt (NPC)`.
"""

import re
from functools import lru_cache

from starstats_core.names.manufacturers import is_ship_maker
from starstats_core.names.ships import ship_name
from starstats_core.names.tokens import split_camel, squash, strip_entity_id, tokens

# Faction tokens (squashed) in NPC names -> how players name the faction.
FACTIONS: dict[str, str] = {
    "ninetails": "NineTails",
    "xenothreat": "XenoThreat",
    "headhunters": "Headhunters",
    "frontierfighters": "Frontier Fighters",
    "advocacy": "Advocacy",
    "vaughn": "Vaughn",
    "dusters": "Dusters",
    "roughandready": "Rough & Ready",
    "citizensforprosperity": "Citizens for Prosperity",
    "cfp": "Citizens for Prosperity",
    "hurstonsecurity": "Hurston security",
    "crusadersecurity": "Crusader security",
    "uee": "UEE Navy",
    "vanduul": "Vanduul",
    "outlaw": "outlaw",
    "pirate": "pirate",
    "security": "security",
}
# Role tokens (squashed) -> what the NPC does.
ROLES: dict[str, str] = {
    "grunt": "grunt",
    "pilot": "pilot",
    "sniper": "sniper",
    "heavy": "heavy",
    "medic": "medic",
    "boss": "boss",
    "cqc": "close-quarters fighter",
    "guard": "guard",
    "soldier": "soldier",
    "gunner": "gunner",
    "unmanned": "drone",
    "turret": "turret",
    "civilian": "civilian",
    "shopkeeper": "shopkeeper",
}
CREATURES: dict[str, str] = {
    "kopion": "Kopion",
    "marok": "Marok",
    "quasigrazer": "Quasi grazer",
    "vlk": "Vlk",
    "valakkar": "Valakkar",
    "yormandi": "Yormandi",
}
_NPC_PREFIXES = ("pu_", "npc_", "aimodule_", "ai_", "pu-")


def _is_npc(text: str) -> bool:
    low = text.lower()
    return (
        low.startswith(_NPC_PREFIXES)
        or "_npc_" in low
        or "_pet_" in low
        or text.count("-") >= 3
        or len(text) > 40
    )


_VARIANT = re.compile(r"(?:_\d{1,8})+$")


def actor_name(raw: str) -> str:
    """A player handle unchanged; an NPC as `<faction> <role> (NPC)` (`NineTails grunt
    (NPC)`, `Advocacy drone (NPC)`), a creature as `Kopion (creature)`, a ship entity by
    its ship name; `unknown` stays `unknown`. Never raises, never empty."""
    # Not cached on `raw`: NPCs carry a new entity id on every line, so such a cache only
    # misses; what repeats is the name without its id, and that is what is cached.
    text = raw.strip()
    if not text or text.lower() == "unknown":
        return "unknown"
    ship, creature, npc, named = _described_without_id(strip_entity_id(text))
    if ship:
        return ship_name(text)
    if creature is not None:
        return creature
    if not _is_npc(text):
        return text if named else "unknown"
    return npc


@lru_cache(maxsize=4096)
def _described_without_id(name: str) -> tuple[bool, str | None, str, bool]:
    """`_described` of a name without its entity id."""
    # NPCs of one kind differ by a variant number as well as by their id
    # (`…-Grunt_14_<id>`, `…-Grunt_15_<id>`): neither changes the description.
    return _described(_VARIANT.sub("", name))


@lru_cache(maxsize=4096)
def _described(name: str) -> tuple[bool, str | None, str, bool]:
    """What `actor_name` reads of a name without its entity id (NPCs carry a new id each,
    so this is what repeats): a ship maker first, the creature, the NPC description, and
    whether any token is left."""
    parts = tokens(name)
    if parts and is_ship_maker(parts[0]):
        return True, None, "", True
    squashed = [squash(w) for p in parts for w in (p, *split_camel(p))]
    creature = next((CREATURES[s] for s in squashed if s in CREATURES), None)
    faction = next((FACTIONS[s] for s in squashed if s in FACTIONS), None)
    role = next((ROLES[s] for s in squashed if s in ROLES), None)
    described = " ".join(w for w in (faction, role) if w) or "unidentified"
    return (
        False,
        None if creature is None else f"{creature} (creature)",
        f"{described} (NPC)",
        bool(parts),
    )
