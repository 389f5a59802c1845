"""Binance COIN-M futures (``BTCUSD_PERP``): the ``<symbol>@markPrice@1s`` stream.

Each ``markPriceUpdate`` is a full object: ``p`` mark, ``i`` index (missing in 2021 frames),
``r`` funding rate (``""`` for dated contracts), ``T`` next funding time (0 for dated), ``E`` event
time. All prices and rates are strings. The server sends protocol pings; websockets answers them.
Each update becomes one :class:`~hedgetui.domain.Ticker` (mark, index when present, funding when
``r`` is not empty).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hedgetui.domain import MarketEvent, Ticker
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, out_of_range, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event

VENUE = "binance"
FUNDING_INTERVAL_HOURS = 8.0  # COIN-M perpetuals fund at 00/08/16 UTC
_HOURS = FUNDING_INTERVAL_HOURS  # (short name: the fast path's line)
_INF = float("inf")


class BinanceAdapter(VenueAdapter):
    name = VENUE
    mainnet_url = "wss://dstream.binance.com"
    testnet_url = "wss://dstream.binancefuture.com"
    # The server pings every 3 minutes and websockets answers; no client ping is needed.
    keepalive = KeepAlive(interval_s=60.0)

    def connect_url(self, base_url: str, symbols: Sequence[str]) -> str:
        streams = "/".join(f"{s.lower()}@markPrice@1s" for s in symbols)
        return f"{base_url.rstrip('/')}/stream?streams={streams}"

    def subscribe_messages(self, symbols: Sequence[str]) -> list[str]:
        return []  # the streams are named in the URL

    def _fast(self, msg: Any) -> list[MarketEvent] | None:
        """The usual frame (a combined-stream perpetual update) read strictly, right here.

        Anything else raises on the way and goes to the general path, ``parse_message``.
        """
        d = msg["data"]
        if d["e"] == "markPriceUpdate":
            symbol = d["s"]
            ts = d["E"]
            mark = float(d["p"])
            index = float(d["i"])  # "" (dated) or absent (2021): the general path
            rate = float(d["r"])
            next_time = d["T"]
            if (
                type(symbol) is str
                and type(ts) is int
                and ts > 0
                and type(next_time) is int
                and next_time > 0
                and 0.0 < mark < _INF
                and 0.0 < index < _INF
                and -_INF < rate < _INF
                and d["r"]
            ):
                return [
                    new_event(
                        Ticker,
                        (VENUE, symbol, ts, mark, index, rate, None, next_time, _HOURS),
                    )
                ]
        return None

    def _parse(self, msg: Any) -> list[MarketEvent]:
        if type(msg) is dict:
            data = msg.get("data")
            if data is not None:  # combined stream {"stream": ..., "data": ...}
                msg = data
            elif "e" in msg:
                pass
            elif "result" in msg and "id" in msg:
                if msg["result"] is not None:
                    raise VenueErrorReply(f"binance: unexpected reply {msg['result']!r:.60}")
                return []  # SUBSCRIBE ack
            elif "code" in msg and "msg" in msg:
                raise VenueErrorReply(f"binance error {msg['code']}: {msg['msg']!s:.100}")
            else:
                raise unexpected(msg)
        out: list[MarketEvent] = []
        if type(msg) is dict:
            _update(msg, out)
        elif type(msg) is list:  # !markPrice@arr and pair streams
            for item in msg:
                _update(item, out)
        else:
            raise unexpected(msg)
        return out


def _update(d: dict[str, object], out: list[MarketEvent]) -> None:
    kind = d.get("e")
    if kind != "markPriceUpdate":
        if kind is None:
            raise unexpected(d)
        return  # another event type on the same stream
    out.append(_ticker(d))


def _ticker(d: dict[str, Any]) -> Ticker:
    """One ``markPriceUpdate`` as a Ticker (``p`` is required; ``i`` and ``r`` may be empty)."""
    symbol = d["s"]
    if type(symbol) is not str:
        raise FeedParseError("binance: symbol 's' is not a string")
    t = d.get("E")
    ts = int(t) if t else None
    raw = d["p"]
    mark = float(raw)
    if not 0.0 < mark < _INF:
        raise out_of_range("p", raw)
    raw = d.get("i")
    index = None
    if raw:
        index = float(raw)
        if not 0.0 < index < _INF:
            raise out_of_range("i", raw)
    raw = d.get("r")
    if raw:
        rate = float(raw)
        if not -_INF < rate < _INF:
            raise out_of_range("r", raw)
        t = d.get("T")
        next_time = int(t) if t else None
        return new_event(Ticker, (VENUE, symbol, ts, mark, index, rate, None, next_time, _HOURS))
    return new_event(Ticker, (VENUE, symbol, ts, mark, index, None, None, None, None))
