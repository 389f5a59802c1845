"""What every venue's private-stream parser shares: the base class, the error replies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from hedgetui.account_streams.values import (
    coin_name,
)
from hedgetui.domain import BalanceUpdate, MarginMode, PositionUpdate
from hedgetui.feeds.errors import VenueErrorReply
from hedgetui.feeds.frames import JsonFrameParser

AccountEvent = PositionUpdate | BalanceUpdate


class ListenKeyExpired(VenueErrorReply):
    """Binance ended the user data stream: reconnect with a new listen key."""


SATOSHI = 1e-8


def read_margin_mode(raw: Any) -> MarginMode | None:
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
