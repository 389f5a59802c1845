"""OKX v5 REST: trade/order (place and query), account/positions, account/balance.

Replies are `{"code":"0","msg":"","data":[..]}` with every number as a string. A refused
single order comes back as HTTP 200, top-level code "1" "All operations failed", the reason
in `data[0].sCode`/`sMsg` (recorded samples). Auth errors are HTTP 401 `{"msg","code"}`.

The reply shapes are in `okx_replies`; the funding-history endpoints in `okx_funding`; this
module routes and serves the orders, the account and the instruments.
"""

from __future__ import annotations

import json
from typing import Any

from hedgetui.sim.rest.auth import AuthError, verify_okx
from hedgetui.sim.rest.base import BadParam, dec, json_reply, parse_bool, parse_float, template
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import INSTRUMENTS, MAX_LEVERAGE, InstrumentSpec, instrument
from hedgetui.sim.rest.okx_funding import OkxFunding
from hedgetui.sim.rest.records import Fault, OrderRequest, Rejection

_BATCH = "/api/v5/trade/batch-orders"
_TYPES = {"market", "limit", "ioc", "fok", "post_only", "optimal_limit_ioc"}
_REJECT = {
    "duplicate_client_id": ("51016", "Client order ID already exists."),
    "lot_size": ("51121", "Order quantity must be a multiple of the lot size."),
    "bad_price": ("51000", "Parameter px error"),  # as live replies show it
    "unknown_symbol": ("51001", "Instrument ID does not exist."),
}
# 51008 as a live swap order is refused for margin ("Insufficient USDT margin in account").
_INSUFFICIENT = "Order failed. Insufficient {} margin in account"
_NO_POSITION = (
    "51169",
    "Order failed because you don't have any positions in this direction for this contract "
    "to reduce or close.",
)
_SAME_DIRECTION = (
    "51170",
    "Order failed. A reduce-only order can't be the same trading direction as your existing "
    "positions.",
)


def _plain(code: str, msg: str, status: int = 200) -> HttpResponse:
    return json_reply({"msg": msg, "code": code}, status)


class OkxApi(OkxFunding):
    venue = "okx"

    def register_routes(self) -> None:
        self.route("POST", "/api/v5/trade/order", self.place_order, order=True)
        self.route("POST", _BATCH, self.batch_orders, order=True)
        self.route("GET", "/api/v5/trade/order", self.get_order, lookup=True)
        self.route("POST", "/api/v5/trade/cancel-order", self.cancel_order)
        self.route("GET", "/api/v5/account/positions", self.positions)
        self.route("GET", "/api/v5/account/balance", self.balance)
        self.route("GET", "/api/v5/account/config", self.account_config)
        self.route("POST", "/api/v5/account/set-leverage", self.set_leverage)
        self.route("GET", "/api/v5/account/leverage-info", self.leverage_info)
        self.route("GET", "/api/v5/public/time", self.server_time, public=True)
        self.route(
            "GET",
            "/api/v5/public/funding-rate-history",
            self.funding_rate_history,
            public=True,
            history=True,
        )
        self.route("GET", "/api/v5/account/bills-archive", self.bills_archive, history=True)
        self.route("GET", "/api/v5/public/instruments", self.instruments, public=True)

    def authenticate(self, req: HttpRequest) -> None:
        verify_okx(req, self.creds, self.clock.time())

    def auth_error(self, err: AuthError) -> HttpResponse:
        code, msg = {
            "bad_key": ("50111", "Invalid OK-ACCESS-KEY"),
            "bad_passphrase": ("50105", "Invalid OK-ACCESS-PASSPHRASE"),
            "expired": ("50102", "Timestamp request expired"),
            "missing": ("50103", f"Request header {err.detail}"),
        }.get(err.kind, ("50113", "Invalid Sign"))
        if err.kind == "missing" and "PASSPHRASE" in err.detail:
            code, msg = "50104", "Request header OK-ACCESS-PASSPHRASE cannot be empty."
        return _plain(code, msg, 401)

    def bad_request(self, message: str) -> HttpResponse:
        return json_reply({"code": "51000", "data": [], "msg": message})

    def not_found(self, req: HttpRequest) -> HttpResponse:
        return _plain("404", "Not Found", 404)

    def reject_reply(self, req: HttpRequest, fault: Fault) -> HttpResponse:
        code = str(fault.params.get("code", "51008"))
        msg = str(fault.params.get("message", "Order failed. Insufficient BTC balance in account."))
        orders = self.batch_params(req) if req.path == _BATCH else [self.params(req)]
        return self.orders_reply(
            [self.order_result(str(p.get("clOrdId") or ""), "", code, msg) for p in orders]
        )

    def permission_reply(self, req: HttpRequest) -> HttpResponse:
        return _plain("50120", "API key doesn't have permission.", 401)  # [U] exact text

    def account_config(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v5/account/config: ``perm`` is the calling key's permissions."""
        perm = "read_only" if self.accounts.read_only(self.venue) else "read_only,trade"
        row = {
            "acctLv": "2",
            "autoLoan": False,
            "ctIsoMode": "automatic",
            "greeksType": "PA",
            "ip": "",
            "label": "hedgetui demo",
            "level": "Lv1",
            "mainUid": "44705892343619584",
            "mgnIsoMode": "automatic",
            "perm": perm,
            "posMode": "net_mode",
            "uid": "44705892343619584",
        }
        return json_reply({"code": "0", "data": [row], "msg": ""})

    def server_time(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v5/public/time."""
        return json_reply({"code": "0", "data": [{"ts": str(self.now_ms())}], "msg": ""})

    def instruments(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v5/public/instruments?instType=SWAP: the inverse swaps (other types: none)."""
        q = req.query_params()
        inst_type = q.get("instType") or ""
        if not inst_type:
            raise BadParam("Parameter instType can not be empty.")
        rows = [
            _instrument_row(spec)
            for symbol, spec in INSTRUMENTS[self.venue].items()
            if inst_type == "SWAP" and q.get("instId", symbol) == symbol
        ]
        return json_reply({"code": "0", "data": rows, "msg": ""})

    def _leverage_row(self, inst_id: str, mgn_mode: str) -> dict[str, str]:
        lever = dec(self.accounts.leverage(self.venue, inst_id))
        return {"instId": inst_id, "lever": lever, "mgnMode": mgn_mode, "posSide": "net"}

    def set_leverage(self, req: HttpRequest) -> HttpResponse:
        """POST /api/v5/account/set-leverage (instId, lever, mgnMode)."""
        p = self.params(req)
        inst_id = str(p.get("instId") or "")
        if not instrument(self.venue, inst_id):
            return json_reply({"code": "51001", "data": [], "msg": "Instrument ID does not exist."})
        mgn_mode = str(p.get("mgnMode") or "")
        if mgn_mode not in ("cross", "isolated"):
            raise BadParam("Parameter mgnMode error")
        try:
            self.accounts.set_leverage(self.venue, inst_id, parse_float(p, "lever") or 0.0)
        except ValueError:
            return json_reply({"code": "51000", "data": [], "msg": "Parameter lever error"})
        return json_reply({"code": "0", "data": [self._leverage_row(inst_id, mgn_mode)], "msg": ""})

    def leverage_info(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v5/account/leverage-info (instId, mgnMode)."""
        q = req.query_params()
        ids = [i for i in (q.get("instId") or "").split(",") if i]
        if not ids or not all(instrument(self.venue, i) for i in ids):
            return json_reply({"code": "51001", "data": [], "msg": "Instrument ID does not exist."})
        mgn_mode = q.get("mgnMode") or "cross"
        rows = [self._leverage_row(i, mgn_mode) for i in ids]
        return json_reply({"code": "0", "data": rows, "msg": ""})

    def rate_limit_reply(self, req: HttpRequest) -> HttpResponse:
        return _plain("50011", "Too Many Requests", 429)

    # -- handlers ----------------------------------------------------------------------------
    def place_order(self, req: HttpRequest) -> HttpResponse:
        return self.orders_reply([self.place_one(self.params(req))])

    def batch_orders(self, req: HttpRequest) -> HttpResponse:
        """POST /api/v5/trade/batch-orders: a JSON array of up to 20 orders, each placed as
        by /trade/order and answered in order (a malformed one gets sCode 51000)."""
        orders = self.batch_params(req)
        rows = []
        for p in orders:
            try:
                rows.append(self.place_one(p))
            except BadParam as exc:
                rows.append(self.order_result(str(p.get("clOrdId") or ""), "", "51000", str(exc)))
        return self.orders_reply(rows)

    def batch_params(self, req: HttpRequest) -> list[dict[str, Any]]:
        try:
            loaded = json.loads(req.body or b"[]")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BadParam("request body is not valid JSON") from None
        if not isinstance(loaded, list) or not all(isinstance(o, dict) for o in loaded):
            raise BadParam("the body must be a JSON array of orders")
        if not 1 <= len(loaded) <= 20:
            raise BadParam(f"a batch holds 1 to 20 orders, got {len(loaded)}")
        return loaded

    def place_one(self, p: dict[str, Any]) -> dict[str, str]:
        """Place one order (its parameters); its entry of the reply's ``data``."""
        inst_id = str(p.get("instId") or "")
        if not inst_id:
            raise BadParam("Parameter instId can not be empty.")
        side = str(p.get("side") or "")
        if side not in ("buy", "sell"):
            raise BadParam("Parameter side error")
        ord_type = str(p.get("ordType") or "")
        if ord_type not in _TYPES:
            raise BadParam("Parameter ordType error")
        if not p.get("tdMode"):
            raise BadParam("Parameter tdMode can not be empty.")
        qty = parse_float(p, "sz") or 0.0
        is_market = ord_type in ("market", "optimal_limit_ioc")
        price = None if is_market else parse_float(p, "px")
        cl_ord_id = str(p.get("clOrdId") or "")
        reduce_only = parse_bool(p.get("reduceOnly", False))
        request = OrderRequest(
            symbol=inst_id,
            side="buy" if side == "buy" else "sell",
            qty=qty,
            order_type="market" if is_market else "limit",
            price=price,
            reduce_only=reduce_only,
            client_id=cl_ord_id or None,
            time_in_force="IOC"
            if ord_type in ("ioc", "optimal_limit_ioc")
            else ("FOK" if ord_type == "fok" else "GTC"),
        )
        spec = instrument(self.venue, inst_id)
        mark = self.mark(inst_id) if spec else 0.0
        held = self.accounts.position(self.venue, inst_id) if spec else 0
        result = self.accounts.place_order(self.venue, request, mark)
        if isinstance(result, Rejection):
            if result.reason == "reduce_only":
                same = (held > 0 and side == "buy") or (held < 0 and side == "sell")
                refusal = _SAME_DIRECTION if same else _NO_POSITION
            elif result.reason == "insufficient_margin":
                refusal = ("51008", _INSUFFICIENT.format(spec.coin if spec else "BTC"))
            else:
                refusal = _REJECT[result.reason]
            return self.order_result(cl_ord_id, "", *refusal)
        row = self.order_result(result.client_id or "", result.order_id, "0", "Order placed")
        row["ts"] = str(result.created_ms)
        return row

    def get_order(self, req: HttpRequest) -> HttpResponse:
        q = req.query_params()
        inst_id = q.get("instId") or ""
        if not inst_id:
            raise BadParam("Parameter instId can not be empty.")
        orders = [o for o in self.accounts.order_records(self.venue) if o.symbol == inst_id]
        if q.get("ordId"):
            found = [o for o in orders if o.order_id == q["ordId"]]
        elif q.get("clOrdId"):
            found = [o for o in orders if o.client_id == q["clOrdId"]]
        else:
            raise BadParam("Either parameter ordId or clOrdId is required.")
        if not found:
            return json_reply({"code": "51603", "data": [], "msg": "Order does not exist."})
        body = template(self.venue, "order_details")
        body["data"] = [self.order_row(found[-1])]  # the latest if an id was reused
        return json_reply(body)

    def cancel_order(self, req: HttpRequest) -> HttpResponse:
        """POST /api/v5/trade/cancel-order (instId, clOrdId): sCode 0, or 51400 when it
        is filled, cancelled or unknown."""
        p = self.params(req)
        cl_ord_id = str(p.get("clOrdId") or "")
        cancelled = self.accounts.cancel(self.venue, cl_ord_id)
        if cancelled is None or cancelled.symbol != p.get("instId"):
            msg = (
                "Order cancellation failed as the order has been filled, canceled or does not exist"
            )
            return json_reply(
                {
                    "code": "1",
                    "data": [{"clOrdId": cl_ord_id, "ordId": "", "sCode": "51400", "sMsg": msg}],
                    "msg": "",
                }
            )
        row = {"clOrdId": cl_ord_id, "ordId": cancelled.order_id, "sCode": "0", "sMsg": ""}
        return json_reply({"code": "0", "data": [row], "msg": ""})

    def positions(self, req: HttpRequest) -> HttpResponse:
        q = req.query_params()
        inst_type = q.get("instType") or ""
        if inst_type and inst_type != "SWAP":
            return json_reply({"code": "0", "data": [], "msg": ""})
        wanted = [s for s in (q.get("instId") or "").split(",") if s]
        for inst_id in wanted:
            if not instrument(self.venue, inst_id):
                return json_reply(
                    {"code": "51001", "data": [], "msg": "Instrument ID does not exist."}
                )
        symbols = wanted or list(INSTRUMENTS[self.venue])
        rows = [self.position_row(s) for s in symbols if self.accounts.position(self.venue, s) != 0]
        body = template(self.venue, "positions")
        body["data"] = rows
        return json_reply(body)

    def balance(self, req: HttpRequest) -> HttpResponse:
        ccys = [c.strip().upper() for c in (req.query_params().get("ccy") or "BTC,ETH").split(",")]
        body = template(self.venue, "balance")
        account = body["data"][0]
        detail_template = account["details"][0]
        details = [self.balance_row(dict(detail_template), c) for c in ccys if c in ("BTC", "ETH")]
        total_usd = sum(float(d["eqUsd"]) for d in details)
        upl_usd = sum(float(d["upl"]) * self.mark(f"{d['ccy']}-USD-SWAP") for d in details)
        account.update(
            adjEq=dec(total_usd),
            details=details,
            imr="0",
            mgnRatio="",
            mmr="0",
            notionalUsd="0",
            totalEq=dec(total_usd),
            uTime=str(self.now_ms()),
            upl=dec(upl_usd),
        )
        return json_reply(body)


def _instrument_row(spec: InstrumentSpec) -> dict[str, str]:
    """One inverse swap as /api/v5/public/instruments lists it (the docs' example)."""
    family = f"{spec.coin}-USD"
    return {
        "alias": "",
        "baseCcy": "",
        "category": "1",
        "ctMult": "1",
        "ctType": "inverse",
        "ctVal": dec(spec.contract_size),
        "ctValCcy": "USD",
        "expTime": "",
        "instFamily": family,
        "instId": spec.symbol,
        "instType": "SWAP",
        "lever": dec(MAX_LEVERAGE[spec.venue]),
        "listTime": "1606468572000",
        "lotSz": dec(spec.lot_size),
        "maxIcebergSz": "100000000",
        "maxLmtAmt": "20000000",
        "maxLmtSz": "100000000",
        "maxMktAmt": "",
        "maxMktSz": "10000",
        "maxStopSz": "10000",
        "maxTriggerSz": "100000000",
        "maxTwapSz": "100000000",
        "minSz": dec(spec.lot_size),
        "optType": "",
        "quoteCcy": "",
        "ruleType": "normal",
        "settleCcy": spec.coin,
        "state": "live",
        "stk": "",
        "tickSz": dec(spec.tick_size),
        "uly": family,
    }
