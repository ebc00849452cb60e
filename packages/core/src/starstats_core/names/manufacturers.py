"""Manufacturer codes as players name the brands (`AEGS` -> `Aegis`).

Pure data plus one lookup: facts about the game, written by us. Codes are the 3-5 letter
prefixes of ship, vehicle, component and FPS item class names; lookups ignore case.
"""

from functools import lru_cache

# Ship and vehicle makers: a class starting with one of these (in upper case) is a vehicle
# or one of its parts, never a place.
SHIP_MAKERS: dict[str, str] = {
    "AEGS": "Aegis",
    "ANVL": "Anvil",
    "AOPO": "Aopoa",
    "ARGO": "Argo",
    "BANU": "Banu",
    "CNOU": "C.O.",
    "CRUS": "Crusader",
    "DRAK": "Drake",
    "ESPR": "Esperia",
    "GAMA": "Gatac",
    "GLSN": "Gallenson",
    "GRIN": "Greycat",
    "KRIG": "Kruger",
    "MISC": "MISC",
    "MRAI": "Mirai",
    "ORIG": "Origin",
    "RSI": "RSI",
    "TMBL": "Tumbril",
    "VNCL": "Vanduul",
    "XIAN": "Aopoa",
    "XNAA": "Aopoa",
}

# Makers of ship weapons, ship components and personal gear (a few also make ships above).
OTHER_MAKERS: dict[str, str] = {
    "ACOM": "ACOM",
    "AMRS": "Amon & Reese",
    "APAR": "Apocalypse Arms",
    "ASAS": "Ascension Astro",
    "BASL": "Basilisk",
    "BEHR": "Behring",
    "CCC": "CC's Conversions",
    "CDS": "Clark Defense Systems",
    "CLDA": "Caldera",
    "CRLF": "CureLife",
    "FSKI": "FireStorm Kinetics",
    "GATS": "Gallenson Tactical",
    "GMNI": "Gemini",
    "GODI": "Gorgon Defender",
    "HRST": "Hurston Dynamics",
    "JOKR": "Joker Engineering",
    "JSPN": "J-Span",
    "JUST": "Juno Starwerk",
    "KBAR": "KnightBridge Arms",
    "KLWE": "Klaus & Werner",
    "KSAR": "Kastak Arms",
    "LBCO": "Lightning Bolt Co.",
    "LPLT": "Lightning Power",
    "MXOX": "MaxOx",
    "NOVP": "Nova Pyrotechnica",
    "PRAR": "Preacher Armaments",
    "RACO": "RAMP",
    "RRS": "Roussimoff Rehabilitation Systems",
    "SASU": "Sakura Sun",
    "SECO": "Seal Corporation",
    "TARS": "Tarsus",
    "THCN": "Thermyte Concern",
    "TOAG": "Torral Aggregate",
    "TYDT": "Tyler Design & Tech",
    "VGL": "Virgil",
    "WCPR": "Wen/Cassel",
    "WETK": "Wei-Tek",
    "WLOP": "WillsOp",
    "YORM": "Yorm",
}

_ALL: dict[str, str] = {**OTHER_MAKERS, **SHIP_MAKERS}


@lru_cache(maxsize=1024)
def manufacturer_name(code: str) -> str | None:
    """The brand players use for a manufacturer code (`AEGS` -> `Aegis`, `klwe` ->
    `Klaus & Werner`), or None when the code is unknown."""
    return _ALL.get(code.strip().upper())


def is_ship_maker(code: str) -> bool:
    """True when `code`, written in upper case as ship classes do, is a vehicle maker."""
    return code.isupper() and code in SHIP_MAKERS
