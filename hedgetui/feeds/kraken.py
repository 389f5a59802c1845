"""Kraken Futures v1: the ``ticker`` feed (full object each push, JSON numbers).

``markPrice``, ``index``, ``relative_funding_rate`` (fraction of notional per funding period; the
plain ``funding_rate`` is an absolute amount per contract and is not used),
``relative_funding_rate_prediction``, ``next_funding_rate_time`` (ms, 0 = none), ``time``.
Fields that are zero can be absent. Keep-alive: a ping at least every 60 s (protocol pings) and
the ``heartbeat`` feed, which also keeps the silence watchdog fed.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from hedgetui.domain import Funding, IndexPrice, MarketEvent, MarkPrice
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, out_of_range, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event

VENUE = "kraken"
# Kraken's current perpetual spec: funding every hour (2019-22 recordings show a 4-h grid; the
# next time comes from next_funding_rate_time either way).
FUNDING_INTERVAL_HOURS = 1.0
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

    def _parse(self, msg: object) -> list[MarketEvent]:
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


def _ticker(msg: dict[str, object]) -> list[MarketEvent]:
    symbol = msg["product_id"]
    if type(symbol) is not str:
        raise FeedParseError("kraken: product_id is not a string")
    t = msg.get("time")
    ts = int(t) if t else None  # type: ignore[call-overload]
    out: list[MarketEvent] = []
    raw = msg.get("markPrice")
    if raw:  # absent, null or 0 = no value
        p = float(raw)  # type: ignore[arg-type]
        if not 0.0 < p < _INF:
            raise out_of_range("markPrice", raw)
        out.append(new_event(MarkPrice, (VENUE, symbol, p, ts)))
    raw = msg.get("index")
    if raw:
        p = float(raw)  # type: ignore[arg-type]
        if not 0.0 < p < _INF:
            raise out_of_range("index", raw)
        out.append(new_event(IndexPrice, (VENUE, symbol, p, ts)))
    raw = msg.get("relative_funding_rate")
    if raw is not None:
        r = float(raw)  # type: ignore[arg-type]
        if not -_INF < r < _INF:
            raise out_of_range("relative_funding_rate", raw)
        raw = msg.get("relative_funding_rate_prediction")
        predicted = None
        if raw is not None:
            predicted = float(raw)  # type: ignore[arg-type]
            if not -_INF < predicted < _INF:
                raise out_of_range("relative_funding_rate_prediction", raw)
        t = msg.get("next_funding_rate_time")
        next_time = int(t) if t else None  # type: ignore[call-overload]
        out.append(
            new_event(Funding, (VENUE, symbol, r, predicted, next_time, ts, FUNDING_INTERVAL_HOURS))
        )
    return out
