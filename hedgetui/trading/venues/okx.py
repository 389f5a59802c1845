"""OKX v5 (BTC-USD-SWAP): OK-ACCESS-* headers, base64 HMAC, passphrase sent unsigned."""

from __future__ import annotations

from dataclasses import replace
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
from hedgetui.trading.signing import okx_signature, okx_timestamp
from hedgetui.trading.venues.base import VenueClient, famount, fmt_price, fmt_qty, fnum, fopt

VENUE = "okx"
_STATUS: dict[str, OrderStatus] = {
    "live": "new",
    "partially_filled": "partially_filled",
    "filled": "filled",
    "canceled": "canceled",
    "mmp_canceled": "canceled",
}
_DUPLICATE = {"51016"}
_REDUCE_ONLY = {"51169", "51170", "51148", "51134"}
_RATE = {"50011", "50061", "50013"}
_AUTH = {"50100", "50101", "50102", "50103", "50104", "50105", "50111", "50113"}
NOT_FOUND = {"51603"}


def order_body(order: OrderRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "instId": order.symbol,
        "tdMode": order.margin_mode or "cross",
        "side": order.side,
        "ordType": order.order_type,
        "sz": fmt_qty(order.contracts),
        "reduceOnly": order.reduce_only,
        "clOrdId": order.client_order_id,
    }
    if order.order_type == "limit" and order.price is not None:
        body["px"] = fmt_price(order.price)
    return body


def _raise(code: str, message: str, status: int) -> None:
    if code in _DUPLICATE:
        raise DuplicateClientOrderId(VENUE, message, code=code)
    if code in _REDUCE_ONLY:
        raise ReduceOnlyViolation(VENUE, message, code=code)
    if code in _RATE or status == 429:
        raise RateLimited(VENUE, message, code=code, http=status)
    if code in _AUTH or status == 401:
        raise AuthError(VENUE, message, code=code, http=status)
    if status >= 500:
        raise ServerError(VENUE, message, code=code, http=status)
    raise OrderRejected(VENUE, message, code=code)


def check_error(status: int, payload: Any) -> list[Any]:
    """``data`` of a ``code "0"`` reply; a failed order's reason comes from ``data[0].sCode``."""
    if not isinstance(payload, dict) or "code" not in payload:
        if status >= 500:
            raise ServerError(VENUE, "server error", http=status)
        raise BadReply(VENUE, f"no code in reply: {str(payload)[:120]}", http=status)
    code, msg = str(payload["code"]), str(payload.get("msg", ""))
    data = payload.get("data")
    rows = data if isinstance(data, list) else []
    if code == "0":
        return rows
    first = rows[0] if rows and isinstance(rows[0], dict) else {}
    if first.get("sCode") not in (None, "", "0"):
        _raise(str(first["sCode"]), str(first.get("sMsg", msg)), status)
    _raise(code, msg, status)
    return []  # pragma: no cover - _raise always raises


def parse_order(row: Any) -> OrderResult:
    if not isinstance(row, dict) or "state" not in row:
        raise BadReply(VENUE, f"not an order: {str(row)[:120]}")
    raw = str(row["state"])
    return OrderResult(
        venue=VENUE,
        client_order_id=str(row.get("clOrdId", "")),
        order_id=str(row.get("ordId")) if row.get("ordId") else None,
        status=_STATUS.get(raw, "unknown"),
        filled_contracts=fnum(row.get("accFillSz") or 0, "accFillSz", VENUE),
        avg_price=fopt(row.get("avgPx")),
        raw_status=raw,
    )


def parse_position(rows: list[Any], symbol: str, contract_size: float, ts: int) -> PositionUpdate:
    mine = [r for r in rows if isinstance(r, dict) and r.get("instId") == symbol]
    live = [r for r in mine if fnum(r.get("pos") or 0, "pos", VENUE) != 0]
    if not live:
        return PositionUpdate(VENUE, symbol, 0.0, contract_size, None, ts=ts)
    row = live[0]
    pos = fnum(row.get("pos"), "pos", VENUE)
    if row.get("posSide") == "short" and pos > 0:  # long/short mode: pos is unsigned
        pos = -pos
    mode = row.get("mgnMode")
    return PositionUpdate(
        venue=VENUE,
        symbol=symbol,
        contracts=pos,
        contract_size=contract_size,
        entry_price=fopt(row.get("avgPx")),
        liquidation_price=fopt(row.get("liqPx")),
        margin_mode=mode if mode in ("isolated", "cross") else None,
        leverage=fopt(row.get("lever")),
        isolated_margin=fopt(row.get("margin")) if mode == "isolated" else None,
        ts=ts,
    )


def parse_balance(rows: list[Any], coin: str, ts: int) -> BalanceUpdate:
    for account in rows:
        for row in account.get("details", []) if isinstance(account, dict) else []:
            if isinstance(row, dict) and row.get("ccy") == coin:
                return BalanceUpdate(
                    VENUE,
                    coin,
                    fnum(row.get("cashBal") or 0, "cashBal", VENUE),
                    ts=ts,
                    available_margin=famount(row.get("availEq")),
                )
    return BalanceUpdate(VENUE, coin, 0.0, ts=ts)


def parse_key_permissions(rows: list[Any]) -> KeyPermissions:
    """GET /api/v5/account/config: ``perm`` lists the calling key's rights, e.g.
    ``read_only,trade``; without ``trade`` the key cannot place orders."""
    row = rows[0] if rows and isinstance(rows[0], dict) else None
    if row is None or not isinstance(row.get("perm"), str):
        raise BadReply(VENUE, f"account config reply has no perm: {str(rows)[:120]}")
    perm = row["perm"]
    rights = {p.strip() for p in perm.split(",")}
    return KeyPermissions(VENUE, "trade" in rights, f'perm "{perm}"', "withdraw" in rights)


def signed_headers(
    credentials: Credentials, now_s: float, method: str, path_with_query: str, body: str
) -> dict[str, str]:
    """The OK-ACCESS-* headers of one request (the passphrase is sent, not signed)."""
    stamp = okx_timestamp(now_s)
    return {
        "OK-ACCESS-KEY": credentials.api_key.reveal(),
        "OK-ACCESS-SIGN": okx_signature(
            credentials.api_secret.reveal(), stamp, method, path_with_query, body
        ),
        "OK-ACCESS-TIMESTAMP": stamp,
        "OK-ACCESS-PASSPHRASE": credentials.passphrase.reveal() if credentials.passphrase else "",
        "Content-Type": "application/json",
    }


class OkxClient(VenueClient):
    venue = VENUE
    default_url = "https://www.okx.com"

    async def _call(self, method: str, path: str, query: str = "", body: str = "") -> list[Any]:
        signed_path = path + (f"?{query}" if query else "")
        headers = signed_headers(self.credentials, self.clock.time(), method, signed_path, body)
        status, payload, _ = await self.request(
            method, path, query=query, body=body, headers=headers
        )
        try:
            return check_error(status, payload)
        except TradingError as exc:
            self.raise_redacted(exc)

    async def place_order(self, order: OrderRequest) -> OrderResult:
        if order.margin_mode is None:  # tdMode must match the position's margin mode
            pos = await self.position(order.symbol, order.contract_size)
            order = replace(order, margin_mode=pos.margin_mode or "cross")
        rows = await self._call("POST", "/api/v5/trade/order", body=self.dumps(order_body(order)))
        row = rows[0] if rows and isinstance(rows[0], dict) else {}
        return OrderResult(
            venue=VENUE,
            client_order_id=str(row.get("clOrdId") or order.client_order_id),
            order_id=str(row.get("ordId")) if row.get("ordId") else None,
            status="new",
            filled_contracts=0.0,
            raw_status="accepted",
        )

    async def order_by_client_id(self, order: OrderRequest) -> OrderResult | None:
        query = urlencode({"instId": order.symbol, "clOrdId": order.client_order_id})
        try:
            rows = await self._call("GET", "/api/v5/trade/order", query=query)
        except OrderRejected as exc:
            if exc.code in NOT_FOUND:
                return None
            raise
        return parse_order(rows[0]) if rows else None

    async def cancel_order(self, order: OrderRequest) -> None:
        body = self.dumps({"instId": order.symbol, "clOrdId": order.client_order_id})
        await self._call("POST", "/api/v5/trade/cancel-order", body=body)

    async def position(self, symbol: str, contract_size: float) -> PositionUpdate:
        query = urlencode({"instType": "SWAP", "instId": symbol})
        rows = await self._call("GET", "/api/v5/account/positions", query=query)
        return parse_position(rows, symbol, contract_size, self.now_ms())

    async def balance(self, coin: str) -> BalanceUpdate:
        rows = await self._call("GET", "/api/v5/account/balance", query=urlencode({"ccy": coin}))
        return parse_balance(rows, coin, self.now_ms())

    async def fetch_key_permissions(self) -> KeyPermissions:
        return parse_key_permissions(await self._call("GET", "/api/v5/account/config"))
