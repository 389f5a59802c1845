"""Deribit JSON-RPC over HTTP (api/v2): private/buy|sell, order state (by label / id),
get_position, get_account_summary.

Parameters as a GET query (`?instrument_name=..&amount=..`) or a POSTed JSON-RPC body whose
`params` object carries them. Amounts are USD (multiples of the contract size: 10 USD for
BTC-PERPETUAL, 1 USD for ETH-PERPETUAL); `contracts=` is accepted too. Labels are NOT unique.
Replies carry `usIn`/`usOut`/`usDiff`/`testnet` like live replies; errors are JSON-RPC error
objects (HTTP 400; 429 when throttled).

The envelope, the parameters and the row shapes are in `deribit_replies`; the funding-history
endpoints in `deribit_funding`; this module routes and serves the orders and the account.
"""

from __future__ import annotations

import secrets
from typing import Any

from hedgetui.sim.rest.auth import AuthError, verify_deribit, verify_deribit_client_signature
from hedgetui.sim.rest.base import BadParam, coin, num, parse_bool, template
from hedgetui.sim.rest.deribit_funding import DeribitFunding
from hedgetui.sim.rest.deribit_replies import number_param
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import INSTRUMENTS, MAX_LEVERAGE, InstrumentSpec, instrument
from hedgetui.sim.rest.records import Fault, OrderRequest, Rejection, time_in_force

_TIF = {"immediate_or_cancel": "IOC", "fill_or_kill": "FOK"}
_PREFIX = "/api/v2/private/"
_PUBLIC_AUTH = "/api/v2/public/auth"


class DeribitApi(DeribitFunding):
    venue = "deribit"

    def register_routes(self) -> None:
        for method in ("GET", "POST"):
            self.route(method, _PREFIX + "buy", self.buy, order=True)
            self.route(method, _PREFIX + "sell", self.sell, order=True)
            self.route(method, _PREFIX + "get_order_state_by_label", self.by_label, lookup=True)
            self.route(method, _PREFIX + "get_order_state", self.order_state)
            self.route(method, _PREFIX + "cancel_by_label", self.cancel_by_label)
            self.route(method, _PREFIX + "get_position", self.get_position)
            self.route(method, _PREFIX + "get_account_summary", self.account_summary)
        self.route("GET", _PUBLIC_AUTH, self.public_auth)
        self.route(
            "GET",
            "/api/v2/public/get_funding_rate_history",
            self.funding_history,
            public=True,
            history=True,
        )
        self.route(
            "GET",
            _PREFIX + "get_settlement_history_by_instrument",
            self.settlements,
            history=True,
        )
        for method in ("GET", "POST"):
            self.route(method, "/api/v2/public/get_time", self.server_time, public=True)
            self.route(method, "/api/v2/public/get_instruments", self.instruments, public=True)

    def authenticate(self, req: HttpRequest) -> None:
        if req.path == _PUBLIC_AUTH:  # signed in its parameters, not in a header
            verify_deribit_client_signature(req.query_params(), self.creds, self.clock.time())
            return
        verify_deribit(req, self.creds, self.clock.time())

    def public_auth(self, req: HttpRequest) -> HttpResponse:
        """``public/auth``: a token and the key's ``scope``; a read-only key has ``trade:read``."""
        trade = "trade:read" if self.accounts.read_only(self.venue) else "trade:read_write"
        return self.ok(
            req,
            {
                "access_token": secrets.token_urlsafe(24),
                "expires_in": 900,
                "refresh_token": secrets.token_urlsafe(24),
                "scope": f"account:read {trade} wallet:read",
                "enabled_features": [],
                "token_type": "bearer",
            },
        )

    def server_time(self, req: HttpRequest) -> HttpResponse:
        """public/get_time: the server's time in ms."""
        return self.ok(req, self.now_ms())

    def instruments(self, req: HttpRequest) -> HttpResponse:
        """public/get_instruments (currency, kind): the perpetual of the currency (futures)."""
        p = self.rpc_params(req)
        currency = str(p.get("currency") or "")
        if currency not in ("BTC", "ETH", "any"):
            raise BadParam("currency must be BTC, ETH or any")
        kind = str(p.get("kind") or "future")
        rows = [
            _instrument_row(spec)
            for spec in INSTRUMENTS[self.venue].values()
            if kind == "future" and currency in (spec.coin, "any")
        ]
        return self.ok(req, rows)

    def auth_error(self, err: AuthError) -> HttpResponse:
        if err.kind == "missing":
            return self.error(10000, "authorization_required", {"reason": err.detail}, 401)
        if err.kind == "bad_key":
            return self.error(13004, "invalid_credentials", None, 401)
        return self.error(13009, "unauthorized", {"reason": err.detail}, 401)

    def bad_request(self, message: str) -> HttpResponse:
        return self.error(-32602, "Invalid params", {"reason": message})

    def not_found(self, req: HttpRequest) -> HttpResponse:
        return self.error(-32601, "Method not found", None, 404)

    def reject_reply(self, req: HttpRequest, fault: Fault) -> HttpResponse:
        code = int(fault.params.get("code", 10009))
        return self.error(code, str(fault.params.get("message", "not_enough_funds")), req=req)

    def permission_reply(self, req: HttpRequest) -> HttpResponse:
        return self.error(
            13021, "forbidden", {"reason": "scope trade:read_write required"}, 403, req
        )

    def rate_limit_reply(self, req: HttpRequest) -> HttpResponse:
        return self.error(10028, "too_many_requests", None, 429, req)

    # -- handlers ----------------------------------------------------------------------------
    def buy(self, req: HttpRequest) -> HttpResponse:
        return self._order(req, "buy")

    def sell(self, req: HttpRequest) -> HttpResponse:
        return self._order(req, "sell")

    def _order(self, req: HttpRequest, side: str) -> HttpResponse:
        p = self.rpc_params(req)
        name = str(p.get("instrument_name") or "")
        spec = instrument(self.venue, name)
        if spec is None:
            return self.error(
                -32602, "Invalid params", {"reason": "wrong format", "param": "instrument_name"}
            )
        contracts = number_param(p, "contracts")
        amount = number_param(p, "amount")
        if amount is None and contracts is None:
            raise BadParam("amount or contracts is required")
        if (
            amount is not None
            and contracts is not None
            and amount != contracts * spec.contract_size
        ):
            raise BadParam("amount and contracts do not agree")
        qty = contracts if contracts is not None else (amount or 0.0) / spec.contract_size
        if qty <= 0 or not float(qty).is_integer():
            return self.error(
                -32602,
                "Invalid params",
                {"reason": f"must be a multiple of {num(spec.contract_size)}", "param": "amount"},
            )
        order_type = str(p.get("type") or "limit")
        if order_type not in ("market", "limit"):
            raise BadParam(f"type {order_type!r} is not supported by the simulator")
        price = number_param(p, "price")
        if order_type == "limit" and price is None:
            raise BadParam("price is required for a limit order")
        request = OrderRequest(
            symbol=spec.symbol,
            side="buy" if side == "buy" else "sell",
            qty=qty,
            order_type="market" if order_type == "market" else "limit",
            price=price,
            reduce_only=parse_bool(p.get("reduce_only", False)),
            client_id=str(p["label"]) if p.get("label") else None,
            time_in_force=time_in_force(_TIF.get(str(p.get("time_in_force") or ""), "")),
        )
        result = self.accounts.place_order(self.venue, request, self.mark(spec.symbol))
        if isinstance(result, Rejection) and result.reason == "bad_price":
            return self.error(
                -32602, "Invalid params", {"reason": "must be positive", "param": "price"}, req=req
            )
        if isinstance(result, Rejection) and result.reason == "insufficient_margin":
            return self.error(10009, "not_enough_funds", req=req)
        if isinstance(result, Rejection):
            # Deribit has no dedicated reduce-only code in its canonical list [U]: 11030
            # other_reject is its catch-all rejection.
            return self.error(11030, "other_reject", {"reason": result.detail}, req=req)
        reply = template(self.venue, "buy")["result"]
        reply["order"] = self.order_row(result)
        reply["trades"] = [self.trade_row(result)] if result.filled else []
        return self.ok(req, reply)

    def by_label(self, req: HttpRequest) -> HttpResponse:
        p = self.rpc_params(req)
        currency = str(p.get("currency") or "")
        if currency not in ("BTC", "ETH"):
            raise BadParam("currency must be BTC or ETH")
        label = str(p.get("label") or "")
        rows = [
            self.order_row(o)
            for o in self.accounts.find_by_client_id(self.venue, label)
            if o.symbol.startswith(currency)
        ]
        return self.ok(req, rows)

    def order_state(self, req: HttpRequest) -> HttpResponse:
        order_id = str(self.rpc_params(req).get("order_id") or "")
        for order in self.accounts.order_records(self.venue):
            if self._order_id(order) == order_id:
                return self.ok(req, self.order_row(order))
        return self.error(10004, "order_not_found", req=req)

    def cancel_by_label(self, req: HttpRequest) -> HttpResponse:
        """private/cancel_by_label (label): the number of orders cancelled (0 when none rests)."""
        cancelled = self.accounts.cancel(self.venue, str(self.rpc_params(req).get("label") or ""))
        return self.ok(req, 0 if cancelled is None else 1)

    def get_position(self, req: HttpRequest) -> HttpResponse:
        name = str(self.rpc_params(req).get("instrument_name") or "")
        spec = instrument(self.venue, name)
        if spec is None:
            return self.error(
                -32602, "Invalid params", {"reason": "wrong format", "param": "instrument_name"}
            )
        pos = self.accounts.position_record(self.venue, spec.symbol)
        mark = self.mark(spec.symbol)
        usd = pos.contracts * spec.contract_size
        upnl = self.unrealised(spec.symbol)
        row = template(self.venue, "position")["result"]
        leverage = self.accounts.leverage(self.venue, spec.symbol)
        row.update(
            average_price=num(pos.entry),
            delta=coin(usd / mark),
            direction="zero" if not usd else ("buy" if usd > 0 else "sell"),
            estimated_liquidation_price=None,
            floating_profit_loss=coin(upnl),
            index_price=mark,
            initial_margin=coin(abs(usd) / (pos.entry * leverage) if usd else 0.0),
            instrument_name=spec.symbol,
            leverage=num(leverage),
            maintenance_margin=0,
            mark_price=mark,
            open_orders_margin=0,
            realized_profit_loss=coin(pos.realised),
            settlement_price=mark,
            size=num(usd),
            size_currency=coin(usd / mark),
            total_profit_loss=coin(upnl + pos.realised),
        )
        return self.ok(req, row)

    def account_summary(self, req: HttpRequest) -> HttpResponse:
        currency = str(self.rpc_params(req).get("currency") or "")
        if currency not in ("BTC", "ETH"):
            raise BadParam("currency must be BTC or ETH")
        symbol = f"{currency}-PERPETUAL"
        balance = self.accounts.balance(self.venue, currency)
        upnl = self.unrealised(symbol)
        realised = self.accounts.position_record(self.venue, symbol).realised
        spec = instrument(self.venue, symbol)
        assert spec is not None
        delta = self.accounts.position(self.venue, symbol) * spec.contract_size / self.mark(symbol)
        row = template(self.venue, "account_summary")["result"]
        for key, value in list(row.items()):
            if key.startswith("options_"):
                row[key] = {k: 0 for k in value} if isinstance(value, dict) else 0
        index = f"{currency.lower()}_usd"
        equity = balance + upnl
        margin = self.accounts.margin(self.venue, currency, self.mark(symbol))
        row.update(
            delta_total_map={index: coin(delta)},
            margin_balance=coin(equity),
            futures_session_rpl=coin(realised),
            estimated_liquidation_ratio_map={index: 0},
            session_upl=coin(upnl),
            estimated_liquidation_ratio=0,
            available_withdrawal_funds=coin(
                min(margin.available, max(balance + min(upnl, 0.0), 0.0))
            ),
            projected_delta_total=coin(delta),
            maintenance_margin=0,
            total_pl=coin(upnl + realised),
            projected_maintenance_margin=0,
            available_funds=coin(margin.available),
            balance=coin(balance),
            equity=coin(equity),
            futures_session_upl=coin(upnl),
            currency=currency,
            projected_initial_margin=coin(margin.initial),
            futures_pl=coin(upnl + realised),
            initial_margin=coin(margin.initial),
            delta_total=coin(delta),
            session_rpl=coin(realised),
        )
        return self.ok(req, row)


def _instrument_row(spec: InstrumentSpec) -> dict[str, Any]:
    """One perpetual as public/get_instruments lists it (the docs' example)."""
    return {
        "tick_size": spec.tick_size,
        "tick_size_steps": [],
        "taker_commission": 0.0005,
        "settlement_period": "perpetual",
        "settlement_currency": spec.coin,
        "rfq": False,
        "quote_currency": "USD",
        "price_index": f"{spec.coin.lower()}_usd",
        "min_trade_amount": num(spec.contract_size),
        "max_liquidation_commission": 0.0075,
        "max_leverage": num(MAX_LEVERAGE[spec.venue]),
        "maker_commission": 0,
        "kind": "future",
        "is_active": True,
        "instrument_name": spec.symbol,
        "instrument_id": 124972 if spec.coin == "BTC" else 124950,
        "future_type": "reversed",
        "expiration_timestamp": 32503708800000,
        "creation_timestamp": 1534242287000,
        "counter_currency": "USD",
        "contract_size": num(spec.contract_size),
        "block_trade_tick_size": 0.01,
        "block_trade_min_trade_amount": 200000,
        "block_trade_commission": 0.00025,
        "base_currency": spec.coin,
        "instrument_type": "reversed",
    }
