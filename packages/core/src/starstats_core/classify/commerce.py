"""Rules for commerce lines (see events/commerce.py).

Every rule here is a keyword rule, none is keyed on the event name: the same request is
logged under several shells (`CEntityComponentShoppingProvider::SendStandardItemBuyRequest`,
`CEntityComponentShopUIProvider::SendShopBuyRequest`, two `RmShopFlowResponse` shells; item
sales as `SendShopSellRequest`, renamed `SendStandardItemSellRequest` in 4.10) or
with none (upstream's synthetic `SendShopBuyRequest(shopId=...)` form), and the method name
is the stable part. Keywords are matched anywhere in the line, so a renamed shell that keeps
the method name still classifies.

Two body shapes are read:
- real lines, `key[value]` fields: `shopId[..] shopName[..] client_price[..] quantity[..]`;
- upstream's synthetic lines, `key=value` fields: `(shopId=.., itemClass=.., quantity=1)`.
They disagree on one key: real commodity sells log the aUEC total as `amount[...]`, while
upstream's synthetic `amount=64` is a quantity. So the two sets are kept apart. (A total:
`amount[793520]` for 224 SCU is 35.4 aUEC/cSCU, the order of a buy line's
`shopPricePerCentiSCU[37.05]`, whose `price[1067040]` is exactly that rate times 28,800 cSCU.)
"""

import math
import re
from typing import Literal

from starstats_core.classify.rule import KeywordRules, NameRules
from starstats_core.events.base import BaseEvent
from starstats_core.events.commerce import (
    CommodityBoxAdded,
    CommodityBuyRequest,
    CommoditySellRequest,
    ShopBuyRequest,
    ShopFlowResponse,
    ShopSellRequest,
)
from starstats_core.structure import Entry

_RAW_MAX = 2000
# Innermost `key[value]`, so `Cargo Box Data: [boxSize[16] | unitAmount[14]]` still gives
# boxSize and unitAmount.
_BRACKET_FIELD = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\[([^\[\]]*)\]")
_KV_FIELD = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^\s,()\[\]]+)")
_NUMBER = re.compile(r"\d{1,15}(?:\.\d{1,12})?")
# `28800.000000 cSCU` on buys, a bare `224` on sells.
_QUANTITY = re.compile(r"(?P<n>\d{1,15}(?:\.\d{1,12})?)\s*(?P<unit>[A-Za-z]+)?")
_Unit = Literal["cSCU", "SCU"]
_UNITS: dict[str, _Unit] = {"cscu": "cSCU", "scu": "SCU"}
_SUCCESS_RESULTS = frozenset({"success", "ok"})


def _fields(pattern: re.Pattern[str], body: str) -> dict[str, str]:
    """Field name (lower-cased) to stripped value; the first occurrence of a name wins."""
    found: dict[str, str] = {}
    for key, value in pattern.findall(body):
        found.setdefault(key.lower(), value.strip())
    return found


def _first(*values: str | None) -> str | None:
    """The first non-blank value, or None."""
    for value in values:
        if value:
            return value
    return None


def _guid(value: str | None) -> str | None:
    """None for a missing GUID and for the all-zero GUID the game writes for "none"."""
    if not value or set(value) <= {"0", "-"}:
        return None
    return value


def _to_float(text: str | None) -> float | None:
    if text is None or _NUMBER.fullmatch(text) is None:
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def _to_count(text: str | None) -> int | None:
    """A whole count; `1.000000` is accepted because kiosks print some counts as floats."""
    number = _to_float(text)
    if number is None or not number.is_integer() or number >= 2**31:
        return None
    return int(number)


def _shop_request(
    entry: Entry, model: type[ShopBuyRequest] | type[ShopSellRequest]
) -> BaseEvent | None:
    """Item buy and sell lines have the same fields; `model` picks the event."""
    body = entry.body
    br = _fields(_BRACKET_FIELD, body)
    kv = _fields(_KV_FIELD, body)
    shop_id = _first(br.get("shopid"), kv.get("shopid"))
    shop_name = _first(br.get("shopname"), kv.get("shopname"))
    item_class = _first(br.get("itemname"), kv.get("itemclass"), kv.get("item"))
    # A line that names neither shop nor item is a mention of the method, not a request.
    if shop_id is None and shop_name is None and item_class is None:
        return None
    return model(
        timestamp=entry.timestamp,
        shop_id=shop_id,
        shop_name=shop_name,
        item_class=item_class,
        item_guid=_guid(br.get("itemclassguid")),
        price=_to_float(_first(br.get("client_price"), kv.get("client_price"), kv.get("price"))),
        quantity=_to_count(_first(br.get("quantity"), kv.get("quantity"))),
        raw=body[:_RAW_MAX],
    )


def shop_buy_request(entry: Entry) -> BaseEvent | None:
    return _shop_request(entry, ShopBuyRequest)


def shop_sell_request(entry: Entry) -> BaseEvent | None:
    return _shop_request(entry, ShopSellRequest)


def shop_flow_response(entry: Entry) -> BaseEvent | None:
    body = entry.body
    br = _fields(_BRACKET_FIELD, body)
    kv = _fields(_KV_FIELD, body)
    shop_id = _first(br.get("shopid"), kv.get("shopid"))
    result = br.get("result")
    kind = br.get("type") or None
    if shop_id is None and not result and kind is None:
        return None
    return ShopFlowResponse(
        timestamp=entry.timestamp,
        shop_id=shop_id,
        shop_name=_first(br.get("shopname"), kv.get("shopname")),
        success=None if not result else result.lower() in _SUCCESS_RESULTS,
        kind=kind,
        raw=body[:_RAW_MAX],
    )


def _quantity(br: dict[str, str], kv: dict[str, str]) -> tuple[float | None, _Unit | None]:
    """Quantity and unit: real `quantity[...]` first, else upstream's `quantity=`/`amount=`."""
    text = br.get("quantity")
    if text is None:
        return _to_float(_first(kv.get("quantity"), kv.get("amount"))), None
    m = _QUANTITY.fullmatch(text)
    if m is None:
        return None, None
    quantity = _to_float(m["n"])
    if m["unit"] is not None:
        return quantity, _UNITS.get(m["unit"].lower())
    return quantity, _unit_from_boxes(quantity, br)


def _unit_from_boxes(quantity: float | None, br: dict[str, str]) -> _Unit | None:
    """The unit of a bare quantity, proved by the line's own cargo-box data or None.

    `boxSize[16] | unitAmount[14]` is 14 boxes of 16 SCU: a bare `quantity[224]` beside it
    is SCU (real sell line), `quantity[22400]` would be cSCU. Anything else stays unknown
    rather than guessed.
    """
    box_size = _to_float(br.get("boxsize"))
    box_count = _to_float(br.get("unitamount"))
    if quantity is None or box_size is None or box_count is None:
        return None
    scu = box_size * box_count
    if math.isclose(scu, quantity):
        return "SCU"
    if math.isclose(scu * 100, quantity):
        return "cSCU"
    return None


def _commodity_request(
    entry: Entry, model: type[CommodityBuyRequest] | type[CommoditySellRequest]
) -> BaseEvent | None:
    """Buy and sell lines have the same fields; `model` picks the event."""
    body = entry.body
    br = _fields(_BRACKET_FIELD, body)
    kv = _fields(_KV_FIELD, body)
    shop_id = _first(br.get("shopid"), kv.get("shopid"))
    shop_name = _first(br.get("shopname"), kv.get("shopname"))
    commodity = _first(
        br.get("commodityname"),
        br.get("resourcename"),
        kv.get("commodity"),
        _guid(br.get("resourceguid")),
    )
    quantity, unit = _quantity(br, kv)
    price = _to_float(_first(br.get("price"), br.get("amount"), kv.get("price")))
    # A line with none of these is a mention of the method, not a request.
    if (shop_id, shop_name, commodity, quantity, price) == (None,) * 5:
        return None
    return model(
        timestamp=entry.timestamp,
        shop_id=shop_id,
        shop_name=shop_name,
        commodity=commodity,
        quantity=quantity,
        quantity_unit=unit,
        price=price,
        raw=body[:_RAW_MAX],
    )


def commodity_buy_request(entry: Entry) -> BaseEvent | None:
    return _commodity_request(entry, CommodityBuyRequest)


def commodity_sell_request(entry: Entry) -> BaseEvent | None:
    return _commodity_request(entry, CommoditySellRequest)


def commodity_box_added(entry: Entry) -> BaseEvent | None:
    commodity = _fields(_BRACKET_FIELD, entry.body).get("commodityname")
    if not commodity:
        return None
    return CommodityBoxAdded(timestamp=entry.timestamp, commodity=commodity)


NAME_RULES: NameRules = {}
KEYWORD_RULES: KeywordRules = (
    ("SendStandardItemBuyRequest", shop_buy_request),
    ("SendStandardShopBuyRequest", shop_buy_request),
    ("SendShopBuyRequest", shop_buy_request),
    ("SendStandardItemSellRequest", shop_sell_request),
    ("SendShopSellRequest", shop_sell_request),
    ("ShopFlowResponse", shop_flow_response),
    ("SendCommodityBuyRequest", commodity_buy_request),
    ("SendCommoditySellRequest", commodity_sell_request),
    ("AddingCommodityBox", commodity_box_added),
)
