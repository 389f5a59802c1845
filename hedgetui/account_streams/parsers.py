"""Pure parsers of each venue's PRIVATE websocket messages -> PositionUpdate / BalanceUpdate.

One parser per connection: ``parse(frame)`` returns the events in one frame and raises only
``FeedParseError`` (``VenueErrorReply`` for the venue's own error replies, e.g. a refused
login). Replies that carry no account data (auth ok, subscribe acks, pongs) give ``[]``.

Only the instruments passed in ``contract_sizes`` (symbol -> USD per contract) produce
position events; balances are reported for every coin the venue sends. Signs follow the
venue's own convention and end up as signed contracts (negative = short).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from hedgetui.account_streams.values import (
    coin_name,
    iso_millis,
    millis,
    number,
    optional_number,
    price_or_none,
)
from hedgetui.domain import BalanceUpdate, MarginMode, PositionUpdate
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.frames import JsonFrameParser

AccountEvent = PositionUpdate | BalanceUpdate


class ListenKeyExpired(VenueErrorReply):
    """Binance ended the user data stream: reconnect with a new listen key."""


_SATOSHI = 1e-8


def _margin_mode(raw: Any) -> MarginMode | None:
    text = str(raw).lower()
    if text in ("cross", "isolated"):
        return "cross" if text == "cross" else "isolated"
    return None


class PrivateParser(JsonFrameParser[AccountEvent]):
    """Base: JSON decoding, error wrapping and the instrument filter."""

    venue: ClassVar[str] = ""

    def __init__(self, contract_sizes: Mapping[str, float], account: str | None = None) -> None:
        self.contract_sizes = {s.upper(): float(size) for s, size in contract_sizes.items()}
        self.account = account

    def reset(self) -> None:
        """Forget merge state (every reconnect)."""

    # ------------------------------------------------------------------ helpers

    def watched(self, symbol: Any) -> float | None:
        """The contract size of a watched instrument, None for any other symbol."""
        return self.contract_sizes.get(str(symbol).upper())

    def position(self, symbol: str, contracts: float, **fields: Any) -> PositionUpdate:
        size = self.contract_sizes[symbol.upper()]
        return PositionUpdate(
            venue=self.venue,
            symbol=symbol.upper(),
            contracts=contracts,
            contract_size=size,
            account=self.account,
            entry_price=fields.pop("entry_price", None),
            **fields,
        )

    def balance(self, coin: Any, amount: float, ts: int | None) -> BalanceUpdate:
        return BalanceUpdate(self.venue, coin_name(coin), amount, ts, self.account)

    def flat(self, symbol: str, ts: int | None) -> PositionUpdate:
        return self.position(symbol, 0.0, entry_price=None, ts=ts)


# --------------------------------------------------------------------------- BitMEX


class BitmexPrivateParser(PrivateParser):
    """Tables ``position`` (rows merged by key, updates carry changed fields) and ``margin``."""

    venue = "bitmex"

    def __init__(self, contract_sizes: Mapping[str, float], account: str | None = None) -> None:
        super().__init__(contract_sizes, account)
        self._rows: dict[str, dict[str, Any]] = {}
        self._have_partial = False

    def reset(self) -> None:
        self._rows.clear()
        self._have_partial = False

    def _parse(self, msg: Any) -> list[AccountEvent]:
        if not isinstance(msg, dict):
            raise FeedParseError("expected a JSON object")
        if "error" in msg:
            raise VenueErrorReply(f"bitmex: {msg.get('status', '')} {msg['error']}".strip())
        table = msg.get("table")
        if table == "position":
            return self._position(msg["action"], msg["data"])
        if table == "margin":
            out: list[AccountEvent] = []
            for row in msg["data"]:
                if "walletBalance" in row:
                    amount = number(row["walletBalance"], "walletBalance")
                    if str(row.get("currency", "XBt")) in ("XBt", "XBT"):
                        amount *= _SATOSHI
                    out.append(
                        self.balance(
                            row.get("currency", "XBt"), amount, iso_millis(row.get("timestamp"))
                        )
                    )
            return out
        return []  # welcome, auth and subscribe acks

    def _position(self, action: str, data: list[dict[str, Any]]) -> list[AccountEvent]:
        if action == "partial":
            self._rows.clear()
            self._have_partial = True
        elif not self._have_partial:
            return []  # updates before the image are meaningless
        out: list[AccountEvent] = []
        for row in data:
            symbol = str(row["symbol"]).upper()
            if self.watched(symbol) is None:
                continue
            if action == "delete":
                self._rows.pop(symbol, None)
                out.append(self.flat(symbol, iso_millis(row.get("timestamp"))))
                continue
            merged = self._rows.setdefault(symbol, {})
            merged.update(row)
            out.append(self._row_event(symbol, merged))
        return out

    def _row_event(self, symbol: str, row: dict[str, Any]) -> PositionUpdate:
        cross = row.get("crossMargin")
        mode: MarginMode | None = None if cross is None else ("cross" if cross else "isolated")
        return self.position(
            symbol,
            number(row.get("currentQty", 0), "currentQty"),
            entry_price=price_or_none(row.get("avgEntryPrice"), "avgEntryPrice"),
            liquidation_price=price_or_none(row.get("liquidationPrice"), "liquidationPrice"),
            margin_mode=mode,
            leverage=price_or_none(row.get("leverage"), "leverage"),
            ts=iso_millis(row.get("timestamp")),
        )


# --------------------------------------------------------------------------- Bybit


class BybitPrivateParser(PrivateParser):
    """Topics ``position``/``position.inverse`` (full rows) and ``wallet``."""

    venue = "bybit"

    def _parse(self, msg: Any) -> list[AccountEvent]:
        if not isinstance(msg, dict):
            raise FeedParseError("expected a JSON object")
        topic = str(msg.get("topic", ""))
        if not topic:
            if msg.get("success") is False:
                raise VenueErrorReply(f"bybit {msg.get('op', '')}: {msg.get('ret_msg', '')}")
            return []  # auth ok, subscribe ack, pong
        ts = millis(msg.get("creationTime"))
        if topic.startswith("position"):
            return [p for row in msg["data"] if (p := self._row(row, ts)) is not None]
        if topic == "wallet":
            out: list[AccountEvent] = []
            for account in msg["data"]:
                for c in account.get("coin", []):
                    out.append(
                        self.balance(c["coin"], number(c["walletBalance"], "walletBalance"), ts)
                    )
            return out
        return []

    def _row(self, row: dict[str, Any], ts: int | None) -> PositionUpdate | None:
        symbol = str(row["symbol"])
        if self.watched(symbol) is None:
            return None
        size = number(row.get("size") or 0, "size")
        side = row.get("side", "")
        contracts = size if side == "Buy" else -size if side == "Sell" else 0.0
        isolated = row.get("tradeMode") == 1
        return self.position(
            symbol,
            contracts,
            entry_price=price_or_none(row.get("entryPrice") or row.get("avgPrice"), "entryPrice"),
            liquidation_price=price_or_none(row.get("liqPrice"), "liqPrice"),
            margin_mode="isolated" if isolated else ("cross" if "tradeMode" in row else None),
            leverage=price_or_none(row.get("leverage"), "leverage"),
            isolated_margin=optional_number(row.get("positionBalance"), "positionBalance")
            if isolated
            else None,
            ts=millis(row.get("updatedTime")) or ts,
        )


# --------------------------------------------------------------------------- Binance


class BinancePrivateParser(PrivateParser):
    """``ACCOUNT_UPDATE``: changed balances ``a.B`` and changed positions ``a.P``.

    One-way mode sends ``ps:"BOTH"``; in hedge mode the LONG and SHORT legs are merged into
    one net position (entry price only when a single leg is open).
    """

    venue = "binance"

    def __init__(self, contract_sizes: Mapping[str, float], account: str | None = None) -> None:
        super().__init__(contract_sizes, account)
        self._legs: dict[tuple[str, str], PositionUpdate] = {}

    def reset(self) -> None:
        self._legs.clear()

    def _parse(self, msg: Any) -> list[AccountEvent]:
        if not isinstance(msg, dict):
            raise FeedParseError("expected a JSON object")
        if "code" in msg and "msg" in msg:
            raise VenueErrorReply(f"binance {msg['code']}: {msg['msg']}")
        if msg.get("e") == "listenKeyExpired":
            raise ListenKeyExpired("binance: the listen key expired")
        if msg.get("e") != "ACCOUNT_UPDATE":
            return []  # ORDER_TRADE_UPDATE, ACCOUNT_CONFIG_UPDATE, listenKeyExpired, ...
        ts = millis(msg.get("T")) or millis(msg.get("E"))
        update = msg["a"]
        out: list[AccountEvent] = [
            self.balance(b["a"], number(b["wb"], "wb"), ts) for b in update.get("B", [])
        ]
        touched: list[str] = []
        for row in update.get("P", []):
            symbol = str(row["s"]).upper()
            if self.watched(symbol) is None:
                continue
            mode = _margin_mode(row.get("mt"))
            self._legs[(symbol, str(row.get("ps", "BOTH")))] = self.position(
                symbol,
                number(row["pa"], "pa"),
                entry_price=price_or_none(row.get("ep"), "ep"),
                margin_mode=mode,
                isolated_margin=optional_number(row.get("iw"), "iw")
                if mode == "isolated"
                else None,
                ts=ts,
            )
            if symbol not in touched:
                touched.append(symbol)
        out.extend(self._net(symbol) for symbol in touched)
        return out

    def _net(self, symbol: str) -> PositionUpdate:
        both = self._legs.get((symbol, "BOTH"))
        legs = [self._legs[k] for k in ((symbol, "LONG"), (symbol, "SHORT")) if k in self._legs]
        if not legs and both is not None:
            return both
        parts = legs + ([both] if both is not None else [])
        open_parts = [p for p in parts if p.contracts != 0]
        net = sum(p.contracts for p in parts)
        template = open_parts[0] if len(open_parts) == 1 else parts[-1]
        entry = template.entry_price if len(open_parts) == 1 else None
        margin = sum(p.isolated_margin or 0.0 for p in parts) or None
        return replace(template, contracts=net, entry_price=entry, isolated_margin=margin)


# --------------------------------------------------------------------------- Deribit


class DeribitPrivateParser(PrivateParser):
    """``user.changes.<instrument>.<interval>`` positions and ``user.portfolio.<coin>``.

    Deribit position ``size`` is in USD (negative = short); contracts = size / contract size.
    """

    venue = "deribit"

    def _parse(self, msg: Any) -> list[AccountEvent]:
        if not isinstance(msg, dict):
            raise FeedParseError("expected a JSON object")
        if "error" in msg:
            err = msg["error"]
            detail = err.get("message", err) if isinstance(err, dict) else err
            code = err.get("code", "") if isinstance(err, dict) else ""
            raise VenueErrorReply(f"deribit {code}: {detail}")
        if msg.get("method") != "subscription":
            return []  # auth/subscribe results, heartbeats
        params = msg["params"]
        channel = str(params["channel"])
        data = params["data"]
        if channel.startswith("user.portfolio."):
            return [self.balance(data["currency"], number(data["balance"], "balance"), None)]
        if channel.startswith("user.changes."):
            return self.changes(data)
        return []

    def changes(self, data: dict[str, Any]) -> list[AccountEvent]:
        """The events in one ``user.changes`` payload (also used on the sample payload)."""
        trade_ts = [millis(t.get("timestamp")) for t in data.get("trades", [])]
        ts = max((t for t in trade_ts if t is not None), default=None)
        out: list[AccountEvent] = []
        for row in data.get("positions", []):
            symbol = str(row["instrument_name"])
            size = self.watched(symbol)
            if size is None:
                continue
            out.append(
                self.position(
                    symbol,
                    number(row["size"], "size") / size,
                    entry_price=price_or_none(row.get("average_price"), "average_price"),
                    liquidation_price=price_or_none(
                        row.get("estimated_liquidation_price"), "estimated_liquidation_price"
                    ),
                    leverage=price_or_none(row.get("leverage"), "leverage"),
                    ts=ts,
                )
            )
        return out


# --------------------------------------------------------------------------- OKX


class OkxPrivateParser(PrivateParser):
    """Channels ``positions`` (only open positions are listed) and ``account``."""

    venue = "okx"

    def _parse(self, msg: Any) -> list[AccountEvent]:
        if not isinstance(msg, dict):
            raise FeedParseError("expected a JSON object")
        if msg.get("event") == "error":
            raise VenueErrorReply(f"okx {msg.get('code', '')}: {msg.get('msg', '')}")
        if "event" in msg:
            return []  # login ok, subscribe ack
        channel = msg["arg"]["channel"]
        if channel == "positions":
            return self._positions(msg)
        if channel == "account":
            out: list[AccountEvent] = []
            for row in msg["data"]:
                ts = millis(row.get("uTime"))
                for d in row.get("details", []):
                    when = millis(d.get("uTime")) or ts
                    out.append(self.balance(d["ccy"], number(d["cashBal"], "cashBal"), when))
            return out
        return []

    def _positions(self, msg: dict[str, Any]) -> list[AccountEvent]:
        out: list[AccountEvent] = []
        seen: set[str] = set()
        latest: int | None = None
        for row in msg["data"]:
            symbol = str(row["instId"]).upper()
            if self.watched(symbol) is None:
                continue
            pos = number(row.get("pos") or 0, "pos")
            side = row.get("posSide", "net")
            contracts = -abs(pos) if side == "short" else abs(pos) if side == "long" else pos
            mode = _margin_mode(row.get("mgnMode"))
            ts = millis(row.get("uTime"))
            latest = max(latest or 0, ts or 0) or None
            seen.add(symbol)
            out.append(
                self.position(
                    symbol,
                    contracts,
                    entry_price=price_or_none(row.get("avgPx"), "avgPx"),
                    liquidation_price=price_or_none(row.get("liqPx"), "liqPx"),
                    margin_mode=mode,
                    leverage=price_or_none(row.get("lever"), "lever"),
                    isolated_margin=optional_number(row.get("margin"), "margin")
                    if mode == "isolated"
                    else None,
                    ts=ts,
                )
            )
        if msg.get("eventType") == "snapshot" and msg.get("lastPage", True):
            # a snapshot lists only open positions: a watched one that is missing is flat
            out.extend(self.flat(s, latest) for s in self.contract_sizes if s not in seen)
        return out


# --------------------------------------------------------------------------- Kraken


class KrakenPrivateParser(PrivateParser):
    """Feeds ``open_positions`` (every open position) and ``balances[_snapshot]``.

    The sign of ``balance`` for a short on the websocket is not documented; a negative value
    is read as a short, and the REST snapshot on every (re)connect is authoritative.
    """

    venue = "kraken"

    def _parse(self, msg: Any) -> list[AccountEvent]:
        if not isinstance(msg, dict):
            raise FeedParseError("expected a JSON object")
        event = msg.get("event")
        if event in ("error", "alert"):
            raise VenueErrorReply(f"kraken: {msg.get('message', event)}")
        if event is not None:
            return []  # info, challenge, subscribed
        feed = msg.get("feed")
        ts = millis(msg.get("timestamp"))
        if feed == "open_positions":
            out: list[AccountEvent] = []
            seen: set[str] = set()
            for row in msg.get("positions", []):
                symbol = str(row["instrument"]).upper()
                if self.watched(symbol) is None:
                    continue
                seen.add(symbol)
                out.append(
                    self.position(
                        symbol,
                        number(row["balance"], "balance"),
                        entry_price=price_or_none(row.get("entry_price"), "entry_price"),
                        liquidation_price=price_or_none(
                            row.get("liquidation_threshold"), "liquidation_threshold"
                        ),
                        leverage=price_or_none(row.get("effective_leverage"), "effective_leverage"),
                        ts=ts,
                    )
                )
            out.extend(self.flat(s, ts) for s in self.contract_sizes if s not in seen)
            return out
        if feed in ("balances", "balances_snapshot"):
            return [
                self.balance(w.get("unit", name), number(w["balance"], "balance"), ts)
                for name, w in (msg.get("futures") or {}).items()
            ]
        return []


PARSERS: dict[str, type[PrivateParser]] = {
    cls.venue: cls
    for cls in (
        BitmexPrivateParser,
        BybitPrivateParser,
        BinancePrivateParser,
        DeribitPrivateParser,
        OkxPrivateParser,
        KrakenPrivateParser,
    )
}


def private_parser(
    venue: str, contract_sizes: Mapping[str, float], account: str | None = None
) -> PrivateParser:
    """A fresh parser for ``venue``; ValueError names the known venues."""
    try:
        cls = PARSERS[venue.lower()]
    except KeyError:
        raise ValueError(f"unknown venue {venue!r} (known: {', '.join(PARSERS)})") from None
    return cls(contract_sizes, account)
