"""Weapons, ship components and personal gear: readable names and coarse spend categories.

Three class shapes are recognised: ship weapons (`KLWE_LaserRepeater_S4`), ship components
(`POWR_JUST_S02_Genoa_SCItem`, `MRCK_S03_AEGS_Sabre_Firebird`) and lower-case personal gear
(`behr_rifle_ballistic_02_civilian`, `cds_armor_light_helmet_01_01_01`).
"""

from functools import lru_cache

from starstats_core.names.manufacturers import is_ship_maker, manufacturer_name
from starstats_core.names.ships import ship_name
from starstats_core.names.tokens import prettify, size_of, split_camel, strip_entity_id, tokens

# Ship component class prefixes -> what the part is.
COMPONENT_TYPES: dict[str, str] = {
    "POWR": "power plant",
    "COOL": "cooler",
    "SHLD": "shield generator",
    "QDRV": "quantum drive",
    "JDRV": "jump drive",
    "RADR": "radar",
    "LFSP": "life support",
    "FUEL": "fuel tank",
    "QFUEL": "quantum fuel tank",
    "FLTR": "fuel intake",
    "MRCK": "missile rack",
    "MISL": "missile",
    "TORP": "torpedo",
    "BOMB": "bomb",
    "TURR": "turret",
    "EMPG": "EMP generator",
    "QIG": "quantum interdiction generator",
    "MNHD": "mining head",
    "MNMD": "mining module",
    "TRCT": "tractor beam",
    "SALV": "salvage head",
}
_SHIP_ORDNANCE = frozenset({"MRCK", "MISL", "TORP", "BOMB", "TURR"})

# Personal weapon kinds (the token after the maker in `behr_rifle_ballistic_02`).
WEAPON_KINDS: dict[str, str] = {
    "rifle": "rifle",
    "pistol": "pistol",
    "smg": "SMG",
    "lmg": "LMG",
    "shotgun": "shotgun",
    "sniper": "sniper rifle",
    "glauncher": "grenade launcher",
    "rocketlauncher": "rocket launcher",
    "launcher": "launcher",
    "railgun": "railgun",
    "special": "special weapon",
    "gren": "grenade",
    "grenade": "grenade",
    "melee": "knife",
    "knife": "knife",
}
DAMAGE_KINDS = frozenset({"ballistic", "energy", "laser", "plasma", "electron", "distortion"})
TOOL_KINDS: dict[str, str] = {
    "multitool": "multi-tool",
    "medgun": "medical gun",
    "tractorbeam": "tractor beam",
    "salvage": "salvage tool",
    "mining": "mining tool",
    "cutter": "cutter",
}
ATTACHMENT_WORDS: dict[str, str] = {
    "optics": "",
    "tsco": "telescopic sight",
    "rdot": "red dot sight",
    "holo": "holographic sight",
    "barrel": "",
    "comp": "compensator",
    "supp": "suppressor",
    "stab": "stabiliser",
    "flsh": "flashlight",
    "lasr": "laser pointer",
    "ubarrel": "",
    "vial": "vial",
}
ARMOR_WEIGHTS = frozenset({"light", "medium", "heavy"})
_GEAR_VOCABULARY = frozenset({"optics", "barrel", "ubarrel", "mag", "armor", "undersuit", "helmet"})
ARMOR_WORDS = frozenset(
    {"armor", "armour", "helmet", "undersuit", "backpack", "core", "arms", "legs", "torso"}
)
CLOTHING_WORDS = frozenset(
    {
        "shirt", "tshirt", "pants", "jacket", "coat", "hat", "beanie", "cap", "shoes", "boots",
        "gloves", "dress", "hoodie", "sweater", "glasses", "necksock", "bandana", "jumpsuit",
    }
)  # fmt: skip
CONSUMABLE_WORDS = frozenset(
    {"consumable", "drink", "food", "medpen", "oxypen", "burrito", "bottle", "can", "bar", "vial"}
)
CATEGORIES = (
    "ship component", "ship weapon", "personal weapon", "armor", "clothing", "consumable",
    "ammo", "tool", "other",
)  # fmt: skip

_NO_WEAPON = {"": "unknown weapon", "unknown": "unknown weapon", "player": "no weapon (player)"}


def _is_ship_weapon(parts: list[str]) -> bool:
    """`KLWE_LaserRepeater_S4`: an upper-case maker, CamelCase kind words and a size."""
    return (
        len(parts) >= 2
        and parts[0].isupper()
        and manufacturer_name(parts[0]) is not None
        and any(size_of(p) is not None for p in parts[1:])
        and parts[0].upper() not in COMPONENT_TYPES
    )


def _ship_weapon_name(parts: list[str]) -> str:
    maker = manufacturer_name(parts[0]) or parts[0]
    size = next((size_of(p) for p in parts[1:] if size_of(p) is not None), None)
    words = [w for p in parts[1:] if size_of(p) is None for w in split_camel(p)]
    name = " ".join([maker, *words])
    return f"{name} (S{size})" if size is not None else name


def _component_name(parts: list[str]) -> str:
    kind = COMPONENT_TYPES[parts[0].upper()]
    size: int | None = None
    maker: str | None = None
    rest: list[str] = []
    for part in parts[1:]:
        if size is None and size_of(part) is not None:
            size = size_of(part)
        elif maker is None and part.isupper() and manufacturer_name(part) is not None:
            maker = manufacturer_name(part)
        elif part.lower() != "scitem":
            rest.extend(split_camel(part))
    head = [*([maker] if maker and (not rest or parts[0].upper() == "MRCK") else []), *rest]
    name = " ".join([*head, kind])
    return f"{name} (S{size})" if size is not None else name


def _is_variant(low: str) -> bool:
    """`firerats01`, `gold01`: letters then a number, a paint or edition (not `x4` zoom)."""
    stem = low.rstrip("0123456789")
    return len(stem) > 1 and stem != low and stem.isalpha()


def _gear_name(parts: list[str]) -> str:
    """Lower-case personal gear: maker brand, kind words, model number, (variant)."""
    maker = manufacturer_name(parts[0]) or prettify(parts[0])
    words: list[str] = []
    variant: list[str] = []
    model: str | None = None
    size: int | None = None
    magazine = False
    for part in parts[1:]:
        low = part.lower()
        if low == "mag":
            magazine = True
        elif low in ARMOR_WEIGHTS and words[-1:] == ["armor"]:
            words.insert(len(words) - 1, low)
        elif low in WEAPON_KINDS or low in TOOL_KINDS:
            words.append(WEAPON_KINDS.get(low) or TOOL_KINDS[low])
        elif low in DAMAGE_KINDS:
            words.insert(max(len(words) - 1, 0), low)
        elif low in ATTACHMENT_WORDS:
            words.extend([ATTACHMENT_WORDS[low]] if ATTACHMENT_WORDS[low] else [])
        elif size_of(part) is not None and size is None:
            size = size_of(part)
        elif part.isdigit():
            model = model or (part if any(p.lower() in WEAPON_KINDS for p in parts) else None)
        elif variant or model is not None or _is_variant(low):
            variant.append(low.rstrip("0123456789") or low)
        else:
            words.append(low)
    text = " ".join(
        [maker, *words, *([model] if model else []), *(["magazine"] if magazine else [])]
    )
    extras = [
        *([f"S{size}"] if size is not None else []),
        *([" ".join(variant)] if variant else []),
    ]
    return f"{text} ({', '.join(extras)})" if extras else text


@lru_cache(maxsize=4096)
def item_name(class_name: str) -> str:
    """A shop item, attachment or inventory class as words: `POWR_JUST_S02_Genoa_SCItem` ->
    `Genoa power plant (S2)`, `behr_rifle_ballistic_02_mag_civilian` -> `Behring ballistic
    rifle 02 magazine (civilian)`. Unknown shapes are prettified. Never raises."""
    parts = tokens(strip_entity_id(class_name))
    if not parts:
        return prettify(class_name)
    if parts[0].upper() in COMPONENT_TYPES and parts[0].isupper() and len(parts) > 1:
        return _component_name(parts)
    if _is_ship_weapon(parts):
        return _ship_weapon_name(parts)
    if is_ship_maker(parts[0]):
        return ship_name(class_name)
    if parts[0].islower() and len(parts) > 1:
        known = manufacturer_name(parts[0]) is not None
        vocabulary = {p.lower() for p in parts[1:]} & (set(WEAPON_KINDS) | _GEAR_VOCABULARY)
        if known or vocabulary:
            return _gear_name(parts)
    return prettify(strip_entity_id(class_name))


@lru_cache(maxsize=4096)
def weapon_name(class_name: str) -> str:
    """The weapon of a kill or destruction as words: `KLWE_LaserRepeater_S4_2770766024215`
    -> `Klaus & Werner Laser Repeater (S4)`; `unknown` -> `unknown weapon`; `Player` (the
    game's class for "no weapon, the actor itself") -> `no weapon (player)`. Never raises."""
    special = _NO_WEAPON.get(class_name.strip().lower())
    return special if special is not None else item_name(class_name)


@lru_cache(maxsize=4096)
def item_category(class_name: str) -> str:
    """A coarse spend category, one of `CATEGORIES`, read off the class name.

    Ship components by their type prefix (missile racks, missiles, torpedoes, bombs and
    turrets count as "ship weapon"), ship guns by the `MAKER_Kind_S<n>` shape; for personal
    gear magazines are "ammo", medical/multi-tools "tool", pens, food and drink
    "consumable", armour pieces, undersuits and backpacks "armor", garments "clothing",
    guns, grenades, knives and weapon attachments "personal weapon"; everything else
    (ships, character parts, mission items) is "other". Never raises."""
    parts = tokens(strip_entity_id(class_name))
    if not parts:
        return "other"
    head = parts[0].upper()
    if head in COMPONENT_TYPES and parts[0].isupper():
        return "ship weapon" if head in _SHIP_ORDNANCE else "ship component"
    if _is_ship_weapon(parts):
        return "ship weapon"
    low = {p.lower() for p in parts}
    found = "other"
    if low & {"mag", "ammo", "magazine", "battery"}:
        found = "ammo"
    elif low & CONSUMABLE_WORDS:
        found = "consumable"
    elif low & set(TOOL_KINDS):
        found = "tool"
    elif low & ARMOR_WORDS:
        found = "armor"
    elif low & CLOTHING_WORDS:
        found = "clothing"
    elif low & (set(WEAPON_KINDS) | {"optics", "barrel", "ubarrel"}):
        found = "personal weapon"
    return found
