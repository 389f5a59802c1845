"""Binance COIN-M futures (``BTCUSD_PERP``): the ``<symbol>@markPrice@1s`` stream.

Each ``markPriceUpdate`` is a full object: ``p`` mark, ``i`` index (missing in 2021 frames),
``r`` funding rate (``""`` for dated contracts), ``T`` next funding time (0 for dated), ``E`` event
time. All prices and rates are strings. The server sends protocol pings; websockets answers them.
"""

from __future__ import annotations

from collections.abc import Sequence

from hedgetui.domain import Funding, IndexPrice, MarketEvent, MarkPrice
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, out_of_range, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event

VENUE = "binance"
FUNDING_INTERVAL_HOURS = 8.0  # COIN-M perpetuals fund at 00/08/16 UTC
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

    def _parse(self, msg: object) -> list[MarketEvent]:
        out: list[MarketEvent] = []
        if type(msg) is dict:
            data = msg.get("data")
            if data is not None:  # combined stream {"stream": ..., "data": ...}
                msg = data
            elif "e" in msg:
                pass
            elif "result" in msg and "id" in msg:
                if msg["result"] is not None:
                    raise VenueErrorReply(f"binance: unexpected reply {msg['result']!r:.60}")
                return out  # SUBSCRIBE ack
            elif "code" in msg and "msg" in msg:
                raise VenueErrorReply(f"binance error {msg['code']}: {msg['msg']!s:.100}")
            else:
                raise unexpected(msg)
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
    symbol = d["s"]
    if type(symbol) is not str:
        raise FeedParseError("binance: symbol 's' is not a string")
    t = d.get("E")
    ts = int(t) if t else None  # type: ignore[call-overload]
    raw = d["p"]
    p = float(raw)  # type: ignore[arg-type]
    if not 0.0 < p < _INF:
        raise out_of_range("p", raw)
    out.append(new_event(MarkPrice, (VENUE, symbol, p, ts)))
    raw = d.get("i")
    if raw:
        p = float(raw)  # type: ignore[arg-type]
        if not 0.0 < p < _INF:
            raise out_of_range("i", raw)
        out.append(new_event(IndexPrice, (VENUE, symbol, p, ts)))
    raw = d.get("r")
    if raw:
        r = float(raw)  # type: ignore[arg-type]
        if not -_INF < r < _INF:
            raise out_of_range("r", raw)
        t = d.get("T")
        next_time = int(t) if t else None  # type: ignore[call-overload]
        out.append(
            new_event(Funding, (VENUE, symbol, r, None, next_time, ts, FUNDING_INTERVAL_HOURS))
        )
