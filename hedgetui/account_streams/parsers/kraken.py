"""Kraken Futures' private stream -> positions and balances (see ``account_streams.parsers``)."""

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
