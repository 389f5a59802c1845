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
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, out_of_range, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event
from hedgetui.feeds.values import millis, rate

VENUE = "okx"
DEFAULT_FUNDING_INTERVAL_HOURS = 8.0  # OKX's default, when the frame has no nextFundingTime
_MS_PER_HOUR = 3_600_000
_MAX_MILLIS = 10**14  # values.millis: later is not a millisecond time
_INF = float("inf")


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
        if channel == "mark-price":
            kind: type[MarkPrice | IndexPrice] = MarkPrice
            p = float(d["markPx"])
        elif channel == "index-tickers":
            kind = IndexPrice
            p = float(d["idxPx"])
        elif channel == "funding-rate":
            rate = float(d["fundingRate"])
            this_time = int(d["fundingTime"])
            next_time = int(d["nextFundingTime"])
            inst = d["instId"]
            t = d["ts"]
            if (
                type(inst) is str
                and type(t) is str
                and -_INF < rate < _INF
                and 0 < this_time < next_time <= _MAX_MILLIS
                and d["nextFundingRate"] == ""  # (deprecated; a value: the general path)
            ):
                interval = (next_time - this_time) / _MS_PER_HOUR
                funding = (VENUE, inst, rate, None, this_time, int(t), interval)
                return [new_event(Funding, funding)]
            return None
        else:
            return None
        inst = d["instId"]
        t = d["ts"]
        if type(inst) is str and type(t) is str and 0.0 < p < _INF:
            return [new_event(kind, (VENUE, inst, p, int(t)))]
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
                    raw = d[field]
                    p = float(raw)
                    if not 0.0 < p < _INF:
                        raise out_of_range(field, raw)
                    t = d.get("ts")
                    inst = d["instId"]
                    if type(inst) is not str:
                        raise FeedParseError("okx: instId is not a string")
                    out.append(new_event(kind, (VENUE, inst, p, int(t) if t else None)))
            elif channel == "funding-rate":
                for d in data:
                    _funding(d, out)
            return out
        event = msg.get("event")
        if event == "error":
            raise VenueErrorReply(f"okx error {msg.get('code')}: {msg.get('msg')!s:.100}")
        if event is not None:
            return []  # subscribe / unsubscribe / login acks, notices
        raise unexpected(msg)


def _funding(d: dict[str, Any], out: list[MarketEvent]) -> None:
    raw = d.get("fundingRate")
    if raw is None or raw == "":
        return
    r = float(raw)
    if not -_INF < r < _INF:
        raise out_of_range("fundingRate", raw)
    this_time = millis(d.get("fundingTime"), "fundingTime")
    next_time = millis(d.get("nextFundingTime"), "nextFundingTime")
    interval = DEFAULT_FUNDING_INTERVAL_HOURS
    if this_time is not None and next_time is not None and next_time > this_time:
        interval = (next_time - this_time) / _MS_PER_HOUR
    inst = d["instId"]  # (inlined _inst)
    if type(inst) is not str:
        raise FeedParseError("okx: instId is not a string")
    raw = d.get("nextFundingRate")  # deprecated, usually ""
    predicted = None if raw is None or raw == "" else rate(raw, "nextFundingRate")
    t = d.get("ts")
    ts = int(t) if t else None
    out.append(new_event(Funding, (VENUE, inst, r, predicted, this_time, ts, interval)))
