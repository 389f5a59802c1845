"""BitMEX realtime API (``/realtime``): welcome, ``op`` subscribe, partial + update tables.

Serves ``instrument`` rows for XBTUSD (and the ``.BXBT`` index row when asked) and the
``funding`` table for XBTUSD. A partial carries the whole row; each update carries the key
plus only the fields that changed since the last frame to that client (as the real one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hedgetui.sim.base import (
    Frame,
    Session,
    VenueProtocol,
    dumps,
    iso_ms,
    js_number,
    round_tick,
    template,
)
from hedgetui.sim.market import Quote, next_funding_ms, previous_funding_ms

UNRECOGNIZED = "Unrecognized request. See the docs or send 'help' for more details."
PERP = "XBTUSD"
INDEX = ".BXBT"
FUNDING_PERIOD_H, FUNDING_OFFSET_H = 8.0, 4.0  # 04:00, 12:00, 20:00 UTC
_HELP = template("bitmex_help_response_testnet.json")
_PUBLIC_TABLES = frozenset(_HELP["subscriptionSubjects"]["public"])
_AUTH_TABLES = frozenset(_HELP["subscriptionSubjects"]["authenticationRequired"])
_TABLE_SYMBOLS = {"instrument": (PERP, INDEX), "funding": (PERP,)}
_KEYS = {"instrument": ["symbol"], "funding": ["timestamp", "symbol"]}
_ATTRIBUTES = {
    "instrument": {"symbol": "unique"},
    "funding": {"timestamp": "sorted", "symbol": "grouped"},
}


def _type_name(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "long" if isinstance(value, int) and "Qty" in key else "float"
    if key in ("symbol", "rootSymbol", "underlying", "referenceSymbol"):
        return "symbol"
    if isinstance(value, str) and value.endswith("Z") and "T" in value:
        return "timespan" if value.startswith("2000-01-01") else "timestamp"
    return "symbol" if key == "symbol" else "string" if value is not None else "float"


@dataclass
class _State:
    topics: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    last_funding: dict[str, int] = field(default_factory=dict)


class BitmexProtocol(VenueProtocol):
    name = "bitmex"
    paths = ("/realtime",)
    symbols = (PERP,)
    base_hz = 1.0

    def open(self, session: Session) -> list[Frame]:
        session.state = _State()
        welcome = template("bitmex_welcome_mainnet_recorded.json")
        welcome["timestamp"] = iso_ms(self.market.now_ms())
        out: list[Frame] = [dumps(welcome)]
        url_topics = [t for v in session.query.get("subscribe", []) for t in v.split(",") if t]
        if url_topics:
            out += self._subscribe(session, url_topics, {"op": "subscribe", "args": url_topics})
        return out

    def receive(self, session: Session, message: Frame) -> list[Frame]:
        text = message.decode(errors="replace") if isinstance(message, bytes) else message
        if text == "ping":
            return ["pong"]
        if text == "help":
            return [dumps(_HELP)]
        try:
            req = self.decode(text)
        except ValueError:
            return [self._error(400, UNRECOGNIZED, text)]
        if not isinstance(req, dict) or not isinstance(req.get("op"), str):
            return [self._error(400, UNRECOGNIZED, req)]
        op, args = req["op"], req.get("args", [])
        topics = [args] if isinstance(args, str) else args
        if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
            return [self._error(400, UNRECOGNIZED, req)]
        if op == "subscribe":
            return self._subscribe(session, topics, req)
        if op == "unsubscribe":
            return self._unsubscribe(session, topics, req)
        if op in ("authKey", "authKeyExpires", "cancelAllAfter"):
            return [self._error(401, "Signature not valid.", req)]
        return [self._error(400, UNRECOGNIZED, req)]

    # --- subscriptions
    def _subscribe(self, session: Session, topics: list[str], req: Any) -> list[Frame]:
        st: _State = session.state
        out: list[Frame] = []
        quotes = self.quotes_now()
        for topic in topics:
            table, _, symbol = topic.partition(":")
            if table in _AUTH_TABLES:
                out.append(
                    self._error(401, f"You must be authenticated to subscribe to {table}.", req)
                )
                continue
            if table not in _PUBLIC_TABLES:
                out.append(self._error(400, f"Unknown table: {table}", req))
                continue
            if topic in st.topics:
                out.append(
                    self._error(400, f"You are already subscribed to this topic: {topic}", req)
                )
                continue
            served = _TABLE_SYMBOLS.get(table, ())
            if (
                symbol
                and table in _TABLE_SYMBOLS
                and (symbol not in served or symbol in self.delisted)
            ):
                out.append(self._error(400, f"Unknown symbol: {symbol}", req))
                continue
            symbols = (symbol,) if symbol else served
            st.topics[topic] = (table, symbols)
            out.append(dumps({"success": True, "subscribe": topic, "request": req}))
            out.append(self._partial(st, table, symbols, symbol or None, quotes))
        return out

    def _unsubscribe(self, session: Session, topics: list[str], req: Any) -> list[Frame]:
        st: _State = session.state
        out: list[Frame] = []
        for topic in topics:
            if st.topics.pop(topic, None) is None:
                out.append(self._error(400, f"You are not subscribed to this topic: {topic}", req))
            else:
                out.append(dumps({"success": True, "unsubscribe": topic, "request": req}))
        return out

    def _partial(
        self,
        st: _State,
        table: str,
        symbols: tuple[str, ...],
        filter_symbol: str | None,
        quotes: Mapping[str, Quote],
    ) -> str:
        rows = []
        for sym in symbols:
            row = self._row(table, sym, quotes)
            if row is None:
                continue
            rows.append(row)
            st.rows[(table, sym)] = row
            if table == "funding":
                st.last_funding[sym] = previous_funding_ms(
                    quotes["BTC"].now_ms, FUNDING_PERIOD_H, FUNDING_OFFSET_H
                )
        types: dict[str, str] = {}
        for row in rows:
            for k, v in row.items():
                types.setdefault(k, _type_name(k, v))
        frame = {
            "table": table,
            "action": "partial",
            "keys": _KEYS.get(table, []),
            "types": types,
            "foreignKeys": {},
            "attributes": _ATTRIBUTES.get(table, {}),
            "filter": {"symbol": filter_symbol} if filter_symbol else {},
            "data": rows,
        }
        return dumps(frame)

    def _row(self, table: str, symbol: str, quotes: Mapping[str, Quote]) -> dict[str, Any] | None:
        q = quotes[self.coin_of(symbol)]
        if table == "instrument":
            return _index_row(q) if symbol == INDEX else _instrument_row(q)
        if table == "funding":
            return _funding_row(q, previous_funding_ms(q.now_ms, 8, 4))
        return None

    # --- ticks
    def tick(self, session: Session, quotes: Mapping[str, Quote], n: int) -> list[Frame]:
        st: _State = session.state
        out: list[Frame] = []
        updates: list[dict[str, Any]] = []
        for table, symbols in st.topics.values():
            if table != "instrument":
                continue
            for sym in symbols:
                old = st.rows.get((table, sym))
                new = self._row(table, sym, quotes)
                if old is None or new is None:
                    continue
                diff = {"symbol": sym} | {
                    k: v for k, v in new.items() if k != "symbol" and old.get(k) != v
                }
                st.rows[(table, sym)] = new
                if len(diff) > 1:
                    updates.append(diff)
        if updates:
            out.append(dumps({"table": "instrument", "action": "update", "data": updates}))
        for table, symbols in st.topics.values():
            if table != "funding":
                continue
            for sym in symbols:
                q = quotes[self.coin_of(sym)]
                settled = previous_funding_ms(q.now_ms, FUNDING_PERIOD_H, FUNDING_OFFSET_H)
                if st.last_funding.get(sym, settled) < settled:
                    st.last_funding[sym] = settled
                    row = _funding_row(q, settled)
                    out.append(dumps({"table": "funding", "action": "insert", "data": [row]}))
        return out

    def sample_frame(self) -> str:
        q = self.quotes_now()["BTC"]
        return dumps({"table": "instrument", "action": "update", "data": [_instrument_row(q)]})

    def _error(self, status: int, error: str, request: Any) -> str:
        return dumps({"status": status, "error": error, "meta": {}, "request": request})


def _instrument_row(q: Quote) -> dict[str, Any]:
    row: dict[str, Any] = template("bitmex_instrument_partial_XBTUSD_testnet_2021.json")["data"][0]
    mark = round(q.mark, 2)
    index = round(q.index, 2)
    last = round_tick(q.mark, 0.5)
    next_funding = next_funding_ms(q.now_ms, FUNDING_PERIOD_H, FUNDING_OFFSET_H)
    hour = next_funding_ms(q.now_ms, 1.0)
    rate = round(q.funding_rate, 6)
    row.update(
        {
            "fundingTimestamp": iso_ms(next_funding),
            "fundingRate": js_number(rate),
            "indicativeFundingRate": js_number(rate),
            "openingTimestamp": iso_ms(hour - 3_600_000),
            "closingTimestamp": iso_ms(hour),
            "lastPrice": js_number(last),
            "lastPriceProtected": js_number(last),
            "bidPrice": js_number(last - 0.5),
            "midPrice": js_number(last - 0.25),
            "askPrice": js_number(last),
            "impactBidPrice": js_number(round(last - 10.0, 4)),
            "impactMidPrice": js_number(last),
            "impactAskPrice": js_number(round(last + 10.0, 4)),
            "fairBasisRate": js_number(round(rate * 3 * 365, 4)),
            "fairBasis": js_number(round(mark - index, 2)),
            "fairPrice": js_number(mark),
            "markPrice": js_number(mark),
            "indicativeSettlePrice": js_number(index),
            "timestamp": iso_ms(q.now_ms),
        }
    )
    return row


def _index_row(q: Quote) -> dict[str, Any]:
    index = js_number(round(q.index, 2))
    return {
        "symbol": INDEX,
        "rootSymbol": "XBT",
        "state": "Unlisted",
        "typ": "MRCXXX",
        "underlying": "XBT",
        "quoteCurrency": "USD",
        "reference": "BMI",
        "referenceSymbol": INDEX,
        "tickSize": 0.01,
        "lastPrice": index,
        "markPrice": index,
        "timestamp": iso_ms(q.now_ms),
    }


def _funding_row(q: Quote, settled_ms: int) -> dict[str, Any]:
    row: dict[str, Any] = template("bitmex_funding_partial_recorded.json")["data"][0]
    rate = round(q.funding_rate, 6)
    row.update(
        {
            "timestamp": iso_ms(settled_ms),
            "fundingRate": js_number(rate),
            "fundingRateDaily": js_number(round(rate * 3, 6)),
        }
    )
    return row
