"""Loadout and inventory rules: one positive and one negative line per variant.

Lines copy real corpus shapes with fake handles and ids; the corpus test at the end checks
every real line.
"""

import pytest

from starstats_core.events.inventory import (
    AttachmentReceived,
    InventoryManagement,
    ItemEquipChange,
    ItemStored,
)

from .conftest import classify_line, corpus_counts

TS = "2026-05-03T17:52:57.219Z"
INV_TAGS = " [Team_CoreGameplayFeatures][Inventory]"

# -- attachment_received ------------------------------------------------------------------


def test_attachment_gives_player_item_port_and_elapsed_seconds() -> None:
    line = (
        f"<{TS}> [Notice] <AttachmentReceived> Player[TestPilot_01] "
        "Attachment[rsi_odyssey_undersuit_01_01_01_100000000101, rsi_odyssey_undersuit_01_01_01, "
        "100000000101] Status[persistent] Port[Armor_Undersuit] Elapsed[27.480394]"
        " [Team_ActorFeatures][Inventory]"
    )
    assert classify_line(line) == AttachmentReceived(
        timestamp=TS,
        player="TestPilot_01",
        item_class="rsi_odyssey_undersuit_01_01_01",
        item_id="100000000101",
        status="persistent",
        port="Armor_Undersuit",
        elapsed_seconds=27.480394,
    )


def test_attachment_with_a_non_numeric_elapsed_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Notice] <AttachmentReceived> Player[TestPilot_01] "
        "Attachment[body_01_noMagicPocket_100000000102, body_01_noMagicPocket, 100000000102] "
        f"Status[persistent] Port[Body_ItemPort] Elapsed[nan]{INV_TAGS}"
    )
    assert classify_line(line) is None


# -- item_equip_change --------------------------------------------------------------------

EQUIP_TS = "2026-07-17T03:03:52.007Z"


def test_equip_request_gives_request_class_port_and_source_inventory() -> None:
    line = (
        f"<{EQUIP_TS}> [Notice] <EquipItem> Request[34] equip from "
        "Inventory[100000000111:Location:2147648880] Class[crlf_consumable_healing_01] "
        "Rank[aaaabbbbcccc] Port[Body_ItemPort:Armor_Undersuit:oxyPen_attach_1] "
        f"DependentRequest[4294967295] PostAction[None]{INV_TAGS}"
    )
    assert classify_line(line) == ItemEquipChange(
        timestamp=EQUIP_TS,
        request_id=34,
        item_class="crlf_consumable_healing_01",
        port="Body_ItemPort:Armor_Undersuit:oxyPen_attach_1",
        inventory="100000000111:Location:2147648880",
    )


def test_equip_line_without_a_port_is_not_an_event() -> None:
    line = (
        f"<{EQUIP_TS}> [Notice] <EquipItem> Request[34] equip from "
        "Inventory[100000000111:Location:2147648880] Class[crlf_consumable_healing_01] "
        f"Rank[aaaabbbbcccc]{INV_TAGS}"
    )
    assert classify_line(line) is None


# -- item_stored --------------------------------------------------------------------------

STORE_TS = "2026-07-17T03:03:15.948Z"


def test_store_request_gives_item_player_inventory_and_count() -> None:
    line = (
        f"<{STORE_TS}> [Notice] <StoreItem> Request[9] store "
        "'klwe_rifle_energy_01_gold01_100000000121' [100000000121] by 'TestPilot_01' "
        "[100000000122] To Inventory[INVALID] Class[klwe_rifle_energy_01_gold01] "
        f"Rank[aaaabbbbcccc] ItemsCount[0]{INV_TAGS}"
    )
    assert classify_line(line) == ItemStored(
        timestamp=STORE_TS,
        request_id=9,
        item_class="klwe_rifle_energy_01_gold01",
        item_id="100000000121",
        player="TestPilot_01",
        player_geid="100000000122",
        inventory="INVALID",
        items_count=0,
    )


def test_store_request_without_class_takes_it_from_the_item_name() -> None:
    line = (
        f"<{STORE_TS}> [Notice] <StoreItem> Request[10] store "
        "'klwe_rifle_energy_01_gold01_100000000121' [100000000121] by 'TestPilot_01' "
        f"[100000000122] To Inventory[100000000123:Container:0]{INV_TAGS}"
    )
    assert classify_line(line) == ItemStored(
        timestamp=STORE_TS,
        request_id=10,
        item_class="klwe_rifle_energy_01_gold01",
        item_id="100000000121",
        player="TestPilot_01",
        player_geid="100000000122",
        inventory="100000000123:Container:0",
    )


def test_store_line_without_the_storing_player_is_not_an_event() -> None:
    line = (
        f"<{STORE_TS}> [Notice] <StoreItem> Request[9] store "
        "'klwe_rifle_energy_01_gold01_100000000121' [100000000121] To Inventory[INVALID] "
        f"Class[klwe_rifle_energy_01_gold01]{INV_TAGS}"
    )
    assert classify_line(line) is None


# -- inventory_management -----------------------------------------------------------------

IM_TS = "2026-06-24T19:23:30.684Z"


def test_inventory_move_request_gives_item_and_both_inventories() -> None:
    line = (
        f"<{IM_TS}> [Notice] <InventoryManagement> New request[26] Player[TestPilot_01] "
        "Type[Move] SourceInventory[100000000131:Container:0] "
        "TargetInventory[100000000132:Container:0] ItemClass[Carryable_1H_SQ_Pyro_Serverblade_1] "
        "StoredEntity[NULL] LocallyDetached[No] LocalAttached[NULL, ] PendingMoves[1, ] "
        f"Caller[CSCLocalPlayerPersonalThoughtComponent::OnInventoryMoveItemOntoUnoccupiedPosition]"
        f"{INV_TAGS}"
    )
    assert classify_line(line) == InventoryManagement(
        timestamp=IM_TS,
        request_id=26,
        player="TestPilot_01",
        item_class="Carryable_1H_SQ_Pyro_Serverblade_1",
        source_inventory="100000000131:Container:0",
        target_inventory="100000000132:Container:0",
    )


@pytest.mark.parametrize(
    "body",
    [
        # A UI query, written every time an inventory screen opens.
        "New request[22] Player[TestPilot_01] Type[QueryInventory] "
        "SourceInventory[100000000131:Container:0] TargetInventory[INVALID] ItemClass[] "
        "StoredEntity[NULL] Caller[CSCLocalPlayerPersonalThoughtComponent::RequestInventoryData]",
        # Progress and result lines every request writes after its `New request`.
        "Non-authoritative Request[26] Type[Move] sent for Player[TestPilot_01].",
        "Request[26] Player[TestPilot_01] Result[Succeed] Item[0] CanLockQueue[Yes].",
        "Request[1] for 'TestPilot_01' [100000000133] Result[Succeed] Item[0] CanLockQueue[No].",
        "Request[26] Player[TestPilot_01] Result[succeed] Elapsed[0.694511]",
    ],
)
def test_inventory_management_chatter_is_not_an_event(body: str) -> None:
    assert classify_line(f"<{IM_TS}> [Notice] <InventoryManagement> {body}{INV_TAGS}") is None


# -- robustness ---------------------------------------------------------------------------

POSITIVE_LINES = (
    f"<{TS}> [Notice] <AttachmentReceived> Player[P] Attachment[a_1, a, 1] Status[persistent] "
    f"Port[X] Elapsed[1.5]{INV_TAGS}",
    f"<{STORE_TS}> [Notice] <StoreItem> Request[9] store 'k_1' [1] by 'P' [2] To Inventory[I] "
    f"Class[k] ItemsCount[3]{INV_TAGS}",
)


@pytest.mark.parametrize("line", POSITIVE_LINES)
def test_every_truncation_of_an_inventory_line_classifies_without_raising(line: str) -> None:
    for end in range(len(line) + 1):
        classify_line(line[:end])


def test_an_absurdly_long_request_number_is_refused_not_raised() -> None:
    line = (
        f"<{STORE_TS}> [Notice] <StoreItem> Request[{'9' * 5000}] store 'k_1' [1] by 'P' [2] "
        f"To Inventory[I]{INV_TAGS}"
    )
    assert classify_line(line) is None


# -- the real corpus ----------------------------------------------------------------------

INVENTORY_TYPES = {
    "attachment_received",
    "item_equip_change",
    "item_stored",
    "inventory_management",
}


def marker_type(line: str) -> str | None:
    """The inventory event a real line must give, judged by plain substrings, or None."""
    if "<InventoryManagement> New request[" in line and "Type[Move]" in line:
        return "inventory_management"
    markers = (
        ("<AttachmentReceived>", "attachment_received"),
        ("<EquipItem>", "item_equip_change"),
        ("<StoreItem>", "item_stored"),
    )
    return next((kind for marker, kind in markers if marker in line), None)


@pytest.mark.corpus
def test_corpus_gives_one_inventory_event_per_marked_line() -> None:
    got, expected = corpus_counts(INVENTORY_TYPES, lambda line: filter(None, [marker_type(line)]))
    assert got == expected
    # Guard against passing on two empty counters: every variant occurs in the corpus.
    assert set(expected) == INVENTORY_TYPES
