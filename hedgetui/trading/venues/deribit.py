"""Deribit (BTC-PERPETUAL), JSON-RPC over HTTP GET with ``deri-hmac-sha256`` authorization.

Amounts on Deribit perpetuals are in USD (a multiple of the 10 USD contract): we convert
contracts <-> USD with the instrument's contract size at this edge only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from hedgetui.domain import BalanceUpdate, PositionUpdate
from hedgetui.trading.orders import (
    AuthError,
    BadReply,
    KeyPermissions,
    OrderRejected,
    OrderRequest,
    OrderResult,
    OrderStatus,
    RateLimited,
    ReduceOnlyViolation,
    ServerError,
    TradingError,
)
from hedgetui.trading.signing import deribit_authorization, deribit_ws_signature
from hedgetui.trading.venues.base import VenueClient, famount, fmt_price, fmt_qty, fnum, fopt

VENUE = "deribit"
_STATUS: dict[str, OrderStatus] = {
    "open": "new",
    "untriggered": "new",
    "filled": "filled",
    "cancelled": "canceled",
    "rejected": "rejected",
}
_RATE = {10028, 10066, 10047, 10040}
_AUTH = {10000, 13004, 13009, 13005, 13021}
NOT_FOUND = {10004}


def order_params(order: OrderRequest) -> dict[str, str]:
    params = {
        "instrument_name": order.symbol,
        "amount": fmt_qty(order.contracts * order.contract_size),
        "type": order.order_type,
        "label": order.client_order_id,
    }
    if order.reduce_only:
        params["reduce_only"] = "true"
    if order.order_type == "limit" and order.price is not None:
        params["price"] = fmt_price(order.price)
    return params


def check_error(status: int, payload: Any) -> Any:
    """The JSON-RPC ``result``, else the typed error (matched on the numeric code)."""
    if isinstance(payload, dict) and "result" in payload and "error" not in payload:
        return payload["result"]
    err = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(err, dict):
        if status >= 500:
            raise ServerError(VENUE, "server error", http=status)
        raise BadReply(VENUE, f"neither result nor error: {str(payload)[:120]}", http=status)
    code = int(err.get("code", 0))
    data = err.get("data")
    reason = data.get("reason") if isinstance(data, dict) else None
    message = str(err.get("message", "")) + (f" ({reason})" if reason else "")
    if code in _RATE:
        raise RateLimited(VENUE, message, code=str(code))
    if code in _AUTH:
        raise AuthError(VENUE, message, code=str(code))
    if "reduce" in message.lower():
        raise ReduceOnlyViolation(VENUE, message, code=str(code))
    if status >= 500:
        raise ServerError(VENUE, message, code=str(code), http=status)
    raise OrderRejected(VENUE, message, code=str(code))


def parse_order(row: Any, contract_size: float) -> OrderResult:
    if not isinstance(row, dict) or "order_state" not in row:
        raise BadReply(VENUE, f"not an order: {str(row)[:120]}")
    raw = str(row["order_state"])
    filled_usd = fnum(row.get("filled_amount") or 0, "filled_amount", VENUE)
    status = _STATUS.get(raw, "unknown")
    if status == "new" and filled_usd > 0:
        status = "partially_filled"
    return OrderResult(
        venue=VENUE,
        client_order_id=str(row.get("label", "")),
        order_id=str(row.get("order_id")) if row.get("order_id") else None,
        status=status,
        filled_contracts=filled_usd / contract_size,
        avg_price=fopt(row.get("average_price")),
        raw_status=raw,
    )


def pick_by_label(rows: Any, label: str, contract_size: float) -> OrderResult | None:
    """Labels are not unique on Deribit: take the newest order with this label."""
    if not isinstance(rows, list):
        raise BadReply(VENUE, "get_order_state_by_label result is not a list")
    mine = [r for r in rows if isinstance(r, dict) and r.get("label") == label]
    if not mine:
        return None
    newest = max(mine, key=lambda r: r.get("creation_timestamp") or 0)
    return parse_order(newest, contract_size)


def parse_position(result: Any, symbol: str, contract_size: float, ts: int) -> PositionUpdate:
    if not isinstance(result, dict) or "size" not in result:
        raise BadReply(VENUE, "get_position result has no size")
    size_usd = fnum(result["size"], "size", VENUE)
    contracts = size_usd / contract_size
    return PositionUpdate(
        venue=VENUE,
        symbol=symbol,
        contracts=contracts,
        contract_size=contract_size,
        entry_price=fopt(result.get("average_price")) if contracts else None,
        liquidation_price=fopt(result.get("estimated_liquidation_price")) if contracts else None,
        margin_mode=None,
        leverage=fopt(result.get("leverage")),
        ts=ts,
    )


def parse_balance(result: Any, coin: str, ts: int) -> BalanceUpdate:
    if not isinstance(result, dict) or "balance" not in result:
        raise BadReply(VENUE, "get_account_summary result has no balance")
    return BalanceUpdate(
        VENUE,
        coin,
        fnum(result["balance"], "balance", VENUE),
        ts=ts,
        available_margin=famount(result.get("available_funds")),
    )


def parse_key_permissions(result: Any) -> KeyPermissions | None:
    """``public/auth`` result: orders need ``trade:read_write`` in ``scope`` (``trade:read`` is
    read-only). None when the scope says nothing about trading."""
    if not isinstance(result, dict) or not isinstance(result.get("scope"), str):
        raise BadReply(VENUE, f"auth result has no scope: {str(result)[:80]}")
    scopes = result["scope"].split()
    trade = [s for s in scopes if s.startswith("trade:")]
    if not trade:
        return None
    can_withdraw = "wallet:read_write" in scopes  # the wallet scope that may withdraw
    shown = [*trade, "wallet:read_write"] if can_withdraw else trade
    return KeyPermissions(
        VENUE, "trade:read_write" in trade, f'scope "{" ".join(shown)}"', can_withdraw
    )


class DeribitClient(VenueClient):
    venue = VENUE
    default_url = "https://www.deribit.com"

    async def _call(self, method_name: str, params: dict[str, str]) -> Any:
        path = f"/api/v2/private/{method_name}"
        query = urlencode(params)
        uri = path + (f"?{query}" if query else "")
        stamp, nonce = self.now_ms(), self.next_nonce()
        auth = deribit_authorization(
            self.credentials.api_key.reveal(),
            self.credentials.api_secret.reveal(),
            stamp,
            nonce,
            "GET",
            uri,
            "",
        )
        status, payload, _ = await self.request(
            "GET", path, query=query, headers={"Authorization": auth}
        )
        try:
            return check_error(status, payload)
        except TradingError as exc:
            self.raise_redacted(exc)

    async def place_order(self, order: OrderRequest) -> OrderResult:
        result = await self._call(order.side, order_params(order))
        if not isinstance(result, dict) or "order" not in result:
            raise BadReply(VENUE, f"{order.side} result has no order")
        return parse_order(result["order"], order.contract_size)

    async def order_by_client_id(self, order: OrderRequest) -> OrderResult | None:
        params = {"currency": order.coin, "label": order.client_order_id}
        rows = await self._call("get_order_state_by_label", params)
        return pick_by_label(rows, order.client_order_id, order.contract_size)

    async def cancel_order(self, order: OrderRequest) -> None:
        params = {"label": order.client_order_id, "currency": order.coin}
        if await self._call("cancel_by_label", params) == 0:
            raise OrderRejected(VENUE, f"no open order labelled {order.client_order_id}")

    async def position(self, symbol: str, contract_size: float) -> PositionUpdate:
        result = await self._call("get_position", {"instrument_name": symbol})
        return parse_position(result, symbol, contract_size, self.now_ms())

    async def balance(self, coin: str) -> BalanceUpdate:
        result = await self._call("get_account_summary", {"currency": coin})
        return parse_balance(result, coin, self.now_ms())

    async def fetch_key_permissions(self) -> KeyPermissions | None:
        """``public/auth`` (client_signature) answers with the key's scope."""
        stamp, nonce = self.now_ms(), self.next_nonce()
        secret = self.credentials.api_secret.reveal()
        params = {
            "grant_type": "client_signature",
            "client_id": self.credentials.api_key.reveal(),
            "timestamp": str(stamp),
            "nonce": nonce,
            "data": "",
            "signature": deribit_ws_signature(secret, stamp, nonce, ""),
        }
        status, payload, _ = await self.request(
            "GET", "/api/v2/public/auth", query=urlencode(params)
        )
        try:
            return parse_key_permissions(check_error(status, payload))
        except TradingError as exc:
            self.raise_redacted(exc)
