"""OKX v5 public websocket (``/ws/v5/public``): mark-price, index-tickers, funding-rate.

Subscribe with ``{"op":"subscribe","args":[{"channel":...,"instId":...}]}`` (``id``
optional); one ack per arg. Every value in a push is a string, timestamps included. Text
``ping`` gets text ``pong``. Errors use the real codes: 60012 (invalid request) and 60018
(channel or instId does not exist).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hedgetui.sim.base import Frame, Session, VenueProtocol, dumps, fmt_rate, template
from hedgetui.sim.market import Quote, next_funding_ms

SWAPS = ("BTC-USD-SWAP", "ETH-USD-SWAP")
INDEXES = ("BTC-USD", "ETH-USD")
CHANNELS: dict[str, tuple[tuple[str, ...], float]] = {
    # channel -> (valid instIds, push rate in Hz)
    "mark-price": (SWAPS, 5.0),
    "index-tickers": (INDEXES, 5.0),
    "funding-rate": (SWAPS, 1.0),
}
WRONG_CHANNEL = (
    "Wrong URL or channel:{channel},instId:{instId} doesn't exist. "
    "Please use the correct URL, channel and parameters referring to API document."
)


def _px(x: float, decimals: int) -> str:
    """A price string as OKX prints it: fixed decimals, trailing zeros dropped."""
    s = f"{x:.{decimals}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


@dataclass
class _State:
    conn_id: str
    subs: list[tuple[str, str]] = field(default_factory=list)  # (channel, instId)


class OkxProtocol(VenueProtocol):
    name = "okx"
    paths = ("/ws/v5/public",)
    symbols = SWAPS
    base_hz = 5.0

    def open(self, session: Session) -> list[Frame]:
        session.state = _State(conn_id=f"{session.conn_id:08x}")
        return []

    def _with_id(self, rid: Any, body: dict[str, Any]) -> str:
        return dumps(({"id": rid} if rid is not None else {}) | body)

    def _invalid(self, st: _State, rid: Any, raw: str) -> str:
        body = {"event": "error", "code": "60012", "msg": f"Invalid request: {raw}"}
        return self._with_id(rid, body | {"connId": st.conn_id})

    def receive(self, session: Session, message: Frame) -> list[Frame]:
        st: _State = session.state
        raw = message.decode(errors="replace") if isinstance(message, bytes) else message
        if raw == "ping":
            return ["pong"]
        try:
            req = self.decode(raw)
        except ValueError:
            return [self._invalid(st, None, raw)]
        if not isinstance(req, dict):
            return [self._invalid(st, None, raw)]
        rid = req.get("id")
        op, args = req.get("op"), req.get("args")
        if op not in ("subscribe", "unsubscribe") or not isinstance(args, list) or not args:
            return [self._invalid(st, rid, raw)]
        if not all(isinstance(a, dict) and isinstance(a.get("channel"), str) for a in args):
            return [self._invalid(st, rid, raw)]
        out: list[Frame] = []
        quotes = self.quotes_now()
        for arg in args:
            channel, inst = arg["channel"], str(arg.get("instId", ""))
            valid, _hz = CHANNELS.get(channel, ((), 0.0))
            if inst not in valid or inst in self.delisted:
                msg = WRONG_CHANNEL.format(channel=channel, instId=inst)
                body = {"event": "error", "code": "60018", "msg": msg, "connId": st.conn_id}
                out.append(self._with_id(rid, body))
                continue
            ack_arg = {"channel": channel, "instId": inst}
            out.append(self._with_id(rid, {"event": op, "arg": ack_arg, "connId": st.conn_id}))
            key = (channel, inst)
            if op == "subscribe" and key not in st.subs:
                st.subs.append(key)
                out.append(self._push(channel, inst, quotes))
            elif op == "unsubscribe" and key in st.subs:
                st.subs.remove(key)
        return out

    def tick(self, session: Session, quotes: Mapping[str, Quote], n: int) -> list[Frame]:
        st: _State = session.state
        return [
            self._push(channel, inst, quotes)
            for channel, inst in st.subs
            if self.due(n, CHANNELS[channel][1])
        ]

    def _push(self, channel: str, inst: str, quotes: Mapping[str, Quote]) -> str:
        q = quotes[self.coin_of(inst)]
        data: dict[str, Any]
        if channel == "mark-price":
            data = template("okx_mark-price_push_docs.json")["data"][0]
            data.update(
                {"instType": "SWAP", "instId": inst, "markPx": _px(q.mark, 1), "ts": str(q.now_ms)}
            )
        elif channel == "index-tickers":
            data = template("okx_index-tickers_BTC-USD_recorded_2023.json")["data"][0]
            start = self.market.scenario.initial(q.coin).index
            data.update(
                {
                    "instId": inst,
                    "idxPx": _px(q.index, 1),
                    "open24h": _px(start, 1),
                    "high24h": _px(max(start, q.index), 1),
                    "low24h": _px(min(start, q.index), 1),
                    "sodUtc0": _px(start, 1),
                    "sodUtc8": _px(start, 1),
                    "ts": str(q.now_ms),
                }
            )
        else:
            data = template("okx_funding-rate_push_docs.json")["data"][0]
            settle = next_funding_ms(q.now_ms, 8.0)
            rate = fmt_rate(round(q.funding_rate, 16))
            data.update(
                {
                    "fundingRate": rate,
                    "fundingTime": str(settle),
                    "instId": inst,
                    "nextFundingTime": str(settle + 8 * 3_600_000),
                    "premium": fmt_rate(q.mark / q.index - 1.0),
                    "settFundingRate": rate,
                    "ts": str(q.now_ms),
                }
            )
        return dumps({"arg": {"channel": channel, "instId": inst}, "data": [data]})

    def sample_frame(self) -> str:
        return self._push("mark-price", "BTC-USD-SWAP", self.quotes_now())
