"""Bybit's private stream -> positions and balances (see ``account_streams.parsers``)."""

from __future__ import annotations

from typing import Any

from hedgetui.account_streams.parsers.base import (
    AccountEvent,
    PrivateParser,
)
from hedgetui.account_streams.values import (
    millis,
    number,
    optional_number,
    price_or_none,
)
from hedgetui.domain import PositionUpdate
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply


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
