"""Deribit's reply shapes: the JSON-RPC envelope, its parameters, and order and trade rows.

`DeribitReplies` is the part of the simulated Deribit API (`hedgetui.sim.rest.deribit`) that
says things the way Deribit does: `ok`/`error` wrap a result or an error object with the
request's id and the `usIn`/`usOut`/`usDiff`/`testnet` timing of live replies, `rpc_params`
reads a GET query or a POSTed JSON-RPC `params` object, and `order_row`/`trade_row` fill the
recorded `buy` reply sample from the books' `Order` (amounts in USD, ids prefixed by coin).
"""

from __future__ import annotations

import json
from typing import Any

from hedgetui.sim.rest.base import BadParam, VenueApi, json_reply, num, template
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import instrument
from hedgetui.sim.rest.records import Order

_STATE = {"new": "open", "filled": "filled", "canceled": "cancelled"}
_TIF_NAME = {"IOC": "immediate_or_cancel", "FOK": "fill_or_kill", "GTC": "good_til_cancelled"}


class DeribitReplies(VenueApi):
    """Envelopes, parameters and row shapes shared by every Deribit endpoint."""

    # -- envelopes ---------------------------------------------------------------------------
    def _rpc_id(self, req: HttpRequest) -> Any:
        if req.method == "POST" and req.body:
            try:
                body = json.loads(req.body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                return None
            return body.get("id") if isinstance(body, dict) else None
        return None

    def _timing(self) -> dict[str, Any]:
        us = self.now_ms() * 1000
        return {"usIn": us, "usOut": us + 150, "usDiff": 150, "testnet": False}

    def ok(self, req: HttpRequest, result: Any) -> HttpResponse:
        body: dict[str, Any] = {"jsonrpc": "2.0"}
        rpc_id = self._rpc_id(req)
        if rpc_id is not None:
            body["id"] = rpc_id
        body["result"] = result
        body.update(self._timing())
        return json_reply(body)

    def error(
        self,
        code: int,
        message: str,
        data: dict[str, Any] | None = None,
        status: int = 400,
        req: HttpRequest | None = None,
    ) -> HttpResponse:
        err: dict[str, Any] = {"message": message, "code": code}
        if data is not None:
            err["data"] = data
        body: dict[str, Any] = {"jsonrpc": "2.0"}
        rpc_id = self._rpc_id(req) if req is not None else None
        if rpc_id is not None:
            body["id"] = rpc_id
        body["error"] = err
        body.update(self._timing())
        return json_reply(body, status)

    # -- parameters --------------------------------------------------------------------------
    def rpc_params(self, req: HttpRequest) -> dict[str, Any]:
        if req.method == "POST" and req.body:
            try:
                body = json.loads(req.body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise BadParam("request body is not valid JSON") from None
            if not isinstance(body, dict):
                raise BadParam("request body must be a JSON-RPC object")
            params = body.get("params", {})
            if not isinstance(params, dict):
                raise BadParam("params must be an object")
            return {**params, **req.query_params()}
        return dict(req.query_params())

    # -- shapes ------------------------------------------------------------------------------
    def _order_id(self, order: Order) -> str:
        return order.order_id if order.symbol.startswith("BTC") else f"ETH-{order.order_id}"

    def order_row(self, order: Order) -> dict[str, Any]:
        spec = instrument(self.venue, order.symbol)
        assert spec is not None
        row: dict[str, Any] = template(self.venue, "buy")["result"]["order"]
        price = order.price if order.price is not None else order.avg_price
        row.update(
            time_in_force=_TIF_NAME[order.time_in_force],
            reduce_only=order.reduce_only,
            price=price,
            order_type=order.order_type,
            order_state=_STATE[order.status],
            order_id=self._order_id(order),
            max_show=num(order.qty * spec.contract_size),
            last_update_timestamp=order.updated_ms,
            label=order.client_id or "",
            instrument_name=order.symbol,
            filled_amount=num(order.filled * spec.contract_size),
            direction=order.side,
            creation_timestamp=order.created_ms,
            average_price=order.avg_price or 0,
            api=True,
            amount=num(order.qty * spec.contract_size),
        )
        return row

    def trade_row(self, order: Order) -> dict[str, Any]:
        spec = instrument(self.venue, order.symbol)
        assert spec is not None
        row: dict[str, Any] = template(self.venue, "buy")["result"]["trades"][0]
        row.update(
            trade_seq=order.seq,
            trade_id=f"{'' if order.symbol.startswith('BTC') else 'ETH-'}{9_000_000 + order.seq}",
            timestamp=order.updated_ms,
            state="filled",
            reduce_only=order.reduce_only,
            price=order.avg_price,
            order_type=order.order_type,
            order_id=self._order_id(order),
            mark_price=order.avg_price,
            label=order.client_id or "",
            instrument_name=order.symbol,
            index_price=order.avg_price,
            fee_currency=spec.coin,
            fee=0,
            direction=order.side,
            amount=num(order.filled * spec.contract_size),
        )
        return row


def number_param(params: dict[str, Any], name: str) -> float | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise BadParam(f"{name} must be a number, got {raw!r}") from None
