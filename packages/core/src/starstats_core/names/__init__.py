"""Readable names for the game's class names, place codes, shops, commodities and actors.

Pure functions over strings (no I/O), memoised; none raises or returns an empty string.
"""

from starstats_core.names.actors import actor_name
from starstats_core.names.commerce import commodity_name, shop_name
from starstats_core.names.items import item_category, item_name, weapon_name
from starstats_core.names.manufacturers import manufacturer_name
from starstats_core.names.places import Place, PlaceKind, place, place_name
from starstats_core.names.ships import ship_name
from starstats_core.names.tokens import strip_entity_id

__all__ = [
    "Place",
    "PlaceKind",
    "actor_name",
    "commodity_name",
    "item_category",
    "item_name",
    "manufacturer_name",
    "place",
    "place_name",
    "ship_name",
    "shop_name",
    "strip_entity_id",
    "weapon_name",
]
