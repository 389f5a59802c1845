"""The funding-history client of each venue, by name (one line per venue)."""

from __future__ import annotations

from typing import Any

from hedgetui.history.funding.base import FundingHistoryClient
from hedgetui.history.funding.binance import BinanceFundingHistory
from hedgetui.history.funding.bitmex import BitmexFundingHistory
from hedgetui.history.funding.bybit import BybitFundingHistory

CLIENTS: dict[str, type[FundingHistoryClient]] = {
    "bitmex": BitmexFundingHistory,
    "binance": BinanceFundingHistory,
    "bybit": BybitFundingHistory,
}


def make_history_client(venue: str, **kwargs: Any) -> FundingHistoryClient | None:
    """``make_history_client("bybit", base_url=..., credentials=..., clock=..., sleep=...)``;
    None for a venue without a funding-history client."""
    cls = CLIENTS.get(venue)
    return cls(**kwargs) if cls is not None else None
