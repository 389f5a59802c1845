"""Bybit v5 public inverse: ``tickers.<symbol>``, a snapshot followed by deltas.

A delta carries ``symbol`` plus only the keys that changed (a missing key = unchanged), so the
adapter keeps the merged row per symbol; every frame re-emits the merged mark and index with its
``ts`` (funding when a funding field is in the frame). Values are strings; dated futures send
``""`` for ``fundingRate`` and ``nextFundingTime``. Keep-alive: JSON ``{"op":"ping"}`` every 20 s.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from hedgetui.domain import Funding, IndexPrice, MarketEvent, MarkPrice
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, out_of_range, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event
from hedgetui.feeds.values import millis, opt_rate

VENUE = "bybit"
DEFAULT_FUNDING_INTERVAL_HOURS = 8.0  # when the ticker has no fundingIntervalHour (2023 frames)
_INF = float("inf")


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

    def reset(self) -> None:
        self._rows.clear()

    def subscribe_messages(self, symbols: Sequence[str]) -> list[str]:
        request = {
            "req_id": "hedgetui-sub",
            "op": "subscribe",
            "args": [f"tickers.{s}" for s in symbols],
        }
        return [orjson.dumps(request).decode()]

    def _parse(self, msg: object) -> list[MarketEvent]:
        if type(msg) is not dict:
            raise unexpected(msg)
        topic = msg.get("topic")
        if topic is not None:
            if type(topic) is not str or not topic.startswith("tickers."):
                return []
            data = msg["data"]
            t = msg.get("ts")
            ts = int(t) if t else None
            snapshot = msg.get("type") == "snapshot"
            out: list[MarketEvent] = []
            if type(data) is list:
                for d in data:
                    self._ticker(d, snapshot, ts, out)
            else:
                self._ticker(data, snapshot, ts, out)
            return out
        if "op" in msg or "success" in msg:
            if msg.get("success") is False:
                raise VenueErrorReply(f"bybit {msg.get('op')} failed: {msg.get('ret_msg')!s:.100}")
            return []  # subscribe ack, pong, auth
        raise unexpected(msg)

    def _ticker(
        self, d: dict[str, object], snapshot: bool, ts: int | None, out: list[MarketEvent]
    ) -> None:
        symbol = d["symbol"]
        if type(symbol) is not str:
            raise FeedParseError("bybit: symbol is not a string")
        # Convert everything first, so a bad value cannot leave a half-merged row.
        raw = d.get("markPrice")
        mark_v = None
        if raw:
            mark_v = float(raw)  # type: ignore[arg-type]
            if not 0.0 < mark_v < _INF:
                raise out_of_range("markPrice", raw)
        raw = d.get("indexPrice")
        index_v = None
        if raw:
            index_v = float(raw)  # type: ignore[arg-type]
            if not 0.0 < index_v < _INF:
                raise out_of_range("indexPrice", raw)
        has_rate = "fundingRate" in d
        has_next = "nextFundingTime" in d
        has_interval = "fundingIntervalHour" in d
        funding_changed = has_rate or has_next or has_interval
        if funding_changed or snapshot:
            rate_v = opt_rate(d.get("fundingRate"), "fundingRate")
            next_v = millis(d.get("nextFundingTime"), "nextFundingTime")
            interval_v = opt_rate(d.get("fundingIntervalHour"), "fundingIntervalHour")
        row = self._rows.get(symbol)
        if row is None:
            row = self._rows[symbol] = _Row()
        if snapshot:  # replaces the whole row: a field it lacks is unknown, not unchanged
            row.mark, row.index = mark_v, index_v
            row.rate, row.next_time, row.interval = rate_v, next_v, interval_v
        else:
            if funding_changed:
                if has_rate:
                    row.rate = rate_v
                if has_next:
                    row.next_time = next_v
                if has_interval:
                    row.interval = interval_v
            if mark_v is not None:
                row.mark = mark_v
            if index_v is not None:
                row.index = index_v
        # A delta (even one without prices) confirms the merged prices as of its ts.
        if row.mark is not None:
            out.append(new_event(MarkPrice, (VENUE, symbol, row.mark, ts)))
        if row.index is not None:
            out.append(new_event(IndexPrice, (VENUE, symbol, row.index, ts)))
        if funding_changed and row.rate is not None:
            out.append(
                new_event(
                    Funding,
                    (
                        VENUE,
                        symbol,
                        row.rate,
                        None,
                        row.next_time,
                        ts,
                        row.interval or DEFAULT_FUNDING_INTERVAL_HOURS,
                    ),
                )
            )
