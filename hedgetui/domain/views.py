"""What flows out of the store: the dashboard's snapshot and the views it is made of.

``DashboardView`` is one ``store.snapshot()``: a ``HedgeView`` per hedge (its report, its
inputs' ``Freshness``, its funding, carry and suggested order back into its band), the
``TotalsView`` across hedges, and a ``FeedView`` / ``AccountView`` per connection. The UI, the
alerts and the commands read only these. Immutable values, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from hedgetui.domain.events import FeedFailure, FeedState, Side
from hedgetui.domain.report import RiskReport

if TYPE_CHECKING:
    from hedgetui.history.carry import CarryFigures


class Freshness(StrEnum):
    FRESH = "fresh"
    DELAYED = "delayed"
    STALE = "stale"
    NONE = "none"  # never received: "no data" is its own state, never "safe"


@dataclass(frozen=True, slots=True)
class FeedView:
    venue: str
    state: FeedState
    freshness: Freshness
    last_message_age: float | None
    reconnects: int = 0
    last_error: str | None = None
    latency_ms: float | None = None
    malformed: int = 0
    refused: int = 0  # implausible values the store refused (hedgetui.plausibility)
    failure: FeedFailure | None = None  # why it is not live (kind, words, next retry)


@dataclass(frozen=True, slots=True)
class AccountView:
    """One account's data source as the dashboard shows it.

    ``freshness`` is what a position from this account currently counts as (NONE until the
    source has been live once); ``source`` is ``"stream"``, ``"poll"`` or ``"none"`` (it could
    not start, ``last_error`` says why); ``failure``: why it is not live (kind, words, retry).
    """

    name: str
    venue: str
    state: FeedState
    freshness: Freshness
    last_error: str | None
    reconnects: int
    source: str
    failure: FeedFailure | None = None


@dataclass(frozen=True, slots=True)
class SuggestedOrder:
    """The order that would bring a hedge outside its band back (the adjust planner's
    ``band`` request, ``hedgetui.trading.adjust``): shown on the card, the hedge row and in the
    hedge-band alert, never sent by itself."""

    side: Literal["buy", "sell"]
    contracts: float  # on the lot
    ratio_after: float  # the hedge ratio once it fills, at the current mark
    reduce_only: bool

    def words(self) -> str:
        """``sell 1,200 → 0.50``: the side, the contracts and the ratio after."""
        return f"{self.side} {self.contracts:,.10g} → {self.ratio_after:.2f}"

    def record(self) -> dict[str, object]:
        """The ``suggested_order`` of an alert's JSON and of ``status --json``."""
        return {
            "side": self.side,
            "contracts": self.contracts,
            "ratio_after": self.ratio_after,
            "reduce_only": self.reduce_only,
        }


@dataclass(frozen=True, slots=True)
class HedgeView:
    """The derived, display-ready state of one hedge at one UI tick."""

    name: str
    venue: str
    symbol: str
    coin: str
    side: Side | None
    contracts: float | None  # unsigned; None when the position is unknown
    contract_size: float
    mark: float | None
    index: float | None
    mark_freshness: Freshness
    index_freshness: Freshness
    funding_freshness: Freshness
    position_freshness: Freshness
    report: RiskReport | None  # None while the mark or the position is unknown
    spot_coin: float
    target_hedge_ratio: float | None
    hedge_band: float | None
    hedge_ratio_in_band: bool | None
    margin_buffer_pct_of_equity: float | None
    funding_rate: float | None
    predicted_funding_rate: float | None
    funding_interval_hours: float | None
    funding_usd_per_interval: float | None  # positive = this position receives
    funding_usd_per_day: float | None
    funding_apr_pct: float | None  # positive = this position receives
    next_funding_in_s: float | None
    funding_carried_coin: float
    funding_carried_usd: float
    basis_usd: float | None  # mark - index
    basis_bps: float | None
    exchange_liquidation_price: float | None = None
    # outside its band: the order that brings it back (never sent by itself)
    suggestion: SuggestedOrder | None = None
    # funding carried over the funding history (hedgetui.history.carry); None: no history
    carry: CarryFigures | None = None

    @property
    def stale(self) -> bool:
        """True when any input the numbers depend on is not fresh (delayed counts as fresh)."""
        needed = (self.mark_freshness, self.position_freshness)
        return any(f in (Freshness.STALE, Freshness.NONE) for f in needed)


@dataclass(frozen=True, slots=True)
class TotalsView:
    net_exposure_usd: float | None
    net_exposure_by_coin: dict[str, float] = field(default_factory=dict)
    margin_buffer_usd: float | None = None
    funding_usd_per_day: float | None = None
    funding_carried_usd: float = 0.0
    stale: bool = True


@dataclass(frozen=True, slots=True)
class DashboardView:
    """One consistent snapshot of everything the screen, the alerts and `status` show."""

    at: float  # wall-clock epoch seconds of the snapshot
    version: int
    hedges: tuple[HedgeView, ...]
    totals: TotalsView
    feeds: tuple[FeedView, ...]
    accounts: tuple[AccountView, ...] = ()  # the account streams/pollers, in start order
