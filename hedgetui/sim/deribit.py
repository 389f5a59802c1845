"""Deribit JSON-RPC 2.0 over websocket (``/ws/api/v2``): ticker channels and heartbeats.

Methods: ``public/subscribe``, ``public/unsubscribe``, ``public/unsubscribe_all``,
``public/set_heartbeat``, ``public/disable_heartbeat``, ``public/test``, ``public/hello``,
``public/get_time``. Channels ``ticker.<INSTRUMENT>.<raw|100ms|agg2>`` push the full ticker
each time. After ``public/set_heartbeat`` the server sends a ``test_request`` every interval
(measured on the injected clock) and closes the connection when the previous one was not
answered with ``public/test``, as the real venue does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hedgetui.sim.base import Frame, Session, VenueProtocol, dumps, round_tick, template
from hedgetui.sim.market import Quote

SYMBOLS = ("BTC-PERPETUAL", "ETH-PERPETUAL")
INTERVAL_HZ = {"raw": 10.0, "100ms": 10.0, "agg2": 1.0}
API_VERSION = "1.2.26"


def _error(code: int, message: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    err: dict[str, Any] = {"message": message, "code": code}
    if data is not None:
        err = {"message": message, "data": data, "code": code}
    return err


@dataclass
class _State:
    channels: list[str] = field(default_factory=list)
    heartbeat_s: float | None = None
    next_heartbeat: float = 0.0
    awaiting_test: bool = False


class DeribitProtocol(VenueProtocol):
    name = "deribit"
    paths = ("/ws/api/v2",)
    symbols = SYMBOLS
    base_hz = 10.0

    def open(self, session: Session) -> list[Frame]:
        session.state = _State()
        return []

    def _response(self, rid: Any, key: str, value: Any) -> str:
        us = self.market.now_ms() * 1000
        return dumps(
            {
                "jsonrpc": "2.0",
                "id": rid,
                key: value,
                "usIn": us,
                "usOut": us + 35,
                "usDiff": 35,
                "testnet": False,
            }
        )

    def receive(self, session: Session, message: Frame) -> list[Frame]:
        st: _State = session.state
        try:
            req = self.decode(message)
        except ValueError:
            return [self._response(None, "error", _error(-32700, "Parse error"))]
        if not isinstance(req, dict) or not isinstance(req.get("method"), str):
            return [self._response(None, "error", _error(-32600, "Invalid Request"))]
        rid, method = req.get("id"), req["method"]
        params = req.get("params") or {}
        if not isinstance(params, dict):
            return [self._response(rid, "error", _error(-32602, "Invalid params"))]
        st.awaiting_test = False if method == "public/test" else st.awaiting_test
        if method in ("public/subscribe", "public/unsubscribe"):
            channels = params.get("channels")
            if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
                data = {"reason": "must be a list of strings", "param": "channels"}
                return [self._response(rid, "error", _error(-32602, "Invalid params", data))]
            if method == "public/unsubscribe":
                gone = [c for c in channels if c in st.channels]
                st.channels = [c for c in st.channels if c not in channels]
                return [self._response(rid, "result", gone)]
            # an unknown (or delisted) instrument is left out of the result, as Deribit does
            accepted = [
                c for c in channels if (t := _ticker_parts(c)) is not None and self.listed(t[0])
            ]
            st.channels += [c for c in accepted if c not in st.channels]
            return [self._response(rid, "result", accepted)]
        if method == "public/unsubscribe_all":
            st.channels.clear()
            return [self._response(rid, "result", "ok")]
        if method == "public/set_heartbeat":
            interval = params.get("interval")
            if not isinstance(interval, int | float) or isinstance(interval, bool) or interval < 10:
                data = {"reason": "must be a number >= 10", "param": "interval"}
                return [self._response(rid, "error", _error(-32602, "Invalid params", data))]
            cap = self.rules.heartbeat_s  # a shortened deadline (tests), else the client's
            st.heartbeat_s = float(interval) if cap is None else min(float(interval), cap)
            st.next_heartbeat = self.market.clock.monotonic() + st.heartbeat_s
            return [self._response(rid, "result", "ok")]
        if method == "public/disable_heartbeat":
            st.heartbeat_s = None
            return [self._response(rid, "result", "ok")]
        if method in ("public/test", "public/hello"):
            return [
                self._response(
                    rid, "result", template("deribit_public_test_response_docs.json")["result"]
                )
            ]
        if method == "public/get_time":
            return [self._response(rid, "result", self.market.now_ms())]
        return [self._response(rid, "error", _error(-32601, "Method not found"))]

    def resumed(self, session: Session) -> None:
        st: _State = session.state
        st.awaiting_test = False
        if st.heartbeat_s is not None:
            st.next_heartbeat = self.market.clock.monotonic() + st.heartbeat_s

    def tick(self, session: Session, quotes: Mapping[str, Quote], n: int) -> list[Frame]:
        st: _State = session.state
        out: list[Frame] = []
        if st.heartbeat_s is not None and self.market.clock.monotonic() >= st.next_heartbeat:
            if st.awaiting_test:
                session.close_with = (1000, "heartbeat: test_request not answered")
                session.broke = "heartbeat"
                return []
            st.awaiting_test = True
            st.next_heartbeat = self.market.clock.monotonic() + st.heartbeat_s
            out.append(
                dumps({"jsonrpc": "2.0", "method": "heartbeat", "params": {"type": "test_request"}})
            )
        for channel in st.channels:
            parts = _ticker_parts(channel)
            if parts is None or not self.due(n, INTERVAL_HZ[parts[1]]):
                continue
            data = _ticker(parts[0], quotes[self.coin_of(parts[0])])
            out.append(_notification(channel, data))
        return out

    def sample_frame(self) -> str:
        q = self.quotes_now()["BTC"]
        return _notification("ticker.BTC-PERPETUAL.100ms", _ticker("BTC-PERPETUAL", q))


def _ticker_parts(channel: str) -> tuple[str, str] | None:
    parts = channel.split(".")
    if len(parts) == 3 and parts[0] == "ticker" and parts[1] in SYMBOLS and parts[2] in INTERVAL_HZ:
        return parts[1], parts[2]
    return None


def _notification(channel: str, data: dict[str, Any]) -> str:
    return dumps(
        {
            "jsonrpc": "2.0",
            "method": "subscription",
            "params": {"channel": channel, "data": data},
        }
    )


def _ticker(instrument: str, q: Quote) -> dict[str, Any]:
    data: dict[str, Any] = template("deribit_ticker_data_payload_docs.json")
    tick = 0.5 if instrument.startswith("BTC") else 0.05
    mark = round(q.mark, 2)
    last = round_tick(q.mark, tick)
    data.update(
        {
            "best_ask_price": round_tick(last + tick, tick),
            "best_bid_price": last,
            "current_funding": round(q.funding_rate / 8, 8),
            "estimated_delivery_price": round(q.index, 2),
            "funding_8h": round(q.funding_rate, 8),
            "index_price": round(q.index, 2),
            "instrument_name": instrument,
            "last_price": last,
            "mark_price": mark,
            "max_price": round(mark * 1.015, 2),
            "min_price": round(mark * 0.985, 2),
            "timestamp": q.now_ms,
        }
    )
    return data
