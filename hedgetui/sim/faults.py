"""Fault kinds and their parameters, validated into one typed value (pure, no I/O).

The same names are used by ``Simulator.fault``, the HTTP control channel and the stdin
commands of ``hedgetui sim``. Parameters may arrive as strings (from a URL or a terminal);
they are converted here, and anything wrong gets one clear message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus

FAULT_KINDS: dict[str, str] = {
    "drop": "close every open connection of the venue abruptly (no close frame)",
    "stall": "stay open but send nothing and answer no pings; seconds=N (default: until resume)",
    "resume": "end a stall",
    "garbage": "send count=N malformed frames (default 1), then carry on",
    "accept_then_close": (
        "enabled=1/0: accept new connections, then close them at once (with code=N, reason=TEXT)"
    ),
    "reject_upgrade": (
        "answer new connections' websocket upgrade with HTTP status=N (400-599; 0 = off)"
    ),
    "close_code": "close current connections with code=N (1000-4999) and reason=TEXT",
    "slow": "delay=SECONDS added before every outgoing frame (0 = off)",
    "delist": (
        "symbol=S enabled=1/0: new subscriptions to S are answered as an unknown symbol "
        "(the venue's own error; Deribit leaves it out, Binance streams nothing)"
    ),
    "jump": "move the price path of coin=BTC|ETH (default BTC) by pct=N percent, all venues",
    "maintenance": "planned maintenance: the venue's notice (if any), then its close code",
    # REST order faults: each applies to the next count=N (default 1) order requests
    "order_reject": "refuse the next count=N orders with the venue's own error (code=, message=)",
    "order_lost_reply": "execute the next count=N orders, then drop the connection unanswered",
    "order_timeout": "execute the next count=N orders, reply after delay=SECONDS (default 5)",
    "order_http_500": "answer the next count=N orders with a bare HTTP 500, executing nothing",
    "order_rate_limit": "answer the next count=N orders with the venue's rate-limit reply",
    # REST lookup faults: each applies to the next count=N order lookups (by client id)
    "lookup_timeout": "answer the next count=N order lookups after delay=SECONDS (default 5)",
    "lookup_http_500": "answer the next count=N order lookups with a bare HTTP 500",
    "lookup_not_found": "the next count=N order lookups find nothing (the query lags the engine)",
}
FAULT_PARAMS: dict[str, tuple[str, ...]] = {  # fault kind -> its parameters, in command order
    "drop": (),
    "stall": ("seconds",),
    "resume": (),
    "garbage": ("count",),
    "accept_then_close": ("enabled", "code", "reason"),
    "reject_upgrade": ("status",),
    "close_code": ("code", "reason"),
    "slow": ("delay",),
    "delist": ("symbol", "enabled"),
    "jump": ("pct", "coin"),
    "maintenance": (),
    "order_reject": ("count", "code", "message"),
    "order_lost_reply": ("count",),
    "order_timeout": ("count", "delay"),
    "order_http_500": ("count",),
    "order_rate_limit": ("count",),
    "lookup_timeout": ("count", "delay"),
    "lookup_http_500": ("count",),
    "lookup_not_found": ("count",),
}
ORDER_PREFIX = "order_"
LOOKUP_PREFIX = "lookup_"
ORDER_TIMEOUT_DEFAULT_S = 5.0
MAX_COUNT = 10_000
# close codes websockets lets a server send (RFC 6455 §7.4 minus reserved ones)
_SENDABLE_CODES = frozenset({1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013})


class FaultError(ValueError):
    """A fault request that cannot be applied; the message says why."""


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    seconds: float | None = None  # stall
    count: int = 1  # garbage, order_*
    enabled: bool = True  # accept_then_close
    code: int = 1000  # close_code, accept_then_close
    reason: str = ""  # close_code, accept_then_close
    status: int = 0  # reject_upgrade: the HTTP status (0 = off)
    symbol: str = ""  # delist
    delay: float = 0.0  # slow
    pct: float = 0.0  # jump
    coin: str = "BTC"  # jump
    reject_code: int | None = None  # order_reject: the venue's error code (None: its default)
    message: str | None = None  # order_reject: the venue's error text (None: its default)

    @property
    def is_order_fault(self) -> bool:
        """A fault of the REST order API (``order_*``, ``lookup_*``), not of the websockets."""
        return is_order_fault(self.kind)

    def rest_injection(self) -> tuple[str, dict[str, float | int | str]]:
        """``(fault, params)`` for ``SimAccounts.inject(venue, fault, count, **params)``."""
        params: dict[str, float | int | str] = {}
        if self.kind == "order_reject":
            if self.reject_code is not None:
                params["code"] = self.reject_code
            if self.message is not None:
                params["message"] = self.message
        elif self.kind in ("order_timeout", "lookup_timeout"):
            params["delay"] = self.delay
        return self.kind.removeprefix(ORDER_PREFIX), params


def is_order_fault(kind: str) -> bool:
    """Placement (``order_*``) and lookup (``lookup_*``) faults of the REST side."""
    return kind.startswith((ORDER_PREFIX, LOOKUP_PREFIX)) and kind in FAULT_KINDS


def _number(kind: str, name: str, value: float | int | str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise FaultError(f"{kind}: {name}={value!r} is not a number") from None
    if not math.isfinite(x):
        raise FaultError(f"{kind}: {name}={value!r} is not a finite number")
    return x


def _flag(value: float | int | str, kind: str = "accept_then_close") -> bool:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise FaultError(f"{kind}: enabled={value!r} must be 1/0 (or on/off)")


def _close(kind: str, params: Mapping[str, float | int | str]) -> tuple[int, str]:
    """The close ``code`` (one a server may send) and ``reason`` (at most 123 bytes)."""
    code = _number(kind, "code", params.get("code", 1000))
    if code != int(code) or not (int(code) in _SENDABLE_CODES or 3000 <= code <= 4999):
        raise FaultError(
            f"{kind}: code {code:g} cannot be sent by a server; use 1000-1003, "
            "1007-1013 or 3000-4999"
        )
    reason = str(params.get("reason", ""))
    if len(reason.encode()) > 123:
        raise FaultError(f"{kind}: reason is longer than 123 bytes")
    return int(code), reason


def _count(kind: str, params: Mapping[str, float | int | str]) -> int:
    count = _number(kind, "count", params.get("count", 1))
    if count < 1 or count != int(count) or count > MAX_COUNT:
        raise FaultError(f"{kind}: count must be a whole number 1..{MAX_COUNT}, got {count:g}")
    return int(count)


def _order_fault(kind: str, params: Mapping[str, float | int | str]) -> Fault:
    count = _count(kind, params)
    if kind in ("order_timeout", "lookup_timeout"):
        delay = _number(kind, "delay", params.get("delay", ORDER_TIMEOUT_DEFAULT_S))
        if not 0 < delay <= 3600:
            raise FaultError(f"{kind}: delay must be > 0 and <= 3600 seconds, got {delay:g}")
        return Fault(kind, count=count, delay=delay)
    if kind == "order_reject":
        code: int | None = None
        if "code" in params:
            x = _number(kind, "code", params["code"])
            if x != int(x) or abs(x) >= 2**31:
                raise FaultError(
                    f"order_reject: code must be a whole number, got {params['code']!r}"
                )
            code = int(x)
        message: str | None = None
        if "message" in params:
            message = str(params["message"]).strip()
            if not message or len(message) > 500:
                raise FaultError("order_reject: message must be 1..500 characters")
        return Fault(kind, count=count, reject_code=code, message=message)
    return Fault(kind, count=count)


def parse_fault(kind: str, params: Mapping[str, float | int | str]) -> Fault:
    """Validate ``kind`` and its parameters; raises FaultError naming what is wrong."""
    if kind not in FAULT_KINDS:
        raise FaultError(f"unknown fault kind {kind!r}; known: {', '.join(FAULT_KINDS)}")
    allowed = FAULT_PARAMS[kind]
    unknown = [k for k in params if k not in allowed]
    if unknown:
        takes = ", ".join(allowed) if allowed else "no parameters"
        raise FaultError(f"{kind}: unknown parameter {unknown[0]!r} (takes: {takes})")
    if kind == "stall":
        if "seconds" not in params:
            return Fault(kind)
        seconds = _number(kind, "seconds", params["seconds"])
        if seconds <= 0:
            raise FaultError(f"stall: seconds must be > 0, got {params['seconds']!r}")
        return Fault(kind, seconds=seconds)
    if kind == "garbage":
        return Fault(kind, count=_count(kind, params))
    if is_order_fault(kind):
        return _order_fault(kind, params)
    if kind == "accept_then_close":
        code, reason = _close(kind, params)
        return Fault(kind, enabled=_flag(params.get("enabled", 1)), code=code, reason=reason)
    if kind == "close_code":
        code, reason = _close(kind, params)
        return Fault(kind, code=code, reason=reason)
    if kind == "delist":
        symbol = str(params.get("symbol", "")).strip().upper()
        if not symbol:
            raise FaultError("delist: symbol=S is required (e.g. symbol=ETH-USD-SWAP)")
        return Fault(kind, symbol=symbol, enabled=_flag(params.get("enabled", 1), kind))
    if kind == "reject_upgrade":
        status = _number(kind, "status", params.get("status", 503))
        known = {int(s) for s in HTTPStatus if 400 <= s <= 599}
        if status != int(status) or not (status == 0 or int(status) in known):
            raise FaultError(
                f"reject_upgrade: status must be an HTTP error status 400-599 (0 = off), "
                f"got {status:g}"
            )
        return Fault(kind, status=int(status))
    if kind == "slow":
        delay = _number(kind, "delay", params.get("delay", 0))
        if delay < 0 or delay > 3600:
            raise FaultError(f"slow: delay must be 0..3600 seconds, got {delay:g}")
        return Fault(kind, delay=delay)
    if kind == "jump":
        if "pct" not in params:
            raise FaultError("jump: pct=N is required (e.g. pct=-10)")
        pct = _number(kind, "pct", params["pct"])
        if pct <= -100:
            raise FaultError(f"jump: pct must be > -100, got {pct:g}")
        coin = str(params.get("coin", "BTC")).upper()
        return Fault(kind, pct=pct, coin="BTC" if coin == "XBT" else coin)
    return Fault(kind)
