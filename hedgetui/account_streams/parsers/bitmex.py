"""BitMEX's private stream -> positions and balances (see ``account_streams.parsers``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hedgetui.account_streams.parsers.base import (
    SATOSHI,
    AccountEvent,
    PrivateParser,
)
from hedgetui.account_streams.values import (
    iso_millis,
    number,
    price_or_none,
)
from hedgetui.domain import MarginMode, PositionUpdate
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply


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
                        amount *= SATOSHI
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
