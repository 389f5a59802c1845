"""OKX's private stream -> positions and balances (see ``account_streams.parsers``)."""

from __future__ import annotations

from typing import Any

from hedgetui.account_streams.parsers.base import (
    AccountEvent,
    PrivateParser,
    read_margin_mode,
)
from hedgetui.account_streams.values import (
    millis,
    number,
    optional_number,
    price_or_none,
)
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply


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
            mode = read_margin_mode(row.get("mgnMode"))
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
