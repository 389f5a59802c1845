"""OKX v5 public: ``mark-price`` and ``funding-rate`` for the swap, ``index-tickers`` for the index.

Every value is a string, timestamps included. ``fundingTime`` is the settlement time of the
current ``fundingRate`` (the next funding), ``nextFundingRate`` is deprecated and often ``""``.
The interval is ``nextFundingTime - fundingTime`` (OKX can shorten it per contract). Keep-alive:
text ``ping`` -> ``pong``; the server drops a connection silent for 30 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from hedgetui.domain import Funding, IndexPrice, MarketEvent, MarkPrice
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event
from hedgetui.feeds.values import checked_interval, millis, price, rate
from hedgetui.plausibility import (
    INTERVAL_MAX_H,
    INTERVAL_MIN_H,
    PRICE_MAX,
    PRICE_MIN,
    TIME_MAX_MS,
    TIME_MIN_MS,
    escape,
    rate_cap,
)

VENUE = "okx"
DEFAULT_FUNDING_INTERVAL_HOURS = 8.0  # OKX's default, when the frame has no nextFundingTime
_MS_PER_HOUR = 3_600_000
_CAP = rate_cap(VENUE)


class OkxAdapter(VenueAdapter):
    name = VENUE
    mainnet_url = "wss://ws.okx.com:8443/ws/v5/public"
    testnet_url = "wss://wspap.okx.com:8443/ws/v5/public"
    keepalive = KeepAlive(interval_s=20.0, message="ping")

    def index_symbol(self, symbol: str) -> str:
        """``BTC-USD-SWAP`` -> ``BTC-USD`` (the index-tickers instId)."""
        parts = symbol.split("-")
        return "-".join(parts[:2]) if len(parts) >= 2 else symbol

    def subscribe_messages(self, symbols: Sequence[str]) -> list[str]:
        args: list[dict[str, str]] = []
        indexes: list[str] = []
        for s in symbols:
            args.append({"channel": "mark-price", "instId": s})
            args.append({"channel": "funding-rate", "instId": s})
            idx = self.index_symbol(s)
            if idx not in indexes:
                indexes.append(idx)
        args.extend({"channel": "index-tickers", "instId": i} for i in indexes)
        return [orjson.dumps({"id": "hedgetui", "op": "subscribe", "args": args}).decode()]

    def _fast(self, msg: Any) -> list[MarketEvent] | None:
        """The usual mark or index push (one item) read strictly, right here.

        Anything else (funding, several items, other messages) raises on the way, or is not the
        usual shape, and goes to the general path, ``parse_message``.
        """
        (d,) = msg["data"]
        channel = msg["arg"]["channel"]
        # Every value is a string here (a bool is not a number: the general path refuses it).
        if channel == "mark-price":
            kind: type[MarkPrice | IndexPrice] = MarkPrice
            raw = d["markPx"]
        elif channel == "index-tickers":
            kind = IndexPrice
            raw = d["idxPx"]
        elif channel == "funding-rate":
            raw = d["fundingRate"]
            this_raw = d["fundingTime"]
            next_raw = d["nextFundingTime"]
            inst = d["instId"]
            t = d["ts"]
            if (
                type(inst) is str
                and type(t) is str
                and type(raw) is str
                and type(this_raw) is str
                and type(next_raw) is str
                and d["nextFundingRate"] == ""  # (deprecated; a value: the general path)
            ):
                funding_rate = float(raw)
                this_time = int(this_raw)
                next_time = int(next_raw)
                ts = int(t)
                interval = (next_time - this_time) / _MS_PER_HOUR
                if (
                    -_CAP <= funding_rate <= _CAP
                    and TIME_MIN_MS <= this_time < next_time <= TIME_MAX_MS
                    and TIME_MIN_MS <= ts <= TIME_MAX_MS
                    and INTERVAL_MIN_H <= interval <= INTERVAL_MAX_H
                ):
                    funding = (VENUE, inst, funding_rate, None, this_time, ts, interval)
                    return [new_event(Funding, funding)]
            return None
        else:
            return None
        inst = d["instId"]
        t = d["ts"]
        if type(inst) is str and type(t) is str and type(raw) is str:
            p = float(raw)
            ts = int(t)
            if PRICE_MIN <= p <= PRICE_MAX and TIME_MIN_MS <= ts <= TIME_MAX_MS:
                return [new_event(kind, (VENUE, inst, p, ts))]
        return None

    def _parse(self, msg: Any) -> list[MarketEvent]:
        if type(msg) is not dict:
            raise unexpected(msg)
        data = msg.get("data")
        arg = msg.get("arg")
        if data is not None and type(arg) is dict:
            channel = arg["channel"]
            out: list[MarketEvent] = []
            if channel == "mark-price" or channel == "index-tickers":
                kind: type[MarkPrice | IndexPrice] = MarkPrice
                field = "markPx"
                if channel == "index-tickers":
                    kind, field = IndexPrice, "idxPx"
                for d in data:
                    p = price(d[field], field)
                    ts = millis(d.get("ts"), "ts")
                    inst = d["instId"]
                    if type(inst) is not str:
                        raise FeedParseError("okx: instId is not a string")
                    out.append(new_event(kind, (VENUE, inst, p, ts)))
            elif channel == "funding-rate":
                for d in data:
                    _funding(d, out)
            return out
        event = msg.get("event")
        if event == "error":
            raise VenueErrorReply(escape(f"okx error {msg.get('code')}: {msg.get('msg')!s:.100}"))
        if event is not None:
            return []  # subscribe / unsubscribe / login acks, notices
        raise unexpected(msg)


def _funding(d: dict[str, Any], out: list[MarketEvent]) -> None:
    raw = d.get("fundingRate")
    if raw is None or raw == "":
        return
    r = rate(raw, "fundingRate", _CAP)
    this_time = millis(d.get("fundingTime"), "fundingTime")
    next_time = millis(d.get("nextFundingTime"), "nextFundingTime")
    interval = DEFAULT_FUNDING_INTERVAL_HOURS
    if this_time is not None and next_time is not None and next_time > this_time:
        interval = (next_time - this_time) / _MS_PER_HOUR
        checked_interval(interval, "nextFundingTime - fundingTime", f"{interval:g} h")
    inst = d["instId"]  # (inlined _inst)
    if type(inst) is not str:
        raise FeedParseError("okx: instId is not a string")
    raw = d.get("nextFundingRate")  # deprecated, usually ""
    predicted = None if raw is None or raw == "" else rate(raw, "nextFundingRate", _CAP)
    ts = millis(d.get("ts"), "ts")
    out.append(new_event(Funding, (VENUE, inst, r, predicted, this_time, ts, interval)))
