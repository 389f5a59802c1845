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
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event
from hedgetui.feeds.values import millis, price, rate
from hedgetui.plausibility import PRICE_MAX, PRICE_MIN, TIME_MAX_MS, TIME_MIN_MS, escape, rate_cap

VENUE = "kraken"
# Kraken's current perpetual spec: funding every hour (2019-22 recordings show a 4-h grid; the
# next time comes from next_funding_rate_time either way).
FUNDING_INTERVAL_HOURS = 1.0
_HOURS = FUNDING_INTERVAL_HOURS  # (short name: the fast path's line)
_CAP = rate_cap(VENUE)


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
            funding = msg["relative_funding_rate"]
            predicted = msg["relative_funding_rate_prediction"]
            next_time = msg["next_funding_rate_time"]
            if (
                type(symbol) is str
                and type(ts) is int
                and TIME_MIN_MS <= ts <= TIME_MAX_MS
                and type(next_time) is int
                and TIME_MIN_MS <= next_time <= TIME_MAX_MS
                and type(mark) is float
                and type(index) is float
                and type(funding) is float
                and type(predicted) is float
                and PRICE_MIN <= mark <= PRICE_MAX
                and PRICE_MIN <= index <= PRICE_MAX
                and -_CAP <= funding <= _CAP
                and -_CAP <= predicted <= _CAP
            ):
                funded = (VENUE, symbol, ts, mark, index, funding, predicted, next_time, _HOURS)
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
            raise VenueErrorReply(escape(f"kraken {event}: {msg.get('message')!s:.100}"))
        if event is not None or feed is not None:
            return []  # info, subscribed, heartbeat, private feeds
        raise unexpected(msg)


def _ticker(msg: dict[str, Any]) -> list[MarketEvent]:
    """One ticker push as a Ticker, read tolerantly: fields that are zero can be absent.

    A zero, null or absent mark/index is no value; no value at all gives no event. A bool is
    never a value (``false`` is not a zero).
    """
    symbol = msg["product_id"]
    if type(symbol) is not str:
        raise FeedParseError("kraken: product_id is not a string")
    ts = millis(msg.get("time"), "time")
    raw = msg.get("markPrice")
    mark = None if _zero(raw) else price(raw, "markPrice")
    raw = msg.get("index")
    index = None if _zero(raw) else price(raw, "index")
    raw = msg.get("relative_funding_rate")
    if raw is not None:
        funding = rate(raw, "relative_funding_rate", _CAP)
        raw = msg.get("relative_funding_rate_prediction")
        predicted = None
        if raw is not None:
            predicted = rate(raw, "relative_funding_rate_prediction", _CAP)
        next_time = millis(msg.get("next_funding_rate_time"), "next_funding_rate_time")
        funded = (VENUE, symbol, ts, mark, index, funding, predicted, next_time, _HOURS)
        return [new_event(Ticker, funded)]
    if mark is None and index is None:
        return []
    return [new_event(Ticker, (VENUE, symbol, ts, mark, index, None, None, None, None))]


def _zero(raw: object) -> bool:
    """No value: absent, null, ``""`` or a zero number (a bool is not a number: it is read, and
    refused)."""
    return raw is None or raw == "" or (raw == 0 and type(raw) is not bool)
