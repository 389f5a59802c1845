"""Bybit v5 public inverse stream (``/v5/public/inverse``): ``tickers.<SYMBOL>``.

First a full ``snapshot`` (the recorded inverse BTCUSD message as template), then ``delta``
frames with ``symbol`` plus only the keys that changed. Every value inside ``data`` is a
string, as on the real venue. ``{"op":"ping"}`` gets the public pong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hedgetui.sim.base import Frame, Session, VenueProtocol, dumps, fmt_rate, round_tick, template
from hedgetui.sim.market import Quote, next_funding_ms

SYMBOLS = ("BTCUSD", "ETHUSD")
TOPIC_PREFIX = "tickers."


@dataclass
class _State:
    conn_id: str
    topics: dict[str, dict[str, str]] = field(default_factory=dict)  # topic -> last data sent
    cs: int = 20_856_433_578


class BybitProtocol(VenueProtocol):
    name = "bybit"
    paths = ("/v5/public/inverse",)
    symbols = SYMBOLS
    base_hz = 10.0  # derivatives tickers push every 100 ms

    def open(self, session: Session) -> list[Frame]:
        session.state = _State(conn_id=f"d{session.conn_id:08x}-sim-{self.name}")
        return []

    def _reply(self, st: _State, op: str, req_id: str, success: bool, msg: str) -> str:
        ack: dict[str, Any] = template("bybit_subscribe_ack_public_linear_inverse.json")
        ack.update(
            {"success": success, "ret_msg": msg, "conn_id": st.conn_id, "req_id": req_id, "op": op}
        )
        return dumps(ack)

    def receive(self, session: Session, message: Frame) -> list[Frame]:
        st: _State = session.state
        try:
            req = self.decode(message)
        except ValueError:
            return [self._reply(st, "", "", False, "error:request not valid json")]
        if not isinstance(req, dict):
            return [self._reply(st, "", "", False, "error:request not valid json")]
        op = req.get("op")
        req_id = req.get("req_id") if isinstance(req.get("req_id"), str) else ""
        assert isinstance(req_id, str)
        if op == "ping":
            pong: dict[str, Any] = template("bybit_pong_public_linear_inverse.json")
            pong.update({"conn_id": st.conn_id, "req_id": req_id})
            return [dumps(pong)]
        args = req.get("args")
        if op not in ("subscribe", "unsubscribe"):
            return [self._reply(st, str(op), req_id, False, f"error:op {op} not support")]
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args) or not args:
            return [self._reply(st, op, req_id, False, "error:args is empty or invalid")]
        if op == "unsubscribe":
            missing = [a for a in args if a not in st.topics]
            if missing:
                return [
                    self._reply(st, op, req_id, False, f"error:not subscribed,topic:{missing[0]}")
                ]
            for a in args:
                del st.topics[a]
            return [self._reply(st, op, req_id, True, "")]
        for a in args:
            if not a.startswith(TOPIC_PREFIX):
                return [self._reply(st, op, req_id, False, f"error:handler not found,topic:{a}")]
            if not self.listed(a[len(TOPIC_PREFIX) :]):
                return [self._reply(st, op, req_id, False, f"Invalid symbol :[{a}]")]
            if a in st.topics:
                return [self._reply(st, op, req_id, False, f"error:already subscribed,topic:{a}")]
        out: list[Frame] = [self._reply(st, op, req_id, True, "")]
        quotes = self.quotes_now()
        for a in args:
            symbol = a[len(TOPIC_PREFIX) :]
            data = self._data(symbol, quotes, 0)
            st.topics[a] = data
            out.append(self._frame(st, a, "snapshot", data, quotes))
        return out

    def _frame(
        self, st: _State, topic: str, kind: str, data: dict[str, str], q: Mapping[str, Quote]
    ) -> str:
        st.cs += 1
        now = next(iter(q.values())).now_ms
        return dumps({"topic": topic, "type": kind, "data": data, "cs": st.cs, "ts": now})

    def tick(self, session: Session, quotes: Mapping[str, Quote], n: int) -> list[Frame]:
        st: _State = session.state
        out: list[Frame] = []
        for topic, old in st.topics.items():
            symbol = topic[len(TOPIC_PREFIX) :]
            new = self._data(symbol, quotes, n)
            delta = {"symbol": symbol} | {
                k: v for k, v in new.items() if k != "symbol" and old.get(k) != v
            }
            st.topics[topic] = new
            if len(delta) > 1:
                out.append(self._frame(st, topic, "delta", delta, quotes))
        return out

    def _data(self, symbol: str, quotes: Mapping[str, Quote], n: int) -> dict[str, str]:
        coin = self.coin_of(symbol)
        return _ticker_data(symbol, quotes[coin], n, self.market.scenario.initial(coin).mark)

    def sample_frame(self) -> str:
        q = self.quotes_now()
        st = _State(conn_id="x")
        return self._frame(st, "tickers.BTCUSD", "snapshot", self._data("BTCUSD", q, 0), q)


def _ticker_data(symbol: str, q: Quote, n: int, day_open: float) -> dict[str, str]:
    """The full ticker; 24 h statistics are relative to the scenario's first price."""
    data: dict[str, str] = template("bybit_tickers_inverse_snapshot_recorded.json")["data"]
    last = round_tick(q.mark, 0.5)
    oi = 449_736_676 + (n * 7919) % 10_000  # open interest keeps moving, as a live one does
    data.update(
        {
            "symbol": symbol,
            "price24hPcnt": f"{last / day_open - 1.0:.6f}",
            "lastPrice": f"{last:.2f}",
            "prevPrice24h": f"{round_tick(day_open, 0.5):.2f}",
            "highPrice24h": f"{round_tick(max(day_open, q.mark), 0.5):.2f}",
            "lowPrice24h": f"{round_tick(min(day_open, q.mark), 0.5):.2f}",
            "prevPrice1h": f"{round_tick(day_open, 0.5):.2f}",
            "markPrice": f"{q.mark:.2f}",
            "indexPrice": f"{q.index:.2f}",
            "openInterest": str(oi),
            "openInterestValue": f"{oi / q.mark:.2f}",
            "nextFundingTime": str(next_funding_ms(q.now_ms, 8.0)),
            "fundingRate": fmt_rate(round(q.funding_rate, 6)),
            "bid1Price": f"{last:.2f}",
            "ask1Price": f"{last + 0.5:.2f}",
        }
    )
    return data
