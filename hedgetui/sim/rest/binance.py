"""Binance COIN-M REST (dapi): order, order query, positionRisk, balance.

Parameters come from the query string and/or a form body (the query wins); the signature is
the last parameter. Errors are `{"code":<negative int>,"msg":..}` with HTTP 400 (401 for a bad
key, 429 when throttled). `newOrderRespType` is honoured: ACK (the default) answers with the
order as accepted (status NEW), RESULT with its final state.

The row shapes are in `binance_replies`; the funding-history endpoints in `binance_funding`;
this module routes and serves the orders, the positions, the balance and the listing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hedgetui.sim.rest.auth import AuthError, verify_binance
from hedgetui.sim.rest.base import BadParam, dec, json_reply, parse_bool, parse_float, template
from hedgetui.sim.rest.binance_funding import BinanceFunding
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import INSTRUMENTS, MAX_LEVERAGE, InstrumentSpec, instrument
from hedgetui.sim.rest.records import Fault, Order, OrderRequest, Rejection, time_in_force

_REJECT = {
    "duplicate_client_id": (-4116, "clientOrderId is duplicated"),
    "reduce_only": (-2022, "ReduceOnly Order is rejected."),
    "lot_size": (-1111, "Precision is over the maximum defined for this asset."),
    "bad_price": (-4013, "Price less than min price."),  # PRICE_LESS_THAN_MIN_PRICE
    "unknown_symbol": (-1121, "Invalid symbol."),
    "insufficient_margin": (-2019, "Margin is insufficient."),
}


def _error(code: int, msg: str, status: int = 400) -> HttpResponse:
    return json_reply({"code": code, "msg": msg}, status)


class BinanceApi(BinanceFunding):
    venue = "binance"

    def register_routes(self) -> None:
        self.route("POST", "/dapi/v1/order", self.new_order, order=True)
        self.route("GET", "/dapi/v1/order", self.query_order, lookup=True)
        self.route("DELETE", "/dapi/v1/order", self.cancel_order)
        self.route("GET", "/dapi/v1/positionRisk", self.position_risk)
        self.route("GET", "/dapi/v1/balance", self.balance)
        self.route("POST", "/dapi/v1/leverage", self.set_leverage)
        self.route("GET", "/dapi/v1/time", self.server_time, public=True)
        self.route("GET", "/dapi/v1/exchangeInfo", self.exchange_info, public=True)
        self.route("GET", "/dapi/v1/fundingRate", self.funding_rate, public=True, history=True)
        self.route("GET", "/dapi/v1/income", self.income, history=True)

    async def handle(self, req: HttpRequest) -> HttpResponse:
        """Binance reports the IP's used weight on every reply (X-MBX-USED-WEIGHT-1M)."""
        response = await super().handle(req)
        if response.drop or any(k == "X-MBX-USED-WEIGHT-1M" for k, _ in response.headers):
            return response
        return replace(response, headers=(*response.headers, ("X-MBX-USED-WEIGHT-1M", "1")))

    def authenticate(self, req: HttpRequest) -> None:
        if req.path == "/dapi/v1/listenKey":  # USER_STREAM: the API key only, no signature
            if req.header("X-MBX-APIKEY") != self.creds.api_key:
                raise AuthError("bad_key", "unknown API key")
            return
        verify_binance(req, self.creds, self.clock.time())

    def auth_error(self, err: AuthError) -> HttpResponse:
        if err.kind == "bad_key":
            return _error(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        if err.kind == "expired":
            return _error(-1021, "Timestamp for this request is outside of the recvWindow.")
        if err.kind == "missing":
            return _error(-1102, err.detail)
        return _error(-1022, "Signature for this request is not valid.")

    def bad_request(self, message: str) -> HttpResponse:
        return _error(-1102, message)

    def not_found(self, req: HttpRequest) -> HttpResponse:
        return HttpResponse(404, b"", "text/html")

    def reject_reply(self, req: HttpRequest, fault: Fault) -> HttpResponse:
        code = int(fault.params.get("code", -2019))
        return _error(code, str(fault.params.get("message", "Margin is insufficient.")))

    def permission_reply(self, req: HttpRequest) -> HttpResponse:
        return _error(-2015, "Invalid API-key, IP, or permissions for action.", 401)

    def rate_limit_reply(self, req: HttpRequest) -> HttpResponse:
        body = {
            "code": -1003,
            "msg": "Too many requests; current limit is 2400 requests per minute. Please use "
            "the websocket for live updates to avoid polling the API.",
        }
        return json_reply(body, 429, (("Retry-After", "1"), ("X-MBX-USED-WEIGHT-1M", "2401")))

    # -- handlers ----------------------------------------------------------------------------
    def server_time(self, req: HttpRequest) -> HttpResponse:
        """GET /dapi/v1/time."""
        return json_reply({"serverTime": self.now_ms()})

    def exchange_info(self, req: HttpRequest) -> HttpResponse:
        """GET /dapi/v1/exchangeInfo: the perpetuals listed (the docs' shape)."""
        return json_reply(
            {
                "exchangeFilters": [],
                "rateLimits": [
                    {
                        "interval": "MINUTE",
                        "intervalNum": 1,
                        "limit": 2400,
                        "rateLimitType": "REQUEST_WEIGHT",
                    },
                    {
                        "interval": "MINUTE",
                        "intervalNum": 1,
                        "limit": 1200,
                        "rateLimitType": "ORDERS",
                    },
                ],
                "serverTime": self.now_ms(),
                "symbols": [_symbol_row(spec) for spec in INSTRUMENTS[self.venue].values()],
                "timezone": "UTC",
            }
        )

    def set_leverage(self, req: HttpRequest) -> HttpResponse:
        """POST /dapi/v1/leverage (symbol, leverage): the new leverage, or -4028."""
        p = self.params(req)
        symbol = str(p.get("symbol") or "")
        if not instrument(self.venue, symbol):
            return _error(-1121, "Invalid symbol.")
        leverage = parse_float(p, "leverage") or 0.0
        if not leverage.is_integer():
            return _error(-4028, f"Leverage {p.get('leverage')} is not valid")
        try:
            self.accounts.set_leverage(self.venue, symbol, leverage)
        except ValueError:
            return _error(-4028, f"Leverage {int(leverage)} is not valid")
        return json_reply({"leverage": int(leverage), "maxQty": "1000", "symbol": symbol})

    def new_order(self, req: HttpRequest) -> HttpResponse:
        p = self.params(req)
        symbol = str(p.get("symbol") or "")
        if not symbol:
            raise BadParam(
                "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."
            )
        side = str(p.get("side") or "")
        if side not in ("BUY", "SELL"):
            raise BadParam("Mandatory parameter 'side' was not sent, was empty/null, or malformed.")
        order_type = str(p.get("type") or "")
        if order_type not in ("MARKET", "LIMIT"):
            raise BadParam(f"Invalid orderType {order_type!r} (the simulator takes MARKET, LIMIT)")
        qty = parse_float(p, "quantity") or 0.0
        if qty <= 0:
            return _error(-4003, "Quantity less than or equal to zero.")
        price = parse_float(p, "price", required=order_type == "LIMIT")
        tif = str(p.get("timeInForce") or "GTC")
        request = OrderRequest(
            symbol=symbol,
            side="buy" if side == "BUY" else "sell",
            qty=qty,
            order_type="market" if order_type == "MARKET" else "limit",
            price=price,
            reduce_only=parse_bool(p.get("reduceOnly", "false")),
            client_id=str(p["newClientOrderId"]) if p.get("newClientOrderId") else None,
            time_in_force=time_in_force(tif),
        )
        mark = self.mark(symbol) if instrument(self.venue, symbol) else 0.0
        result = self.accounts.place_order(self.venue, request, mark)
        if isinstance(result, Rejection):
            return _error(*_REJECT[result.reason])
        final = str(p.get("newOrderRespType") or "ACK").upper() == "RESULT"
        return json_reply(self.order_row(result, "new_order", as_accepted=not final))

    def query_order(self, req: HttpRequest) -> HttpResponse:
        q = req.query_params()
        symbol = q.get("symbol") or ""
        if not symbol:
            raise BadParam(
                "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."
            )
        orders = self.accounts.order_records(self.venue)
        found: Order | None = None
        if q.get("orderId"):
            found = next((o for o in orders if o.order_id == q["orderId"]), None)
        elif q.get("origClientOrderId"):
            matches = [o for o in orders if o.client_id == q["origClientOrderId"]]
            found = matches[-1] if matches else None
        else:
            raise BadParam(
                "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
            )
        if found is None or found.symbol != symbol:
            return _error(-2013, "Order does not exist.")
        return json_reply(self.order_row(found, "query_order"))

    def cancel_order(self, req: HttpRequest) -> HttpResponse:
        """DELETE /dapi/v1/order (symbol + origClientOrderId): the order, now CANCELED."""
        p = self.params(req)
        cancelled = self.accounts.cancel(self.venue, str(p.get("origClientOrderId") or ""))
        if cancelled is None or cancelled.symbol != p.get("symbol"):
            return _error(-2011, "Unknown order sent.")
        return json_reply({**self.order_row(cancelled, "query_order"), "status": "CANCELED"})

    def position_risk(self, req: HttpRequest) -> HttpResponse:
        q = req.query_params()
        pair = q.get("pair") or ""
        asset = q.get("marginAsset") or ""
        rows = []
        for symbol, spec in INSTRUMENTS[self.venue].items():
            if pair and symbol.split("_")[0] != pair:
                continue
            if asset and spec.coin != asset:
                continue
            rows.append(self.position_row(symbol))
        return json_reply(rows)

    def balance(self, req: HttpRequest) -> HttpResponse:
        rows = []
        for coin in ("BTC", "ETH"):
            row = template(self.venue, "balance")[0]
            wallet = self.accounts.balance(self.venue, coin)
            upnl = self.unrealised(f"{coin}USD_PERP")
            margin = self.accounts.margin(self.venue, coin, self.mark(f"{coin}USD_PERP"))
            row.update(
                accountAlias="SgsR",
                asset=coin,
                balance=dec(wallet),
                withdrawAvailable=dec(min(margin.available, max(wallet + min(upnl, 0.0), 0.0))),
                crossWalletBalance=dec(wallet),
                crossUnPnl=dec(upnl),
                availableBalance=dec(margin.available),
                updateTime=self.now_ms(),
            )
            rows.append(row)
        return json_reply(rows)


def _symbol_row(spec: InstrumentSpec) -> dict[str, Any]:
    """One perpetual of /dapi/v1/exchangeInfo ``symbols``."""
    tick = dec(spec.tick_size)
    return {
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "maxPrice": "4529764",
                "minPrice": tick,
                "tickSize": tick,
            },
            {"filterType": "LOT_SIZE", "maxQty": "1000000", "minQty": "1", "stepSize": "1"},
            {"filterType": "MARKET_LOT_SIZE", "maxQty": "60000", "minQty": "1", "stepSize": "1"},
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {
                "filterType": "PERCENT_PRICE",
                "multiplierUp": "1.0500",
                "multiplierDown": "0.9500",
                "multiplierDecimal": 4,
            },
        ],
        "OrderType": ["LIMIT", "MARKET", "STOP", "TAKE_PROFIT", "TRAILING_STOP_MARKET"],
        "timeInForce": ["GTC", "IOC", "FOK", "GTX"],
        "liquidationFee": "0.015000",
        "marketTakeBound": "0.05",
        "symbol": spec.symbol,
        "pair": spec.symbol.split("_")[0],
        "contractType": "PERPETUAL",
        "deliveryDate": 4133404800000,
        "onboardDate": 1597042800000,
        "contractStatus": "TRADING",
        "contractSize": int(spec.contract_size),
        "quoteAsset": "USD",
        "baseAsset": spec.coin,
        "marginAsset": spec.coin,
        "pricePrecision": len(tick.partition(".")[2]),
        "quantityPrecision": 0,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "equalQtyPrecision": 4,
        "maxMoveOrderLimit": 10000,
        "triggerProtect": "0.0500",
        "maintMarginPercent": "2.5000",
        "requiredMarginPercent": f"{100 / MAX_LEVERAGE[spec.venue]:.4f}",
        "underlyingType": "COIN",
        "underlyingSubType": [],
    }
