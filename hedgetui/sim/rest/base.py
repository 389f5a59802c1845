"""What every simulated venue shares: routing, auth, fault injection, reply templates.

A venue module subclasses `VenueApi`, declares its routes (method, path) -> handler, and
implements the venue's own error replies (auth, bad request, reject, throttle, not found).
Order routes (`order=True`) are where injected faults apply, in this order: `reject`,
`http_500` and `rate_limit` answer without executing; `lost_reply` and `timeout` execute the
order and then drop the connection or reply late. Lookup routes (`lookup=True`: the query of
an order by client id) take the `lookup_*` faults: `lookup_http_500` (a bare 500),
`lookup_timeout` (the answer, late) and `lookup_not_found` (the venue's own "no such order"
although the order exists: its query lags behind the engine).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, ClassVar

from hedgetui.clock import Clock
from hedgetui.history.model import FundingRecord
from hedgetui.sim.rest.accounts import SimAccounts
from hedgetui.sim.rest.auth import AuthError, Credentials
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import instrument
from hedgetui.sim.rest.records import Fault, inverse_pnl

MarkFn = Callable[[str], float]
RouteHandler = Callable[[HttpRequest], HttpResponse]

HTML_500 = (
    b"<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n"
    b"<center><h1>500 Internal Server Error</h1></center>\r\n</body>\r\n</html>\r\n"
)


class BadParam(Exception):
    """A request parameter is missing or malformed; the message names it."""


@dataclass(frozen=True, slots=True)
class Route:
    handler: RouteHandler
    order: bool = False  # order placement: the order faults apply
    lookup: bool = False  # an order's lookup by client id: the lookup faults apply
    public: bool = False  # market data (instruments, server time): no signature asked
    history: bool = False  # a funding-history endpoint: counted, and the `throttle` hook


@cache
def _template_text(venue: str, name: str) -> str:
    return (resources.files("hedgetui.sim.rest") / "templates" / venue / f"{name}.json").read_text(
        encoding="utf-8"
    )


def template(venue: str, name: str) -> Any:
    """A fresh copy of a real reply sample (key order preserved) to fill in."""
    return json.loads(_template_text(venue, name))


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def json_reply(
    obj: Any, status: int = 200, headers: tuple[tuple[str, str], ...] = ()
) -> HttpResponse:
    return HttpResponse(status, dumps(obj), headers=headers)


def iso_ms(ms: int) -> str:
    """2021-02-24T12:21:59.150Z"""
    when = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def num(value: float) -> float | int:
    """Whole numbers as ints (100, not 100.0), as the venues print contract counts."""
    return int(value) if float(value).is_integer() else value


def coin(value: float) -> float:
    """A coin amount as the venues print it: no binary-float tail (0.0075, not 0.00749999..)."""
    return round(value, 10)


def dec(value: float, places: int = 8) -> str:
    """A decimal string with trailing zeros trimmed ("0.00241969", "27464.5", "0")."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_float(params: dict[str, Any], name: str, required: bool = True) -> float | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise BadParam(f"missing {name}")
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise BadParam(f"parameter {name} must be a number, got {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadParam(f"parameter {name} must be finite")
    return value


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() == "true"


class VenueApi(ABC):
    venue: ClassVar[str]

    def __init__(
        self, accounts: SimAccounts, mark: MarkFn, creds: Credentials, clock: Clock
    ) -> None:
        self.accounts = accounts
        self.mark = mark
        self.creds = creds
        self.clock = clock
        self.routes: dict[tuple[str, str], Route] = {}
        self.register_routes()

    # -- to implement per venue --------------------------------------------------------------
    @abstractmethod
    def register_routes(self) -> None: ...

    @abstractmethod
    def authenticate(self, req: HttpRequest) -> None:
        """Raise AuthError if the request is not signed correctly."""

    @abstractmethod
    def auth_error(self, err: AuthError) -> HttpResponse: ...

    @abstractmethod
    def bad_request(self, message: str) -> HttpResponse: ...

    @abstractmethod
    def not_found(self, req: HttpRequest) -> HttpResponse: ...

    @abstractmethod
    def reject_reply(self, req: HttpRequest, fault: Fault) -> HttpResponse:
        """The venue's own refusal of an order (the `reject` fault)."""

    @abstractmethod
    def rate_limit_reply(self, req: HttpRequest) -> HttpResponse: ...

    @abstractmethod
    def permission_reply(self, req: HttpRequest) -> HttpResponse:
        """The venue's refusal of an order sent with a read-only key."""

    # -- shared ------------------------------------------------------------------------------
    def now_ms(self) -> int:
        return int(self.clock.time() * 1000)

    def unrealised(self, symbol: str) -> float:
        """The position's unrealised PnL in coin at the current mark (0 when flat or unlisted)."""
        spec = instrument(self.venue, symbol)
        if spec is None:
            return 0.0
        pos = self.accounts.position_record(self.venue, spec.symbol)
        if not pos.contracts:
            return 0.0
        side = 1 if pos.contracts > 0 else -1
        usd = abs(pos.contracts) * spec.contract_size
        return inverse_pnl(usd, pos.entry, self.mark(spec.symbol), side)

    def route(
        self,
        method: str,
        path: str,
        handler: RouteHandler,
        order: bool = False,
        *,
        lookup: bool = False,
        public: bool = False,
        history: bool = False,
    ) -> None:
        self.routes[(method, path)] = Route(handler, order, lookup, public, history)

    async def handle(self, req: HttpRequest) -> HttpResponse:
        route = self.routes.get((req.method, req.path))
        if route is None:
            return self.not_found(req)
        if route.history and self.accounts.funding.take_request(self.venue):
            return self.rate_limit_reply(req)
        try:
            if not route.public:
                self.authenticate(req)
        except AuthError as err:
            return self.auth_error(err)
        if route.public:
            try:
                return route.handler(req)
            except BadParam as exc:
                return self.bad_request(str(exc))
        self.accounts.match_resting(self.venue, self.mark)
        if route.lookup and (slip := self.accounts.take_fault(self.venue, lookup=True)):
            return self.faulted_lookup(req, route, slip)
        if route.order and self.accounts.read_only(self.venue):
            return self.permission_reply(req)
        fault = self.accounts.take_fault(self.venue) if route.order else None
        try:
            if fault is not None and fault.kind == "reject":
                return self.reject_reply(req, fault)
            if fault is not None and fault.kind == "http_500":
                return HttpResponse(500, HTML_500, "text/html")
            if fault is not None and fault.kind == "rate_limit":
                return self.rate_limit_reply(req)
            response = route.handler(req)
        except BadParam as exc:
            response = self.bad_request(str(exc))
        if fault is not None and fault.kind == "lost_reply":
            return HttpResponse(0, drop=True)
        if fault is not None and fault.kind == "timeout":
            return replace(response, delay=float(fault.params.get("delay", 5.0)))
        return response

    # -- funding history (every venue's history endpoints) -----------------------------------
    def funding_records(self, symbol: str, start_ms: int, end_ms: int) -> list[FundingRecord]:
        """The funding events of ``symbol`` with ``start_ms <= time <= end_ms`` (up to now)."""
        return self.accounts.funding.records(self.venue, symbol, start_ms, end_ms, self.now_ms())

    def funding_payments(
        self, symbol: str, start_ms: int, end_ms: int
    ) -> list[tuple[FundingRecord, float]]:
        """(event, coin amount the account received: negative when it paid) for each funding
        time in ``[start_ms, end_ms]`` since the account's position was last set, valued at
        the current mark."""
        spec = instrument(self.venue, symbol)
        if spec is None:
            return []
        pos = self.accounts.position_record(self.venue, spec.symbol)

        def value() -> float:
            return pos.contracts * spec.contract_size / self.mark(spec.symbol)

        return self.accounts.funding.payments(
            self.venue, spec.symbol, value, pos.updated_ms, start_ms - 1, end_ms, self.now_ms()
        )

    def faulted_lookup(self, req: HttpRequest, route: Route, fault: Fault) -> HttpResponse:
        if fault.kind == "lookup_http_500":
            return HttpResponse(500, HTML_500, "text/html")
        try:
            if fault.kind == "lookup_not_found":
                with self.accounts.lagging(self.venue):
                    return route.handler(req)
            return replace(route.handler(req), delay=float(fault.params.get("delay", 5.0)))
        except BadParam as exc:
            return self.bad_request(str(exc))

    def params(self, req: HttpRequest) -> dict[str, Any]:
        """Query and form/JSON body parameters merged (the query wins, as on Binance)."""
        body: dict[str, Any] = {}
        if req.body:
            ctype = req.header("content-type") or ""
            text = req.body.decode("utf-8", "replace").strip()
            if "json" in ctype or text.startswith("{"):
                try:
                    loaded = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise BadParam(f"request body is not valid JSON: {exc.msg}") from None
                if not isinstance(loaded, dict):
                    raise BadParam("request body must be a JSON object")
                body = loaded
            else:
                body = dict(req.form_params())
        return {**body, **req.query_params()}
