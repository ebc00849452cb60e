"""Places: the game's location codes, zone names and quantum-target names as one `Place`.

Different codes for the same place (`RR_HUR_LEO`, `Stanton1_Transfer`, "Everus Harbor")
resolve to the same `Place.key`. Tables live in `place_data`; this module reads the code
shapes (`OOC_Stanton_2b_Daymar`, `RR_P5_L2`, `Stanton1_L1`, `p2l4_contestedzone`, ...).
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from starstats_core.names.manufacturers import is_ship_maker
from starstats_core.names.place_data import (
    AMBIGUOUS_NAMES,
    BODIES,
    NOT_PLACES,
    PLACES,
    STANTON_LAGRANGE,
    SYSTEM_ALIASES,
)
from starstats_core.names.ships import ship_name
from starstats_core.names.tokens import prettify, slug, squash, strip_entity_id, tokens


class PlaceKind(StrEnum):
    """What sort of place a `Place` is."""

    STATION = "station"  # orbital stations and jump-point gateways
    CITY = "city"  # landing zones
    OUTPOST = "outpost"  # surface sites: outposts, distribution centres, mines
    REST_STOP = "rest_stop"  # stations at Lagrange points
    LAGRANGE = "lagrange"  # the Lagrange point itself
    MOON = "moon"
    PLANET = "planet"
    SYSTEM = "system"
    JUMP_POINT = "jump_point"
    ZONE = "zone"  # a sub-area we can only partly place (hangar, contested zone, open space)
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Place:
    """A place as players know it. `key` is a stable lower-case slug shared by every code
    for the place; `body` is the key of the planet or moon it is on or orbits."""

    key: str
    name: str
    kind: PlaceKind
    system: str | None
    body: str | None


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}
_BODY_CODE = re.compile(r"^(ooc_)?(stanton|pyro|nyx)_?(\d)([a-f])?(?:_(.+))?$", re.IGNORECASE)
_REST_STOP = re.compile(r"^rr_(hur|cru|arc|mic|s[1-4]|p[1-6])_(l[1-5]|leo)$", re.IGNORECASE)
_LAGRANGE_ZONE = re.compile(r"^p([1-6])l([1-5])(?:_(.+))?$", re.IGNORECASE)
_JUMP_POINT = re.compile(r"^(?:ooc_)?jumppoint_([a-z]+)_([a-z]+)$", re.IGNORECASE)
_LAGRANGE = re.compile(r"^l([1-5])$", re.IGNORECASE)
_NOT_PLACE_PREFIXES = ("partymembermarker", "missionqt", "invalid", "beacon")
_OUTPOST_WORDS = frozenset(
    {
        "outpost",
        "distributioncenter",
        "distributioncentre",
        "mining",
        "farming",
        "scrapyard",
        "derelictsettlement",
        "settlement",
        "prisonmine",
        "research",
        "facility",
        "hurdynmining",
    }
)
_WORD_FIXES = {"contestedzone": "contested zone", "reststop": "rest stop"}
_BODY_NAME_ALIASES = {"ariel": "arial", "microtech": "microtech"}


def _index() -> tuple[dict[str, Place], dict[str, Place], dict[str, Place]]:
    """Bodies by key, bodies by body code, and every place by squashed code or name."""
    bodies: dict[str, Place] = {}
    by_body_code: dict[str, Place] = {}
    by_code: dict[str, Place] = {}
    for key, name, kind, system, _parent, code in BODIES:
        body = Place(key, name, PlaceKind(kind), system, None)
        bodies[key] = body
        by_body_code[code] = body
        by_code.setdefault(squash(name), body)
        by_code.setdefault(code, body)
    for alias, key in _BODY_NAME_ALIASES.items():
        by_code.setdefault(alias, bodies[key])
    for key, name, kind, where, body_key, codes in PLACES:
        named = Place(key, name, PlaceKind(kind), where, body_key)
        for code in (name, *codes):
            by_code[squash(code)] = named
    return bodies, by_body_code, by_code


_BODIES, _BODY_BY_CODE, _BY_CODE = _index()
_AMBIGUOUS = frozenset(squash(n) for n in AMBIGUOUS_NAMES)
_SPACE = Place("space", "in space", PlaceKind.ZONE, None, None)


def _clean(raw: str) -> str:
    """The code without `@`, `LOC_`/`_LOC`, `[PROC]`-style prefixes or an entity id."""
    text = re.sub(r"^\[[^\]]*\]", "", raw.strip().lstrip("@")).strip()
    text = strip_entity_id(text)
    text = re.sub(r"^loc_", "", text, flags=re.IGNORECASE)
    return re.sub(r"_loc$", "", text, flags=re.IGNORECASE)


def _words(text: str) -> str:
    """A sub-area code as lower-case words (`DistributionCenter_Criminal_01` ->
    `distribution center criminal 01`)."""
    return " ".join(_WORD_FIXES.get(w.lower(), w.lower()) for w in prettify(text).split())


def _named_in(parts: list[str]) -> Place | None:
    """The first city or station named by one of `parts` (`Hangar_LargeTop_Orison`)."""
    for part in parts:
        found = _BY_CODE.get(squash(part))
        if found is not None and found.kind in (PlaceKind.CITY, PlaceKind.STATION):
            return found
    return None


def _lagrange(body: Place, number: str) -> Place:
    system_number = next(k for k, b in _BODY_BY_CODE.items() if b == body)
    if body.system == "Stanton":
        label = next(lbl for b, lbl in STANTON_LAGRANGE.values() if b == body.key)
        return Place(
            f"{label.lower()}-l{number}",
            f"{label}-L{number}",
            PlaceKind.LAGRANGE,
            "Stanton",
            body.key,
        )
    n = int(system_number[-1])
    name = f"{body.system} {_ROMAN.get(n, str(n))} L{number}"
    return Place(
        slug(f"{system_number} l{number}"), name, PlaceKind.LAGRANGE, body.system, body.key
    )


def _on_body(match: re.Match[str]) -> Place | None:
    system, number, moon, rest = match.group(2), match.group(3), match.group(4), match.group(5)
    body = _BODY_BY_CODE.get(f"{system}{number}{moon or ''}".lower())
    if body is None:
        return None
    if not rest:
        return body
    named = _BY_CODE.get(squash(rest)) or _named_in(tokens(rest))
    if named is not None and named.kind not in (PlaceKind.PLANET, PlaceKind.MOON):
        return named
    if match.group(1):  # `OOC_Stanton_1_Hurston`: the rest is the body's own name
        return body
    lagrange = _LAGRANGE.match(rest)
    if lagrange is not None:
        return _lagrange(body, lagrange.group(1))
    squashed = {squash(t) for t in tokens(rest)} | {squash(rest.split("_")[0])}
    kind = PlaceKind.OUTPOST if squashed & _OUTPOST_WORDS else PlaceKind.ZONE
    return Place(
        slug(f"{body.key} {rest}"), f"{body.name} {_words(rest)}", kind, body.system, body.key
    )


def _rest_stop(match: re.Match[str]) -> Place:
    code, point = match.group(1).lower(), match.group(2).upper()
    if code.startswith("p"):
        body = _BODY_BY_CODE[f"pyro{code[1]}"]
        label = f"Pyro {_ROMAN[int(code[1])]}"
    else:
        body = _BODIES[STANTON_LAGRANGE[code][0]]
        label = STANTON_LAGRANGE[code][1]
    if point == "LEO":
        return Place(
            slug(f"{label} orbital station"),
            f"{label} orbital station",
            PlaceKind.STATION,
            body.system,
            body.key,
        )
    sep = " " if code.startswith("p") else "-"
    name = f"{label}{sep}{point} rest stop"
    return Place(slug(name), name, PlaceKind.REST_STOP, body.system, body.key)


def _zone(text: str, parts: list[str]) -> Place | None:
    """Sub-areas: hangars, open space, contested zones, system-level interiors."""
    lowered = [p.lower() for p in parts]
    if lowered[0] == "solarsystem":
        return _SPACE
    if lowered[0] == "hangar":
        city = _named_in(parts)
        if city is not None:
            return Place(
                f"{city.key}-hangar", f"{city.name} hangar", PlaceKind.ZONE, city.system, city.body
            )
        if "reststop" in {squash(p) for p in parts}:
            return Place("rest-stop-hangar", "rest stop hangar", PlaceKind.ZONE, None, None)
        return None
    lagrange = _LAGRANGE_ZONE.match(text)
    if lagrange is not None:
        number, point, rest = lagrange.groups()
        base = _lagrange(_BODY_BY_CODE[f"pyro{number}"], point)
        suffix = f" {_words(rest)}" if rest else ""
        return Place(slug(base.key + suffix), base.name + suffix, PlaceKind.ZONE, "Pyro", base.body)
    systems = [SYSTEM_ALIASES[w] for w in lowered if w in ("stanton", "pyro", "nyx")]
    if systems:
        if "dung" in lowered and "exec" in lowered:
            name = f"{systems[0]} executive hangar"
            return Place(slug(name), name, PlaceKind.ZONE, systems[0], None)
        rest = [p for p in parts if p.lower() not in ("ab", "int", "ext", systems[0].lower())]
        name = f"{systems[0]} {_words('_'.join(rest))}" if rest else systems[0]
        return Place(slug(name), name, PlaceKind.ZONE, systems[0], None)
    return None


@lru_cache(maxsize=8192)
def place(raw: str) -> Place | None:
    """The place a location code, zone, quantum target or place name means, or None for
    non-places (`INVALID_LOCATION_ID`, blanks, party markers, beacons, ship entities) and
    codes we cannot place. Never raises."""
    text = _clean(raw)
    squashed = squash(text)
    if not squashed or squashed in NOT_PLACES or squashed.startswith(_NOT_PLACE_PREFIXES):
        return None
    if squashed in _AMBIGUOUS:
        return None
    parts = tokens(text)
    if not parts or is_ship_maker(parts[0]):
        return None
    found = _BY_CODE.get(squashed)
    if found is not None:
        return found
    match = _BODY_CODE.match(text)
    if match is not None:
        return _on_body(match)
    match = _REST_STOP.match(text)
    if match is not None:
        return _rest_stop(match)
    match = _JUMP_POINT.match(text)
    if match is not None:
        a, b = (SYSTEM_ALIASES.get(g.lower(), g.title()) for g in match.groups())
        return Place(
            slug(f"{a} {b} jump point"), f"{a}-{b} jump point", PlaceKind.JUMP_POINT, a, None
        )
    return _zone(text, parts)


_FALLBACKS = (
    ("partymembermarker", "party member"),
    ("missionqt", "mission beacon"),
    ("beacon", "beacon"),
    ("invalid", "unknown location"),
    ("defaultsolarsystem", "unknown system"),
)


@lru_cache(maxsize=8192)
def place_name(raw: str) -> str:
    """`place(raw).name`, or words for what the code is (`party member`, `mission beacon`,
    `unknown location`), or the code prettified without its entity id. Never empty."""
    found = place(raw)
    if found is not None:
        return found.name
    cleaned = _clean(raw)
    parts = tokens(cleaned)
    if parts and is_ship_maker(parts[0]):
        return ship_name(cleaned)
    squashed = squash(cleaned)
    for prefix, words in _FALLBACKS:
        if squashed.startswith(prefix):
            return words
    return prettify(cleaned) if squashed else "unknown location"
