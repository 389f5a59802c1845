"""BitMEX: the ``instrument`` and ``funding`` tables (partial, then insert/update/delete).

``update`` rows carry the key (``symbol``) plus only the changed fields, so the adapter keeps the
merged row per symbol and ignores updates that arrive before the table's partial. Every row
update re-emits the merged mark and index with the update's timestamp (the row is current as of
then, even if the price did not move); funding is emitted when a funding field changed.
Mark = ``markPrice``; the index (.BXBT) is read from ``indicativeSettlePrice`` of the same row
(an index row such as ``.BXBT`` gives its value in ``lastPrice``). Funding: ``fundingRate`` is
charged at ``fundingTimestamp``; ``indicativeFundingRate`` is the predicted next rate;
``fundingInterval`` is a timespan (``2000-01-01T08:00:00.000Z`` = 8 h). A ``funding`` table row is
a past settlement: it is used only while the instrument row has given no rate yet. Keep-alive:
text ``ping`` -> text ``pong``.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from hedgetui.domain import Funding, IndexPrice, MarketEvent, MarkPrice
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, out_of_range, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event
from hedgetui.feeds.values import (
    iso_millis,
    iso_millis_fast,
    opt_rate,
    price,
    rate,
    timespan_hours,
)

VENUE = "bitmex"
_INF = float("inf")


class _Row:
    __slots__ = ("index", "interval", "mark", "next_time", "predicted", "rate", "ts")

    def __init__(self) -> None:
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
        self._partials: set[str] = set()

    def reset(self) -> None:
        self._rows.clear()
        self._partials.clear()

    def subscribe_messages(self, symbols: Sequence[str]) -> list[str]:
        args: list[str] = []
        for s in symbols:
            args += [f"instrument:{s}", f"funding:{s}"]
        return [orjson.dumps({"op": "subscribe", "args": args}).decode()]

    def _parse(self, msg: object) -> list[MarketEvent]:
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
            raise VenueErrorReply(f"bitmex error {msg.get('status')}: {msg.get('error')!s:.100}")
        if "success" in msg or "info" in msg:
            return []  # subscribe acks, welcome, help
        raise unexpected(msg)

    def _instrument(self, action: object, data: list[dict[str, object]]) -> list[MarketEvent]:
        out: list[MarketEvent] = []
        if action == "partial" or action == "insert":
            if action == "partial":
                self._partials.add("instrument")
            for row in data:
                self._apply(row, True, out)
        elif action == "update":
            if "instrument" not in self._partials:
                return out  # updates before the partial are meaningless
            for row in data:
                self._apply(row, False, out)
        elif action == "delete":
            for row in data:
                self._rows.pop(_symbol(row), None)
        else:
            raise FeedParseError(f"bitmex: unknown action {action!r:.30}")
        return out

    def _apply(self, d: dict[str, object], new: bool, out: list[MarketEvent]) -> None:
        symbol = d["symbol"]  # (inlined _symbol: this runs for every row)
        if type(symbol) is not str or not symbol:
            raise FeedParseError("bitmex: row symbol is not a string")
        state = self._rows.get(symbol)
        if new:  # partial / insert: a fresh row, stored once it converted cleanly
            state = _Row()
        elif state is None:
            return  # an update for a row the partial did not contain
        ts = iso_millis_fast(d["timestamp"], "timestamp") if "timestamp" in d else state.ts
        if symbol[0] == ".":  # an index instrument such as .BXBT
            last = d.get("lastPrice")
            if last is not None:
                out.append(new_event(IndexPrice, (VENUE, symbol, price(last, "lastPrice"), ts)))
            state.ts = ts
            if new:
                self._rows[symbol] = state
            return
        raw = d.get("markPrice")
        mark_v = None
        if raw is not None:
            mark_v = float(raw)  # type: ignore[arg-type]
            if not 0.0 < mark_v < _INF:
                raise out_of_range("markPrice", raw)
        raw = d.get("indicativeSettlePrice")
        index_v = None
        if raw is not None:
            index_v = float(raw)  # type: ignore[arg-type]
            if not 0.0 < index_v < _INF:
                raise out_of_range("indicativeSettlePrice", raw)
        funding_changed = (
            "fundingRate" in d
            or "indicativeFundingRate" in d
            or "fundingTimestamp" in d
            or "fundingInterval" in d
        )
        if funding_changed:
            # convert first: a bad value must not leave a half-merged row
            rate_v = opt_rate(d["fundingRate"], "fundingRate") if "fundingRate" in d else state.rate
            pred_v = (
                opt_rate(d["indicativeFundingRate"], "indicativeFundingRate")
                if "indicativeFundingRate" in d
                else state.predicted
            )
            next_v = (
                iso_millis(d["fundingTimestamp"], "fundingTimestamp")
                if "fundingTimestamp" in d
                else state.next_time
            )
            interval_v = (
                timespan_hours(d["fundingInterval"], "fundingInterval")
                if "fundingInterval" in d
                else state.interval
            )
            state.rate, state.predicted = rate_v, pred_v
            state.next_time, state.interval = next_v, interval_v
        if mark_v is not None:
            state.mark = mark_v
        if index_v is not None:
            state.index = index_v
        state.ts = ts
        if new:
            self._rows[symbol] = state
        # Every row update (even one with no price in it) confirms the merged prices as of its
        # timestamp: re-emit them, so a quiet market does not look stale downstream.
        if state.mark is not None:
            out.append(new_event(MarkPrice, (VENUE, symbol, state.mark, ts)))
        if state.index is not None:
            out.append(new_event(IndexPrice, (VENUE, symbol, state.index, ts)))
        if funding_changed and state.rate is not None:
            out.append(
                new_event(
                    Funding,
                    (
                        VENUE,
                        symbol,
                        state.rate,
                        state.predicted,
                        state.next_time,
                        ts,
                        state.interval,
                    ),
                )
            )

    def _funding(self, action: object, data: list[dict[str, object]]) -> list[MarketEvent]:
        if action == "partial":
            self._partials.add("funding")
        elif action != "insert":
            return []
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
                        rate(d["fundingRate"], "fundingRate"),
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
