"""Bybit's reply shapes: the v5 envelope, the category check, the order/position/coin rows.

`BybitReplies` is the part of the simulated Bybit API (`hedgetui.sim.rest.bybit`) that writes
what Bybit writes: `envelope` the `{"retCode","retMsg","result","retExtInfo","time"}` reply
(HTTP 200, errors too), `_category` the `category=inverse` every endpoint asks for, and
`order_row`/`position_row`/`coin_row` filled in from the books in the recorded samples' field
order, numbers as strings.
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.base import BadParam, VenueApi, dec, json_reply, template
from hedgetui.sim.rest.http import HttpResponse
from hedgetui.sim.rest.listing import instrument
from hedgetui.sim.rest.records import Margin, Order

_STATUS = {"new": "New", "filled": "Filled", "canceled": "Cancelled"}


class BybitReplies(VenueApi):
    """The envelope, the category check and the row shapes every Bybit endpoint shares."""

    def envelope(
        self,
        code: int,
        msg: str,
        result: Any = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> HttpResponse:
        body = {
            "retCode": code,
            "retMsg": msg,
            "result": {} if result is None else result,
            "retExtInfo": {},
            "time": self.now_ms(),
        }
        return json_reply(body, 200, headers)

    def _category(self, params: dict[str, Any]) -> None:
        category = str(params.get("category") or "")
        if category != "inverse":
            raise BadParam(f"category {category!r}: the simulator serves category=inverse")

    # -- shapes ------------------------------------------------------------------------------
    def _coin_mark(self, coin: str) -> float:
        return self.mark("BTCUSD" if coin == "BTC" else "ETHUSD")

    def _margin(self, coin: str) -> Margin:
        return self.accounts.margin(self.venue, coin, self._coin_mark(coin))

    def coin_row(self, row: dict[str, Any], coin: str) -> dict[str, Any]:
        symbol = "BTCUSD" if coin == "BTC" else "ETHUSD"
        wallet = self.accounts.balance(self.venue, coin)
        upnl = self.unrealised(symbol) if instrument(self.venue, symbol) else 0.0
        equity = wallet + upnl
        realised = self.accounts.position_record(self.venue, symbol).realised
        margin = self._margin(coin)
        row.update(
            availableToWithdraw=dec(min(margin.available, max(wallet, 0.0))),
            totalPositionIM=dec(margin.initial),
            totalOrderIM=dec(margin.orders),
            equity=dec(equity),
            usdValue=dec(equity * self._coin_mark(coin)),
            unrealisedPnl=dec(upnl),
            walletBalance=dec(wallet),
            cumRealisedPnl=dec(realised),
            coin=coin,
        )
        return row

    def order_row(self, order: Order) -> dict[str, Any]:
        row: dict[str, Any] = template(self.venue, "order_realtime")["result"]["list"][0]
        price = order.price if order.price is not None else (order.avg_price or 0.0)
        avg = order.avg_price or 0.0
        row.update(
            orderId=order.order_id,
            orderLinkId=order.client_id or "",
            symbol=order.symbol,
            price=dec(price, 2),
            qty=dec(order.qty),
            side="Buy" if order.side == "buy" else "Sell",
            positionIdx=0,
            orderStatus=_STATUS[order.status],
            avgPrice=dec(avg, 2),
            leavesQty=dec(order.leaves),
            leavesValue=dec(order.leaves / price if price else 0.0),
            cumExecQty=dec(order.filled),
            cumExecValue=dec(order.filled / avg if avg else 0.0),
            timeInForce=order.time_in_force,
            orderType="Market" if order.order_type == "market" else "Limit",
            triggerPrice="0",
            takeProfit="0",
            stopLoss="0",
            reduceOnly=order.reduce_only,
            createdTime=str(order.created_ms),
            updatedTime=str(order.updated_ms),
            cumFeeDetail={},
        )
        return row

    def position_row(self, symbol: str) -> dict[str, Any]:
        row: dict[str, Any] = template(self.venue, "position_list")["result"]["list"][0]
        spec = instrument(self.venue, symbol)
        assert spec is not None
        pos = self.accounts.position_record(self.venue, spec.symbol)
        mark = self.mark(spec.symbol)
        size = abs(pos.contracts)
        leverage = self.accounts.leverage(self.venue, spec.symbol)
        im = dec(size / (pos.entry * leverage) if pos.entry else 0.0)
        row.update(
            symbol=spec.symbol,
            leverage=dec(leverage),
            side="" if not pos.contracts else ("Buy" if pos.contracts > 0 else "Sell"),
            size=dec(size),
            avgPrice=dec(pos.entry),
            positionValue=dec(size / pos.entry if pos.entry else 0.0),
            breakEvenPrice=dec(pos.entry),
            positionBalance=im,
            markPrice=dec(mark, 2),
            liqPrice="",
            bustPrice="0",
            positionMM="0",
            positionMMByMp="0",
            positionIM=im,
            positionIMByMp=im,
            unrealisedPnl=dec(self.unrealised(spec.symbol)),
            curRealisedPnl=dec(pos.realised),
            cumRealisedPnl=dec(pos.realised),
            updatedTime=str(pos.updated_ms),
        )
        return row
