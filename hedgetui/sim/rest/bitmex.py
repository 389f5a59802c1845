"""BitMEX REST (api/v1): order, order lookup by filter, position, user/margin.

Replies are the order object itself (not wrapped), position rows as arrays, amounts in XBt
(satoshi integers). Errors: `{"error":{"message":..,"name":..}}` with the HTTP status.

The row shapes are in `bitmex_replies`; the funding-history endpoints in `bitmex_funding`;
this module routes and serves the orders, the positions, the margin and the instruments.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from hedgetui.sim.rest.auth import AuthError, verify_bitmex
from hedgetui.sim.rest.base import BadParam, iso_ms, json_reply, num, parse_float, template
from hedgetui.sim.rest.bitmex_funding import BitmexFunding
from hedgetui.sim.rest.bitmex_replies import ACCOUNT, SATS
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import DEFAULT_LEVERAGE, INSTRUMENTS, instrument
from hedgetui.sim.rest.records import Fault, OrderRequest, Rejection, time_in_force

_TIF = {"ImmediateOrCancel": "IOC", "FillOrKill": "FOK", "GoodTillCancel": "GTC"}

# Texts marked [U] in rest.md are not confirmed from a recording; kept recognisable.
_REJECT_TEXT = {
    "duplicate_client_id": "Duplicate clOrdID",
    "reduce_only": "ReduceOnly order would open or increase the position (execInst ReduceOnly)",
    "lot_size": "Order quantity must be a multiple of lot size: 100",
    "bad_price": "Invalid price",
    "unknown_symbol": "Invalid symbol",
}
# The out-of-funds refusal of an order (recorded in client issues: HTTP 400 ValidationError).
INSUFFICIENT = "Account has insufficient Available Balance, {} XBt required"


def _error(status: int, message: str, name: str = "HTTPError") -> HttpResponse:
    return json_reply({"error": {"message": message, "name": name}}, status)


class BitmexApi(BitmexFunding):
    venue = "bitmex"

    def register_routes(self) -> None:
        self.route("POST", "/api/v1/order", self.place_order, order=True)
        self.route("GET", "/api/v1/order", self.get_orders, lookup=True)
        self.route("DELETE", "/api/v1/order", self.cancel_order)
        self.route("GET", "/api/v1/position", self.get_positions)
        self.route("GET", "/api/v1/user/margin", self.get_margin)
        self.route("GET", "/api/v1/apiKey", self.api_keys)
        self.route("POST", "/api/v1/position/leverage", self.set_leverage)
        self.route("GET", "/api/v1", self.server_time, public=True)
        self.route("GET", "/api/v1/instrument", self.instruments, public=True)
        self.route("GET", "/api/v1/instrument/active", self.instruments, public=True)
        self.route("GET", "/api/v1/instrument/activeAndIndices", self.instruments, public=True)
        self.route("GET", "/api/v1/funding", self.funding, public=True, history=True)
        self.route("GET", "/api/v1/execution/tradeHistory", self.trade_history, history=True)

    async def handle(self, req: HttpRequest) -> HttpResponse:
        """Every BitMEX reply carries the rate-limit headers (BMXBLOG); a throttled one has 0."""
        response = await super().handle(req)
        if response.drop or any(k == "X-RateLimit-Limit" for k, _ in response.headers):
            return response
        reset = str(int(self.clock.time()) + 1)
        limits = (("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "59"))
        return replace(response, headers=(*response.headers, *limits, ("X-RateLimit-Reset", reset)))

    def authenticate(self, req: HttpRequest) -> None:
        verify_bitmex(req, self.creds, self.clock.time())

    def auth_error(self, err: AuthError) -> HttpResponse:
        if err.kind == "expired":
            message = f"This request has expired - `expires` is in the past. {err.detail}"
        elif err.kind == "bad_key":
            message = "Invalid API Key."
        elif err.kind == "missing":
            message = f"Signature not valid. ({err.detail})"
        else:
            message = "Signature not valid."
        return _error(401, message)

    def bad_request(self, message: str) -> HttpResponse:
        return _error(400, message, "ValidationError")

    def not_found(self, req: HttpRequest) -> HttpResponse:
        return _error(404, "Not Found")

    def reject_reply(self, req: HttpRequest, fault: Fault) -> HttpResponse:
        text = str(fault.params.get("message", INSUFFICIENT.format(2000)))
        return _error(400, text)

    def permission_reply(self, req: HttpRequest) -> HttpResponse:
        return _error(403, "Access Denied")  # [U] exact text

    def api_keys(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v1/apiKey: the account's keys; ``permissions`` empty for a read-only one."""
        perms = [] if self.accounts.read_only(self.venue) else ["order", "orderCancel"]
        row = {
            "id": self.creds.api_key,
            "secret": "",
            "name": "hedgetui demo",
            "nonce": 0,
            "cidr": "0.0.0.0/0",
            "permissions": perms,
            "enabled": True,
            "userId": 1,
            "created": iso_ms(0),
        }
        return json_reply([row])

    def server_time(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v1: the API's name, version and the server's time (ms)."""
        return json_reply({"name": "BitMEX API", "version": "1.2.0", "timestamp": self.now_ms()})

    def instruments(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v1/instrument[/active|/activeAndIndices]: XBTUSD, shaped on a recorded row,
        priced at the current mark (``symbol=`` or ``filter=`` narrow it)."""
        q = req.query_params()
        try:
            flt = json.loads(q["filter"]) if q.get("filter") else {}
        except json.JSONDecodeError:
            raise BadParam("filter is not valid JSON") from None
        if q.get("symbol"):
            flt = {**(flt if isinstance(flt, dict) else {}), "symbol": q["symbol"]}
        rows = []
        for symbol, spec in INSTRUMENTS[self.venue].items():
            row: dict[str, Any] = template(self.venue, "instrument")
            mark = self.mark(symbol)
            row.update(
                symbol=symbol,
                lotSize=num(spec.lot_size),
                tickSize=spec.tick_size,
                markPrice=mark,
                fairPrice=mark,
                lastPrice=mark,
                indicativeSettlePrice=mark,
                timestamp=iso_ms(self.now_ms()),
            )
            rows.append(row)
        return json_reply([r for r in rows if _matches(r, flt if isinstance(flt, dict) else {})])

    def set_leverage(self, req: HttpRequest) -> HttpResponse:
        """POST /api/v1/position/leverage (symbol, leverage; 0 = cross): the position row."""
        p = self.params(req)
        symbol = str(p.get("symbol") or "")
        if not instrument(self.venue, symbol):
            raise BadParam("Invalid symbol")
        leverage = parse_float(p, "leverage") or DEFAULT_LEVERAGE[self.venue]
        try:
            self.accounts.set_leverage(self.venue, symbol, leverage)
        except ValueError:
            raise BadParam(f"Invalid leverage: {p.get('leverage')}") from None
        return json_reply(self.position_row(symbol))

    def rate_limit_reply(self, req: HttpRequest) -> HttpResponse:
        reset = int(self.clock.time()) + 1
        headers = (
            ("X-RateLimit-Limit", "60"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", str(reset)),
            ("Retry-After", "1"),
        )
        body = {
            "error": {
                "message": "Rate limit exceeded, retry in 1 seconds.",
                "name": "RateLimitError",
            }
        }
        return json_reply(body, 429, headers)

    # -- handlers ----------------------------------------------------------------------------
    def place_order(self, req: HttpRequest) -> HttpResponse:
        p = self.params(req)
        symbol = str(p.get("symbol") or "")
        if not symbol:
            raise BadParam("symbol is required")
        exec_inst = [s.strip() for s in str(p.get("execInst") or "").split(",") if s.strip()]
        close = "Close" in exec_inst
        qty = parse_float(p, "orderQty", required=not close)
        side = str(p.get("side") or "")
        if qty is not None and qty < 0 and not side:
            side, qty = "Sell", -qty
        if close and qty is None and instrument(self.venue, symbol):
            qty = abs(self.accounts.position(self.venue, symbol))
        if side not in ("Buy", "Sell"):
            raise BadParam("side must be Buy or Sell")
        price = parse_float(p, "price", required=False)
        ord_type = str(p.get("ordType") or ("Limit" if price is not None else "Market"))
        if ord_type not in ("Market", "Limit"):
            raise BadParam(f"ordType {ord_type!r} is not supported by the simulator")
        if ord_type == "Limit" and price is None:
            raise BadParam("price is required for a Limit order")
        tif_name = str(p.get("timeInForce") or "")
        default_tif = "IOC" if ord_type == "Market" else "GTC"
        tif = _TIF.get(tif_name, default_tif)
        request = OrderRequest(
            symbol=symbol,
            side="buy" if side == "Buy" else "sell",
            qty=qty or 0.0,
            order_type="market" if ord_type == "Market" else "limit",
            price=price,
            reduce_only=close or "ReduceOnly" in exec_inst,
            client_id=str(p["clOrdID"]) if p.get("clOrdID") else None,
            time_in_force=time_in_force(tif),
        )
        mark = self.mark(symbol) if instrument(self.venue, symbol) else 0.0
        result = self.accounts.place_order(self.venue, request, mark)
        if isinstance(result, Rejection) and result.reason == "insufficient_margin":
            text = INSUFFICIENT.format(round(result.required * SATS))
            return _error(400, text, "ValidationError")
        if isinstance(result, Rejection):
            return _error(400, _REJECT_TEXT[result.reason])
        return json_reply(self.order_row(result, ",".join(exec_inst)))

    def get_orders(self, req: HttpRequest) -> HttpResponse:
        q = req.query_params()
        try:
            flt = json.loads(q["filter"]) if q.get("filter") else {}
        except json.JSONDecodeError:
            raise BadParam("filter is not valid JSON") from None
        if not isinstance(flt, dict):
            raise BadParam("filter must be a JSON object")
        if q.get("symbol"):
            flt.setdefault("symbol", q["symbol"])
        rows = [self.order_row(o) for o in self.accounts.order_records(self.venue)]
        rows = [r for r in rows if _matches(r, flt)]
        if q.get("reverse", "").lower() == "true":
            rows.reverse()
        count = parse_float(q, "count", required=False) or 100
        return json_reply(rows[: max(int(count), 0)])

    def cancel_order(self, req: HttpRequest) -> HttpResponse:
        """DELETE /api/v1/order (clOrdID): the cancelled order; 404 when none rests (unknown,
        or already filled: rest.md, BitMEX "Errors you must handle")."""
        client_id = str(self.params(req).get("clOrdID") or "")
        if not client_id:
            raise BadParam("At least one of orderID or clOrdID must be provided")
        cancelled = self.accounts.cancel(self.venue, client_id)
        if cancelled is None:
            return _error(404, "Not Found")
        return json_reply([self.order_row(cancelled)])

    def get_positions(self, req: HttpRequest) -> HttpResponse:
        q = req.query_params()
        try:
            flt = json.loads(q["filter"]) if q.get("filter") else {}
        except json.JSONDecodeError:
            raise BadParam("filter is not valid JSON") from None
        rows = [self.position_row("XBTUSD")]
        return json_reply([r for r in rows if _matches(r, flt if isinstance(flt, dict) else {})])

    def get_margin(self, req: HttpRequest) -> HttpResponse:
        currency = req.query_params().get("currency", "XBt")
        if currency.lower() not in ("xbt", "all"):
            return json_reply([] if currency.lower() == "all" else {}, 200)
        margin = self.accounts.margin(self.venue, "BTC", self.mark("XBTUSD"))
        wallet = round(margin.wallet * SATS)
        upnl = round(margin.unrealised * SATS)
        available = round(margin.available * SATS)
        row = template(self.venue, "margin")
        row.update(
            account=ACCOUNT,
            amount=wallet,
            realisedPnl=round(self.accounts.position_record(self.venue, "XBTUSD").realised * SATS),
            unrealisedPnl=upnl,
            initMargin=round(margin.orders * SATS),  # BitMEX: the resting orders' margin
            maintMargin=round(margin.initial * SATS),  # BitMEX: the positions' margin
            walletBalance=wallet,
            marginBalance=wallet + upnl,
            excessMargin=available,
            availableMargin=available,
            withdrawableMargin=min(available, wallet),
            timestamp=iso_ms(self.now_ms()),
        )
        return json_reply(row)


def _matches(row: dict[str, Any], flt: dict[str, Any]) -> bool:
    for key, wanted in flt.items():
        value = row.get(key)
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True
