"""Kraken Futures (PI_XBTUSD): APIKey / Authent / Nonce over ``/derivatives/api/v3``."""

from __future__ import annotations

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
from hedgetui.trading.signing import kraken_authent
from hedgetui.trading.venues.base import VenueClient, famount, fmt_price, fmt_qty, fnum, fopt

VENUE = "kraken"
PLACED_OK = {"placed", "partiallyFilled", "filled"}
_LOOKUP_STATUS: dict[str, OrderStatus] = {
    "ENTERED_BOOK": "new",
    "TRIGGER_PLACED": "new",
    "FULLY_EXECUTED": "filled",
    "CANCELLED": "canceled",
    "REJECTED": "rejected",
    "TRIGGER_ACTIVATION_FAILURE": "rejected",
}
_AUTH = {"authenticationError", "nonceDuplicate", "nonceBelowThreshold", "accountInactive"}


def order_params(order: OrderRequest) -> dict[str, str]:
    params = {
        "orderType": "mkt" if order.order_type == "market" else "lmt",
        "symbol": order.symbol,
        "side": order.side,
        "size": fmt_qty(order.contracts),
    }
    if order.order_type == "limit" and order.price is not None:
        params["limitPrice"] = fmt_price(order.price)
    if order.reduce_only:
        params["reduceOnly"] = "true"
    params["cliOrdId"] = order.client_order_id
    return params


def check_error(status: int, payload: Any) -> dict[str, Any]:
    if isinstance(payload, dict) and payload.get("result") == "success":
        return payload
    code = str(payload.get("error", "")) if isinstance(payload, dict) else ""
    if code == "apiLimitExceeded" or status == 429:
        raise RateLimited(VENUE, code or "too many requests", code=code or None, http=status)
    if code in _AUTH or status == 401:
        raise AuthError(VENUE, code or "unauthorized", code=code or None, http=status)
    if status >= 500:
        raise ServerError(VENUE, code or "server error", http=status)
    if not code:
        raise BadReply(VENUE, f"unexpected reply: {str(payload)[:120]}", http=status)
    raise OrderRejected(VENUE, code, code=code, http=status)


def parse_send_status(payload: dict[str, Any], order: OrderRequest) -> OrderResult:
    """``sendStatus``: HTTP success may still carry a rejection in ``status``."""
    send = payload.get("sendStatus")
    if not isinstance(send, dict) or "status" not in send:
        raise BadReply(VENUE, "sendorder reply has no sendStatus.status")
    raw = str(send["status"])
    if raw == "clientOrderIdAlreadyExist":
        raise DuplicateClientOrderId(VENUE, raw, code=raw)
    if raw == "wouldNotReducePosition":
        raise ReduceOnlyViolation(VENUE, raw, code=raw)
    if raw not in PLACED_OK:
        raise OrderRejected(VENUE, raw, code=raw)
    filled, cost = 0.0, 0.0
    for event in send.get("orderEvents") or []:
        if isinstance(event, dict) and event.get("type") == "EXECUTION":
            amount = fnum(event.get("amount") or 0, "amount", VENUE)
            filled += amount
            cost += amount / (fopt(event.get("price")) or 1.0)
    status: OrderStatus = "new"
    if raw == "filled" or (filled and filled >= order.contracts):
        status = "filled"
    elif filled:
        status = "partially_filled"
    return OrderResult(
        venue=VENUE,
        client_order_id=order.client_order_id,
        order_id=str(send.get("order_id")) if send.get("order_id") else None,
        status=status,
        filled_contracts=filled,
        avg_price=filled / cost if cost else None,
        raw_status=raw,
    )


def parse_order_status(payload: dict[str, Any], cli_ord_id: str) -> OrderResult | None:
    for row in payload.get("orders") or []:
        if not isinstance(row, dict):
            continue
        found = row.get("order")
        inner: dict[str, Any] = found if isinstance(found, dict) else {}
        if inner.get("cliOrdId") != cli_ord_id:
            continue
        raw = str(row.get("status", ""))
        qty = fnum(inner.get("quantity") or 0, "quantity", VENUE)
        filled = fnum(inner.get("filled") or 0, "filled", VENUE)
        status = _LOOKUP_STATUS.get(raw, "unknown")
        if status == "new" and filled:
            status = "partially_filled"
        if status == "unknown" and qty and filled >= qty:
            status = "filled"
        return OrderResult(
            venue=VENUE,
            client_order_id=cli_ord_id,
            order_id=str(inner.get("orderId")) if inner.get("orderId") else None,
            status=status,
            filled_contracts=filled,
            avg_price=fopt(inner.get("avgPrice") or inner.get("averagePrice")),
            raw_status=raw,
            message=str(row.get("error") or ""),
        )
    return None


def parse_position(
    payload: dict[str, Any], symbol: str, contract_size: float, ts: int
) -> PositionUpdate:
    for row in payload.get("openPositions") or []:
        if isinstance(row, dict) and str(row.get("symbol", "")).upper() == symbol.upper():
            size = fnum(row.get("size") or 0, "size", VENUE)
            signed = -size if row.get("side") == "short" else size
            return PositionUpdate(
                venue=VENUE,
                symbol=symbol,
                contracts=signed,
                contract_size=contract_size,
                entry_price=fopt(row.get("price")) if size else None,
                ts=ts,
            )
    return PositionUpdate(VENUE, symbol, 0.0, contract_size, None, ts=ts)


def kraken_currency(coin: str) -> str:
    return "xbt" if coin.upper() in ("BTC", "XBT") else coin.lower()


def margin_account_key(coin: str) -> str:
    """BTC -> ``fi_xbtusd``, ETH -> ``fi_ethusd``: the inverse contracts' margin account."""
    return f"fi_{kraken_currency(coin)}usd"


def parse_balance(payload: dict[str, Any], coin: str, ts: int) -> BalanceUpdate:
    accounts = payload.get("accounts")
    if not isinstance(accounts, dict):
        raise BadReply(VENUE, "accounts reply has no accounts")
    account = accounts.get(margin_account_key(coin))
    ccy = kraken_currency(coin)
    if not isinstance(account, dict):
        return BalanceUpdate(VENUE, coin, 0.0, ts=ts)
    balances = account.get("balances") or {}
    auxiliary = account.get("auxiliary")
    available = famount(auxiliary.get("af")) if isinstance(auxiliary, dict) else None
    return BalanceUpdate(
        VENUE, coin, fnum(balances.get(ccy, 0), ccy, VENUE), ts=ts, available_margin=available
    )


def signed_headers(
    credentials: Credentials, post_data: str, nonce: str, path: str
) -> dict[str, str]:
    """APIKey / Nonce / Authent of one request (``post_data``: the query or form, as sent)."""
    return {
        "APIKey": credentials.api_key.reveal(),
        "Nonce": nonce,
        "Authent": kraken_authent(credentials.api_secret.reveal(), post_data, nonce, path),
    }


class KrakenClient(VenueClient):
    venue = VENUE
    default_url = "https://futures.kraken.com"

    async def _call(self, method: str, path: str, params: dict[str, str]) -> dict[str, Any]:
        data = urlencode(params)
        headers = signed_headers(self.credentials, data, self.next_nonce(), path)
        if method == "GET":
            status, payload, _ = await self.request(method, path, query=data, headers=headers)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            status, payload, _ = await self.request(method, path, body=data, headers=headers)
        try:
            return check_error(status, payload)
        except TradingError as exc:
            self.raise_redacted(exc)

    async def place_order(self, order: OrderRequest) -> OrderResult:
        payload = await self._call("POST", "/derivatives/api/v3/sendorder", order_params(order))
        try:
            return parse_send_status(payload, order)
        except TradingError as exc:
            self.raise_redacted(exc)

    async def order_by_client_id(self, order: OrderRequest) -> OrderResult | None:
        params = {"cliOrdIds": order.client_order_id}
        payload = await self._call("POST", "/derivatives/api/v3/orders/status", params)
        return parse_order_status(payload, order.client_order_id)

    async def cancel_order(self, order: OrderRequest) -> None:
        params = {"cliOrdId": order.client_order_id}
        payload = await self._call("POST", "/derivatives/api/v3/cancelorder", params)
        status = str((payload.get("cancelStatus") or {}).get("status", ""))
        if status != "cancelled":
            raise OrderRejected(VENUE, status or "no cancelStatus in reply", code=status or None)

    async def position(self, symbol: str, contract_size: float) -> PositionUpdate:
        payload = await self._call("GET", "/derivatives/api/v3/openpositions", {})
        return parse_position(payload, symbol, contract_size, self.now_ms())

    async def balance(self, coin: str) -> BalanceUpdate:
        payload = await self._call("GET", "/derivatives/api/v3/accounts", {})
        return parse_balance(payload, coin, self.now_ms())
