"""BitMEX's reply shapes: the order and position rows, in XBt where BitMEX counts satoshis.

`BitmexReplies` is the part of the simulated BitMEX API (`hedgetui.sim.rest.bitmex`) that
writes what BitMEX writes: `order_row` and `position_row` filled in from the books on the
recorded samples (times as ISO strings, margins and PnL as satoshi integers, `SATS` a coin,
all under the one demo `ACCOUNT`).
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.base import VenueApi, iso_ms, num, template
from hedgetui.sim.rest.records import Order

SATS = 100_000_000
ACCOUNT = 299045
_TIF_NAME = {"IOC": "ImmediateOrCancel", "FOK": "FillOrKill", "GTC": "GoodTillCancel"}
_STATUS = {"new": "New", "filled": "Filled", "canceled": "Canceled"}


class BitmexReplies(VenueApi):
    """The row shapes every BitMEX endpoint shares."""

    def order_row(self, order: Order, exec_inst: str | None = None) -> dict[str, Any]:
        row: dict[str, Any] = template(self.venue, "order")
        inst = exec_inst if exec_inst is not None else ("ReduceOnly" if order.reduce_only else "")
        row.update(
            orderID=order.order_id,
            clOrdID=order.client_id or "",
            account=ACCOUNT,
            symbol=order.symbol,
            side="Buy" if order.side == "buy" else "Sell",
            orderQty=num(order.qty),
            price=order.price if order.price is not None else order.avg_price,
            ordType="Market" if order.order_type == "market" else "Limit",
            timeInForce=_TIF_NAME[order.time_in_force],
            execInst=inst,
            ordStatus=_STATUS[order.status],
            workingIndicator=order.status == "new",
            leavesQty=num(order.leaves),
            cumQty=num(order.filled),
            avgPx=order.avg_price,
            transactTime=iso_ms(order.created_ms),
            timestamp=iso_ms(order.updated_ms),
        )
        return row

    def position_row(self, symbol: str) -> dict[str, Any]:
        row: dict[str, Any] = template(self.venue, "position_ws_partial")["data"][0]
        pos = self.accounts.position_record(self.venue, symbol)
        mark = self.mark(symbol)
        qty = pos.contracts
        now = iso_ms(self.now_ms())
        mark_value = -round(qty / mark * SATS)
        upnl = round(self.unrealised(symbol) * SATS)
        entry = pos.entry if qty else None
        leverage = self.accounts.leverage(self.venue, symbol)
        pos_margin = round(abs(qty) / pos.entry / leverage * SATS) if qty else 0
        row.update(
            account=ACCOUNT,
            symbol=symbol,
            initMarginReq=1 / leverage,
            leverage=num(leverage),
            posInit=pos_margin,
            posMargin=pos_margin,
            currentTimestamp=now,
            currentQty=num(qty),
            isOpen=qty != 0,
            markPrice=mark,
            markValue=mark_value,
            riskValue=abs(mark_value),
            homeNotional=qty / mark,
            foreignNotional=num(-qty),
            realisedPnl=round(pos.realised * SATS),
            unrealisedGrossPnl=upnl,
            unrealisedPnl=upnl,
            avgCostPrice=entry,
            avgEntryPrice=entry,
            breakEvenPrice=entry,
            lastPrice=mark,
            lastValue=mark_value,
            timestamp=now,
        )
        return row
