"""Each venue's public server-time endpoint and how to read the time from its reply (pure).

The same endpoints the simulator's REST side serves (``sim/rest``): BitMEX ``GET /api/v1``,
Bybit ``/v5/market/time``, Binance ``/dapi/v1/time``, Deribit ``public/get_time``, OKX
``/api/v5/public/time``; Kraken Futures has no time call, so its instrument list is asked
for, whose reply carries ``serverTime`` (as every Kraken Futures reply does).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any


class TimeReplyError(ValueError):
    """The reply carries no server time where the venue puts it."""


def _ms(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TimeReplyError(f"server time {value!r} is not a number") from None
    if not number > 0:
        raise TimeReplyError(f"server time {value!r} is not a time")
    return number


def _get(payload: Any, *keys: str | int) -> Any:
    node = payload
    for key in keys:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            path = ".".join(str(k) for k in keys)
            raise TimeReplyError(f"no {path} in the reply") from None
    return node


def _iso_ms(value: Any) -> float:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1000.0
    except ValueError:
        raise TimeReplyError(f"serverTime {value!r} is not an ISO time") from None


TIME_ENDPOINTS: dict[str, tuple[str, Callable[[Any], float]]] = {
    "bitmex": ("/api/v1", lambda p: _ms(_get(p, "timestamp"))),
    "bybit": ("/v5/market/time", lambda p: _ms(_get(p, "result", "timeNano")) / 1e6),
    "binance": ("/dapi/v1/time", lambda p: _ms(_get(p, "serverTime"))),
    "deribit": ("/api/v2/public/get_time", lambda p: _ms(_get(p, "result"))),
    "okx": ("/api/v5/public/time", lambda p: _ms(_get(p, "data", 0, "ts"))),
    "kraken": ("/derivatives/api/v3/instruments", lambda p: _iso_ms(_get(p, "serverTime"))),
}


def server_time_ms(venue: str, payload: Any) -> float:
    """The venue's time (unix ms) in its time endpoint's reply; TimeReplyError otherwise."""
    return TIME_ENDPOINTS[venue][1](payload)
