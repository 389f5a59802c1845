"""Binance COIN-M (``/dapi``, BTCUSD_PERP): HMAC over query + body, X-MBX-APIKEY."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from hedgetui.domain import BalanceUpdate, PositionUpdate
from hedgetui.trading.credentials import Credentials
from hedgetui.trading.orders import (
    AuthError,
    BadReply,
    DuplicateClientOrderId,
    OrderRejected,
    OrderRequest,
    OrderResult,
    OrderStatus,
    RateLimited,
    ReduceOnlyViolation,
    ServerError,
    TradingError,
)
from hedgetui.trading.signing import binance_signature
from hedgetui.trading.venues.base import VenueClient, famount, fmt_price, fmt_qty, fnum, fopt

VENUE = "binance"
RECV_WINDOW = 5000
_STATUS: dict[str, OrderStatus] = {
    "NEW": "new",
    "PARTIALLY_FILLED": "partially_filled",
    "FILLED": "filled",
    "CANCELED": "canceled",
    "EXPIRED": "canceled",
    "REJECTED": "rejected",
}
_REDUCE_ONLY = {-2022, -4112, -4118}
_DUPLICATE = {-4116}
_RATE = {-1003, -1008, -1015}
_AUTH = {-1021, -1022, -2014, -2015}
NOT_FOUND = -2013


def order_params(order: OrderRequest) -> dict[str, str]:
    params = {
        "symbol": order.symbol,
        "side": order.side.upper(),
        "type": order.order_type.upper(),
        "quantity": fmt_qty(order.contracts),
    }
    if order.reduce_only:
        params["reduceOnly"] = "true"
    if order.order_type == "limit" and order.price is not None:
        params["price"] = fmt_price(order.price)
        params["timeInForce"] = "GTC"
    params["newClientOrderId"] = order.client_order_id
    params["newOrderRespType"] = "RESULT"
    return params


def check_error(status: int, payload: Any) -> None:
    if isinstance(payload, dict) and isinstance(payload.get("code"), int) and payload["code"] < 0:
        code, message = int(payload["code"]), str(payload.get("msg", ""))
        if code in _REDUCE_ONLY:
            raise ReduceOnlyViolation(VENUE, message, code=str(code), http=status)
        if code in _DUPLICATE or "duplicate" in message.lower():
            raise DuplicateClientOrderId(VENUE, message, code=str(code), http=status)
        if code in _RATE or status in (418, 429):
            raise RateLimited(VENUE, message, code=str(code), http=status)
        if code in _AUTH or status == 401:
            raise AuthError(VENUE, message, code=str(code), http=status)
        if status >= 500:
            raise ServerError(VENUE, message, code=str(code), http=status)
        raise OrderRejected(VENUE, message, code=str(code), http=status)
    if status in (418, 429):
        raise RateLimited(VENUE, "too many requests", http=status)
    if status >= 500:
        raise ServerError(VENUE, str(payload)[:200], http=status)
    if status >= 400:
        raise OrderRejected(VENUE, str(payload)[:200], http=status)


def parse_order(row: Any) -> OrderResult:
    if not isinstance(row, dict) or "status" not in row:
        raise BadReply(VENUE, f"not an order object: {str(row)[:120]}")
    raw = str(row["status"])
    return OrderResult(
        venue=VENUE,
        client_order_id=str(row.get("clientOrderId", "")),
        order_id=str(row.get("orderId")) if row.get("orderId") is not None else None,
        status=_STATUS.get(raw, "unknown"),
        filled_contracts=fnum(row.get("executedQty") or 0, "executedQty", VENUE),
        avg_price=fopt(row.get("avgPrice")),
        raw_status=raw,
    )


def parse_position(payload: Any, symbol: str, contract_size: float, ts: int) -> PositionUpdate:
    """positionRisk returns every contract of the pair: keep ``symbol`` (one-way mode: BOTH)."""
    if not isinstance(payload, list):
        raise BadReply(VENUE, "positionRisk reply is not a list")
    rows = [r for r in payload if isinstance(r, dict) and r.get("symbol") == symbol]
    live = [r for r in rows if fnum(r.get("positionAmt") or 0, "positionAmt", VENUE) != 0]
    row = live[0] if live else (rows[0] if rows else None)
    if row is None:
        return PositionUpdate(VENUE, symbol, 0.0, contract_size, None, ts=ts)
    amount = fnum(row.get("positionAmt") or 0, "positionAmt", VENUE)
    if row.get("positionSide") == "SHORT" and amount > 0:
        amount = -amount
    mode = row.get("marginType")
    isolated = mode == "isolated"
    return PositionUpdate(
        venue=VENUE,
        symbol=symbol,
        contracts=amount,
        contract_size=contract_size,
        entry_price=fopt(row.get("entryPrice")) if amount else None,
        liquidation_price=fopt(row.get("liquidationPrice")) if amount else None,
        margin_mode=("isolated" if isolated else "cross") if mode else None,
        leverage=fopt(row.get("leverage")),
        isolated_margin=fopt(row.get("isolatedMargin")) if isolated else None,
        ts=ts,
    )


def parse_balance(payload: Any, coin: str, ts: int) -> BalanceUpdate:
    if not isinstance(payload, list):
        raise BadReply(VENUE, "balance reply is not a list")
    for row in payload:
        if isinstance(row, dict) and row.get("asset") == coin:
            return BalanceUpdate(
                VENUE,
                coin,
                fnum(row.get("balance") or 0, "balance", VENUE),
                ts=ts,
                available_margin=famount(row.get("availableBalance")),
            )
    return BalanceUpdate(VENUE, coin, 0.0, ts=ts)


def signed_query(credentials: Credentials, params: Mapping[str, str], now_ms: int) -> str:
    """``params`` + recvWindow + timestamp, url-encoded, with its HMAC ``signature`` last (send
    the key as ``X-MBX-APIKEY``)."""
    text = urlencode({**params, "recvWindow": str(RECV_WINDOW), "timestamp": str(now_ms)})
    return f"{text}&signature={binance_signature(credentials.api_secret.reveal(), text)}"


class BinanceClient(VenueClient):
    venue = VENUE
    default_url = "https://dapi.binance.com"

    def _signed(self, params: dict[str, str]) -> str:
        return signed_query(self.credentials, params, self.now_ms())

    async def _call(self, method: str, path: str, params: dict[str, str]) -> Any:
        signed = self._signed(params)
        headers = {"X-MBX-APIKEY": self.credentials.api_key.reveal()}
        if method == "GET":
            status, payload, _ = await self.request(method, path, query=signed, headers=headers)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            status, payload, _ = await self.request(method, path, body=signed, headers=headers)
        try:
            check_error(status, payload)
        except TradingError as exc:
            self.raise_redacted(exc)
        return payload

    async def place_order(self, order: OrderRequest) -> OrderResult:
        return parse_order(await self._call("POST", "/dapi/v1/order", order_params(order)))

    async def order_by_client_id(self, order: OrderRequest) -> OrderResult | None:
        params = {"symbol": order.symbol, "origClientOrderId": order.client_order_id}
        try:
            return parse_order(await self._call("GET", "/dapi/v1/order", params))
        except OrderRejected as exc:
            if exc.code == str(NOT_FOUND):
                return None
            raise

    async def cancel_order(self, order: OrderRequest) -> None:
        params = {"symbol": order.symbol, "origClientOrderId": order.client_order_id}
        await self._call("DELETE", "/dapi/v1/order", params)

    async def position(self, symbol: str, contract_size: float) -> PositionUpdate:
        pair = symbol.split("_")[0]
        payload = await self._call("GET", "/dapi/v1/positionRisk", {"pair": pair})
        return parse_position(payload, symbol, contract_size, self.now_ms())

    async def balance(self, coin: str) -> BalanceUpdate:
        payload = await self._call("GET", "/dapi/v1/balance", {})
        return parse_balance(payload, coin, self.now_ms())
