"""Deribit (JSON-RPC 2.0): ``ticker.<instrument>.100ms`` notifications and the heartbeat.

The ticker is a full object each push (JSON numbers): ``mark_price``, ``index_price``,
``funding_8h`` (the funding rate scaled to 8 hours; ``current_funding`` is instantaneous and not
used). There is no next-funding time. After ``public/set_heartbeat`` the server sends
``heartbeat`` notifications; a ``test_request`` must be answered with ``public/test``.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from hedgetui.domain import Funding, IndexPrice, MarketEvent, MarkPrice
from hedgetui.feeds.adapter import KeepAlive, VenueAdapter, out_of_range, unexpected
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.events import new_event

VENUE = "deribit"
HEARTBEAT_INTERVAL_S = 10  # the minimum Deribit allows
FUNDING_INTERVAL_HOURS = 8.0  # funding_8h is expressed per 8 hours
_INF = float("inf")


class DeribitAdapter(VenueAdapter):
    name = VENUE
    mainnet_url = "wss://www.deribit.com/ws/api/v2"
    testnet_url = "wss://test.deribit.com/ws/api/v2"
    keepalive = KeepAlive(interval_s=float(HEARTBEAT_INTERVAL_S), answers_test_request=True)

    def __init__(self) -> None:
        self._next_id = 100

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

    def _parse(self, msg: object) -> list[MarketEvent]:
        if type(msg) is not dict:
            raise unexpected(msg)
        method = msg.get("method")
        if method == "subscription":
            params = msg["params"]
            channel = params["channel"]
            if type(channel) is str and channel.startswith("ticker."):
                return self._ticker(params["data"])
            return []
        if method == "heartbeat":
            return []
        error = msg.get("error")
        if error is not None:
            if type(error) is dict:
                raise VenueErrorReply(
                    f"deribit error {error.get('code')}: {error.get('message')!s:.100}"
                )
            raise VenueErrorReply(f"deribit error: {error!s:.100}")
        if "result" in msg:
            return []  # replies to subscribe / set_heartbeat / test
        raise unexpected(msg)

    @staticmethod
    def _ticker(data: dict[str, object]) -> list[MarketEvent]:
        symbol = data["instrument_name"]
        if type(symbol) is not str:
            raise FeedParseError("deribit: instrument_name is not a string")
        t = data.get("timestamp")
        ts = int(t) if t else None  # type: ignore[call-overload]
        out: list[MarketEvent] = []
        raw = data.get("mark_price")
        if raw is not None:
            p = float(raw)  # type: ignore[arg-type]
            if not 0.0 < p < _INF:
                raise out_of_range("mark_price", raw)
            out.append(new_event(MarkPrice, (VENUE, symbol, p, ts)))
        raw = data.get("index_price")
        if raw is not None:
            p = float(raw)  # type: ignore[arg-type]
            if not 0.0 < p < _INF:
                raise out_of_range("index_price", raw)
            out.append(new_event(IndexPrice, (VENUE, symbol, p, ts)))
        raw = data.get("funding_8h")
        if raw is not None:
            r = float(raw)  # type: ignore[arg-type]
            if not -_INF < r < _INF:
                raise out_of_range("funding_8h", raw)
            out.append(
                new_event(Funding, (VENUE, symbol, r, None, None, ts, FUNDING_INTERVAL_HOURS))
            )
        return out
