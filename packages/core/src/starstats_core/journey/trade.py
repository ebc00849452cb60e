"""Purchases and sales of one session.

An item shop request (`shop_buy_request`, `shop_sell_request`) is paired with the
`shop_flow_response` that follows it for the same shop within `ANSWER_SECONDS`: `Success`
confirms it, any other result rejects it, no answer leaves it `unconfirmed`. Commodity
terminals log no answer at all, so their requests are `submitted`. Totals are the aUEC the
line states (`client_price` for items, `price` for commodity buys, `amount` for commodity
sells: both are the whole order's aUEC, see docs/journey.md). The place is the stop the
player is at, because every commodity terminal logs the same generic shop name.
"""

from collections.abc import Callable

from starstats_core import names
from starstats_core.events.base import BaseEvent
from starstats_core.journey.context import Context
from starstats_core.journey.facts import Trade
from starstats_core.journey.instants import instant

ANSWER_SECONDS = 30.0


class Trades:
    """Trades of one session; item requests wait for their answer in `pending`."""

    __slots__ = ("ctx", "handlers", "pending")

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        # Item requests waiting for their answer, with the shop id the answer will name.
        self.pending: list[tuple[Trade, str | None]] = []
        self.handlers: dict[str, Callable[[BaseEvent], None]] = {
            "shop_buy_request": self._item_buy,
            "shop_sell_request": self._item_sell,
            "shop_flow_response": self._answer,
            "commodity_buy_request": self._commodity_buy,
            "commodity_sell_request": self._commodity_sell,
        }

    def _trade(self, event: BaseEvent, side: str, market: str) -> Trade:
        ctx = self.ctx
        stop = ctx.stop
        shop = getattr(event, "shop_name", None)
        trade = Trade(
            session_id=ctx.session.session_id,
            n=ctx.number(),
            started_at=ctx.at,
            side=side,
            market=market,
            total=getattr(event, "price", None),
            shop=shop,
            shop_name=None if shop is None else names.shop_name(shop),
            place=None if stop is None else stop.place,
            place_name=None if stop is None else stop.name,
        )
        trade.cite(ctx.ref)
        return trade

    def _item(self, event: BaseEvent, side: str) -> None:
        trade = self._trade(event, side, "item")
        item = getattr(event, "item_class", None)
        trade.good = None if item is None else names.strip_entity_id(item)
        trade.good_name = "an item" if trade.good is None else names.item_name(trade.good)
        trade.category = "other" if trade.good is None else names.item_category(trade.good)
        quantity = getattr(event, "quantity", None)
        trade.quantity = None if quantity is None else float(quantity)
        trade.unit = "items"
        if trade.total is not None and trade.quantity:
            trade.unit_price = round(trade.total / trade.quantity, 6)
        trade.status = "unconfirmed"
        self.pending.append((trade, getattr(event, "shop_id", None)))

    def _item_buy(self, event: BaseEvent) -> None:
        self._item(event, "buy")

    def _item_sell(self, event: BaseEvent) -> None:
        self._item(event, "sell")

    def _answer(self, event: BaseEvent) -> None:
        shop_id = getattr(event, "shop_id", None)
        kind = str(getattr(event, "kind", "") or "").casefold()
        side = "buy" if kind.startswith("buy") else "sell" if kind.startswith("sell") else None
        for index, (trade, wanted) in enumerate(self.pending):
            if (shop_id is None or wanted is None or wanted == shop_id) and (
                side is None or trade.side == side
            ):
                success = getattr(event, "success", None)
                trade.status = "rejected" if success is False else "confirmed"
                trade.ended_at = self.ctx.at
                trade.cite(self.ctx.ref)
                del self.pending[index]
                self.ctx.close(trade)
                return

    def _commodity(self, event: BaseEvent, side: str) -> None:
        trade = self._trade(event, side, "commodity")
        good = getattr(event, "commodity", None)
        trade.good = good
        trade.good_name = "a commodity" if good is None else names.commodity_name(good)
        trade.category = "commodity"
        trade.quantity = getattr(event, "quantity", None)
        trade.unit = getattr(event, "quantity_unit", None)
        scu = trade.quantity
        if scu is not None and trade.unit == "cSCU":
            scu = scu / 100
        if trade.total is not None and scu:
            trade.unit_price = round(trade.total / scu, 6)
        trade.ended_at = self.ctx.at
        trade.status = "submitted"
        self.ctx.close(trade)

    def _commodity_buy(self, event: BaseEvent) -> None:
        self._commodity(event, "buy")

    def _commodity_sell(self, event: BaseEvent) -> None:
        self._commodity(event, "sell")

    # -- closing ----------------------------------------------------------------------------
    def tick(self) -> None:
        """Requests unanswered for `ANSWER_SECONDS` close as `unconfirmed`."""
        now = instant(self.ctx.at)
        keep: list[tuple[Trade, str | None]] = []
        for trade, shop_id in self.pending:
            asked = instant(trade.started_at or "")
            if now is not None and asked is not None and now - asked > ANSWER_SECONDS:
                trade.ended_at = trade.started_at
                self.ctx.close(trade)
            else:
                keep.append((trade, shop_id))
        self.pending = keep

    def close(self) -> None:
        for trade, _ in self.pending:
            trade.ended_at = trade.started_at
            self.ctx.close(trade)
        self.pending.clear()

    def open_facts(self) -> list[Trade]:
        return [trade for trade, _ in self.pending]
