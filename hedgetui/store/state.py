"""The store's per-input and per-hedge records (the hot path updates them in place)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from hedgetui.config import HedgeSettings
from hedgetui.domain import FeedFailure, FeedState, PositionUpdate, RiskReport, SuggestedOrder
from hedgetui.history.carry import CarryFigures
from hedgetui.risk import InversePosition
from hedgetui.store.ring import FloatRing
from hedgetui.venues import InstrumentProfile

Key = tuple[str, str]  # (venue, symbol)

HISTORY_BUCKET_S = 1.0
"""Sparkline rings keep at most one point per this many seconds (the last value wins)."""
BASIS_POINTS = 3600
"""The basis (mark - index, in bps) is kept for the history screen: one point a second, an hour
(a :class:`FloatRing`, its memory taken at start: 28.8 kB per hedge)."""


@dataclass(slots=True)
class Stamped:
    """The latest value of one input with its exchange and receive times."""

    price: float
    ts: int | None
    received: float  # clock.monotonic() at apply


@dataclass(slots=True)
class FundingState:
    rate: float
    predicted: float | None
    next_time: int | None
    interval_hours: float | None
    received: float


@dataclass(slots=True)
class AccountPosition:
    update: PositionUpdate
    received: float


@dataclass(slots=True)
class AccountHealth:
    """The connection health of one account's data source (private stream or REST poller)."""

    venue: str
    state: FeedState
    not_live_since: float | None  # monotonic when it stopped (or never started) being live
    last_error: str | None = None
    reconnects: int = 0
    source: str = "stream"
    failure: FeedFailure | None = None


@dataclass(slots=True)
class HedgeState:
    """Per-hedge mutable bookkeeping that is not market data."""

    settings: HedgeSettings
    index_key: Key
    contract_size: float
    profile: InstrumentProfile
    manual: InversePosition | None  # a hand-entered position, built once (it never changes)
    carried_coin: float = 0.0
    carried_usd: float = 0.0
    pending_funding_ms: int | None = None  # the announced funding event not credited yet
    credited_funding_ms: int | None = None  # the last funding event credited (each T once)
    report: RiskReport | None = None
    position: InversePosition | None = None
    suggestion: SuggestedOrder | None = None  # out of its band: the order back (never sent)
    mark_ring: deque[float] = field(default_factory=deque)
    funding_ring: deque[float] = field(default_factory=deque)
    mark_bucket: float = -1.0
    funding_bucket: float = -1.0
    basis_ring: FloatRing = field(default_factory=lambda: FloatRing(BASIS_POINTS))
    carry: CarryFigures | None = None  # from the funding history (recomputed on carry_key)
    carry_key: tuple[object, ...] | None = None  # what carry was computed from


@dataclass(slots=True)
class Inputs:
    """Everything the store keeps for one (venue, symbol): its latest mark, index and funding
    (None until received; then updated in place) and the hedges on that instrument, so that
    ``Store.apply`` finds all it updates with one lookup."""

    mark: Stamped | None = None
    index: Stamped | None = None
    funding: FundingState | None = None
    hedges: tuple[HedgeState, ...] = ()
