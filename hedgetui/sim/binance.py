"""Binance COIN-M market streams: ``/ws/<stream>``, ``/stream?streams=a/b`` and live methods.

Streams served: ``<symbol>@markPrice`` and ``<symbol>@markPrice@1s`` (``btcusd_perp``,
``ethusd_perp``), the pair streams ``btcusd@markPrice[@1s]`` (an array) and
``!markPrice@arr[@1s]``. On ``/ws`` payloads are raw; on ``/stream`` they are wrapped as
``{"stream": ..., "data": ...}``. Unknown stream names are accepted and stay silent, as on the
real venue. The server's WS pings, their pong deadline and the 24 h lifetime are connection
rules (``conn_rules.py``), kept by the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hedgetui.sim.base import Frame, Session, VenueProtocol, dumps, template
from hedgetui.sim.market import Quote, next_funding_ms

SYMBOLS = ("BTCUSD_PERP", "ETHUSD_PERP")
METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")


@dataclass
class _State:
    combined: bool
    streams: list[str] = field(default_factory=list)


def _stream_symbols(stream: str) -> tuple[str, ...] | None:
    """The symbols a stream carries, or None for a stream this simulator does not serve."""
    parts = stream.split("@")
    if len(parts) not in (2, 3) or parts[1] != "markPrice" or parts[2:] not in ([], ["1s"]):
        return None
    head = parts[0]
    if head == "!markPrice":  # "!markPrice@arr[@1s]"
        return None
    if head.upper() in SYMBOLS:
        return (head.upper(),)
    pair = [s for s in SYMBOLS if s.startswith(head.upper() + "_")]
    return tuple(pair) or None


def _is_all_stream(stream: str) -> bool:
    return stream in ("!markPrice@arr", "!markPrice@arr@1s")


class BinanceProtocol(VenueProtocol):
    name = "binance"
    paths = ("/ws", "/stream")
    symbols = SYMBOLS
    base_hz = 1.0  # @markPrice@1s; plain @markPrice (3 s) is sped up to 1 s, see contract

    def accepts_path(self, path: str) -> bool:
        p = path.split("?", 1)[0]
        return p in ("/ws", "/stream") or p.startswith("/ws/")

    def open(self, session: Session) -> list[Frame]:
        combined = session.path == "/stream"
        st = _State(combined=combined)
        session.state = st
        if combined:
            for value in session.query.get("streams", []):
                st.streams += [s for s in value.split("/") if s]
        elif session.path.startswith("/ws/"):
            st.streams += [s for s in session.path[len("/ws/") :].split("/") if s]
        if st.streams:
            return self.tick(session, self.quotes_now(), 0)
        return []

    def receive(self, session: Session, message: Frame) -> list[Frame]:
        st: _State = session.state
        try:
            req = self.decode(message)
        except ValueError:
            return [self._error(3, "Invalid JSON: expected value at line 1 column 1", None)]
        if not isinstance(req, dict):
            return [self._error(2, "Invalid request: expected a JSON object", None)]
        rid = req.get("id")
        if rid is not None and not (isinstance(rid, int | str) and not isinstance(rid, bool)):
            return [self._error(2, "Invalid request: request ID must be an unsigned integer", None)]
        method = req.get("method")
        if method not in METHODS:
            return [
                self._error(
                    2,
                    f"Invalid request: unknown variant `{method}`, expected one of "
                    "`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, "
                    "`GET_PROPERTY`",
                    rid,
                )
            ]
        params = req.get("params", [])
        if method == "LIST_SUBSCRIPTIONS":
            return [dumps({"result": list(st.streams), "id": rid})]
        if method in ("SET_PROPERTY", "GET_PROPERTY"):
            if not isinstance(params, list) or not params or params[0] != "combined":
                return [self._error(0, "Unknown property", rid)]
            if method == "GET_PROPERTY":
                return [dumps({"result": st.combined, "id": rid})]
            if len(params) != 2 or not isinstance(params[1], bool):
                return [self._error(1, "Invalid value type: expected Boolean", rid)]
            st.combined = params[1]
            return [dumps({"result": None, "id": rid})]
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            return [self._error(2, "Invalid request: params must be a list of strings", rid)]
        if method == "SUBSCRIBE":
            st.streams += [p for p in params if p not in st.streams]
        else:
            st.streams = [s for s in st.streams if s not in params]
        return [dumps({"result": None, "id": rid})]

    def tick(self, session: Session, quotes: Mapping[str, Quote], n: int) -> list[Frame]:
        st: _State = session.state
        out: list[Frame] = []
        for stream in st.streams:
            payload: Any
            if _is_all_stream(stream):
                payload = [_mark_price_update(s, quotes[self.coin_of(s)]) for s in SYMBOLS]
            else:
                symbols = _stream_symbols(stream)
                if symbols is None:
                    continue
                # a delisted symbol's stream stays subscribed and silent, as Binance's do
                listed = [s for s in symbols if s not in self.delisted]
                if not listed:
                    continue
                rows = [_mark_price_update(s, quotes[self.coin_of(s)]) for s in listed]
                is_pair = stream.split("@")[0].upper() not in SYMBOLS
                payload = rows if is_pair else rows[0]
            out.append(dumps({"stream": stream, "data": payload} if st.combined else payload))
        return out

    def sample_frame(self) -> str:
        q = self.quotes_now()
        return dumps({"stream": "x", "data": _mark_price_update("BTCUSD_PERP", q["BTC"])})

    def _error(self, code: int, msg: str, rid: Any) -> str:
        return dumps({"error": {"code": code, "msg": msg}, "id": rid})


def _mark_price_update(symbol: str, q: Quote) -> dict[str, Any]:
    row: dict[str, Any] = template("binance_markPrice_pair_array_docs.json")[1]
    row.update(
        {
            "E": q.now_ms,
            "s": symbol,
            "p": f"{q.mark:.8f}",
            "P": f"{q.index:.8f}",
            "i": f"{q.index:.8f}",
            "r": f"{q.funding_rate:.8f}",
            "T": next_funding_ms(q.now_ms, 8.0),
        }
    )
    return row
