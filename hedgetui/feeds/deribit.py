"""Deribit (JSON-RPC 2.0): ``ticker.<instrument>.100ms`` notifications and the heartbeat.

The ticker is a full object each push (JSON numbers): ``mark_price``, ``index_price``,
``funding_8h`` (the funding rate scaled to 8 hours; ``current_funding`` is instantaneous and not
used). There is no next-funding time. After ``public/set_heartbeat`` the server sends
``heartbeat`` notifications; a ``test_request`` must be answered with ``public/test``.
Each ticker push becomes one :class:`~hedgetui.domain.Ticker` (none when it carries no value).
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

VENUE = "deribit"
HEARTBEAT_INTERVAL_S = 10  # the minimum Deribit allows
FUNDING_INTERVAL_HOURS = 8.0  # funding_8h is expressed per 8 hours
_HOURS = FUNDING_INTERVAL_HOURS  # (short name: the fast path's line)
_CAP = rate_cap(VENUE)
_MAX_CHANNELS = 256  # ticker channel names remembered (one per subscribed instrument)


class DeribitAdapter(VenueAdapter):
    name = VENUE
    mainnet_url = "wss://www.deribit.com/ws/api/v2"
    testnet_url = "wss://test.deribit.com/ws/api/v2"
    keepalive = KeepAlive(interval_s=float(HEARTBEAT_INTERVAL_S), answers_test_request=True)

    def __init__(self) -> None:
        self._next_id = 100
        self._ticker_channels: set[str] = set()  # channel names known to be ticker channels

    def subscribe_messages(self, symbols: Sequence[str]) -> list[str]:
        heartbeat = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "public/set_heartbeat",
            "params": {"interval": HEARTBEAT_INTERVAL_S},
        }
        subscribe = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "public/subscribe",
            "params": {"channels": [f"ticker.{s}.100ms" for s in symbols]},
        }
        return [orjson.dumps(heartbeat).decode(), orjson.dumps(subscribe).decode()]

    def answer(self, frame: str | bytes) -> str | None:
        needle: str | bytes = b"test_request" if isinstance(frame, bytes) else "test_request"
        if needle not in frame:  # type: ignore[operator]
            return None
        self._next_id += 1
        request = {"jsonrpc": "2.0", "id": self._next_id, "method": "public/test", "params": {}}
        return orjson.dumps(request).decode()

    def _fast(self, msg: Any) -> list[MarketEvent] | None:
        """The usual frame (a perpetual's ticker notification) read strictly, right here.

        Anything else raises on the way, or is not the usual shape, and goes to the general
        path, ``parse_message`` (a channel is known as a ticker channel once that path read it).
        """
        params = msg["params"]
        if msg["method"] == "subscription" and params["channel"] in self._ticker_channels:
            data = params["data"]
            symbol = data["instrument_name"]
            ts = data["timestamp"]
            mark = data["mark_price"]
            index = data["index_price"]
            funding = data["funding_8h"]  # (absent for dated futures: the general path)
            if (
                type(symbol) is str
                and type(ts) is int
                and TIME_MIN_MS <= ts <= TIME_MAX_MS
                and type(mark) is float
                and type(index) is float
                and type(funding) is float
                and PRICE_MIN <= mark <= PRICE_MAX
                and PRICE_MIN <= index <= PRICE_MAX
                and -_CAP <= funding <= _CAP
            ):
                values = (VENUE, symbol, ts, mark, index, funding, None, None, _HOURS)
                return [new_event(Ticker, values)]
        return None

    def _parse(self, msg: Any) -> list[MarketEvent]:
        if type(msg) is not dict:
            raise unexpected(msg)
        method = msg.get("method")
        if method == "subscription":
            params = msg["params"]
            channel = params["channel"]
            if type(channel) is not str or not channel.startswith("ticker."):
                return []
            if len(self._ticker_channels) < _MAX_CHANNELS:
                self._ticker_channels.add(channel)
            return _ticker(params["data"])
        if method == "heartbeat":
            return []
        error = msg.get("error")
        if error is not None:
            if type(error) is dict:
                raise VenueErrorReply(
                    escape(f"deribit error {error.get('code')}: {error.get('message')!s:.100}")
                )
            raise VenueErrorReply(escape(f"deribit error: {error!s:.100}"))
        if "result" in msg:
            return []  # replies to subscribe / set_heartbeat / test
        raise unexpected(msg)


def _ticker(data: dict[str, Any]) -> list[MarketEvent]:
    """One ticker payload as a Ticker, read tolerantly.

    Each value is optional (a dated future has no ``funding_8h``); none at all gives no event.
    """
    symbol = data["instrument_name"]
    if type(symbol) is not str:
        raise FeedParseError("deribit: instrument_name is not a string")
    ts = millis(data.get("timestamp"), "timestamp")
    raw = data.get("mark_price")
    mark = None if raw is None else price(raw, "mark_price")
    raw = data.get("index_price")
    index = None if raw is None else price(raw, "index_price")
    raw = data.get("funding_8h")
    if raw is not None:
        funding = rate(raw, "funding_8h", _CAP)
        values = (VENUE, symbol, ts, mark, index, funding, None, None, _HOURS)
        return [new_event(Ticker, values)]
    if mark is None and index is None:
        return []
    return [new_event(Ticker, (VENUE, symbol, ts, mark, index, None, None, None, None))]
