"""Kraken Futures REST (derivatives/api/v3): sendorder, orders/status, openpositions, accounts.

An order refusal is an HTTP-level success whose `sendStatus.status` says why
(`wouldNotReducePosition`, `clientOrderIdAlreadyExist`, `invalidSize`, ...). Request-level
errors are `{"result":"error","serverTime":..,"error":"<code>"}` (authenticationError,
apiLimitExceeded, requiredArgumentMissing, ...). Numbers are JSON numbers.
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.auth import AuthError, verify_kraken
from hedgetui.sim.rest.base import (
    BadParam,
    VenueApi,
    coin,
    iso_ms,
    json_reply,
    num,
    parse_bool,
    parse_float,
    template,
)
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import DEFAULT_LEVERAGE, INSTRUMENTS, InstrumentSpec, instrument
from hedgetui.sim.rest.records import Fault, Order, OrderRequest, Rejection

_PREFIX = "/derivatives/api/v3/"
_SEND_STATUS = {
    "duplicate_client_id": "clientOrderIdAlreadyExist",
    "reduce_only": "wouldNotReducePosition",
    "lot_size": "invalidSize",
    "bad_price": "invalidPrice",
    "unknown_symbol": "contractNotFound",
    "insufficient_margin": "insufficientAvailableFunds",
}
FUNDING_INFO = "funding rate change"
ACCOUNT_UID = "f7d5571c-6d10-4cf1-944a-048d25682ed0"
# orders/status has no recorded sample: shape from Kraken's docs text [U].
_ORDER_STATUS = {"new": "ENTERED_BOOK", "filled": "FULLY_EXECUTED", "canceled": "CANCELLED"}


def _zeroed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _zeroed(v) for k, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 0
    return value


class KrakenApi(VenueApi):
    venue = "kraken"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._nonces: set[str] = set()

    def register_routes(self) -> None:
        self.route("POST", _PREFIX + "sendorder", self.send_order, order=True)
        self.route("POST", _PREFIX + "orders/status", self.orders_status, lookup=True)
        self.route("POST", _PREFIX + "cancelorder", self.cancel_order)
        self.route("GET", _PREFIX + "openpositions", self.open_positions)
        self.route("GET", _PREFIX + "accounts", self.accounts_reply)
        self.route("GET", _PREFIX + "instruments", self.instruments, public=True)
        self.route(
            "GET",
            "/derivatives/api/v4/historicalfundingrates",
            self.historical_funding_rates,
            public=True,
            history=True,
        )
        self.route("GET", "/api/history/v3/account-log", self.account_log, history=True)

    def server_time(self) -> str:
        return iso_ms(self.now_ms())

    def request_error(self, code: str, status: int = 200) -> HttpResponse:
        return json_reply(
            {"result": "error", "serverTime": self.server_time(), "error": code}, status
        )

    def authenticate(self, req: HttpRequest) -> None:
        verify_kraken(req, self.creds, self._nonces)

    def auth_error(self, err: AuthError) -> HttpResponse:
        if err.kind == "nonce":
            return self.request_error("nonceDuplicate", 401)
        if err.kind == "missing":
            return self.request_error("requiredArgumentMissing", 401)
        return self.request_error("authenticationError", 401)

    def bad_request(self, message: str) -> HttpResponse:
        code = "requiredArgumentMissing" if message.startswith("missing") else "invalidArgument"
        return self.request_error(code, 400)

    def not_found(self, req: HttpRequest) -> HttpResponse:
        return HttpResponse(404, b"", "text/html")

    def reject_reply(self, req: HttpRequest, fault: Fault) -> HttpResponse:
        status = str(fault.params.get("message", "insufficientAvailableFunds"))
        return self.send_status_refusal(status, str(self.params(req).get("cliOrdId") or ""))

    def permission_reply(self, req: HttpRequest) -> HttpResponse:
        return self.request_error("authenticationError", 401)  # [U] a read-only key's refusal

    def rate_limit_reply(self, req: HttpRequest) -> HttpResponse:
        return self.request_error("apiLimitExceeded", 429)

    def send_status_refusal(self, status: str, cli_ord_id: str) -> HttpResponse:
        send_status: dict[str, Any] = {}
        if cli_ord_id:
            send_status["cliOrdId"] = cli_ord_id
        send_status.update(status=status, receivedTime=self.server_time(), orderEvents=[])
        return json_reply(
            {"result": "success", "sendStatus": send_status, "serverTime": self.server_time()}
        )

    # -- handlers ----------------------------------------------------------------------------
    def send_order(self, req: HttpRequest) -> HttpResponse:
        p = self.params(req)
        symbol = str(p.get("symbol") or "")
        if not symbol:
            raise BadParam("missing symbol")
        order_type = str(p.get("orderType") or "")
        if order_type not in ("mkt", "lmt", "ioc", "post"):
            raise BadParam("invalid orderType")
        side = str(p.get("side") or "")
        if side not in ("buy", "sell"):
            raise BadParam("missing side")
        qty = parse_float(p, "size") or 0.0
        price = parse_float(p, "limitPrice") if order_type != "mkt" else None
        cli = str(p.get("cliOrdId") or "")
        request = OrderRequest(
            symbol=symbol,
            side="buy" if side == "buy" else "sell",
            qty=qty,
            order_type="market" if order_type == "mkt" else "limit",
            price=price,
            reduce_only=parse_bool(p.get("reduceOnly", False)),
            client_id=cli or None,
            time_in_force="IOC" if order_type == "ioc" else "GTC",
        )
        mark = self.mark(symbol) if instrument(self.venue, symbol) else 0.0
        result = self.accounts.place_order(self.venue, request, mark)
        if isinstance(result, Rejection):
            if result.reason == "unknown_symbol":
                return self.request_error("contractNotFound")
            return self.send_status_refusal(_SEND_STATUS[result.reason], cli)
        body = template(self.venue, "sendorder")
        status = body["sendStatus"]
        status.update(
            order_id=result.order_id,
            status="placed",
            receivedTime=iso_ms(result.created_ms),
            orderEvents=self.order_events(result),
        )
        if cli:
            status["cliOrdId"] = cli
        body["serverTime"] = self.server_time()
        return json_reply(body)

    def orders_status(self, req: HttpRequest) -> HttpResponse:
        p = self.params(req)
        wanted_cli = {s for s in str(p.get("cliOrdIds") or "").split(",") if s}
        wanted_ids = {s for s in str(p.get("orderIds") or "").split(",") if s}
        if not wanted_cli and not wanted_ids:
            raise BadParam("missing orderIds or cliOrdIds")
        rows = [
            {
                "order": {**self.order_object(o), "type": "ORDER"},
                "status": _ORDER_STATUS[o.status],
                "updateReason": None,
                "error": None,
            }
            for o in self.accounts.order_records(self.venue)
            if o.client_id in wanted_cli or o.order_id in wanted_ids
        ]
        return json_reply({"result": "success", "serverTime": self.server_time(), "orders": rows})

    def cancel_order(self, req: HttpRequest) -> HttpResponse:
        """cancelorder (cliOrdId or order_id): ``cancelStatus.status`` cancelled / notFound."""
        p = self.params(req)
        cli_ord_id = str(p.get("cliOrdId") or "")
        cancelled = self.accounts.cancel(self.venue, cli_ord_id)
        status: dict[str, Any] = {
            "status": "notFound" if cancelled is None else "cancelled",
            "receivedTime": self.server_time(),
            "cliOrdId": cli_ord_id,
        }
        if cancelled is not None:
            status["order_id"] = cancelled.order_id
        return json_reply(
            {"result": "success", "cancelStatus": status, "serverTime": self.server_time()}
        )

    def open_positions(self, req: HttpRequest) -> HttpResponse:
        body = template(self.venue, "openpositions")
        row_template = body["openPositions"][0]
        rows = []
        for symbol in INSTRUMENTS[self.venue]:
            pos = self.accounts.position_record(self.venue, symbol)
            if not pos.contracts:
                continue
            row = dict(row_template)
            row.update(
                side="long" if pos.contracts > 0 else "short",
                symbol=symbol,
                price=pos.entry,
                fillTime=iso_ms(pos.updated_ms),
                size=num(abs(pos.contracts)),
                unrealizedFunding=0.0,
            )
            rows.append(row)
        body.update(openPositions=rows, serverTime=self.server_time())
        return json_reply(body)

    def accounts_reply(self, req: HttpRequest) -> HttpResponse:
        body = template(self.venue, "accounts")
        accounts = body["accounts"]
        margin_template = accounts.pop("fi_xbtusd")
        flex = accounts.pop("flex")
        accounts["cash"]["balances"] = {"xbt": 0.0, "eth": 0.0}
        for name, ccy, symbol in (("BTC", "xbt", "PI_XBTUSD"), ("ETH", "eth", "PI_ETHUSD")):
            wallet = self.accounts.balance(self.venue, name)
            upnl = self._unrealised(symbol)
            margin = self.accounts.margin(self.venue, name, self.mark(symbol))
            row = _zeroed(margin_template)
            row.update(type="marginAccount", currency=ccy)
            row["balances"] = {
                symbol: num(self.accounts.position(self.venue, symbol)),
                ccy: coin(wallet),
            }
            equity = coin(wallet + upnl)
            row["auxiliary"] = {"af": coin(margin.available), "pnl": coin(upnl), "pv": equity}
            row["marginRequirements"]["im"] = coin(margin.initial)
            accounts[f"fi_{ccy}usd"] = row
        accounts["flex"] = _zeroed(flex)
        body["serverTime"] = self.server_time()
        return json_reply(body)

    def historical_funding_rates(self, req: HttpRequest) -> HttpResponse:
        """GET /derivatives/api/v4/historicalfundingrates?symbol=: the contract's whole history
        (the simulator keeps 400 days), oldest first, in one reply."""
        spec = instrument(self.venue, str(self.params(req).get("symbol") or ""))
        if spec is None:
            return self.request_error("contractNotFound", 400)
        now = self.now_ms()
        mark = self.mark(spec.symbol)
        rows = [
            {
                "timestamp": iso_ms(r.time_ms),
                # the absolute rate: XBT per 1-USD contract for one period
                "fundingRate": r.rate * spec.contract_size / mark,
                "relativeFundingRate": r.rate,
            }
            for r in self.accounts.funding.records(self.venue, spec.symbol, 0, now, now)
        ]
        return json_reply({"rates": rows, "result": "success", "serverTime": self.server_time()})

    def account_log(self, req: HttpRequest) -> HttpResponse:
        """GET /api/history/v3/account-log (since/before ms, from/to ids inclusive, sort, count,
        info): the funding bookings of the account's positions (the only entries the simulator
        logs), ``count`` per page (default 500)."""
        p = self.params(req)
        count = int(parse_float(p, "count", required=False) or 500)
        if not 1 <= count <= 100_000:
            raise BadParam("count out of range")
        info = p.get("info")
        if info not in (None, "", FUNDING_INFO):
            return json_reply({"accountUid": ACCOUNT_UID, "logs": []})
        now = self.now_ms()
        since = int(parse_float(p, "since", required=False) or 0)
        before = int(parse_float(p, "before", required=False) or now + 1)
        logs: list[dict[str, Any]] = []
        for spec in INSTRUMENTS[self.venue].values():
            logs.extend(self.funding_bookings(spec, since, before, now))
        low = parse_float(p, "from", required=False)
        high = parse_float(p, "to", required=False)
        logs = [
            row
            for row in logs
            if (low is None or row["id"] >= low) and (high is None or row["id"] <= high)
        ]
        logs.sort(key=lambda row: int(row["id"]), reverse=p.get("sort", "desc") != "asc")
        return json_reply({"accountUid": ACCOUNT_UID, "logs": logs[:count]})

    def funding_bookings(
        self, spec: InstrumentSpec, since: int, before: int, now: int
    ) -> list[dict[str, Any]]:
        """One ``funding rate change`` booking per funding time the position paid or got."""
        pos = self.accounts.position_record(self.venue, spec.symbol)
        mark = self.mark(spec.symbol)
        value = pos.contracts * spec.contract_size / mark if mark > 0 else 0.0
        paid = self.accounts.funding.payments(
            self.venue, spec.symbol, lambda: value, pos.updated_ms, since - 1, before - 1, now
        )
        ccy = "xbt" if spec.coin == "BTC" else spec.coin.lower()
        balance = self.accounts.balance(self.venue, spec.coin)
        rows = []
        for record, amount in paid:
            rows.append(
                {
                    "id": record.time_ms // 1000 * 10 + (0 if spec.coin == "BTC" else 1),
                    "date": iso_ms(record.time_ms),
                    "asset": ccy,
                    "info": FUNDING_INFO,
                    "booking_uid": f"sim-{spec.symbol.lower()}-{record.time_ms}",
                    "margin_account": f"f-{ccy}:usd",
                    "old_balance": coin(balance),
                    "new_balance": coin(balance + amount),
                    "old_average_entry_price": 0.0,
                    "new_average_entry_price": 0.0,
                    "trade_price": 0.0,
                    "mark_price": mark,
                    "realized_pnl": 0.0,
                    "fee": 0.0,
                    "execution": "",
                    "collateral": ccy,
                    "funding_rate": record.rate * spec.contract_size / mark,
                    "realized_funding": amount,
                    "conversion_spread_percentage": 0.0,
                    "liquidation_fee": 0.0,
                    "contract": spec.symbol.lower(),
                }
            )
        return rows

    def instruments(self, req: HttpRequest) -> HttpResponse:
        """GET instruments (public): the inverse perpetuals, with their margin schedule."""
        rows = [_instrument_row(spec) for spec in INSTRUMENTS[self.venue].values()]
        return json_reply(
            {"result": "success", "instruments": rows, "serverTime": self.server_time()}
        )

    # -- shapes ------------------------------------------------------------------------------
    def _unrealised(self, symbol: str) -> float:
        pos = self.accounts.position_record(self.venue, symbol)
        if not pos.contracts:
            return 0.0
        side = 1 if pos.contracts > 0 else -1
        return abs(pos.contracts) * (1 / pos.entry - 1 / self.mark(symbol)) * side

    def order_object(self, order: Order) -> dict[str, Any]:
        """The `order` object of the sendorder sample, filled in."""
        event = template(self.venue, "sendorder")["sendStatus"]["orderEvents"][0]
        obj: dict[str, Any] = event["order"]
        obj.update(
            orderId=order.order_id,
            cliOrdId=order.client_id,
            type="mkt" if order.order_type == "market" else "lmt",
            symbol=order.symbol,
            side=order.side,
            quantity=num(order.qty),
            filled=num(order.filled),
            limitPrice=order.price if order.price is not None else order.avg_price,
            reduceOnly=order.reduce_only,
            timestamp=iso_ms(order.created_ms),
            lastUpdateTimestamp=iso_ms(order.updated_ms),
        )
        return obj

    def order_events(self, order: Order) -> list[dict[str, Any]]:
        if order.filled:
            prior = self.order_object(order)
            prior.update(filled=0, lastUpdateTimestamp=iso_ms(order.created_ms))
            # EXECUTION event fields from Kraken's docs text [U: no recorded sample here].
            return [
                {
                    "executionId": f"exec-{order.order_id}",
                    "price": order.avg_price,
                    "amount": num(order.filled),
                    "orderPriorEdit": None,
                    "orderPriorExecution": prior,
                    "takerReducedQuantity": None,
                    "type": "EXECUTION",
                }
            ]
        event = template(self.venue, "sendorder")["sendStatus"]["orderEvents"][0]
        event["order"] = self.order_object(order)
        return [event]


def _instrument_row(spec: InstrumentSpec) -> dict[str, Any]:
    """One inverse perpetual as GET instruments lists it (the docs' example)."""
    initial = 1 / DEFAULT_LEVERAGE[spec.venue]
    levels = [{"contracts": 0, "initialMargin": initial, "maintenanceMargin": initial / 2}]
    return {
        "symbol": spec.symbol,
        "type": "futures_inverse",
        "underlying": f"rr_{spec.symbol.removeprefix('PI_').lower()}",
        "tickSize": spec.tick_size,
        "contractSize": num(spec.contract_size),
        "tradeable": True,
        "impactMidSize": 1,
        "maxPositionSize": 1000000,
        "openingDate": "2018-08-31T00:00:00.000Z",
        "marginLevels": levels,
        "fundingRateCoefficient": 8,
        "maxRelativeFundingRate": 0.001,
        "contractValueTradePrecision": 0,
        "postOnly": False,
        "retailMarginLevels": levels,
        "category": "",
        "tags": [],
    }
