"""Rules for loadout and inventory lines (see events/inventory.py).

`<InventoryManagement>` writes 4-5 lines per request (`New request`, `Non-authoritative
Request`, `Processing Request`, two `Result[…]` lines) and most requests are UI queries
(`QueryInventory`, `QueryOrCreate`): 435 such lines in one 4.1 session, 10 of which were item
moves. Only the `New request … Type[Move]` line becomes an event; the rest are silent.
"""

import math
import re

from starstats_core.classify.rule import KeywordRules, NameNeedles, NameRules
from starstats_core.events.base import BaseEvent
from starstats_core.events.inventory import (
    AttachmentReceived,
    InventoryManagement,
    ItemEquipChange,
    ItemStored,
)
from starstats_core.structure import Entry

# The first tuple element of `Attachment[…]` is `<class>_<id>` again, so it is skipped.
# Greedy classes (values are stripped afterwards): lazy ones made this the costliest rule.
_ATTACHMENT = re.compile(
    r"Player\[(?P<player>[^\]]+)\]\s*Attachment\[[^,\]]+,\s*(?P<cls>[^,\]]+),\s*(?P<id>[^,\]]+)\]"
    r"\s*Status\[(?P<status>[^\]]+)\]\s*Port\[(?P<port>[^\]]+)\]"
    r"\s*Elapsed\[(?P<elapsed>\d{1,20}(?:\.\d+)?)\]"
)
_EQUIP = re.compile(
    r"Request\[(?P<req>\d{1,9})\]\s*equip from Inventory\[(?P<inv>[^\]]+)\]"
    r"\s*Class\[(?P<cls>[^\]]+)\].*?\bPort\[(?P<port>[^\]]+)\]"
)
_STORE = re.compile(
    r"Request\[(?P<req>\d{1,9})\]\s*store\s+'(?P<item>[^']+)'\s*\[(?P<item_id>\d+)\]"
    r"\s*by\s+'(?P<player>[^']+)'\s*\[(?P<geid>\d+)\]\s*To Inventory\[(?P<inv>[^\]]+)\]"
    r"(?:.*?\bClass\[(?P<cls>[^\]]+)\])?(?:.*?\bItemsCount\[(?P<count>\d{1,9})\])?"
)
# Entity names end in their numeric id (`klwe_rifle_energy_01_gold01_721587543491`).
_ID_SUFFIX = re.compile(r"_\d+$")
_MOVE = re.compile(
    r"New request\[(?P<req>\d{1,9})\]\s*Player\[(?P<player>[^\]]+)\]\s*Type\[Move\]"
    r"\s*SourceInventory\[(?P<src>[^\]]+)\]\s*TargetInventory\[(?P<dst>[^\]]+)\]"
    r"\s*ItemClass\[(?P<cls>[^\]]+)\]"
)


def attachment_received(entry: Entry) -> BaseEvent | None:
    m = _ATTACHMENT.search(entry.body)
    if m is None:
        return None
    elapsed = float(m["elapsed"])
    if not math.isfinite(elapsed):
        return None
    return AttachmentReceived(
        timestamp=entry.timestamp,
        player=m["player"],
        item_class=m["cls"].strip(),
        item_id=m["id"].strip(),
        status=m["status"],
        port=m["port"],
        elapsed_seconds=elapsed,
    )


def item_equip_change(entry: Entry) -> BaseEvent | None:
    m = _EQUIP.search(entry.body)
    if m is None:
        return None
    return ItemEquipChange(
        timestamp=entry.timestamp,
        request_id=int(m["req"]),
        item_class=m["cls"],
        port=m["port"],
        inventory=m["inv"],
    )


def item_stored(entry: Entry) -> BaseEvent | None:
    m = _STORE.search(entry.body)
    if m is None:
        return None
    # `Class[…]` is the authority; the entity name minus its id is the same text when absent.
    item_class = m["cls"] if m["cls"] is not None else _ID_SUFFIX.sub("", m["item"])
    count = m["count"]
    return ItemStored(
        timestamp=entry.timestamp,
        request_id=int(m["req"]),
        item_class=item_class,
        item_id=m["item_id"],
        player=m["player"],
        player_geid=m["geid"],
        inventory=m["inv"],
        items_count=None if count is None else int(count),
    )


def inventory_management(entry: Entry) -> BaseEvent | None:
    # Cheap reject first: this shell is the chattiest in the inventory family.
    if "Type[Move]" not in entry.body:
        return None
    m = _MOVE.search(entry.body)
    if m is None:
        return None
    return InventoryManagement(
        timestamp=entry.timestamp,
        request_id=int(m["req"]),
        player=m["player"],
        item_class=m["cls"],
        source_inventory=m["src"],
        target_inventory=m["dst"],
    )


NAME_RULES: NameRules = {
    "AttachmentReceived": attachment_received,
    "EquipItem": item_equip_change,
    "StoreItem": item_stored,
    "InventoryManagement": inventory_management,
}
KEYWORD_RULES: KeywordRules = ()
# Only moves are events; the other ~97 % of InventoryManagement lines are bookkeeping.
NAME_NEEDLES: NameNeedles = {"InventoryManagement": ("Type[Move]",)}
