"""Commerce events (see classify/commerce.py for the lines they come from).

A request is the client's optimistic submit, not a completed trade: pair it with the
`shop_flow_response` that follows (`success`), or with nothing, which the server's inference
turns into `shop_request_timed_out`. Every commodity kiosk may log itself under one generic
shop name (`SCShop_Admin_lt_base_g`): `shop_name` is kept verbatim anyway, and the place of
a trade comes from the travel events before it. `raw` is the line's body, at most 2,000
characters, so a request can be re-read when the shapes change again.
"""

from typing import ClassVar, Literal

from starstats_core.events.base import BaseEvent


class ShopBuyRequest(BaseEvent):
    """The player pressed Buy at an item shop kiosk.

    Real lines (`Sending SShopBuyRequest - ... shopName[..] client_price[..] itemClassGUID[..]
    itemName[..] quantity[..]`) and upstream's synthetic `SendShopBuyRequest(shopId=..,
    itemClass=.., quantity=..)` both map here. `item_class` is the item's class name
    (`itemName[...]` / `itemClass=`), `item_guid` its class GUID; `price` is the client's
    total in aUEC.
    """

    type: Literal["shop_buy_request"] = "shop_buy_request"
    shop_id: str | None = None
    shop_name: str | None = None
    item_class: str | None = None
    item_guid: str | None = None
    price: float | None = None
    quantity: int | None = None
    raw: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("raw",)


class ShopSellRequest(BaseEvent):
    """The player pressed Sell at an item shop kiosk.

    Real lines: `<CEntityComponentShopUIProvider::SendShopSellRequest> Sending SShopSellRequest
    - ... shopName[..] client_price[..] itemClassGUID[..] itemName[..] quantity[..]` (4.10
    renames the method `SendStandardItemSellRequest`). Same fields as `ShopBuyRequest`;
    `price` is the client's total in aUEC the sale asks for. Its answer is the
    `shop_flow_response` of kind `Selling`.
    """

    type: Literal["shop_sell_request"] = "shop_sell_request"
    shop_id: str | None = None
    shop_name: str | None = None
    item_class: str | None = None
    item_guid: str | None = None
    price: float | None = None
    quantity: int | None = None
    raw: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("raw",)


class ShopFlowResponse(BaseEvent):
    """The server answered a shop request (`Received ShopFlowResponse - ... result[Success]`).

    `success` is True for `Success`/`OK`, False for any other result, None when the line has
    no result. `kind` is the verbatim `type[...]` (`Buying`, `Selling`, ...).
    """

    type: Literal["shop_flow_response"] = "shop_flow_response"
    shop_id: str | None = None
    shop_name: str | None = None
    success: bool | None = None
    kind: str | None = None
    raw: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("raw",)


class CommodityBuyRequest(BaseEvent):
    """The player submitted a purchase at a commodity terminal (`SendCommodityBuyRequest`).

    `commodity` is the commodity's name when the line names it (upstream's `commodity=`),
    else the resource GUID of real lines. `quantity` is the number as logged and
    `quantity_unit` its unit: `cSCU` (centi-SCU, a hundredth of an SCU) or `SCU` when the
    line says so or its own cargo-box data proves it, None when unknown. `price` is the
    total in aUEC (`price[...]`).
    """

    type: Literal["commodity_buy_request"] = "commodity_buy_request"
    shop_id: str | None = None
    shop_name: str | None = None
    commodity: str | None = None
    quantity: float | None = None
    quantity_unit: Literal["cSCU", "SCU"] | None = None
    price: float | None = None
    raw: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("raw",)


class CommoditySellRequest(BaseEvent):
    """The player submitted a sale at a commodity terminal (`SendCommoditySellRequest`).

    Same fields as `CommodityBuyRequest`; `price` is the total in aUEC the sale asks for
    (`amount[...]` on real lines). Kept a separate class, not a subclass, so every event
    class is a direct `BaseEvent` child with one `type`.
    """

    type: Literal["commodity_sell_request"] = "commodity_sell_request"
    shop_id: str | None = None
    shop_name: str | None = None
    commodity: str | None = None
    quantity: float | None = None
    quantity_unit: Literal["cSCU", "SCU"] | None = None
    price: float | None = None
    raw: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("raw",)


class CommodityBoxAdded(BaseEvent):
    """A commodity box entered the player's cargo (`AddingCommodityBox - commodityName[..]`).

    `commodity` is verbatim, e.g. `ResourceType.Waste`.
    """

    type: Literal["commodity_box_added"] = "commodity_box_added"
    commodity: str

    REQUIRED_TEXT: ClassVar[tuple[str, ...]] = ("commodity",)


class ShopRequestTimedOut(BaseEvent):
    """Inferred: a shop request got no response in time (no line of its own).

    Produced by the inference pass from an unanswered `shop_buy_request`, never by the line
    classifier.
    """

    type: Literal["shop_request_timed_out"] = "shop_request_timed_out"
    shop_id: str | None = None
    item_class: str | None = None
    timed_out_after_secs: int
