"""Deribit JSON-RPC over HTTP (api/v2): private/buy|sell, order state (by label / id),
get_position, get_account_summary.

Parameters as a GET query (`?instrument_name=..&amount=..`) or a POSTed JSON-RPC body whose
`params` object carries them. Amounts are USD (multiples of the contract size: 10 USD for
BTC-PERPETUAL, 1 USD for ETH-PERPETUAL); `contracts=` is accepted too. Labels are NOT unique.
Replies carry `usIn`/`usOut`/`usDiff`/`testnet` like live replies; errors are JSON-RPC error
objects (HTTP 400; 429 when throttled).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from hedgetui.history.model import FundingRecord
from hedgetui.sim.rest.auth import AuthError, verify_deribit, verify_deribit_client_signature
from hedgetui.sim.rest.base import BadParam, VenueApi, coin, json_reply, num, parse_bool, template
from hedgetui.sim.rest.deribit_hours import shipped_hours
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import INSTRUMENTS, MAX_LEVERAGE, InstrumentSpec, instrument
from hedgetui.sim.rest.records import Fault, Order, OrderRequest, Rejection, time_in_force

_STATE = {"new": "open", "filled": "filled", "canceled": "cancelled"}
_TIF = {"immediate_or_cancel": "IOC", "fill_or_kill": "FOK"}
_TIF_NAME = {"IOC": "immediate_or_cancel", "FOK": "fill_or_kill", "GTC": "good_til_cancelled"}
_PREFIX = "/api/v2/private/"
_PUBLIC_AUTH = "/api/v2/public/auth"


class DeribitApi(VenueApi):
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

    # -- envelopes ---------------------------------------------------------------------------
    def _rpc_id(self, req: HttpRequest) -> Any:
        if req.method == "POST" and req.body:
            try:
                body = json.loads(req.body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                return None
            return body.get("id") if isinstance(body, dict) else None
        return None

    def _timing(self) -> dict[str, Any]:
        us = self.now_ms() * 1000
        return {"usIn": us, "usOut": us + 150, "usDiff": 150, "testnet": False}

    def ok(self, req: HttpRequest, result: Any) -> HttpResponse:
        body: dict[str, Any] = {"jsonrpc": "2.0"}
        rpc_id = self._rpc_id(req)
        if rpc_id is not None:
            body["id"] = rpc_id
        body["result"] = result
        body.update(self._timing())
        return json_reply(body)

    def error(
        self,
        code: int,
        message: str,
        data: dict[str, Any] | None = None,
        status: int = 400,
        req: HttpRequest | None = None,
    ) -> HttpResponse:
        err: dict[str, Any] = {"message": message, "code": code}
        if data is not None:
            err["data"] = data
        body: dict[str, Any] = {"jsonrpc": "2.0"}
        rpc_id = self._rpc_id(req) if req is not None else None
        if rpc_id is not None:
            body["id"] = rpc_id
        body["error"] = err
        body.update(self._timing())
        return json_reply(body, status)

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

    # -- parameters --------------------------------------------------------------------------
    def rpc_params(self, req: HttpRequest) -> dict[str, Any]:
        if req.method == "POST" and req.body:
            try:
                body = json.loads(req.body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise BadParam("request body is not valid JSON") from None
            if not isinstance(body, dict):
                raise BadParam("request body must be a JSON-RPC object")
            params = body.get("params", {})
            if not isinstance(params, dict):
                raise BadParam("params must be an object")
            return {**params, **req.query_params()}
        return dict(req.query_params())

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
        contracts = _number(p, "contracts")
        amount = _number(p, "amount")
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
        price = _number(p, "price")
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
        upnl = self._unrealised(spec.symbol)
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
        upnl = self._unrealised(symbol)
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

    def funding_history(self, req: HttpRequest) -> HttpResponse:
        """public/get_funding_rate_history: the hours with start <= timestamp <= end (both
        required), oldest first, at most :data:`FUNDING_ROWS` (the newest of the range); the
        shipped BTC-PERPETUAL rows verbatim where they cover the time, else the simulator's
        synthetic hours (index = the current mark)."""
        p = self.rpc_params(req)
        spec = instrument(self.venue, str(p.get("instrument_name") or ""))
        if spec is None:
            return self.error(
                -32602, "Invalid params", {"reason": "wrong format", "param": "instrument_name"}
            )
        start = _timestamp(p, "start_timestamp")
        end = _timestamp(p, "end_timestamp")
        records = self.accounts.funding.records(self.venue, spec.symbol, start, end, self.now_ms())
        return self.ok(req, [self.hour_row(r, spec.symbol) for r in records[-FUNDING_ROWS:]])

    def hour_row(self, record: FundingRecord, symbol: str) -> dict[str, Any]:
        shipped = shipped_hours().get(record.time_ms) if symbol == "BTC-PERPETUAL" else None
        if shipped is not None and shipped.interest_1h == record.rate:
            index, prev, rate_8h = (
                shipped.index_price,
                shipped.prev_index_price,
                shipped.interest_8h,
            )
        else:
            index = prev = self.mark(symbol)
            rate_8h = record.rate * 8
        return {
            "timestamp": record.time_ms,
            "index_price": index,
            "prev_index_price": prev,
            "interest_8h": rate_8h,
            "interest_1h": record.rate,
        }

    def settlements(self, req: HttpRequest) -> HttpResponse:
        """private/get_settlement_history_by_instrument (type=settlement): the account's daily
        08:00 UTC settlements of the perpetual, newest first from ``search_start_timestamp``,
        ``count`` per page (default 20, at most 1000) with a ``continuation`` token; each
        carries ``funding``, the session's funding in coin (credited positive)."""
        p = self.rpc_params(req)
        spec = instrument(self.venue, str(p.get("instrument_name") or ""))
        if spec is None:
            return self.error(
                -32602, "Invalid params", {"reason": "wrong format", "param": "instrument_name"}
            )
        if str(p.get("type") or "settlement") != "settlement":
            return self.ok(req, {"settlements": [], "continuation": "none"})
        count = int(_number(p, "count") or 20)
        if not 1 <= count <= 1000:
            raise BadParam("count must be between 1 and 1000")
        now = self.now_ms()
        newest = int(_number(p, "search_start_timestamp") or now)
        if p.get("continuation"):
            newest = _continuation(str(p["continuation"]))
        pos = self.accounts.position_record(self.venue, spec.symbol)
        mark = self.mark(spec.symbol)
        value = pos.contracts * spec.contract_size / mark if mark > 0 else 0.0
        by_day: dict[int, float] = {}
        oldest = newest - count * _DAY_MS
        for record, amount in self.accounts.funding.payments(
            self.venue, spec.symbol, lambda: value, pos.updated_ms, oldest - _DAY_MS, newest, now
        ):
            day = _settlement_at(record.time_ms)
            if day <= min(newest, now):
                by_day[day] = by_day.get(day, 0.0) + amount
        days = sorted((d for d in by_day if d > oldest), reverse=True)[:count]
        rows = [self.settlement_row(spec, d, by_day[d], pos.contracts, mark) for d in days]
        more = len(days) == count and days[-1] > pos.updated_ms
        token = _token(days[-1] - 1) if more else "none"
        return self.ok(req, {"settlements": rows, "continuation": token})

    def settlement_row(
        self, spec: InstrumentSpec, day_ms: int, funding: float, contracts: float, mark: float
    ) -> dict[str, Any]:
        return {
            "type": "settlement",
            "timestamp": day_ms,
            "session_profit_loss": coin(funding),
            "profit_loss": 0,
            "position": num(contracts * spec.contract_size),
            "mark_price": mark,
            "instrument_name": spec.symbol,
            "index_price": mark,
            "funding": coin(funding),
        }

    # -- shapes ------------------------------------------------------------------------------
    def _unrealised(self, symbol: str) -> float:
        spec = instrument(self.venue, symbol)
        assert spec is not None
        pos = self.accounts.position_record(self.venue, symbol)
        if not pos.contracts:
            return 0.0
        side = 1 if pos.contracts > 0 else -1
        usd = abs(pos.contracts) * spec.contract_size
        return usd * (1 / pos.entry - 1 / self.mark(symbol)) * side

    def _order_id(self, order: Order) -> str:
        return order.order_id if order.symbol.startswith("BTC") else f"ETH-{order.order_id}"

    def order_row(self, order: Order) -> dict[str, Any]:
        spec = instrument(self.venue, order.symbol)
        assert spec is not None
        row: dict[str, Any] = template(self.venue, "buy")["result"]["order"]
        price = order.price if order.price is not None else order.avg_price
        row.update(
            time_in_force=_TIF_NAME[order.time_in_force],
            reduce_only=order.reduce_only,
            price=price,
            order_type=order.order_type,
            order_state=_STATE[order.status],
            order_id=self._order_id(order),
            max_show=num(order.qty * spec.contract_size),
            last_update_timestamp=order.updated_ms,
            label=order.client_id or "",
            instrument_name=order.symbol,
            filled_amount=num(order.filled * spec.contract_size),
            direction=order.side,
            creation_timestamp=order.created_ms,
            average_price=order.avg_price or 0,
            api=True,
            amount=num(order.qty * spec.contract_size),
        )
        return row

    def trade_row(self, order: Order) -> dict[str, Any]:
        spec = instrument(self.venue, order.symbol)
        assert spec is not None
        row: dict[str, Any] = template(self.venue, "buy")["result"]["trades"][0]
        row.update(
            trade_seq=order.seq,
            trade_id=f"{'' if order.symbol.startswith('BTC') else 'ETH-'}{9_000_000 + order.seq}",
            timestamp=order.updated_ms,
            state="filled",
            reduce_only=order.reduce_only,
            price=order.avg_price,
            order_type=order.order_type,
            order_id=self._order_id(order),
            mark_price=order.avg_price,
            label=order.client_id or "",
            instrument_name=order.symbol,
            index_price=order.avg_price,
            fee_currency=spec.coin,
            fee=0,
            direction=order.side,
            amount=num(order.filled * spec.contract_size),
        )
        return row


FUNDING_ROWS = 744  # a funding-history call returns at most 744 hours (31 days)
_DAY_MS = 86_400_000
_SETTLEMENT_HOUR_MS = 8 * 3_600_000  # Deribit settles daily at 08:00 UTC


def _settlement_at(time_ms: int) -> int:
    """The daily 08:00 UTC settlement that books the funding accrued at ``time_ms``."""
    return -((_SETTLEMENT_HOUR_MS - time_ms) // _DAY_MS) * _DAY_MS + _SETTLEMENT_HOUR_MS


def _token(before_ms: int) -> str:
    return f"t{before_ms}"


def _continuation(token: str) -> int:
    if not token.startswith("t") or not token[1:].isdigit():
        raise BadParam("continuation is not a token this server issued")
    return int(token[1:])


def _timestamp(params: dict[str, Any], name: str) -> int:
    value = _number(params, name)
    if value is None:
        raise BadParam(f"missing {name}")
    return int(value)


def _number(params: dict[str, Any], name: str) -> float | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise BadParam(f"{name} must be a number, got {raw!r}") from None


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
