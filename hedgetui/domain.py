"""Small immutable value types shared by every layer.

Market-data events flow feed adapter -> store; the risk report and the views flow
store -> UI / alerts / CLI. Nothing here does I/O or imports a UI or network library
(an import-linter contract enforces that).

Units: prices in USD per coin, amounts of coin in coin, ``ts`` and ``*_time`` fields in
epoch milliseconds (exchange time), ages and durations in seconds, rates as fractions per
funding interval (0.0001 = 0.01%), ``*_pct`` fields in percent (12.5 = 12.5%).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from hedgetui.history.carry import CarryFigures

VenueName = Literal["bitmex", "bybit", "binance", "deribit", "okx", "kraken"]
VENUES: tuple[VenueName, ...] = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")

Side = Literal["long", "short"]
MmBasis = Literal["mark", "entry"]
MarginMode = Literal["isolated", "cross"]


# --------------------------------------------------------------------------- events


# The market events are NamedTuples, not frozen dataclasses: feeds build one (``Ticker``) to three
# per frame at up to hundreds of thousands of frames a second, and a NamedTuple is built ~2x faster
# (~4x with ``tuple.__new__(MarkPrice, (...))``, which the feed adapters use). They stay immutable
# with the same fields, order, defaults and attribute access. A plain NamedTuple would compare
# equal to any tuple with the same items, so ``MarkPrice(*x) == IndexPrice(*x)`` would be True and
# a mark mistaken for an index would slip through a test; equality is therefore keyed on the type
# (``_event_eq``; ``MarkPrice``, ``IndexPrice``, ``Funding`` and ``Ticker`` alike), which costs
# nothing when events are built or stored. Hashes stay tuple hashes (equal events hash equal).
# Ordering (``<``) is tuple ordering and means nothing; do not rely on it. Use ``isinstance``/
# ``type`` to tell the kinds apart and ``event._replace(...)`` to copy.


def _event_eq(self: tuple[object, ...], other: object) -> bool:
    """Equal only to an event of the same type with equal fields (never to a bare tuple)."""
    return type(self) is type(other) and tuple.__eq__(self, other)


class MarkPrice(NamedTuple):
    """The venue's mark price of one instrument (USD per coin).

    A NamedTuple for speed; equal only to a ``MarkPrice`` with equal fields (see the note above).
    """

    venue: str
    symbol: str
    price: float
    ts: int | None

    def __eq__(self, other: object) -> bool:
        return _event_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return not _event_eq(self, other)

    def __hash__(self) -> int:  # defining __eq__ would otherwise make it unhashable
        return tuple.__hash__(self)


class IndexPrice(NamedTuple):
    """The venue's index (spot reference) price; ``symbol`` is the index's own id on OKX.

    A NamedTuple for speed; equal only to an ``IndexPrice`` with equal fields (see the note above).
    """

    venue: str
    symbol: str
    price: float
    ts: int | None

    def __eq__(self, other: object) -> bool:
        return _event_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return not _event_eq(self, other)

    def __hash__(self) -> int:  # defining __eq__ would otherwise make it unhashable
        return tuple.__hash__(self)


class Funding(NamedTuple):
    """Funding for one instrument. ``rate`` is per funding interval, positive = longs pay.

    A NamedTuple for speed; equal only to a ``Funding`` with equal fields (see the note above).
    """

    venue: str
    symbol: str
    rate: float
    predicted_rate: float | None
    next_funding_time: int | None
    ts: int | None
    interval_hours: float | None = None

    def __eq__(self, other: object) -> bool:
        return _event_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return not _event_eq(self, other)

    def __hash__(self) -> int:  # defining __eq__ would otherwise make it unhashable
        return tuple.__hash__(self)


class Ticker(NamedTuple):
    """The values one frame carried for one instrument: mark, index and funding in one event.

    Venues whose ticker frame carries several values (BitMEX, Bybit, Binance, Deribit, Kraken)
    emit one ``Ticker`` per instrument and frame instead of a ``MarkPrice``, an ``IndexPrice`` and
    a ``Funding``: one object to build and store instead of three is what keeps ingest near the
    cost of decoding the JSON. ``mark``/``index`` None: not in this frame (no change). The index
    belongs to the instrument's own ``symbol``. ``funding_rate`` None: no funding in this frame
    (``predicted_rate``, ``next_funding_time`` and ``interval_hours`` then mean nothing).
    :meth:`parts` gives the equivalent classic events. A NamedTuple for speed; equal only to a
    ``Ticker`` with equal fields (see the note above ``MarkPrice``).
    """

    venue: str
    symbol: str
    ts: int | None
    mark: float | None
    index: float | None  # type: ignore[assignment]  # shadows tuple.index (unused on events)
    funding_rate: float | None
    predicted_rate: float | None
    next_funding_time: int | None
    interval_hours: float | None

    def parts(self) -> list[MarkPrice | IndexPrice | Funding]:
        """The classic events this ticker stands for: mark, index, funding, each when present."""
        venue, symbol, ts = self.venue, self.symbol, self.ts
        out: list[MarkPrice | IndexPrice | Funding] = []
        if self.mark is not None:
            out.append(MarkPrice(venue, symbol, self.mark, ts))
        if self.index is not None:
            out.append(IndexPrice(venue, symbol, self.index, ts))
        if self.funding_rate is not None:
            out.append(
                Funding(
                    venue,
                    symbol,
                    self.funding_rate,
                    self.predicted_rate,
                    self.next_funding_time,
                    ts,
                    self.interval_hours,
                )
            )
        return out

    def __eq__(self, other: object) -> bool:
        return _event_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return not _event_eq(self, other)

    def __hash__(self) -> int:  # defining __eq__ would otherwise make it unhashable
        return tuple.__hash__(self)


def split_market_events(
    events: Iterable[MarkPrice | IndexPrice | Funding | Ticker],
) -> list[MarkPrice | IndexPrice | Funding]:
    """The events as classic ones: each ``Ticker`` replaced by its :meth:`Ticker.parts`."""
    out: list[MarkPrice | IndexPrice | Funding] = []
    for event in events:
        if isinstance(event, Ticker):
            out += event.parts()
        else:
            out.append(event)
    return out


class FeedState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    STALE = "stale"
    DOWN = "down"


class FailureKind(StrEnum):
    """Why a connection is down (``hedgetui.feeds.failure`` classifies; docs/feeds.md lists)."""

    DNS = "dns"  # the venue's host name does not resolve
    REFUSED = "refused"  # nothing listens there (connection refused)
    UNREACHABLE = "unreachable"  # no route to the host or network
    TIMEOUT = "timeout"  # no answer to the connect or the handshake in time
    TLS = "tls"  # certificate not trusted, or a TLS protocol error
    HTTP = "http"  # the websocket upgrade was answered with an HTTP status (403, 451, 503)
    CLOSED = "closed"  # closed by the venue with a close code and reason
    LOST = "lost"  # the connection dropped without a close frame
    REJECTED = "rejected"  # the venue refused a subscription (e.g. an unknown symbol)
    AUTH = "auth"  # the venue refused the login of an account stream
    SILENT = "silent"  # our watchdog closed a socket that stayed silent
    ERROR = "error"  # anything else (the reason says what)


@dataclass(frozen=True, slots=True)
class FeedFailure:
    """The last reason a connection is (or was) not live, in words.

    ``reason``: the full sentence (``connection refused by 127.0.0.1:9``); ``code``: the HTTP
    status or websocket close code when there is one; ``retry_at``: wall-clock epoch seconds of
    the next connection attempt (None while connected or connecting).
    """

    kind: FailureKind
    reason: str
    code: int | None = None
    retry_at: float | None = None

    @property
    def short(self) -> str:
        """The status line's words: the kind, with the HTTP status or close code
        (``refused``, ``http 403``, ``closed 1013``; ``no route`` for unreachable)."""
        word = "no route" if self.kind is FailureKind.UNREACHABLE else self.kind.value
        if self.code is not None and self.kind in (FailureKind.HTTP, FailureKind.CLOSED):
            return f"{word} {self.code}"
        return word


def shown_failure(state: FeedState, failure: FeedFailure | None) -> FeedFailure | None:
    """The failure a feed or account says in place of its state: while it is not live, or
    when a subscription of a live feed was rejected (its other symbols stream)."""
    if failure is None or (state is FeedState.LIVE and failure.kind is not FailureKind.REJECTED):
        return None
    return failure


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """Connection health of one venue's market-data feed."""

    venue: str
    state: FeedState
    last_error: str | None = None
    reconnects: int = 0
    last_message_age: float | None = None
    latency_ms: float | None = None
    malformed: int = 0
    failure: FeedFailure | None = None  # why it is not live, while that matters


@dataclass(frozen=True, slots=True)
class PositionUpdate:
    """The futures position as the exchange account reports it.

    ``contracts`` is signed (negative = short); ``contract_size`` is USD per contract.
    """

    venue: str
    symbol: str
    contracts: float
    contract_size: float
    entry_price: float | None
    liquidation_price: float | None = None
    margin_mode: MarginMode | None = None
    leverage: float | None = None
    isolated_margin: float | None = None
    ts: int | None = None
    account: str | None = None


@dataclass(frozen=True, slots=True)
class BalanceUpdate:
    """Wallet balance in coin (the settlement coin of the inverse contracts)."""

    venue: str
    coin: str
    wallet_balance: float
    ts: int | None = None
    account: str | None = None
    # the margin the venue says new orders may use (coin), when its reply says: BitMEX
    # availableMargin, Bybit equity - totalPositionIM, Binance availableBalance, Deribit
    # available_funds, OKX availEq, Kraken auxiliary.af
    available_margin: float | None = None


MarketEvent = MarkPrice | IndexPrice | Funding | Ticker
Event = MarkPrice | IndexPrice | Funding | Ticker | FeedStatus | PositionUpdate | BalanceUpdate


# --------------------------------------------------------------------------- risk report


class LiquidationState(StrEnum):
    """Where a position stands relative to liquidation (``hedgetui.risk.liquidation``).

    One classification read by calc, status, watch, the alerts and the dashboard alike.
    """

    NONE = "none"  # no price liquidates it, or only a price more than a 10x move away
    AHEAD = "ahead"  # a liquidation price the mark has not reached: distance > 0
    PAST = "past"  # the mark is at or beyond the liquidation price: distance <= 0
    BELOW_MAINTENANCE = "below_maintenance"  # equity below maintenance and no price fixes it


LIQUIDATION_REACH = 10.0
"""A liquidation price more than this factor away from the mark (above it, or below it) is
treated as no liquidation at all: the one threshold behind ``LiquidationState.NONE``."""

LIQUIDATION_WORDS: dict[LiquidationState, str] = {
    LiquidationState.NONE: "none (≥10×)",
    LiquidationState.PAST: "past liquidation",
    LiquidationState.BELOW_MAINTENANCE: "already below maintenance",
}
"""The words every surface prints for a state that is not (only) a distance."""


@dataclass(frozen=True, slots=True)
class ScenarioRow:
    """One row of the what-if table: the mark moved by ``move_pct``."""

    move_pct: float
    price: float
    spot_pnl_usd: float
    futures_pnl_usd: float
    net_pnl_usd: float
    portfolio_usd: float
    drawdown_pct: float
    liquidation_state: LiquidationState
    liquidation_distance_pct: float | None  # signed: negative past the liquidation price
    liquidated: bool = False  # past the liquidation price or below maintenance


@dataclass(frozen=True, slots=True)
class RiskReport:
    """Everything the risk engine derives for one position at one mark price.

    Field names are the keys of ``hedgetui calc --json``. ``None`` where not applicable
    (e.g. no liquidation price for a fully collateralised short).

    ``liquidation_state`` says which liquidation fields mean something: ``none`` and
    ``below_maintenance`` carry no liquidation price and no distance; ``ahead`` a positive
    distance, ``past`` a negative (or zero) one. Distances are signed, in % of the mark and in
    USD per coin of price: positive while the mark has not reached the liquidation price.
    ``bankruptcy_price`` is None as well when it lies more than a 10x move from the mark.
    """

    notional_usd: float
    position_value_coin: float
    pnl_coin: float
    pnl_usd: float
    equity_coin: float
    initial_margin_coin: float | None
    maintenance_margin_coin: float
    margin_buffer_coin: float
    margin_buffer_usd: float
    liquidation_state: LiquidationState
    liquidation_price: float | None
    bankruptcy_price: float | None
    liquidation_distance_pct: float | None
    liquidation_distance_usd: float | None
    net_exposure_coin: float
    net_exposure_usd: float
    hedge_ratio: float | None
    funding_coin: float | None
    funding_usd: float | None
    funding_annualized_pct: float | None
    scenarios: tuple[ScenarioRow, ...] = ()


# --------------------------------------------------------------------------- views


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
