"""Kraken Futures v1: the ``ticker`` feed (full object each push, JSON numbers).

``markPrice``, ``index``, ``relative_funding_rate`` (fraction of notional per funding period; the
plain ``funding_rate`` is an absolute amount per contract and is not used),
``relative_funding_rate_prediction``, ``next_funding_rate_time`` (ms, 0 = none), ``time``.
Fields that are zero can be absent. Keep-alive: a ping at least every 60 s (protocol pings) and
the ``heartbeat`` feed, which also keeps the silence watchdog fed. Each ticker push becomes one
:class:`~hedgetui.domain.Ticker` (none when it carries no value).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from hedgetui.domain import MarketEvent, Ticker
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, out_of_range, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event

VENUE = "kraken"
# Kraken's current perpetual spec: funding every hour (2019-22 recordings show a 4-h grid; the
# next time comes from next_funding_rate_time either way).
FUNDING_INTERVAL_HOURS = 1.0
_HOURS = FUNDING_INTERVAL_HOURS  # (short name: the fast path's line)
_INF = float("inf")


class KrakenAdapter(VenueAdapter):
    name = VENUE
    mainnet_url = "wss://futures.kraken.com/ws/v1"
    testnet_url = "wss://demo-futures.kraken.com/ws/v1"
    keepalive = KeepAlive(interval_s=30.0, protocol_ping=True)

    def subscribe_messages(self, symbols: Sequence[str]) -> list[str]:
        ticker = {"event": "subscribe", "feed": "ticker", "product_ids": list(symbols)}
        heartbeat = {"event": "subscribe", "feed": "heartbeat"}
        return [orjson.dumps(ticker).decode(), orjson.dumps(heartbeat).decode()]

    def _fast(self, msg: Any) -> list[MarketEvent] | None:
        """The usual frame (a perpetual's full ticker push) read strictly, right here.

        Anything else raises on the way, or is not the usual shape, and goes to the general
        path, ``parse_message`` (which also reads zero or absent values as "no value").
        """
        if msg["feed"] == "ticker" and "event" not in msg:
            symbol = msg["product_id"]
            ts = msg["time"]
            mark = msg["markPrice"]
            index = msg["index"]
            rate = msg["relative_funding_rate"]
            predicted = msg["relative_funding_rate_prediction"]
            next_time = msg["next_funding_rate_time"]
            if (
                type(symbol) is str
                and type(ts) is int
                and ts > 0
                and type(next_time) is int
                and next_time > 0
                and type(mark) is float
                and type(index) is float
                and type(rate) is float
                and type(predicted) is float
                and 0.0 < mark < _INF
                and 0.0 < index < _INF
                and -_INF < rate < _INF
                and -_INF < predicted < _INF
            ):
                funded = (VENUE, symbol, ts, mark, index, rate, predicted, next_time, _HOURS)
                return [new_event(Ticker, funded)]
        return None

    def _parse(self, msg: Any) -> list[MarketEvent]:
        if type(msg) is not dict:
            raise unexpected(msg)
        feed = msg.get("feed")
        if feed == "ticker" or feed == "ticker_lite":
            if "event" in msg:
                return []  # the subscription ack also names the feed
            return _ticker(msg)
        event = msg.get("event")
        if event == "error" or event == "alert":
            raise VenueErrorReply(f"kraken {event}: {msg.get('message')!s:.100}")
        if event is not None or feed is not None:
            return []  # info, subscribed, heartbeat, private feeds
        raise unexpected(msg)


def _ticker(msg: dict[str, Any]) -> list[MarketEvent]:
    """One ticker push as a Ticker, read tolerantly: fields that are zero can be absent.

    A zero, null or absent mark/index is no value; no value at all gives no event.
    """
    symbol = msg["product_id"]
    if type(symbol) is not str:
        raise FeedParseError("kraken: product_id is not a string")
    t = msg.get("time")
    ts = int(t) if t else None
    mark = index = None
    raw = msg.get("markPrice")
    if raw:
        mark = float(raw)
        if not 0.0 < mark < _INF:
            raise out_of_range("markPrice", raw)
    raw = msg.get("index")
    if raw:
        index = float(raw)
        if not 0.0 < index < _INF:
            raise out_of_range("index", raw)
    raw = msg.get("relative_funding_rate")
    if raw is not None:
        rate = float(raw)
        if not -_INF < rate < _INF:
            raise out_of_range("relative_funding_rate", raw)
        raw = msg.get("relative_funding_rate_prediction")
        predicted = None
        if raw is not None:
            predicted = float(raw)
            if not -_INF < predicted < _INF:
                raise out_of_range("relative_funding_rate_prediction", raw)
        t = msg.get("next_funding_rate_time")
        next_time = int(t) if t else None
        funded = (VENUE, symbol, ts, mark, index, rate, predicted, next_time, _HOURS)
        return [new_event(Ticker, funded)]
    if mark is None and index is None:
        return []
    return [new_event(Ticker, (VENUE, symbol, ts, mark, index, None, None, None, None))]
