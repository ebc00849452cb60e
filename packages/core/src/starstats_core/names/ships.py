"""Ship and vehicle class names as players read them (`ANVL_Hornet_F7CM_Mk2` -> `Anvil Hornet
F7C-M Mk II`): a curated table for names the prettifier would get wrong, token fixes, and the
AI/NPC suffixes the game appends to crewed-by-AI copies.
"""

from functools import lru_cache

from starstats_core.names.manufacturers import SHIP_MAKERS, manufacturer_name
from starstats_core.names.tokens import prettify, squash, strip_entity_id, tokens, word

# Exact classes (compared case-insensitively, without id or AI suffix) whose display name
# is not what the tokens spell.
SHIP_NAMES: dict[str, str] = {
    "ANVL_Lightning_F8C": "Anvil F8C Lightning",
    "ANVL_C8R_Pisces": "Anvil C8R Pisces Rescue",
    "ANVL_C8X_Pisces_Expedition": "Anvil C8X Pisces Expedition",
    "ANVL_C8_Pisces": "Anvil C8 Pisces",
    "ANVL_Hornet_F7C_Mk2": "Anvil Hornet F7C Mk II",
    "CRUS_Starfighter_Ion": "Crusader Ares Star Fighter Ion",
    "CRUS_Starfighter_Inferno": "Crusader Ares Star Fighter Inferno",
    "CRUS_Spirit_C1": "Crusader C1 Spirit",
    "CRUS_Spirit_A1": "Crusader A1 Spirit",
    "CRUS_Spirit_E1": "Crusader E1 Spirit",
    "CRUS_Star_Runner": "Crusader Mercury Star Runner",
    "DRAK_Cutlass_Black": "Drake Cutlass Black",
    "KRIG_L21_Wolf": "Kruger L-21 Wolf",
    "KRIG_L22_AlphaWolf": "Kruger L-22 Alpha Wolf",
    "KRIG_P52_Merlin": "Kruger P-52 Merlin",
    "KRIG_P72_Archimedes": "Kruger P-72 Archimedes",
    "MISC_Starfarer_Gemini": "MISC Starfarer Gemini",
    "ORIG_890Jump": "Origin 890 Jump",
    "ORIG_X1_Velocity": "Origin X1 Velocity",
    "RSI_Zeus_CL": "RSI Zeus Mk II CL",
    "RSI_Zeus_ES": "RSI Zeus Mk II ES",
    "RSI_Zeus_MR": "RSI Zeus Mk II MR",
    "XNAA_SanTokYai": "Aopoa San'tok.yai",
    "VNCL_Blade": "Vanduul Blade",
}
_SHIP_NAMES = {squash(k): v for k, v in SHIP_NAMES.items()}

# Single tokens (compared lower-case) that prettify wrongly on their own.
TOKEN_FIXES: dict[str, str] = {
    "mk1": "Mk I",
    "mk2": "Mk II",
    "mkii": "Mk II",
    "f7a": "F7A",
    "f7c": "F7C",
    "f7cm": "F7C-M",
    "f7cr": "F7C-R",
    "f7cs": "F7C-S",
    "f8c": "F8C",
    "m50": "M50",
    "85x": "85X",
    "100i": "100i",
    "125a": "125a",
    "135c": "135c",
    "300i": "300i",
    "315p": "315p",
    "325a": "325a",
    "350r": "350r",
    "400i": "400i",
    "600i": "600i",
    "mole": "MOLE",
    "srv": "SRV",
    "mpuv": "MPUV",
    "raft": "RAFT",
    "roc": "ROC",
    "stv": "STV",
    "ptv": "PTV",
    "hull": "Hull",
    "mr": "MR",
    "lx": "LX",
    "qi": "QI",
    "cl": "CL",
    "es": "ES",
    "ds": "DS",
    "pu": "",  # a `PU_` infix marks the persistent-universe variant; it is not part of the name
}

# AI suffixes: token sequences (lower-case) after the model and what to say instead.
AI_SUFFIXES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("pu", "ai", "crim"), "NPC criminal"),
    (("pu", "ai", "uee"), "NPC UEE Navy"),
    (("pu", "ai", "nt"), "NPC NineTails"),
    (("pu", "ai", "sec"), "NPC security"),
    (("pu", "ai", "civ"), "NPC civilian"),
    (("pu", "ai", "pir"), "NPC pirate"),
    (("pu", "ai", "vanduul"), "NPC Vanduul"),
    (("pu", "ai"), "NPC"),
    (("ai", "template"), "NPC"),
    (("unmanned", "salvage"), "unmanned salvage"),
    (("unmanned",), "unmanned"),
)


def _split_ai_suffix(parts: list[str]) -> tuple[list[str], str | None]:
    """The model tokens and the readable AI label, when the class ends in an AI suffix
    (possibly followed by a faction or variant token the label swallows)."""
    lowered = [p.lower() for p in parts]
    for suffix, label in AI_SUFFIXES:
        n = len(suffix)
        for start in range(1, len(lowered) - n + 1):
            if tuple(lowered[start : start + n]) == suffix:
                return parts[:start], label
    return parts, None


@lru_cache(maxsize=4096)
def ship_name(class_name: str) -> str:
    """A ship or vehicle class as players name it: `AEGS_Avenger_Titan_2741024526900` ->
    `Aegis Avenger Titan`, `MISC_Reliant_Sen_PU_AI_CRIM` -> `MISC Reliant Sen (NPC criminal)`.

    Known makers become their brand; unknown classes are prettified. Never raises, never
    returns an empty string."""
    parts = tokens(strip_entity_id(class_name))
    if not parts:
        return prettify(class_name)
    model, label = _split_ai_suffix(parts)
    suffix = f" ({label})" if label else ""
    for end in range(len(model), 1, -1):  # the longest curated prefix, then the variant words
        curated = _SHIP_NAMES.get(squash("_".join(model[:end])))
        if curated is not None:
            extra = [TOKEN_FIXES.get(t.lower(), word(t)) for t in model[end:]]
            return " ".join([curated, *(w for w in extra if w)]) + suffix
    maker = SHIP_MAKERS.get(model[0].upper()) or manufacturer_name(model[0])
    rest = model[1:] if maker else model
    words = [TOKEN_FIXES.get(t.lower(), word(t)) for t in rest]
    name = " ".join(w for w in ([maker] if maker else []) + words if w)
    return (name or prettify(class_name)) + suffix
