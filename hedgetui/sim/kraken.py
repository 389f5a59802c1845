"""Kraken Futures websocket v1 (``/ws/v1``): info frame, ``ticker``, ``ticker_lite``, heartbeat.

Subscribe ``{"event":"subscribe","feed":"ticker","product_ids":["PI_XBTUSD"]}``; one
``subscribed`` ack per product (upper-cased, lower-case ids are accepted). Tickers are full
objects (the recorded PI_XBTUSD message as template), JSON numbers, once a second. Funding
is hourly: ``relative_funding_rate`` = the scenario's 8-hour rate / 8, and ``funding_rate``
is the absolute amount in XBT per 1-USD contract (relative / mark), as on the real venue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hedgetui.sim.base import Frame, Session, VenueProtocol, dumps, round_tick, template
from hedgetui.sim.market import Quote, next_funding_ms

SYMBOLS = ("PI_XBTUSD", "PI_ETHUSD")
PAIRS = {"PI_XBTUSD": "XBT:USD", "PI_ETHUSD": "ETH:USD"}
FEEDS = ("ticker", "ticker_lite", "heartbeat")
_LITE_KEYS = (
    "time",
    "feed",
    "product_id",
    "bid",
    "ask",
    "change",
    "premium",
    "volume",
    "tag",
    "pair",
    "dtm",
    "maturityTime",
    "markPrice",
)


@dataclass
class _State:
    subs: list[tuple[str, str]] = field(default_factory=list)  # (feed, product_id)
    heartbeat: bool = False


class KrakenProtocol(VenueProtocol):
    name = "kraken"
    paths = ("/ws/v1",)
    symbols = SYMBOLS
    base_hz = 1.0
    heartbeat_every_s = 5.0

    def open(self, session: Session) -> list[Frame]:
        session.state = _State()
        return [dumps(template("kraken_info_event_recorded.json"))]

    def _error(self, message: str) -> str:
        err: dict[str, Any] = template("kraken_error_invalid_product_id_docs.json")
        err["message"] = message
        return dumps(err)

    def receive(self, session: Session, message: Frame) -> list[Frame]:
        st: _State = session.state
        try:
            req = self.decode(message)
        except ValueError:
            return [self._error("Json Error")]
        if not isinstance(req, dict):
            return [self._error("Json Error")]
        event, feed = req.get("event"), req.get("feed")
        if event not in ("subscribe", "unsubscribe"):
            return [self._error("Invalid event")]
        if feed not in FEEDS:
            return [self._error("Invalid feed")]
        assert isinstance(feed, str)
        done = "subscribed" if event == "subscribe" else "unsubscribed"
        if feed == "heartbeat":
            st.heartbeat = event == "subscribe"
            return [dumps({"event": done, "feed": feed})]
        ids = req.get("product_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            return [self._error("Invalid product id")]
        products = [i.upper() for i in ids]
        if not all(self.listed(p) for p in products):
            return [self._error("Invalid product id")]
        out: list[Frame] = []
        quotes = self.quotes_now()
        for p in products:
            out.append(dumps({"event": done, "feed": feed, "product_ids": [p]}))
            key = (feed, p)
            if event == "subscribe" and key not in st.subs:
                st.subs.append(key)
                out.append(dumps(_ticker(feed, p, quotes[self.coin_of(p)])))
            elif event == "unsubscribe" and key in st.subs:
                st.subs.remove(key)
        return out

    def tick(self, session: Session, quotes: Mapping[str, Quote], n: int) -> list[Frame]:
        st: _State = session.state
        out: list[Frame] = [dumps(_ticker(feed, p, quotes[self.coin_of(p)])) for feed, p in st.subs]
        if st.heartbeat and n % max(1, round(self.heartbeat_every_s * self.hz)) == 0:
            now = next(iter(quotes.values())).now_ms
            out.append(dumps({"feed": "heartbeat", "time": now}))
        return out

    def sample_frame(self) -> str:
        return dumps(_ticker("ticker", "PI_XBTUSD", self.quotes_now()["BTC"]))


def _ticker(feed: str, product: str, q: Quote) -> dict[str, Any]:
    t: dict[str, Any] = template("kraken_ticker_PI_XBTUSD_recorded_2022.json")
    tick = 0.5 if product == "PI_XBTUSD" else 0.05
    last = round_tick(q.mark, tick)
    relative = q.funding_rate / 8.0  # hourly funding
    t.update(
        {
            "time": q.now_ms,
            "product_id": product,
            "funding_rate": relative / q.mark,
            "funding_rate_prediction": relative / q.mark,
            "relative_funding_rate": relative,
            "relative_funding_rate_prediction": relative,
            "next_funding_rate_time": next_funding_ms(q.now_ms, 1.0),
            "feed": feed,
            "bid": round_tick(last - tick, tick),
            "ask": last,
            "index": round(q.index, 2),
            "premium": round((q.mark / q.index - 1.0) * 100.0, 1),
            "last": last,
            "pair": PAIRS[product],
            "markPrice": round(q.mark, 6),
        }
    )
    if feed == "ticker_lite":
        t = {k: t[k] for k in _LITE_KEYS}
    return t
