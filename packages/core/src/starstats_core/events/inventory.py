"""Loadout and inventory events (see classify/inventory.py for the lines they come from).

Item and player ids stay strings; request ids, counts and durations are numbers. An
`item_class` is the class the line logs (`Class[…]`, `ItemClass[…]`), verbatim: a trailing
`_1` there is part of the class (`Carryable_1H_SQ_Pyro_Serverblade_1`), not an entity id.
Inventory addresses are kept verbatim (`204056438813:Location:2147648880`, `INVALID`).
"""

from typing import ClassVar, Literal

from starstats_core.events.base import BaseEvent


class AttachmentReceived(BaseEvent):
    """The engine attached an item to one of the player's ports (`<AttachmentReceived>`).

    Fires in bursts of 20+ when a loadout is restored at spawn; short `elapsed_seconds`
    (time since the entity was created) mark that burst, longer ones a real equip.
    """

    type: Literal["attachment_received"] = "attachment_received"
    player: str
    item_class: str
    item_id: str
    # `persistent` in every real line so far.
    status: str
    # e.g. `Armor_Undersuit`, `Body_ItemPort`, `WEAPON_LEFT`.
    port: str
    elapsed_seconds: float

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("player", "item_class", "item_id", "port")


class ItemEquipChange(BaseEvent):
    """The player asked to equip an item from an inventory onto a port (`<EquipItem>`)."""

    type: Literal["item_equip_change"] = "item_equip_change"
    request_id: int
    item_class: str
    # The port path, `:`-separated from the body down (`Body_ItemPort:Armor_Undersuit:…`).
    port: str
    # The inventory the item comes from.
    inventory: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("item_class", "port")


class ItemStored(BaseEvent):
    """The player stored an item into an inventory (`<StoreItem>`)."""

    type: Literal["item_stored"] = "item_stored"
    request_id: int
    item_class: str
    item_id: str
    player: str
    player_geid: str
    # The target inventory; `INVALID` is common and kept verbatim.
    inventory: str
    # `ItemsCount[n]` as logged (the stack count left), when present.
    items_count: int | None = None

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("item_class", "item_id", "player")


class InventoryManagement(BaseEvent):
    """The player moved an item between inventories (`<InventoryManagement> … Type[Move]`).

    Only the move request becomes an event: the shell's other lines (queries each time an
    inventory screen opens, and the 3-4 progress/result lines every request writes) are
    hundreds per session and say nothing a player would count.
    """

    type: Literal["inventory_management"] = "inventory_management"
    request_id: int
    player: str
    item_class: str
    source_inventory: str
    target_inventory: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("player", "item_class")
