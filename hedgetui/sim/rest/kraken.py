"""Kraken Futures REST (derivatives/api/v3): sendorder, orders/status, openpositions, accounts.

An order refusal is an HTTP-level success whose `sendStatus.status` says why
(`wouldNotReducePosition`, `clientOrderIdAlreadyExist`, `invalidSize`, ...). Request-level
errors are `{"result":"error","serverTime":..,"error":"<code>"}` (authenticationError,
apiLimitExceeded, requiredArgumentMissing, ...). Numbers are JSON numbers.

The error reply and the order shapes are in `kraken_replies`; the funding-history endpoints
in `kraken_funding`; this module routes and serves the orders, the positions, the accounts
and the instruments.
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.auth import AuthError, verify_kraken
from hedgetui.sim.rest.base import (
    BadParam,
    coin,
    iso_ms,
    json_reply,
    num,
    parse_bool,
    parse_float,
    template,
)
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.kraken_funding import KrakenFunding
from hedgetui.sim.rest.listing import DEFAULT_LEVERAGE, INSTRUMENTS, InstrumentSpec, instrument
from hedgetui.sim.rest.records import Fault, OrderRequest, Rejection

_PREFIX = "/derivatives/api/v3/"
_SEND_STATUS = {
    "duplicate_client_id": "clientOrderIdAlreadyExist",
    "reduce_only": "wouldNotReducePosition",
    "lot_size": "invalidSize",
    "bad_price": "invalidPrice",
    "unknown_symbol": "contractNotFound",
    "insufficient_margin": "insufficientAvailableFunds",
}
# orders/status has no recorded sample: shape from Kraken's docs text [U].
_ORDER_STATUS = {"new": "ENTERED_BOOK", "filled": "FULLY_EXECUTED", "canceled": "CANCELLED"}


def _zeroed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _zeroed(v) for k, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 0
    return value


class KrakenApi(KrakenFunding):
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
            upnl = self.unrealised(symbol)
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

    def instruments(self, req: HttpRequest) -> HttpResponse:
        """GET instruments (public): the inverse perpetuals, with their margin schedule."""
        rows = [_instrument_row(spec) for spec in INSTRUMENTS[self.venue].values()]
        return json_reply(
            {"result": "success", "instruments": rows, "serverTime": self.server_time()}
        )


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
