"""Binance COIN-M's private stream -> positions and balances (see ``account_streams.parsers``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hedgetui.account_streams.parsers.base import (
    AccountEvent,
    ListenKeyExpired,
    PrivateParser,
    read_margin_mode,
)
from hedgetui.account_streams.values import (
    millis,
    number,
    optional_number,
    price_or_none,
)
from hedgetui.domain import PositionUpdate
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply


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
            mode = read_margin_mode(row.get("mt"))
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
