"""Commerce rules: one positive and one near-miss line per variant, then the real corpus.

Real shapes come from the Starlogger commodity lines in the corpus and the modern shop
lines the specs quote; handles, player ids, shop ids and GUIDs here are made up. The
`key=value` lines are upstream's synthetic forms.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starstats_core.events.commerce import (
    CommodityBoxAdded,
    CommodityBuyRequest,
    CommoditySellRequest,
    ShopBuyRequest,
    ShopFlowResponse,
    ShopRequestTimedOut,
    ShopSellRequest,
)

from .conftest import classify_line, corpus_counts, needle_kinds

TS = "2026-07-16T20:35:21.276Z"
ITEM_GUID = "44444444-dddd-4eee-8fff-000000000004"
RESOURCE_GUID = "55555555-eeee-4fff-8aaa-000000000005"
ZERO = "00000000-0000-0000-0000-000000000000"
TAGS = "[Team_CoreGameplayFeatures][Shops][UI]"


# -- shop_buy_request ------------------------------------------------------------------------


def standard_item_buy_body(item_guid: str = ITEM_GUID) -> str:
    return (
        "Sending SShopBuyRequest - playerId[100000000001] shopId[700000000001] "
        "shopName[SCShop_Aparelli_NewBabbage] kioskId[0] client_price[2200.000000] "
        f"itemClassGUID[{item_guid}]"
    )


def test_modern_standard_item_buy_gives_shop_price_and_item_guid() -> None:
    body = standard_item_buy_body()
    line = (
        f"<{TS}> [Notice] <CEntityComponentShoppingProvider::SendStandardItemBuyRequest> "
        f"{body} [Team_CoreGameplayFeatures][Shopping]"
    )
    assert classify_line(line) == ShopBuyRequest(
        timestamp=TS,
        shop_id="700000000001",
        shop_name="SCShop_Aparelli_NewBabbage",
        item_guid=ITEM_GUID,
        price=2200.0,
        raw=body,
    )


def test_modern_shop_ui_buy_gives_item_name_and_quantity() -> None:
    body = (
        "Sending SShopBuyRequest - playerId[100000000001] shopId[700000000002] "
        "shopName[SCShop_RestStop_Pharmacy-001] kioskId[700000000003] "
        f"client_price[18117.000000] itemClassGUID[{ITEM_GUID}] "
        "itemName[behr_smg_ballistic_01_mag] quantity[61]"
    )
    line = f"<{TS}> [Notice] <CEntityComponentShopUIProvider::SendShopBuyRequest> {body}  {TAGS}"
    assert classify_line(line) == ShopBuyRequest(
        timestamp=TS,
        shop_id="700000000002",
        shop_name="SCShop_RestStop_Pharmacy-001",
        item_class="behr_smg_ballistic_01_mag",
        item_guid=ITEM_GUID,
        price=18117.0,
        quantity=61,
        raw=body,
    )


def test_upstream_synthetic_shop_buy_gives_shop_item_and_quantity() -> None:
    body = (
        "SendShopBuyRequest(shopId=area18_kiosk_07, itemClass=apparel_helmet_pilot_blue, "
        "quantity=1)"
    )
    assert classify_line(f"<2026-05-07T13:00:00.000Z> [Notice] {body}") == ShopBuyRequest(
        timestamp="2026-05-07T13:00:00.000Z",
        shop_id="area18_kiosk_07",
        item_class="apparel_helmet_pilot_blue",
        quantity=1,
        raw=body,
    )


def test_zero_item_guid_and_a_malformed_price_are_left_empty() -> None:
    body = standard_item_buy_body(ZERO).replace("2200.000000", "22.00.00")
    line = f"<{TS}> [Notice] <CEntityComponentShoppingProvider::SendStandardItemBuyRequest> {body}"
    event = classify_line(line)
    assert isinstance(event, ShopBuyRequest)
    assert (event.item_guid, event.price) == (None, None)


def test_raw_body_is_capped_at_two_thousand_characters() -> None:
    body = standard_item_buy_body() + " note" + " x" * 1500
    line = f"<{TS}> [Notice] <CEntityComponentShoppingProvider::SendStandardItemBuyRequest> {body}"
    event = classify_line(line)
    assert isinstance(event, ShopBuyRequest)
    assert event.raw == body[:2000]


def test_buy_request_naming_no_shop_or_item_is_not_an_event() -> None:
    line = (
        f"<{TS}> [Error] <CEntityComponentShopUIProvider::SendShopBuyRequest> "
        f"Sending SShopBuyRequest failed: no kiosk {TAGS}"
    )
    assert classify_line(line) is None


def test_4_10_standard_item_buy_with_every_field_gives_shop_item_price_and_quantity() -> None:
    body = (
        "Sending SShopBuyRequest - playerId[100000000001] shopId[700000000004] "
        "shopName[SCShop_CenterMass_Area18] kioskId[700000000005] client_price[4725.000000] "
        f"itemClassGUID[{ITEM_GUID}] itemName[behr_rifle_ballistic_01] quantity[3]"
    )
    line = (
        f"<{TS}> [Notice] <CEntityComponentShoppingProvider::SendStandardItemBuyRequest> "
        f"{body} {TAGS}"
    )
    assert classify_line(line) == ShopBuyRequest(
        timestamp=TS,
        shop_id="700000000004",
        shop_name="SCShop_CenterMass_Area18",
        item_class="behr_rifle_ballistic_01",
        item_guid=ITEM_GUID,
        price=4725.0,
        quantity=3,
        raw=body,
    )


# -- shop_sell_request -----------------------------------------------------------------------

SELL_TS = "2026-07-12T19:40:02.118Z"
SELL_GUID = "5c2b5a4f-6f0e-4c1e-9d3e-2b8f1a7c9e01"
SELL_BODY = (
    "Sending SShopSellRequest - playerId[204772152312] shopId[342890646018] "
    "shopName[SCShop_CenterMass_Area18] kioskId[342890646017] client_price[810.000000] "
    f"itemClassGUID[{SELL_GUID}] itemName[behr_rifle_ballistic_01] quantity[1]"
)
SOLD_RIFLE = ShopSellRequest(
    timestamp=SELL_TS,
    shop_id="342890646018",
    shop_name="SCShop_CenterMass_Area18",
    item_class="behr_rifle_ballistic_01",
    item_guid=SELL_GUID,
    price=810.0,
    quantity=1,
    raw=SELL_BODY,
)


def test_shop_ui_sell_gives_shop_item_total_price_and_quantity() -> None:
    line = (
        f"<{SELL_TS}> [Notice] <CEntityComponentShopUIProvider::SendShopSellRequest> "
        f"{SELL_BODY} {TAGS}"
    )
    assert classify_line(line) == SOLD_RIFLE


def test_4_10_standard_item_sell_is_the_same_sale() -> None:
    line = (
        f"<{SELL_TS}> [Notice] <CEntityComponentShoppingProvider::SendStandardItemSellRequest> "
        f"{SELL_BODY} {TAGS}"
    )
    assert classify_line(line) == SOLD_RIFLE


def test_sell_request_naming_no_shop_or_item_is_not_an_event() -> None:
    line = (
        f"<{SELL_TS}> [Error] <CEntityComponentShopUIProvider::SendShopSellRequest> "
        f"Sending SShopSellRequest failed: client_price[810.000000] quantity[1] {TAGS}"
    )
    assert classify_line(line) is None


def test_a_sale_is_never_read_as_a_purchase() -> None:
    line = f"<{SELL_TS}> [Notice] <CEntityComponentShopUIProvider::SendShopSellRequest> {SELL_BODY}"
    assert not isinstance(classify_line(line), ShopBuyRequest)


# -- shop_flow_response ----------------------------------------------------------------------


def test_modern_shop_flow_response_gives_shop_success_and_kind() -> None:
    body = (
        "Received ShopFlowResponse - playerId[100000000001] shopId[700000000002] "
        "shopName[SCShop_RestStop_Pharmacy-001] kioskId[700000000003] "
        "kioskState[BuyRequestProcessing] result[Success] type[Buying]"
    )
    line = f"<{TS}> [Notice] <CEntityComponentShopUIProvider::RmShopFlowResponse> {body} {TAGS}"
    assert classify_line(line) == ShopFlowResponse(
        timestamp=TS,
        shop_id="700000000002",
        shop_name="SCShop_RestStop_Pharmacy-001",
        success=True,
        kind="Buying",
        raw=body,
    )


def test_the_answer_to_a_sale_is_a_shop_flow_response_of_kind_selling() -> None:
    body = (
        "Received ShopFlowResponse - playerId[204772152312] shopId[342890646018] "
        "shopName[SCShop_CenterMass_Area18] kioskId[342890646017] "
        "kioskState[SellRequestProcessing] result[Success] type[Selling]"
    )
    line = (
        f"<{SELL_TS}> [Notice] <CEntityComponentShopUIProvider::RmShopFlowResponse> {body} {TAGS}"
    )
    assert classify_line(line) == ShopFlowResponse(
        timestamp=SELL_TS,
        shop_id="342890646018",
        shop_name="SCShop_CenterMass_Area18",
        success=True,
        kind="Selling",
        raw=body,
    )


def test_shopping_provider_flow_response_with_a_failure_result_is_unsuccessful() -> None:
    body = "Shop Flow Response - playerId[100000000001] result[Failure]"
    line = f"<{TS}> [Notice] <CEntityComponentShoppingProvider::RmShopFlowResponse> {body} {TAGS}"
    assert classify_line(line) == ShopFlowResponse(timestamp=TS, success=False, raw=body)


def test_upstream_synthetic_shop_flow_response_gives_shop_and_success() -> None:
    body = "ShopFlowResponse(shopId=area18_kiosk_07, Result[Success])"
    assert classify_line(f"<2026-05-07T13:00:01.000Z> [Notice] {body}") == ShopFlowResponse(
        timestamp="2026-05-07T13:00:01.000Z", shop_id="area18_kiosk_07", success=True, raw=body
    )


def test_shop_flow_response_without_shop_result_or_kind_is_not_an_event() -> None:
    line = f"<{TS}> [Notice] <CEntityComponentShopUIProvider::RmShopFlowResponse> timed out {TAGS}"
    assert classify_line(line) is None


# -- commodity_buy_request / commodity_sell_request ------------------------------------------


def test_real_commodity_buy_gives_shop_resource_quantity_in_cscu_and_price() -> None:
    body = (
        "Sending SShopCommodityBuyRequest - playerId[100000000001] shopId[700000000004] "
        "shopName[SCShop_ht_delta_shubin_m_store] kioskId[700000000005] "
        f"price[1067040.000000] shopPricePerCentiSCU[37.049999] resourceGUID[{RESOURCE_GUID}] "
        "autoLoading[0] quantity[28800.000000 cSCU] Cargo Box Data: boxSize[16.000000] | "
        "unitAmount[18]"
    )
    line = (
        "<2026-06-01T16:20:49.543Z> [Notice] "
        f"<CEntityComponentCommodityUIProvider::SendCommodityBuyRequest> {body} {TAGS}"
    )
    assert classify_line(line) == CommodityBuyRequest(
        timestamp="2026-06-01T16:20:49.543Z",
        shop_id="700000000004",
        shop_name="SCShop_ht_delta_shubin_m_store",
        commodity=RESOURCE_GUID,
        quantity=28800.0,
        quantity_unit="cSCU",
        price=1067040.0,
        raw=body,
    )


def test_upstream_synthetic_commodity_buy_gives_name_and_quantity_without_unit() -> None:
    body = "SendCommodityBuyRequest(commodity=Agricium, quantity=125.5, terminal=cru_l1)"
    assert classify_line(f"<2026-05-07T14:00:00.000Z> [Notice] {body}") == CommodityBuyRequest(
        timestamp="2026-05-07T14:00:00.000Z", commodity="Agricium", quantity=125.5, raw=body
    )


def sell_body(box_data: str) -> str:
    return (
        "Sending SShopCommoditySellRequest - playerId[100000000001] shopId[700000000006] "
        "shopName[SCShop_Admin_lt_base_g] kioskId[700000000007] amount[793520.000000] "
        f"resourceGUID[{RESOURCE_GUID}] autoLoading[1] quantity[224] "
        f"transactionMode[ResourceContainer]{box_data}"
    )


def test_real_commodity_sell_bare_quantity_is_scu_when_its_boxes_add_up() -> None:
    body = sell_body(" Cargo Box Data:  [boxSize[16] | unitAmount[14]]")
    line = (
        "<2026-06-01T03:46:57.282Z> [Notice] "
        f"<CEntityComponentCommodityUIProvider::SendCommoditySellRequest> {body} {TAGS}"
    )
    assert classify_line(line) == CommoditySellRequest(
        timestamp="2026-06-01T03:46:57.282Z",
        shop_id="700000000006",
        shop_name="SCShop_Admin_lt_base_g",
        commodity=RESOURCE_GUID,
        quantity=224.0,
        quantity_unit="SCU",
        price=793520.0,
        raw=body,
    )


def test_commodity_sell_bare_quantity_without_box_data_has_no_unit() -> None:
    line = (
        f"<{TS}> [Notice] <CEntityComponentCommodityUIProvider::SendCommoditySellRequest> "
        f"{sell_body('')} {TAGS}"
    )
    event = classify_line(line)
    assert isinstance(event, CommoditySellRequest)
    assert (event.quantity, event.quantity_unit) == (224.0, None)


def test_upstream_synthetic_commodity_sell_amount_is_a_quantity() -> None:
    body = "SendCommoditySellRequest(commodity=Quantanium, amount=64)"
    assert classify_line(f"<2026-05-07T15:00:00.000Z> [Notice] {body}") == CommoditySellRequest(
        timestamp="2026-05-07T15:00:00.000Z", commodity="Quantanium", quantity=64.0, raw=body
    )


@pytest.mark.parametrize("method", ["SendCommodityBuyRequest", "SendCommoditySellRequest"])
def test_commodity_request_with_only_a_zero_resource_guid_is_not_an_event(method: str) -> None:
    line = (
        f"<{TS}> [Notice] <CEntityComponentCommodityUIProvider::{method}> "
        f"Sending request - resourceGUID[{ZERO}] {TAGS}"
    )
    assert classify_line(line) is None


# -- commodity_box_added ---------------------------------------------------------------------


def test_adding_commodity_box_gives_the_commodity_verbatim() -> None:
    line = "<2026-06-01T16:19:16.640Z> AddingCommodityBox - commodityName[ResourceType.Waste]"
    assert classify_line(line) == CommodityBoxAdded(
        timestamp="2026-06-01T16:19:16.640Z", commodity="ResourceType.Waste"
    )


def test_adding_commodity_box_with_an_empty_name_is_not_an_event() -> None:
    assert classify_line(f"<{TS}> AddingCommodityBox - commodityName[]") is None


# -- shop_request_timed_out (inferred, model only) -------------------------------------------


def test_shop_request_timed_out_is_a_plain_model_with_the_wait_in_seconds() -> None:
    event = ShopRequestTimedOut(timestamp=TS, shop_id="700000000001", timed_out_after_secs=30)
    assert event.type == "shop_request_timed_out"
    assert event.item_class is None


def test_no_log_line_classifies_as_shop_request_timed_out() -> None:
    line = f"<{TS}> [Warning] <CEntityComponentShopUIProvider::RequestTimedOut> shopId[7] {TAGS}"
    event = classify_line(line)
    assert event is None or event.type != "shop_request_timed_out"


# -- robustness and the real corpus ----------------------------------------------------------

_PREFIXES = (
    "<CEntityComponentShoppingProvider::SendStandardItemBuyRequest>",
    "<CEntityComponentShopUIProvider::SendShopBuyRequest>",
    "<CEntityComponentShopUIProvider::SendShopSellRequest>",
    "<CEntityComponentShoppingProvider::SendStandardItemSellRequest>",
    "SendShopBuyRequest(",
    "<CEntityComponentShopUIProvider::RmShopFlowResponse>",
    "ShopFlowResponse(",
    "<CEntityComponentCommodityUIProvider::SendCommodityBuyRequest>",
    "SendCommoditySellRequest(",
    "AddingCommodityBox -",
)


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(_PREFIXES), body=st.text())
def test_commerce_rules_never_raise_on_any_body(prefix: str, body: str) -> None:
    classify_line(f"<{TS}> [Notice] {prefix} {body}")


_SHOP_BUY = ("SendShopBuyRequest", "SendStandardItemBuyRequest", "SendStandardShopBuyRequest")
# Every line carrying one of these markers is exactly one event of that type, and no other
# line produces one.
_CORPUS_MARKERS = {
    "shop_buy_request": _SHOP_BUY,
    "shop_sell_request": ("SendShopSellRequest", "SendStandardItemSellRequest"),
    "shop_flow_response": ("ShopFlowResponse",),
    "commodity_buy_request": ("SendCommodityBuyRequest",),
    "commodity_sell_request": ("SendCommoditySellRequest",),
    "commodity_box_added": ("AddingCommodityBox",),
    "shop_request_timed_out": (),
}


@pytest.mark.corpus
def test_every_real_commerce_line_in_the_corpus_gives_exactly_one_event() -> None:
    events, markers = corpus_counts(_CORPUS_MARKERS, needle_kinds(_CORPUS_MARKERS))
    assert events == markers
    # The corpus does hold these shapes: guard against a test that passes on nothing.
    assert markers["commodity_buy_request"] > 0
    assert markers["commodity_sell_request"] > 0
    assert markers["commodity_box_added"] > 0
