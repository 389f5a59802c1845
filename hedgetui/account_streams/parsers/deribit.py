"""Deribit's private stream -> positions and balances (see ``account_streams.parsers``)."""

from __future__ import annotations

from typing import Any

from hedgetui.account_streams.parsers.base import (
    AccountEvent,
    PrivateParser,
)
from hedgetui.account_streams.values import (
    millis,
    number,
    price_or_none,
)
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply


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
