"""Small immutable value types shared by every layer.

Market-data events flow feed adapter -> store; the risk report and the views flow
store -> UI / alerts / CLI. Nothing here does I/O or imports a UI or network library
(an import-linter contract enforces that).

Units: prices in USD per coin, amounts of coin in coin, ``ts`` and ``*_time`` fields in
epoch milliseconds (exchange time), ages and durations in seconds, rates as fractions per
funding interval (0.0001 = 0.01%), ``*_pct`` fields in percent (12.5 = 12.5%).

The types live in :mod:`~hedgetui.domain.events` (into the store), :mod:`~hedgetui.domain.report`
(the risk engine's report) and :mod:`~hedgetui.domain.views` (out of the store); every layer
imports them from here.
"""

from hedgetui.domain.events import (
    VENUES,
    BalanceUpdate,
    Event,
    FailureKind,
    FeedFailure,
    FeedState,
    FeedStatus,
    Funding,
    IndexPrice,
    MarginMode,
    MarketEvent,
    MarkPrice,
    MmBasis,
    PositionUpdate,
    Side,
    Ticker,
    VenueName,
    shown_failure,
    split_market_events,
)
from hedgetui.domain.report import (
    LIQUIDATION_REACH,
    LIQUIDATION_WORDS,
    LiquidationState,
    RiskReport,
    ScenarioRow,
)
from hedgetui.domain.views import (
    AccountView,
    DashboardView,
    FeedView,
    Freshness,
    HedgeView,
    SuggestedOrder,
    TotalsView,
)

__all__ = [
    "LIQUIDATION_REACH",
    "LIQUIDATION_WORDS",
    "VENUES",
    "AccountView",
    "BalanceUpdate",
    "DashboardView",
    "Event",
    "FailureKind",
    "FeedFailure",
    "FeedState",
    "FeedStatus",
    "FeedView",
    "Freshness",
    "Funding",
    "HedgeView",
    "IndexPrice",
    "LiquidationState",
    "MarginMode",
    "MarkPrice",
    "MarketEvent",
    "MmBasis",
    "PositionUpdate",
    "RiskReport",
    "ScenarioRow",
    "Side",
    "SuggestedOrder",
    "Ticker",
    "TotalsView",
    "VenueName",
    "shown_failure",
    "split_market_events",
]
