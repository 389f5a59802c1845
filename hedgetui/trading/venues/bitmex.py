"""BitMEX (XBTUSD): api-key / api-expires / api-signature over ``/api/v1``."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from hedgetui.domain import BalanceUpdate, PositionUpdate
from hedgetui.trading.credentials import Credentials
from hedgetui.trading.orders import (
    AuthError,
    BadReply,
    DuplicateClientOrderId,
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
from hedgetui.trading.signing import bitmex_signature
from hedgetui.trading.venues.base import VenueClient, famount, fmt_price, fnum, fopt

VENUE = "bitmex"
EXPIRES_AFTER_S = 30
_STATUS: dict[str, OrderStatus] = {
    "New": "new",
    "PartiallyFilled": "partially_filled",
    "Filled": "filled",
    "Canceled": "canceled",
    "Rejected": "rejected",
}


def order_body(order: OrderRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "symbol": order.symbol,
        "side": order.side.capitalize(),
        "orderQty": int(order.contracts),
        "ordType": order.order_type.capitalize(),
        "clOrdID": order.client_order_id,
    }
    if order.reduce_only:
        body["execInst"] = "ReduceOnly"
    if order.order_type == "limit" and order.price is not None:
        body["price"] = float(fmt_price(order.price))
    return body


def check_error(status: int, payload: Any) -> None:
    """Raise the typed error for a BitMEX error reply ``{"error": {"message", "name"}}``."""
    if status < 400 and not (isinstance(payload, dict) and "error" in payload):
        return
    err = payload.get("error") if isinstance(payload, dict) else None
    message = str(err.get("message", "")) if isinstance(err, dict) else str(payload)[:200]
    low = message.lower()
    if status in (401, 403):
        raise AuthError(VENUE, message, http=status)
    if status == 429:
        raise RateLimited(VENUE, message or "rate limit exceeded", http=status)
    if status >= 500:
        raise ServerError(VENUE, message or "server error", http=status)
    if "duplicate clordid" in low:
        raise DuplicateClientOrderId(VENUE, message, http=status)
    if "reduceonly" in low or "reduce-only" in low or "reduce only" in low:
        raise ReduceOnlyViolation(VENUE, message, http=status)
    raise OrderRejected(VENUE, message, http=status)


def parse_order(row: Any) -> OrderResult:
    if not isinstance(row, dict) or "ordStatus" not in row:
        raise BadReply(VENUE, f"not an order object: {str(row)[:120]}")
    raw = str(row["ordStatus"])
    status = _STATUS.get(raw, "unknown")
    return OrderResult(
        venue=VENUE,
        client_order_id=str(row.get("clOrdID", "")),
        order_id=str(row.get("orderID")) if row.get("orderID") else None,
        status=status,
        filled_contracts=fnum(row.get("cumQty", 0) or 0, "cumQty", VENUE),
        avg_price=fopt(row.get("avgPx")),
        raw_status=raw,
        message=str(row.get("ordRejReason") or "") if status == "rejected" else "",
    )


def parse_position(payload: Any, symbol: str, contract_size: float, ts: int) -> PositionUpdate:
    if not isinstance(payload, list):
        raise BadReply(VENUE, "position reply is not a list")
    row = next((r for r in payload if isinstance(r, dict) and r.get("symbol") == symbol), None)
    if row is None:
        return PositionUpdate(VENUE, symbol, 0.0, contract_size, None, ts=ts)
    qty = fnum(row.get("currentQty", 0) or 0, "currentQty", VENUE)
    cross = row.get("crossMargin")
    margin = fopt(row.get("posMargin"))
    return PositionUpdate(
        venue=VENUE,
        symbol=symbol,
        contracts=qty,
        contract_size=contract_size,
        entry_price=fopt(row.get("avgEntryPrice")) if qty else None,
        liquidation_price=fopt(row.get("liquidationPrice")) if qty else None,
        margin_mode=None if cross is None else ("cross" if cross else "isolated"),
        leverage=fopt(row.get("leverage")),
        isolated_margin=margin / 1e8 if margin is not None and not cross else None,
        ts=ts,
    )


def parse_balance(payload: Any, coin: str, ts: int) -> BalanceUpdate:
    row = payload[0] if isinstance(payload, list) and payload else payload
    if not isinstance(row, dict) or "walletBalance" not in row:
        raise BadReply(VENUE, "margin reply has no walletBalance")
    available = famount(row.get("availableMargin"))
    return BalanceUpdate(
        VENUE,
        coin,
        fnum(row["walletBalance"], "walletBalance", VENUE) / 1e8,
        ts=ts,
        available_margin=available / 1e8 if available is not None else None,
    )


def parse_key_permissions(rows: Any, api_key: str) -> KeyPermissions | None:
    """GET /api/v1/apiKey: the account's keys; ours (by ``id``) needs ``order`` in its
    ``permissions`` to trade. None when the reply does not list our key."""
    if not isinstance(rows, list):
        raise BadReply(VENUE, f"apiKey reply is not a list: {str(rows)[:120]}")
    mine = [r for r in rows if isinstance(r, dict) and r.get("id") == api_key]
    if not mine:
        return None
    perms = mine[0].get("permissions")
    rights = [str(p) for p in perms] if isinstance(perms, list) else []
    can_trade = any(p.lower() == "order" for p in rights)
    can_withdraw = any(p.lower() == "withdraw" for p in rights)
    return KeyPermissions(VENUE, can_trade, f"permissions: {rights}", can_withdraw)


def signed_headers(
    credentials: Credentials, method: str, signed_path: str, body: str, now_s: float
) -> dict[str, str]:
    """api-key / api-expires / api-signature of ``method signed_path`` (path + ?query)."""
    expires = int(now_s) + EXPIRES_AFTER_S
    return {
        "api-key": credentials.api_key.reveal(),
        "api-expires": str(expires),
        "api-signature": bitmex_signature(
            credentials.api_secret.reveal(), method, signed_path, expires, body
        ),
        "content-type": "application/json",
    }


class BitmexClient(VenueClient):
    venue = VENUE
    default_url = "https://www.bitmex.com"

    async def _call(self, method: str, path: str, query: str = "", body: str = "") -> Any:
        signed_path = path + (f"?{query}" if query else "")
        headers = signed_headers(self.credentials, method, signed_path, body, self.clock.time())
        status, payload, _ = await self.request(
            method, path, query=query, body=body, headers=headers
        )
        try:
            check_error(status, payload)
        except TradingError as exc:
            self.raise_redacted(exc)
        return payload

    async def place_order(self, order: OrderRequest) -> OrderResult:
        payload = await self._call("POST", "/api/v1/order", body=self.dumps(order_body(order)))
        return parse_order(payload)

    async def order_by_client_id(self, order: OrderRequest) -> OrderResult | None:
        flt = json.dumps({"clOrdID": order.client_order_id}, separators=(",", ":"))
        query = urlencode({"symbol": order.symbol, "filter": flt, "reverse": "true"})
        rows = await self._call("GET", "/api/v1/order", query=query)
        if not isinstance(rows, list):
            raise BadReply(VENUE, "order lookup reply is not a list")
        mine = [
            r for r in rows if isinstance(r, dict) and r.get("clOrdID") == order.client_order_id
        ]
        return parse_order(mine[0]) if mine else None

    async def cancel_order(self, order: OrderRequest) -> None:
        body = self.dumps({"clOrdID": order.client_order_id})
        rows = await self._call("DELETE", "/api/v1/order", body=body)
        row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
        if row.get("error") or row.get("ordStatus") != "Canceled":
            self.raise_redacted(OrderRejected(VENUE, str(row.get("error") or rows)[:200]))

    async def position(self, symbol: str, contract_size: float) -> PositionUpdate:
        query = urlencode({"filter": json.dumps({"symbol": symbol}, separators=(",", ":"))})
        payload = await self._call("GET", "/api/v1/position", query=query)
        return parse_position(payload, symbol, contract_size, self.now_ms())

    async def balance(self, coin: str) -> BalanceUpdate:
        payload = await self._call("GET", "/api/v1/user/margin", query="currency=XBt")
        return parse_balance(payload, coin, self.now_ms())

    async def fetch_key_permissions(self) -> KeyPermissions | None:
        rows = await self._call("GET", "/api/v1/apiKey")
        return parse_key_permissions(rows, self.credentials.api_key.reveal())
