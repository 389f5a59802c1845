"""Bybit v5, category ``inverse`` (BTCUSD): X-BAPI-* headers."""

from __future__ import annotations

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
from hedgetui.trading.signing import bybit_signature
from hedgetui.trading.venues.base import VenueClient, famount, fmt_price, fmt_qty, fnum, fopt

VENUE = "bybit"
RECV_WINDOW = 5000
ACCOUNT_TYPE = "UNIFIED"
_STATUS: dict[str, OrderStatus] = {
    "New": "new",
    "Untriggered": "new",
    "Created": "new",
    "PartiallyFilled": "partially_filled",
    "Filled": "filled",
    "Cancelled": "canceled",
    "PartiallyFilledCanceled": "canceled",
    "Deactivated": "canceled",
    "Rejected": "rejected",
}
_DUPLICATE = {110072, 20094}
_REDUCE_ONLY = {110017}
_RATE = {10006, 429}
_AUTH = {10002, 10003, 10004, 10005, 10007, 33004}


def order_body(order: OrderRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "inverse",
        "symbol": order.symbol,
        "side": order.side.capitalize(),
        "orderType": order.order_type.capitalize(),
        "qty": fmt_qty(order.contracts),
        "reduceOnly": order.reduce_only,
        "positionIdx": 0,
        "orderLinkId": order.client_order_id,
    }
    if order.order_type == "limit" and order.price is not None:
        body["price"] = fmt_price(order.price)
        body["timeInForce"] = "GTC"
    return body


def check_error(status: int, payload: Any) -> dict[str, Any]:
    """The ``result`` of a retCode 0 reply, else the typed error."""
    if status == 403:
        raise RateLimited(VENUE, "access too frequent (IP limit); wait 10 minutes", http=403)
    if not isinstance(payload, dict) or "retCode" not in payload:
        if status >= 500:
            raise ServerError(VENUE, "server error", http=status)
        raise BadReply(VENUE, f"no retCode in reply: {str(payload)[:120]}", http=status)
    code = int(payload["retCode"])
    message = str(payload.get("retMsg", ""))
    if code == 0:
        result = payload.get("result")
        return result if isinstance(result, dict) else {}
    if code in _REDUCE_ONLY:
        raise ReduceOnlyViolation(VENUE, message, code=str(code))
    if code in _DUPLICATE or "duplicate" in message.lower():
        raise DuplicateClientOrderId(VENUE, message, code=str(code))
    if code in _RATE or status == 429:
        raise RateLimited(VENUE, message, code=str(code))
    if code in _AUTH or status == 401:
        raise AuthError(VENUE, message, code=str(code))
    if status >= 500:
        raise ServerError(VENUE, message, code=str(code), http=status)
    raise OrderRejected(VENUE, message, code=str(code))


def parse_order(row: Any) -> OrderResult:
    if not isinstance(row, dict) or "orderStatus" not in row:
        raise BadReply(VENUE, f"not an order row: {str(row)[:120]}")
    raw = str(row["orderStatus"])
    status = _STATUS.get(raw, "unknown")
    reason = str(row.get("rejectReason") or "")
    return OrderResult(
        venue=VENUE,
        client_order_id=str(row.get("orderLinkId", "")),
        order_id=str(row.get("orderId")) if row.get("orderId") else None,
        status=status,
        filled_contracts=fnum(row.get("cumExecQty") or 0, "cumExecQty", VENUE),
        avg_price=fopt(row.get("avgPrice")),
        raw_status=raw,
        message="" if reason in ("", "EC_NoError") else reason,
    )


def parse_position(
    result: dict[str, Any], symbol: str, contract_size: float, ts: int
) -> PositionUpdate:
    rows = result.get("list")
    if not isinstance(rows, list):
        raise BadReply(VENUE, "position reply has no list")
    row = next((r for r in rows if isinstance(r, dict) and r.get("symbol") == symbol), None)
    if row is None:
        return PositionUpdate(VENUE, symbol, 0.0, contract_size, None, ts=ts)
    size = fnum(row.get("size") or 0, "size", VENUE)
    signed = -size if row.get("side") == "Sell" else size
    mode = row.get("tradeMode")
    return PositionUpdate(
        venue=VENUE,
        symbol=symbol,
        contracts=signed,
        contract_size=contract_size,
        entry_price=fopt(row.get("avgPrice")) if size else None,
        liquidation_price=fopt(row.get("liqPrice")) if size else None,
        margin_mode=None if mode is None else ("isolated" if int(mode) == 1 else "cross"),
        leverage=fopt(row.get("leverage")),
        isolated_margin=fopt(row.get("positionBalance"))
        if mode is not None and int(mode) == 1
        else None,
        ts=ts,
    )


def parse_balance(result: dict[str, Any], coin: str, ts: int) -> BalanceUpdate:
    accounts = result.get("list")
    if not isinstance(accounts, list) or not accounts:
        raise BadReply(VENUE, "wallet-balance reply has no account list")
    for account in accounts:
        for row in account.get("coin", []) if isinstance(account, dict) else []:
            if isinstance(row, dict) and row.get("coin") == coin:
                equity, used = famount(row.get("equity")), famount(row.get("totalPositionIM"))
                return BalanceUpdate(
                    VENUE,
                    coin,
                    fnum(row.get("walletBalance") or 0, "walletBalance", VENUE),
                    ts=ts,
                    available_margin=equity - used
                    if equity is not None and used is not None
                    else None,
                )
    return BalanceUpdate(VENUE, coin, 0.0, ts=ts)


def parse_key_permissions(result: dict[str, Any]) -> KeyPermissions:
    """GET /v5/user/query-api: ``readOnly`` 1 = read only (the documented flag; the permission
    groups are quoted, not judged: their names differ between account types)."""
    if "readOnly" not in result:
        raise BadReply(VENUE, f"query-api reply has no readOnly: {str(result)[:120]}")
    perms = result.get("permissions")
    contract = perms.get("ContractTrade") if isinstance(perms, dict) else None
    trade = list(contract) if isinstance(contract, list) else []
    wallet_rights = perms.get("Wallet") if isinstance(perms, dict) else None
    wallet = list(wallet_rights) if isinstance(wallet_rights, list) else []
    read_only = str(result["readOnly"]) == "1"
    detail = f"readOnly: {result['readOnly']}, ContractTrade: {trade}"
    can_withdraw = not read_only and "Withdraw" in wallet
    if can_withdraw:
        detail += f", Wallet: {wallet}"
    return KeyPermissions(VENUE, not read_only, detail, can_withdraw)


def signed_headers(credentials: Credentials, stamp_ms: int, signed: str) -> dict[str, str]:
    """The v5 auth headers of a request whose ``signed`` text is its query (GET) or body."""
    key = credentials.api_key.reveal()
    return {
        "X-BAPI-API-KEY": key,
        "X-BAPI-TIMESTAMP": str(stamp_ms),
        "X-BAPI-RECV-WINDOW": str(RECV_WINDOW),
        "X-BAPI-SIGN": bybit_signature(
            credentials.api_secret.reveal(), stamp_ms, key, RECV_WINDOW, signed
        ),
        "X-BAPI-SIGN-TYPE": "2",
        "Content-Type": "application/json",
    }


class BybitClient(VenueClient):
    venue = VENUE
    default_url = "https://api.bybit.com"

    async def _call(
        self, method: str, path: str, query: str = "", body: str = ""
    ) -> dict[str, Any]:
        signed = query if method == "GET" else body
        headers = signed_headers(self.credentials, self.now_ms(), signed)
        status, payload, _ = await self.request(
            method, path, query=query, body=body, headers=headers
        )
        try:
            return check_error(status, payload)
        except TradingError as exc:
            self.raise_redacted(exc)

    async def place_order(self, order: OrderRequest) -> OrderResult:
        result = await self._call("POST", "/v5/order/create", body=self.dumps(order_body(order)))
        return OrderResult(
            venue=VENUE,
            client_order_id=str(result.get("orderLinkId", order.client_order_id)),
            order_id=str(result.get("orderId")) if result.get("orderId") else None,
            status="new",
            filled_contracts=0.0,
            raw_status="accepted",
        )

    async def order_by_client_id(self, order: OrderRequest) -> OrderResult | None:
        query = urlencode(
            {"category": "inverse", "symbol": order.symbol, "orderLinkId": order.client_order_id}
        )
        result = await self._call("GET", "/v5/order/realtime", query=query)
        rows = [r for r in result.get("list") or [] if isinstance(r, dict)]
        mine = [r for r in rows if r.get("orderLinkId") == order.client_order_id]
        return parse_order(mine[0]) if mine else None

    async def cancel_order(self, order: OrderRequest) -> None:
        body = {"category": "inverse", "symbol": order.symbol, "orderLinkId": order.client_order_id}
        await self._call("POST", "/v5/order/cancel", body=self.dumps(body))

    async def position(self, symbol: str, contract_size: float) -> PositionUpdate:
        query = urlencode({"category": "inverse", "symbol": symbol})
        result = await self._call("GET", "/v5/position/list", query=query)
        return parse_position(result, symbol, contract_size, self.now_ms())

    async def balance(self, coin: str) -> BalanceUpdate:
        query = urlencode({"accountType": ACCOUNT_TYPE, "coin": coin})
        result = await self._call("GET", "/v5/account/wallet-balance", query=query)
        return parse_balance(result, coin, self.now_ms())

    async def fetch_key_permissions(self) -> KeyPermissions:
        return parse_key_permissions(await self._call("GET", "/v5/user/query-api"))
