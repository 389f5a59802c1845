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
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event
from hedgetui.feeds.values import millis, price, rate
from hedgetui.plausibility import PRICE_MAX, PRICE_MIN, TIME_MAX_MS, TIME_MIN_MS, escape, rate_cap

VENUE = "binance"
FUNDING_INTERVAL_HOURS = 8.0  # COIN-M perpetuals fund at 00/08/16 UTC
_HOURS = FUNDING_INTERVAL_HOURS  # (short name: the fast path's line)
_CAP = rate_cap(VENUE)


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
        raw_mark, raw_index, raw_rate = d["p"], d["i"], d["r"]
        # strings only (a bool is not a number); "" (dated) or absent "i" (2021): the general path
        if (
            d["e"] == "markPriceUpdate"
            and type(raw_mark) is str
            and type(raw_index) is str
            and type(raw_rate) is str
        ):
            symbol = d["s"]
            ts = d["E"]
            mark = float(raw_mark)
            index = float(raw_index)
            funding = float(raw_rate)
            next_time = d["T"]
            if (
                type(symbol) is str
                and type(ts) is int
                and TIME_MIN_MS <= ts <= TIME_MAX_MS
                and type(next_time) is int
                and TIME_MIN_MS <= next_time <= TIME_MAX_MS
                and PRICE_MIN <= mark <= PRICE_MAX
                and PRICE_MIN <= index <= PRICE_MAX
                and -_CAP <= funding <= _CAP
            ):
                return [
                    new_event(
                        Ticker,
                        (VENUE, symbol, ts, mark, index, funding, None, next_time, _HOURS),
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
                    raise VenueErrorReply(
                        escape(f"binance: unexpected reply {msg['result']!r:.60}")
                    )
                return []  # SUBSCRIBE ack
            elif "code" in msg and "msg" in msg:
                raise VenueErrorReply(escape(f"binance error {msg['code']}: {msg['msg']!s:.100}"))
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
    ts = millis(d.get("E"), "E")
    mark = price(d["p"], "p")
    raw = d.get("i")
    index = None if raw is None or raw == "" else price(raw, "i")
    raw = d.get("r")
    if raw is not None and raw != "":
        funding = rate(raw, "r", _CAP)
        next_time = millis(d.get("T"), "T")
        return new_event(Ticker, (VENUE, symbol, ts, mark, index, funding, None, next_time, _HOURS))
    return new_event(Ticker, (VENUE, symbol, ts, mark, index, None, None, None, None))
