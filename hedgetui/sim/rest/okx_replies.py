"""OKX's reply shapes: an order placement's reply and the order, position and balance rows.

`OkxReplies` is the part of the simulated OKX API (`hedgetui.sim.rest.okx`) that writes what
OKX writes: `orders_reply` the `{"code","data","inTime","msg","outTime"}` reply of a single or
batch placement (code "0", "1" or "2" by how many went through) with one `order_result` per
order, and `order_row`/`position_row`/`balance_row` filled in from the books in the recorded
samples' field order, every number a string.
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.base import VenueApi, dec, json_reply, template
from hedgetui.sim.rest.http import HttpResponse
from hedgetui.sim.rest.listing import instrument
from hedgetui.sim.rest.records import Order

_STATE = {"new": "live", "filled": "filled", "canceled": "canceled"}


class OkxReplies(VenueApi):
    """The order-placement reply and the row shapes every OKX endpoint shares."""

    def _times(self) -> tuple[str, str]:
        us = self.now_ms() * 1000
        return str(us), str(us + 1281)

    def order_result(self, cl_ord_id: str, ord_id: str, s_code: str, s_msg: str) -> dict[str, str]:
        """One order's entry in ``data`` (a single or a batch placement)."""
        row: dict[str, str] = template(self.venue, "place_order")["data"][0]
        row.update(clOrdId=cl_ord_id, ordId=ord_id, sCode=s_code, sMsg=s_msg, ts=str(self.now_ms()))
        return row

    def orders_reply(self, rows: list[dict[str, str]]) -> HttpResponse:
        """code "0" when every order went through, "1" when none did, "2" when some did."""
        ok = sum(1 for r in rows if r["sCode"] == "0")
        code, msg = (
            ("0", "")
            if ok == len(rows)
            else ("1", "All operations failed")
            if ok == 0
            else ("2", "Bulk operation partially succeeded.")
        )
        in_time, out_time = self._times()
        body = {"code": code, "data": rows, "inTime": in_time, "msg": msg, "outTime": out_time}
        return json_reply(body)

    # -- shapes ------------------------------------------------------------------------------
    def balance_row(self, row: dict[str, Any], ccy: str) -> dict[str, Any]:
        symbol = f"{ccy}-USD-SWAP"
        cash = self.accounts.balance(self.venue, ccy)
        upl = self.unrealised(symbol)
        eq = cash + upl
        margin = self.accounts.margin(self.venue, ccy, self.mark(symbol))
        row.update(
            availBal=dec(min(margin.available, max(cash, 0.0))),
            availEq=dec(margin.available),
            cashBal=dec(cash),
            ccy=ccy,
            disEq=dec(eq * self.mark(symbol)),
            eq=dec(eq),
            eqUsd=dec(eq * self.mark(symbol)),
            frozenBal=dec(margin.initial),
            imr=dec(margin.initial),
            isoEq="0",
            isoUpl="0",
            ordFrozen=dec(margin.orders),
            stgyEq="0",
            uTime=str(self.now_ms()),
            upl=dec(upl),
        )
        return row

    def order_row(self, order: Order) -> dict[str, Any]:
        row: dict[str, Any] = template(self.venue, "order_details")["data"][0]
        spec = instrument(self.venue, order.symbol)
        assert spec is not None
        row.update(
            accFillSz=dec(order.filled),
            avgPx=dec(order.avg_price or 0.0) if order.avg_price else "",
            cTime=str(order.created_ms),
            clOrdId=order.client_id or "",
            fee="0",
            feeCcy=spec.coin,
            fillPx=dec(order.avg_price or 0.0) if order.avg_price else "",
            fillSz=dec(order.filled),
            fillTime=str(order.updated_ms) if order.filled else "",
            instId=order.symbol,
            instType="SWAP",
            lever="",
            ordId=order.order_id,
            ordType=order.order_type,
            pnl="0",
            posSide="net",
            px=dec(order.price) if order.price is not None else "",
            rebateCcy=spec.coin,
            reduceOnly="true" if order.reduce_only else "false",
            side=order.side,
            state=_STATE[order.status],
            sz=dec(order.qty),
            tdMode="cross",
            tgtCcy="",
            tradeId=str(100_000 + order.seq) if order.filled else "",
            uTime=str(order.updated_ms),
        )
        return row

    def position_row(self, symbol: str) -> dict[str, Any]:
        row: dict[str, Any] = template(self.venue, "positions")["data"][0]
        spec = instrument(self.venue, symbol)
        assert spec is not None
        pos = self.accounts.position_record(self.venue, symbol)
        mark = self.mark(symbol)
        upl = self.unrealised(symbol)
        usd = pos.contracts * spec.contract_size
        leverage = self.accounts.leverage(self.venue, symbol)
        row.pop("closeOrderAlgo", None)
        row.update(
            availPos=dec(abs(pos.contracts)),
            avgPx=dec(pos.entry),
            ccy=spec.coin,
            idxPx=dec(mark),
            instId=symbol,
            instType="SWAP",
            bePx=dec(pos.entry),
            last=dec(mark),
            lever=dec(leverage),
            imr=dec(abs(usd) / (pos.entry * leverage) if pos.entry else 0.0),
            liqPx="",
            markPx=dec(mark),
            margin="",
            mgnMode="cross",
            mgnRatio="",
            notionalUsd=dec(abs(usd)),
            pTime=str(pos.updated_ms),
            pos=dec(pos.contracts),
            posId=str(307_173_036_051_017_730 + len(symbol)),
            posSide="net",
            uTime=str(pos.updated_ms),
            upl=dec(upl),
            uplLastPx=dec(upl),
            uplRatio="0",
            uplRatioLastPx="0",
            realizedPnl=dec(pos.realised),
            pnl=dec(pos.realised),
            fee="0",
            fundingFee="0",
        )
        row["closeOrderAlgo"] = []
        return row
