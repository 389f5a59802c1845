"""The records the simulated exchange's books keep: orders, positions, margin, refusals, faults.

Venue-neutral shapes the books (`hedgetui.sim.rest.accounts.SimAccounts`) and the venue REST
modules pass between them: an `OrderRequest` in, an `Order` or a `Rejection` out, a coin's
`Margin`, a `Position`, a queued `Fault` (its kinds in `FAULT_KINDS`/`LOOKUP_FAULT_KINDS`), and
`inverse_pnl`, the coin PnL of an inverse position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

FAULT_KINDS: tuple[str, ...] = ("reject", "lost_reply", "timeout", "http_500", "rate_limit")
# Faults of order LOOKUPS (by client id): a late reply, a bare 5xx, or a lookup that does not
# see the order yet although it exists (a venue's order query lagging behind its engine).
LOOKUP_FAULT_KINDS: tuple[str, ...] = ("lookup_timeout", "lookup_http_500", "lookup_not_found")

Side = Literal["buy", "sell"]
TimeInForce = Literal["GTC", "IOC", "FOK"]


def time_in_force(name: str) -> TimeInForce:
    """IOC / FOK as named; anything else rests (GTC)."""
    if name == "IOC":
        return "IOC"
    if name == "FOK":
        return "FOK"
    return "GTC"


def inverse_pnl(usd_notional: float, entry: float, exit_price: float, side: int) -> float:
    """Coin PnL of an inverse position of `usd_notional` USD; side +1 long, -1 short."""
    return usd_notional * (1.0 / entry - 1.0 / exit_price) * side


@dataclass(slots=True)
class Position:
    contracts: float = 0.0
    entry: float = 0.0
    realised: float = 0.0  # cumulative realised PnL in coin
    updated_ms: int = 0
    leverage: float | None = None  # None: the venue's default (`DEFAULT_LEVERAGE`)


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A venue-neutral order, as parsed from a venue's request."""

    symbol: str
    side: Side
    qty: float  # contracts
    order_type: Literal["market", "limit"] = "market"
    price: float | None = None
    reduce_only: bool = False
    client_id: str | None = None
    time_in_force: TimeInForce = "GTC"


@dataclass(slots=True)
class Order:
    """One order in a venue's log (mutable: a resting order may fill later)."""

    venue: str
    seq: int
    order_id: str
    client_id: str | None
    symbol: str
    side: Side
    qty: float
    order_type: str
    price: float | None
    time_in_force: str
    reduce_only: bool
    status: Literal["new", "filled", "canceled"]
    filled: float
    avg_price: float | None
    created_ms: int
    updated_ms: int

    @property
    def leaves(self) -> float:
        return 0.0 if self.status != "new" else self.qty - self.filled


RejectReason = Literal[
    "unknown_symbol",
    "lot_size",
    "bad_price",
    "duplicate_client_id",
    "reduce_only",
    "insufficient_margin",
]


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: RejectReason
    detail: str
    required: float = 0.0  # insufficient_margin: the coin the order needed
    available: float = 0.0  # ... and the coin there was


@dataclass(frozen=True, slots=True)
class Margin:
    """One coin's margin on one venue, in coin, at a mark."""

    wallet: float  # balance: collateral + realised PnL
    unrealised: float
    initial: float  # initial margin the positions hold: Q / (entry x leverage)
    orders: float = 0.0  # initial margin resting orders hold: Q / (limit x leverage)

    @property
    def equity(self) -> float:
        return self.wallet + self.unrealised

    @property
    def available(self) -> float:
        """What a new position's initial margin may come out of (never below zero)."""
        return max(self.equity - self.initial - self.orders, 0.0)


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
