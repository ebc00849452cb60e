"""Shops and commodities as words: `SCShop_OmegaPro_NewBabbage` -> `Omega Pro, New Babbage`,
`ResourceType.Waste` -> `Waste`, an unknown resource GUID -> `Unidentified commodity (9e65a7bd)`.
"""

import re
from functools import lru_cache

from starstats_core.names.places import PlaceKind, place
from starstats_core.names.tokens import prettify, split_camel, squash, tokens, word

# Resource GUIDs we know (lower-case) -> commodity name. Empty until a GUID is confirmed
# from a shop line whose UI name was also logged; unknown GUIDs get a short stable label.
COMMODITY_GUIDS: dict[str, str] = {}

# Shop brand tokens (squashed) -> the name on the shop front.
SHOP_BRANDS: dict[str, str] = {
    "shubin": "Shubin Interstellar",
    "omegapro": "Omega Pro",
    "casabaoutlet": "Casaba Outlet",
    "casaba": "Casaba Outlet",
    "centermass": "CenterMass",
    "cubbyblast": "Cubby Blast",
    "livefire": "Live Fire Weapons",
    "livefireweapons": "Live Fire Weapons",
    "platinumbay": "Platinum Bay",
    "astroarmada": "Astro Armada",
    "dumpersdepot": "Dumper's Depot",
    "garritydefense": "Garrity Defense",
    "conscientiousobjects": "Conscientious Objects",
    "tammanyandsons": "Tammany and Sons",
    "newdeal": "New Deal",
    "teachs": "Teach's Ship Shop",
    "vantagerentals": "Vantage Rentals",
    "cousincrows": "Cousin Crow's",
    "skutters": "Skutters",
    "kelto": "Kel-To",
    "aparelli": "Aparelli",
    "cordrys": "Cordry's",
    "hdshowcase": "Hurston Dynamics Showcase",
    "factoryline": "Factory Line",
    "tdd": "Trade & Development Division",
    "refinery": "Refinery",
}
_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8})-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)
# Template tokens in shop codes: tier (`lt`, `ht`), size (`s`, `m`, `l`), layout letters.
_SHOP_NOISE = frozenset({"scshop", "shop", "store", "lt", "mt", "ht", "s", "m", "l", "g", "a", "b",
                         "base", "delta", "kiosk"})  # fmt: skip


@lru_cache(maxsize=4096)
def commodity_name(raw: str) -> str:
    """A commodity as traders name it: `ResourceType.Waste` -> `Waste`,
    `9e65a7bd-adcf-...` -> `Unidentified commodity (9e65a7bd)` unless known, `quantanium`
    -> `Quantanium`. Never raises, never empty."""
    text = raw.strip()
    guid = _GUID.match(text)
    if guid is not None:
        known = COMMODITY_GUIDS.get(text.strip("{}").lower())
        return known or f"Unidentified commodity ({guid.group(1).lower()})"
    if text.lower().startswith("resourcetype."):
        text = text.split(".", 1)[1]
    parts = [w for t in tokens(text) for w in split_camel(t)]
    return " ".join(word(p) if i == 0 else p for i, p in enumerate(parts)) or "unknown commodity"


@lru_cache(maxsize=4096)
def shop_name(raw: str) -> str:
    """A shop as players name it: `SCShop_Admin_lt_base_g` -> `Commodity kiosk` (every
    commodity terminal logs that code), `SCShop_OmegaPro_NewBabbage` -> `Omega Pro, New
    Babbage`, `SCShop_ht_delta_shubin_m_store` -> `Shubin Interstellar`. Never raises."""
    parts = tokens(raw)
    lowered = [squash(p) for p in parts]
    if "admin" in lowered:
        return "Commodity kiosk"
    brand: str | None = None
    where: str | None = None
    rest: list[str] = []
    for part, low in zip(parts, lowered, strict=True):
        found = place(part)
        if where is None and found is not None and found.kind is not PlaceKind.SYSTEM:
            where = found.name
        elif brand is None and low in SHOP_BRANDS:
            brand = SHOP_BRANDS[low]
        elif low not in _SHOP_NOISE and not low.isdigit():
            rest.extend(split_camel(part))
    name = brand or (" ".join(word(r) if i == 0 else r for i, r in enumerate(rest)) or None)
    if name and where:
        return f"{name}, {where}"
    return name or where or prettify(raw)
