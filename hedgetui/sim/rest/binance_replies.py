"""Binance COIN-M's reply shapes: the order and position rows.

`BinanceReplies` is the part of the simulated Binance API (`hedgetui.sim.rest.binance`) that
writes what Binance writes: `order_row` (as accepted, for an ACK, or in its final state) and
`position_row` filled in from the books on the recorded samples.
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.base import VenueApi, dec, template
from hedgetui.sim.rest.listing import instrument
from hedgetui.sim.rest.records import Order

_STATUS = {"new": "NEW", "filled": "FILLED", "canceled": "EXPIRED"}
_TRAILING_KEYS = ("activatePrice", "priceRate")


class BinanceReplies(VenueApi):
    """The row shapes every Binance endpoint shares."""

    def order_row(self, order: Order, name: str, as_accepted: bool = False) -> dict[str, Any]:
        row: dict[str, Any] = template(self.venue, name)
        for key in _TRAILING_KEYS:
            row.pop(key, None)
        spec = instrument(self.venue, order.symbol)
        assert spec is not None
        filled = 0.0 if as_accepted else order.filled
        avg = order.avg_price if (order.avg_price and not as_accepted) else 0.0
        kind = "MARKET" if order.order_type == "market" else "LIMIT"
        row.update(
            clientOrderId=order.client_id or f"sim{order.seq}",
            cumBase=dec(filled * spec.contract_size / avg if avg else 0.0),
            executedQty=dec(filled),
            orderId=int(order.order_id),
            avgPrice=dec(avg, 2) if avg else "0.0",
            origQty=dec(order.qty),
            price=dec(order.price or 0.0, 2),
            reduceOnly=order.reduce_only,
            side=order.side.upper(),
            status="NEW" if as_accepted else _STATUS[order.status],
            stopPrice="0",
            symbol=order.symbol,
            pair=order.symbol.split("_")[0],
            timeInForce=order.time_in_force,
            type=kind,
            origType=kind,
            updateTime=order.created_ms if as_accepted else order.updated_ms,
        )
        if "cumQty" in row:
            row["cumQty"] = dec(filled)
        if "positionSide" in row:
            row["positionSide"] = "BOTH"
        if "time" in row:
            row["time"] = order.created_ms
        return row

    def position_row(self, symbol: str) -> dict[str, Any]:
        row: dict[str, Any] = template(self.venue, "position_risk")[0]
        spec = instrument(self.venue, symbol)
        assert spec is not None
        pos = self.accounts.position_record(self.venue, symbol)
        mark = self.mark(symbol)
        row.update(
            symbol=symbol,
            positionAmt=dec(pos.contracts),
            entryPrice=dec(pos.entry) if pos.contracts else "0.0",
            breakEvenPrice=dec(pos.entry) if pos.contracts else "0.0",
            markPrice=f"{mark:.8f}",
            unRealizedProfit=f"{self.unrealised(symbol):.8f}",
            liquidationPrice="0",
            leverage=dec(self.accounts.leverage(self.venue, symbol)),
            positionSide="BOTH",
            notionalValue=dec(pos.contracts * spec.contract_size / mark),
            updateTime=pos.updated_ms,
        )
        return row
