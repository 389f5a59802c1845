"""Bybit v5 public inverse: ``tickers.<symbol>``, a snapshot followed by deltas.

A delta carries ``symbol`` plus only the keys that changed (a missing key = unchanged), so the
adapter keeps the merged row per symbol; every frame re-emits the merged mark and index with its
``ts`` (funding when a funding field is in the frame), as one :class:`~hedgetui.domain.Ticker` per
symbol. Values are strings; dated futures send ``""`` for ``fundingRate`` and
``nextFundingTime``. Keep-alive: JSON ``{"op":"ping"}`` every 20 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from hedgetui.domain import MarketEvent, Ticker
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event
from hedgetui.feeds.values import interval_hours, millis, price
from hedgetui.feeds.values import rate as rate_of
from hedgetui.plausibility import PRICE_MAX, PRICE_MIN, TIME_MAX_MS, TIME_MIN_MS, escape, rate_cap

VENUE = "bybit"
DEFAULT_FUNDING_INTERVAL_HOURS = 8.0  # when the ticker has no fundingIntervalHour (2023 frames)
_MAX_TOPICS = 256  # ticker topic names remembered (one per subscribed symbol)
_CAP = rate_cap(VENUE)


_NOT_READ = float("nan")  # fails every band check: the careful reader then says what is wrong


class _Row:
    """The merged fields of one symbol."""

    __slots__ = ("index", "interval", "mark", "next_time", "rate")

    def __init__(self) -> None:
        self.mark: float | None = None
        self.index: float | None = None
        self.rate: float | None = None
        self.next_time: int | None = None
        self.interval: float | None = None


class BybitAdapter(VenueAdapter):
    name = VENUE
    mainnet_url = "wss://stream.bybit.com/v5/public/inverse"
    testnet_url = "wss://stream-testnet.bybit.com/v5/public/inverse"
    keepalive = KeepAlive(interval_s=20.0, message='{"req_id":"hedgetui-ping","op":"ping"}')

    def __init__(self) -> None:
        self._rows: dict[str, _Row] = {}
        self._ticker_topics: set[str] = set()  # topic names known to be ``tickers.*``

    def reset(self) -> None:
        self._rows.clear()

    def subscribe_messages(self, symbols: Sequence[str]) -> list[str]:
        request = {
            "req_id": "hedgetui-sub",
            "op": "subscribe",
            "args": [f"tickers.{s}" for s in symbols],
        }
        return [orjson.dumps(request).decode()]

    def _fast(self, msg: Any) -> list[MarketEvent] | None:
        """The usual frame (one symbol's ticker on a known topic) is merged right here.

        Anything else raises on the way, or is not the usual shape, and goes to the general
        path, ``parse_message`` (a topic is known once that path read it). ``_ticker`` converts
        every value before it changes the row, so a frame it refuses leaves no trace.
        """
        data = msg["data"]
        ts = msg["ts"]
        if (
            msg["topic"] in self._ticker_topics
            and type(data) is dict
            and type(ts) is int
            and TIME_MIN_MS <= ts <= TIME_MAX_MS
        ):
            return self._ticker(data, msg["type"] == "snapshot", ts)
        return None

    def _parse(self, msg: Any) -> list[MarketEvent]:
        if type(msg) is not dict:
            raise unexpected(msg)
        topic = msg.get("topic")
        if topic is not None:
            if type(topic) is not str or not topic.startswith("tickers."):
                return []
            if len(self._ticker_topics) < _MAX_TOPICS:
                self._ticker_topics.add(topic)
            data = msg["data"]
            ts = millis(msg.get("ts"), "ts")
            snapshot = msg.get("type") == "snapshot"
            if type(data) is list:
                out: list[MarketEvent] = []
                for d in data:
                    out += self._ticker(d, snapshot, ts)
                return out
            return self._ticker(data, snapshot, ts)
        if "op" in msg or "success" in msg:
            if msg.get("success") is False:
                raise VenueErrorReply(
                    escape(f"bybit {msg.get('op')} failed: {msg.get('ret_msg')!s:.100}")
                )
            return []  # subscribe ack, pong, auth
        raise unexpected(msg)

    def _ticker(self, d: dict[str, Any], snapshot: bool, ts: int | None) -> list[MarketEvent]:
        """Merge one symbol's ticker into its row; the merged values as one Ticker (or none)."""
        symbol = d["symbol"]
        if type(symbol) is not str:
            raise FeedParseError("bybit: symbol is not a string")
        # Convert everything first, so a bad value cannot leave a half-merged row.
        # (the usual strings are read inline; anything else, a bool included, by values.price)
        raw = d.get("markPrice")
        mark = None
        if raw:
            mark = float(raw) if type(raw) is str else -1.0
            if not PRICE_MIN <= mark <= PRICE_MAX:
                mark = price(raw, "markPrice")
        raw = d.get("indexPrice")
        index = None
        if raw:
            index = float(raw) if type(raw) is str else -1.0
            if not PRICE_MIN <= index <= PRICE_MAX:
                index = price(raw, "indexPrice")
        has_rate = "fundingRate" in d
        has_next = "nextFundingTime" in d
        has_interval = "fundingIntervalHour" in d
        funding_changed = has_rate or has_next or has_interval
        if funding_changed or snapshot:  # absent, null and "" are no value here
            rate = next_time = interval = None
            raw = d["fundingRate"] if has_rate else None
            if raw is not None and raw != "":
                try:
                    rate = float(raw) if type(raw) is str else _NOT_READ
                except ValueError:
                    rate = _NOT_READ
                if not -_CAP <= rate <= _CAP:
                    rate = rate_of(raw, "fundingRate", _CAP)  # raises, saying what is wrong
            raw = d["nextFundingTime"] if has_next else None
            if raw is not None and raw != "":
                try:
                    next_time = int(raw) if type(raw) is str else -1
                except ValueError:
                    next_time = -1
                if not TIME_MIN_MS <= next_time <= TIME_MAX_MS:
                    next_time = millis(raw, "nextFundingTime")  # None ("0") or raises
            raw = d["fundingIntervalHour"] if has_interval else None
            if raw is not None and raw != "":
                interval = interval_hours(raw, "fundingIntervalHour")
        row = self._rows.get(symbol)
        if row is None:
            row = self._rows[symbol] = _Row()
        if snapshot:  # replaces the whole row: a field it lacks is unknown, not unchanged
            row.mark, row.index = mark, index
            row.rate, row.next_time, row.interval = rate, next_time, interval
        else:
            if funding_changed:
                if has_rate:
                    row.rate = rate
                if has_next:
                    row.next_time = next_time
                if has_interval:
                    row.interval = interval
            if mark is not None:
                row.mark = mark
            else:
                mark = row.mark
            if index is not None:
                row.index = index
            else:
                index = row.index
        # A delta (even one without prices) confirms the merged prices as of its ts.
        if funding_changed and row.rate is not None:
            funded = (
                VENUE,
                symbol,
                ts,
                mark,
                index,
                row.rate,
                None,
                row.next_time,
                row.interval or DEFAULT_FUNDING_INTERVAL_HOURS,
            )
            return [new_event(Ticker, funded)]
        if mark is None and index is None:
            return []
        return [new_event(Ticker, (VENUE, symbol, ts, mark, index, None, None, None, None))]
