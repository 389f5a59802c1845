"""Bybit v5 REST, category `inverse`: order/create, order/realtime, position/list, wallet-balance.

Every reply is the `{"retCode","retMsg","result","retExtInfo","time"}` envelope with HTTP 200
(errors too); numbers inside `result` are strings, as in the samples.

The envelope and the row shapes are in `bybit_replies`; the funding-history endpoints in
`bybit_funding`; this module routes and serves the orders, the positions and the wallet.
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.auth import AuthError, verify_bybit
from hedgetui.sim.rest.base import BadParam, dec, parse_bool, parse_float, template
from hedgetui.sim.rest.bybit_funding import BybitFunding
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import INSTRUMENTS, MAX_LEVERAGE, InstrumentSpec, instrument
from hedgetui.sim.rest.records import Fault, OrderRequest, Rejection, time_in_force

_REJECT = {
    "duplicate_client_id": (110072, "OrderLinkedID is duplicate"),
    "reduce_only": (110017, "Reduce-only rule not satisfied"),
    "lot_size": (10001, "params error: qty must be a positive multiple of the qty step"),
    "bad_price": (10001, "params error: price invalid"),  # generic params error [U text]
    "unknown_symbol": (10001, "params error: symbol invalid"),
    "insufficient_margin": (110007, "Insufficient available balance"),
}


class BybitApi(BybitFunding):
    venue = "bybit"

    def register_routes(self) -> None:
        self.route("POST", "/v5/order/create", self.create_order, order=True)
        self.route("GET", "/v5/order/realtime", self.realtime, lookup=True)
        self.route("POST", "/v5/order/cancel", self.cancel_order)
        self.route("GET", "/v5/position/list", self.position_list)
        self.route("GET", "/v5/account/wallet-balance", self.wallet_balance)
        self.route("GET", "/v5/user/query-api", self.query_api)
        self.route("GET", "/v5/account/info", self.account_info)
        self.route("POST", "/v5/position/set-leverage", self.set_leverage)
        self.route("GET", "/v5/market/time", self.server_time, public=True)
        self.route("GET", "/v5/market/instruments-info", self.instruments_info, public=True)
        self.route(
            "GET", "/v5/market/funding/history", self.funding_history, public=True, history=True
        )
        self.route("GET", "/v5/account/transaction-log", self.transaction_log, history=True)

    def authenticate(self, req: HttpRequest) -> None:
        verify_bybit(req, self.creds, self.clock.time())

    def auth_error(self, err: AuthError) -> HttpResponse:
        if err.kind == "bad_key":
            return self.envelope(10003, "API key is invalid.")
        if err.kind == "expired":
            return self.envelope(
                10002,
                "invalid request, please check your server timestamp or recv_window param. "
                + err.detail,
            )
        if err.kind == "missing":
            return self.envelope(10004, f"Error sign, {err.detail}")
        return self.envelope(
            10004, "Error sign, please check your signature generation algorithm: " + err.detail
        )

    def bad_request(self, message: str) -> HttpResponse:
        return self.envelope(10001, f"params error: {message}")

    def not_found(self, req: HttpRequest) -> HttpResponse:
        return HttpResponse(404, b"404 page not found", "text/plain; charset=utf-8")

    def reject_reply(self, req: HttpRequest, fault: Fault) -> HttpResponse:
        code = int(fault.params.get("code", 110007))
        return self.envelope(
            code, str(fault.params.get("message", "Insufficient available balance"))
        )

    def permission_reply(self, req: HttpRequest) -> HttpResponse:
        return self.envelope(10005, "Permission denied, please check your API key permissions.")

    def query_api(self, req: HttpRequest) -> HttpResponse:
        """GET /v5/user/query-api: the calling key's info (shape of the docs' example)."""
        read_only = self.accounts.read_only(self.venue)
        trade = [] if read_only else ["Order", "Position"]
        return self.envelope(
            0,
            "",
            {
                "id": "16651472",
                "note": "hedgetui demo",
                "apiKey": self.creds.api_key,
                "readOnly": 1 if read_only else 0,
                "secret": "",
                "permissions": {
                    "ContractTrade": trade,
                    "Spot": [],
                    "Wallet": [],
                    "Options": [],
                    "Derivatives": [],
                    "CopyTrading": [],
                    "BlockTrade": [],
                    "Exchange": [],
                    "NFT": [],
                },
                "ips": ["*"],
                "type": 1,
                "deadlineDay": 88,
                "expiredAt": "",
                "createdAt": "",
                "unified": 0,
                "uta": 1,
                "userID": 53888001,
                "inviterID": 0,
                "vipLevel": "No VIP",
                "mktMakerLevel": "0",
                "affiliateID": 0,
            },
        )

    def account_info(self, req: HttpRequest) -> HttpResponse:
        """GET /v5/account/info: the margin mode (ccxt asks it with query-api, before trading)."""
        return self.envelope(
            0,
            "OK",
            {
                "marginMode": "REGULAR_MARGIN",
                "updatedTime": "0",
                "unifiedMarginStatus": 4,
                "dcpStatus": "OFF",
                "timeWindow": 10,
                "smpGroup": 0,
                "isMasterTrader": False,
                "spotHedgingStatus": "OFF",
            },
        )

    def server_time(self, req: HttpRequest) -> HttpResponse:
        """GET /v5/market/time (public)."""
        ms = self.now_ms()
        return self.envelope(0, "OK", {"timeSecond": str(ms // 1000), "timeNano": str(ms * 10**6)})

    def instruments_info(self, req: HttpRequest) -> HttpResponse:
        """GET /v5/market/instruments-info?category=inverse (public): the listed contracts."""
        q = req.query_params()
        self._category(q)
        rows = [
            _instrument_row(spec, MAX_LEVERAGE[self.venue])
            for symbol, spec in INSTRUMENTS[self.venue].items()
            if not q.get("symbol") or q["symbol"] == symbol
        ]
        return self.envelope(0, "OK", {"category": "inverse", "list": rows, "nextPageCursor": ""})

    def set_leverage(self, req: HttpRequest) -> HttpResponse:
        """POST /v5/position/set-leverage (category, symbol, buyLeverage, sellLeverage)."""
        p = self.params(req)
        self._category(p)
        symbol = str(p.get("symbol") or "")
        if not instrument(self.venue, symbol):
            raise BadParam(f"symbol invalid: {symbol!r}")
        buy = parse_float(p, "buyLeverage") or 0.0
        if buy != parse_float(p, "sellLeverage"):
            return self.envelope(10001, "params error: buyLeverage must equal sellLeverage")
        if buy == self.accounts.leverage(self.venue, symbol):
            return self.envelope(110043, "Set leverage not modified")
        try:
            self.accounts.set_leverage(self.venue, symbol, buy)
        except ValueError as exc:
            return self.envelope(10001, f"params error: {exc}")
        return self.envelope(0, "OK", {})

    def rate_limit_reply(self, req: HttpRequest) -> HttpResponse:
        headers = (
            ("X-Bapi-Limit", "10"),
            ("X-Bapi-Limit-Status", "0"),
            ("X-Bapi-Limit-Reset-Timestamp", str(self.now_ms() + 1000)),
        )
        return self.envelope(10006, "Too many visits!", None, headers)

    # -- handlers ----------------------------------------------------------------------------
    def create_order(self, req: HttpRequest) -> HttpResponse:
        p = self.params(req)
        self._category(p)
        symbol = str(p.get("symbol") or "")
        side = str(p.get("side") or "")
        if side not in ("Buy", "Sell"):
            raise BadParam("side must be Buy or Sell")
        order_type = str(p.get("orderType") or "")
        if order_type not in ("Market", "Limit"):
            raise BadParam("orderType must be Market or Limit")
        qty = parse_float(p, "qty") or 0.0
        price = parse_float(p, "price", required=order_type == "Limit")
        tif = str(p.get("timeInForce") or ("IOC" if order_type == "Market" else "GTC"))
        request = OrderRequest(
            symbol=symbol,
            side="buy" if side == "Buy" else "sell",
            qty=qty,
            order_type="market" if order_type == "Market" else "limit",
            price=price,
            reduce_only=parse_bool(p.get("reduceOnly", False)),
            client_id=str(p["orderLinkId"]) if p.get("orderLinkId") else None,
            time_in_force=time_in_force(tif),
        )
        mark = self.mark(symbol) if instrument(self.venue, symbol) else 0.0
        result = self.accounts.place_order(self.venue, request, mark)
        if isinstance(result, Rejection):
            return self.envelope(*_REJECT[result.reason])
        reply = template(self.venue, "order_create")["result"]
        reply.update(orderId=result.order_id, orderLinkId=result.client_id or "")
        return self.envelope(0, "OK", reply)

    def realtime(self, req: HttpRequest) -> HttpResponse:
        q = req.query_params()
        self._category(q)
        orders = self.accounts.order_records(self.venue)
        if q.get("orderLinkId"):
            chosen = [o for o in orders if o.client_id == q["orderLinkId"]]
        elif q.get("orderId"):
            chosen = [o for o in orders if o.order_id == q["orderId"]]
        else:
            chosen = [o for o in orders if o.status == "new"]
        if q.get("symbol"):
            chosen = [o for o in chosen if o.symbol == q["symbol"]]
        result = template(self.venue, "order_realtime")["result"]
        result.update(
            list=[self.order_row(o) for o in reversed(chosen)][:500],
            nextPageCursor="",
            category="inverse",
        )
        return self.envelope(0, "OK", result)

    def cancel_order(self, req: HttpRequest) -> HttpResponse:
        """POST /v5/order/cancel (category, symbol, orderLinkId): the ids, or 110001."""
        p = self.params(req)
        self._category(p)
        cancelled = self.accounts.cancel(self.venue, str(p.get("orderLinkId") or ""))
        if cancelled is None or cancelled.symbol != p.get("symbol"):
            return self.envelope(110001, "order not exists or too late to cancel")
        return self.envelope(
            0, "OK", {"orderId": cancelled.order_id, "orderLinkId": cancelled.client_id or ""}
        )

    def position_list(self, req: HttpRequest) -> HttpResponse:
        q = req.query_params()
        self._category(q)
        if q.get("symbol"):
            if not instrument(self.venue, q["symbol"]):
                raise BadParam(f"symbol invalid: {q['symbol']!r}")
            symbols = [q["symbol"]]
        else:
            symbols = [s for s in INSTRUMENTS[self.venue] if self.accounts.position(self.venue, s)]
        result = template(self.venue, "position_list")["result"]
        result.update(list=[self.position_row(s) for s in symbols], nextPageCursor="")
        return self.envelope(0, "OK", result)

    def wallet_balance(self, req: HttpRequest) -> HttpResponse:
        q = req.query_params()
        account_type = q.get("accountType") or ""
        if account_type not in ("UNIFIED", "CONTRACT"):
            raise BadParam("accountType must be UNIFIED or CONTRACT")
        coins = [c.strip().upper() for c in (q.get("coin") or "BTC,ETH").split(",") if c.strip()]
        result = template(self.venue, "wallet_balance")["result"]
        account = result["list"][0]
        coin_template = account["coin"][0]
        rows = [self.coin_row(dict(coin_template), coin) for coin in coins]
        total_usd = sum(float(r["usdValue"]) for r in rows)
        wallet_usd = sum(self.accounts.balance(self.venue, c) * self._coin_mark(c) for c in coins)
        margins = [(self._margin(c), self._coin_mark(c)) for c in coins]
        account.update(
            accountType=account_type,
            totalEquity=dec(total_usd),
            totalMarginBalance=dec(total_usd),
            totalAvailableBalance=dec(sum(m.available * mark for m, mark in margins)),
            totalInitialMargin=dec(sum(m.initial * mark for m, mark in margins)),
            totalWalletBalance=dec(wallet_usd),
            totalPerpUPL=dec(total_usd - wallet_usd),
            coin=rows,
        )
        return self.envelope(0, "OK", result)


def _instrument_row(spec: InstrumentSpec, max_leverage: float) -> dict[str, Any]:
    """One contract as /v5/market/instruments-info lists it (the docs' inverse example)."""
    return {
        "symbol": spec.symbol,
        "contractType": "InversePerpetual",
        "status": "Trading",
        "baseCoin": spec.coin,
        "quoteCoin": "USD",
        "launchTime": "1585526400000",
        "deliveryTime": "0",
        "deliveryFeeRate": "",
        "priceScale": "2",
        "leverageFilter": {
            "minLeverage": "1",
            "maxLeverage": f"{max_leverage:.2f}",
            "leverageStep": "0.01",
        },
        "priceFilter": {
            "minPrice": dec(spec.tick_size),
            "maxPrice": "1999999.00",
            "tickSize": dec(spec.tick_size),
        },
        "lotSizeFilter": {
            "maxOrderQty": "150000000",
            "minOrderQty": dec(spec.lot_size),
            "qtyStep": dec(spec.lot_size),
            "postOnlyMaxOrderQty": "150000000",
            "maxMktOrderQty": "30000000",
            "minNotionalValue": "",
        },
        "unifiedMarginTrade": False,
        "fundingInterval": 480,
        "settleCoin": spec.coin,
        "copyTrading": "none",
        "upperFundingRate": "0.00375",
        "lowerFundingRate": "-0.00375",
        "isPreListing": False,
        "preListingInfo": None,
    }
