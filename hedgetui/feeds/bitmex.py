"""BitMEX: the ``instrument`` and ``funding`` tables (partial, then insert/update/delete).

``update`` rows carry the key (``symbol``) plus only the changed fields, so the adapter keeps the
merged row per symbol. Every row update re-emits the merged mark and index with the update's
timestamp (the row is current as of then, even if the price did not move), with funding when a
funding field changed: one :class:`~hedgetui.domain.Ticker` per row. An update for a row no
partial gave (a capture taken mid-stream, an update racing the partial after a reconnect) starts
that row from the update's own fields: it carries the symbol and every value that changed, so its
mark and index are the venue's; fields it lacks stay unknown until a later row gives them.
Mark = ``markPrice``; the index (.BXBT) is read from ``indicativeSettlePrice`` of the same row
(an index row such as ``.BXBT`` gives its value in ``lastPrice``: an ``IndexPrice``). Funding:
``fundingRate`` is charged at ``fundingTimestamp``; ``indicativeFundingRate`` is the predicted
next rate; ``fundingInterval`` is a timespan (``2000-01-01T08:00:00.000Z`` = 8 h). A ``funding``
table row is a past settlement (a ``Funding``): it is used only while the instrument row has
given no rate yet. Keep-alive: text ``ping`` -> text ``pong``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from hedgetui.domain import Funding, IndexPrice, MarketEvent, Ticker
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event
from hedgetui.feeds.values import iso_millis, opt_rate, price, rate, timespan_hours
from hedgetui.plausibility import PRICE_MAX, PRICE_MIN, escape, rate_cap

VENUE = "bitmex"
_CAP = rate_cap(VENUE)
_NO_FUNDING = (None, None, None, None)  # a Ticker's funding fields when the row changed none
_ABSENT: Any = object()  # a key the row does not carry (unchanged), unlike a null

_MINUTES: dict[str, int] = {}
"""``YYYY-MM-DDTHH:MM:`` -> epoch ms of that minute: BitMEX sends many rows a minute, so a row's
``timestamp`` is read as that cached minute plus its seconds and milliseconds (see
:func:`_timestamp` and :func:`_cached_millis`)."""

_SECONDS_DOT = {f"{s:02d}.": s * 1000 for s in range(60)}
"""The seconds of a BitMEX timestamp with the dot after them (``05.``) -> their milliseconds."""


_MILLIS_Z = {f"{ms:03d}Z": ms for ms in range(1000)}
"""The end of a BitMEX timestamp (``.000Z`` without the dot) -> its milliseconds."""


def _timestamp(value: object) -> int | None:
    """A row's ``timestamp`` in epoch ms, read in full; caches its minute for the fast path."""
    ts = iso_millis(value, "timestamp")
    if (
        ts is not None
        and type(value) is str
        and len(value) == 24
        and value[19] == "."
        and value[23] == "Z"
        and value[20:23].isdigit()
    ):
        if len(_MINUTES) > 64:  # only recent minutes recur: 64 bound it (4096 grew for days)
            _MINUTES.clear()
        _MINUTES[value[:17]] = ts - int(value[17:19]) * 1000 - int(value[20:23])
    return ts


def _cached_millis(t: str) -> int:
    """``2021-12-18T20:03:05.000Z`` = the cached minute ``...20:03:`` + ``05.`` + ``000Z``;
    KeyError for a minute not cached yet (or another format), TypeError for a non-string."""
    return _MINUTES[t[:17]] + _SECONDS_DOT[t[17:20]] + _MILLIS_Z[t[20:]]


class _Row:
    __slots__ = ("index", "index_row", "interval", "mark", "next_time", "predicted", "rate", "ts")

    def __init__(self) -> None:
        self.index_row = False  # an index instrument (``.BXBT``): its lastPrice is the value
        self.mark: float | None = None
        self.index: float | None = None
        self.rate: float | None = None
        self.predicted: float | None = None
        self.next_time: int | None = None
        self.interval: float | None = None
        self.ts: int | None = None


class BitmexAdapter(VenueAdapter):
    name = VENUE
    mainnet_url = "wss://ws.bitmex.com/realtime"
    testnet_url = "wss://ws.testnet.bitmex.com/realtime"
    keepalive = KeepAlive(interval_s=5.0, message="ping")

    def __init__(self) -> None:
        self._rows: dict[str, _Row] = {}
        self._instrument_partial = False  # the fast path reads updates once the partial came

    def reset(self) -> None:
        self._rows.clear()
        self._instrument_partial = False

    def subscribe_messages(self, symbols: Sequence[str]) -> list[str]:
        args: list[str] = []
        for s in symbols:
            args += [f"instrument:{s}", f"funding:{s}"]
        return [orjson.dumps({"op": "subscribe", "args": args}).decode()]

    def _fast(self, msg: Any) -> list[MarketEvent] | None:
        """The usual frame (one known row's update) read strictly here.

        BitMEX's stream is mostly partial rows: a trade's ``lastPrice``, ``fairPrice`` and
        ``markPrice``, ``markPrice`` alone, a tick direction, now and then a new (predicted)
        funding rate. A price or rate the row lacks (or nulls) is the merged one, as in
        :meth:`_merge`. Anything else (a new funding time or interval, a null rate, an index
        row) raises on the way, or is not the usual shape, and goes to the general path,
        ``parse_message``; the row's state changes only once nothing can fail.
        """
        if msg["table"] == "instrument" and msg["action"] == "update" and self._instrument_partial:
            (d,) = msg["data"]
            symbol = d["symbol"]
            state = self._rows[symbol]
            if state.index_row or "fundingTimestamp" in d or "fundingInterval" in d:
                return None
            t = d["timestamp"]
            ts = _cached_millis(t)
            mark = d.get("markPrice")
            if mark is None:
                mark = state.mark
            elif type(mark) is not float or not PRICE_MIN <= mark <= PRICE_MAX:
                return None
            index = d.get("indicativeSettlePrice")
            if index is None:
                index = state.index
            elif type(index) is not float or not PRICE_MIN <= index <= PRICE_MAX:
                return None
            if mark is None and index is None:
                return None
            if "fundingRate" not in d and "indicativeFundingRate" not in d:
                state.mark, state.index, state.ts = mark, index, ts
                return [new_event(Ticker, (VENUE, symbol, ts, mark, index, *_NO_FUNDING))]
            rate_v = d.get("fundingRate", _ABSENT)
            if rate_v is _ABSENT:
                rate_v = state.rate
            elif type(rate_v) is not float or not -_CAP <= rate_v <= _CAP:
                return None
            pred_v = d.get("indicativeFundingRate", _ABSENT)
            if pred_v is _ABSENT:
                pred_v = state.predicted
            elif type(pred_v) is not float or not -_CAP <= pred_v <= _CAP:
                return None
            if rate_v is None:
                return None
            state.mark, state.index, state.ts = mark, index, ts
            state.rate, state.predicted = rate_v, pred_v
            funded = (
                VENUE,
                symbol,
                ts,
                mark,
                index,
                rate_v,
                pred_v,
                state.next_time,
                state.interval,
            )
            return [new_event(Ticker, funded)]
        return None

    def _parse(self, msg: Any) -> list[MarketEvent]:
        if type(msg) is not dict:
            raise unexpected(msg)
        table = msg.get("table")
        if table is not None:
            action = msg["action"]
            data = msg["data"]
            if type(data) is not list:
                raise FeedParseError("bitmex: table data is not a list")
            if table == "instrument":
                return self._instrument(action, data)
            if table == "funding":
                return self._funding(action, data)
            return []
        if "error" in msg:
            raise VenueErrorReply(
                escape(f"bitmex error {msg.get('status')}: {msg.get('error')!s:.100}")
            )
        if "success" in msg or "info" in msg:
            return []  # subscribe acks, welcome, help
        raise unexpected(msg)

    def _instrument(self, action: object, data: list[dict[str, Any]]) -> list[MarketEvent]:
        if action == "partial" or action == "insert":
            if action == "partial":
                self._instrument_partial = True
            return self._insert_rows(data)
        if action == "update":
            return self._update_rows(data)
        if action == "delete":
            for row in data:
                self._rows.pop(_symbol(row), None)
            return []
        raise FeedParseError(f"bitmex: unknown action {action!r:.30}")

    def _insert_rows(self, data: list[dict[str, Any]]) -> list[MarketEvent]:
        """Partial / insert: fresh rows, each stored once it converted cleanly."""
        out: list[MarketEvent] = []
        for d in data:
            event = self._new_row(d, _symbol(d))
            if event is not None:
                out.append(event)
        return out

    def _update_rows(self, data: list[dict[str, Any]]) -> list[MarketEvent]:
        """Updates: merged into the known rows; an unknown row starts from the update itself."""
        out: list[MarketEvent] = []
        for d in data:
            symbol = _symbol(d)
            state = self._rows.get(symbol)
            event = self._new_row(d, symbol) if state is None else self._merge(d, symbol, state)
            if event is not None:
                out.append(event)
        return out

    def _new_row(self, d: dict[str, Any], symbol: str) -> MarketEvent | None:
        """A fresh row from ``d``, stored once it converted cleanly; its event, if any."""
        state = _Row()
        state.index_row = symbol[0] == "."  # an index instrument such as .BXBT
        event = self._merge(d, symbol, state)
        self._rows[symbol] = state
        return event

    def _merge(self, d: dict[str, Any], symbol: str, state: _Row) -> MarketEvent | None:
        """Merge one row into its state; the row's event, or None when it has no value."""
        t = d.get("timestamp", _ABSENT)
        if t is _ABSENT:
            ts = state.ts
        else:  # 2021-12-18T20:03:05.000Z = the cached second "...:05." + the millis "000Z"
            try:
                ts = _cached_millis(t)
            except (KeyError, TypeError):  # a new second, another format, not a string
                ts = _timestamp(t)
        if state.index_row:
            last = d.get("lastPrice")
            value = None if last is None else price(last, "lastPrice")
            state.ts = ts
            return None if value is None else new_event(IndexPrice, (VENUE, symbol, value, ts))
        raw = d.get("markPrice")
        mark = None if raw is None else price(raw, "markPrice")
        raw = d.get("indicativeSettlePrice")
        index = None if raw is None else price(raw, "indicativeSettlePrice")
        funding_changed = (
            "fundingRate" in d
            or "indicativeFundingRate" in d
            or "fundingTimestamp" in d
            or "fundingInterval" in d
        )
        if funding_changed:
            # convert first: a bad value must not leave a half-merged row
            raw = d.get("fundingRate", _ABSENT)
            rate_v = state.rate if raw is _ABSENT else opt_rate(raw, "fundingRate", _CAP)
            raw = d.get("indicativeFundingRate", _ABSENT)
            pred_v = (
                state.predicted if raw is _ABSENT else opt_rate(raw, "indicativeFundingRate", _CAP)
            )
            raw = d.get("fundingTimestamp", _ABSENT)
            next_v = state.next_time if raw is _ABSENT else iso_millis(raw, "fundingTimestamp")
            raw = d.get("fundingInterval", _ABSENT)
            interval_v = (
                state.interval if raw is _ABSENT else timespan_hours(raw, "fundingInterval")
            )
            state.rate, state.predicted = rate_v, pred_v
            state.next_time, state.interval = next_v, interval_v
        if mark is not None:
            state.mark = mark
        else:
            mark = state.mark
        if index is not None:
            state.index = index
        else:
            index = state.index
        state.ts = ts
        # Every row update (even one with no price in it) confirms the merged prices as of its
        # timestamp: re-emit them, so a quiet market does not look stale downstream.
        if funding_changed and state.rate is not None:
            funded = (
                VENUE,
                symbol,
                ts,
                mark,
                index,
                state.rate,
                state.predicted,
                state.next_time,
                state.interval,
            )
            return new_event(Ticker, funded)
        if mark is None and index is None:
            return None
        return new_event(Ticker, (VENUE, symbol, ts, mark, index, None, None, None, None))

    def _funding(self, action: object, data: list[dict[str, Any]]) -> list[MarketEvent]:
        if action != "partial" and action != "insert":
            return []  # a settlement is never updated
        out: list[MarketEvent] = []
        for d in data:
            symbol = _symbol(d)
            known = self._rows.get(symbol)
            if known is not None and known.rate is not None:
                continue  # the instrument row's rate (next settlement) is the current one
            out.append(
                new_event(
                    Funding,
                    (
                        VENUE,
                        symbol,
                        rate(d["fundingRate"], "fundingRate", _CAP),
                        None,
                        None,
                        iso_millis(d.get("timestamp"), "timestamp"),
                        timespan_hours(d.get("fundingInterval"), "fundingInterval"),
                    ),
                )
            )
        return out


def _symbol(d: dict[str, object]) -> str:
    symbol = d["symbol"]
    if type(symbol) is not str or not symbol:
        raise FeedParseError("bitmex: row symbol is not a string")
    return symbol
