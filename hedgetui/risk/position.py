"""The position the risk math works on, and its value, PnL and margin at a price (``hedgetui.risk``
has the notation)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

from hedgetui.domain import MmBasis, Side


@dataclass(frozen=True, slots=True)
class MaintenanceTier:
    """One row of a maintenance table; bounds are position value in coin, ``[floor, cap)``.

    ``deduction`` is the "maintenance amount" (Binance ``cum``) of the rate-minus-deduction form
    ``MM = V*mmr - deduction``; 0 for venues that charge the whole position at the tier rate.
    """

    floor_coin: float
    cap_coin: float
    mmr: float
    deduction: float
    imr: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.floor_coin) and self.floor_coin >= 0):
            raise ValueError(f"tier floor_coin must be a finite number >= 0, got {self.floor_coin}")
        if not (self.cap_coin > self.floor_coin):
            raise ValueError(
                f"tier cap_coin ({self.cap_coin}) must be above floor_coin ({self.floor_coin})"
            )
        if not (0 <= self.mmr < 1):
            raise ValueError(f"tier mmr must be in [0, 1), got {self.mmr}")
        if not math.isfinite(self.deduction):
            raise ValueError(f"tier deduction must be finite, got {self.deduction}")
        if self.imr is not None and not (0 < self.imr <= 1):
            raise ValueError(f"tier imr must be in (0, 1], got {self.imr}")


@dataclass(frozen=True, slots=True)
class InversePosition:
    """A position in an inverse perpetual plus the coin collateral that margins it.

    ``contracts`` is unsigned (the direction is ``side``); ``contract_size`` is USD per contract.
    When ``tiers`` is non-empty it overrides ``mmr``/``mm_deduction``. ``mmr_per_coin`` adds a
    size-dependent part to the rate (Deribit style ``m = mmr + mmr_per_coin * V``).
    """

    side: Side
    contracts: float
    contract_size: float
    entry: float
    collateral: float
    mmr: float = 0.005
    mm_deduction: float = 0.0
    tiers: tuple[MaintenanceTier, ...] = ()
    mm_basis: MmBasis = "mark"
    fee: float = 0.0
    leverage: float | None = None
    mmr_per_coin: float = 0.0

    def __post_init__(self) -> None:
        if self.side not in ("long", "short"):
            raise ValueError(f"side must be 'long' or 'short', got {self.side!r}")
        _require(self.contracts, "contracts", minimum=0.0)
        _require(self.contract_size, "contract_size", positive=True)
        _require(self.entry, "entry", positive=True)
        _require(self.collateral, "collateral", minimum=0.0)
        if not (0 <= self.mmr < 1):
            raise ValueError(f"mmr must be in [0, 1), got {self.mmr}")
        _require(self.mm_deduction, "mm_deduction")
        if self.mm_basis not in ("mark", "entry"):
            raise ValueError(f"mm_basis must be 'mark' or 'entry', got {self.mm_basis!r}")
        if not (0 <= self.fee < 1):
            raise ValueError(f"fee must be in [0, 1), got {self.fee}")
        if self.leverage is not None:
            _require(self.leverage, "leverage", positive=True)
        _require(self.mmr_per_coin, "mmr_per_coin", minimum=0.0)
        for lower, upper in itertools.pairwise(self.tiers):
            if upper.floor_coin < lower.floor_coin:
                raise ValueError("tiers must be sorted by floor_coin")

    @property
    def notional_usd(self) -> float:
        """``Q``: the USD face value of the position."""
        return self.contracts * self.contract_size

    @property
    def sign(self) -> int:
        """``s``: +1 for a long, -1 for a short."""
        return 1 if self.side == "long" else -1


def _require(
    value: float, name: str, *, positive: bool = False, minimum: float | None = None
) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum:g}, got {value}")


def _require_price(price: float, name: str = "price") -> None:
    if not (math.isfinite(price) and price > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {price}")


# --------------------------------------------------------------------------- basic identities


def harmonic_entry(fills: Iterable[tuple[float, float]]) -> float:
    """Average entry of several fills ``(contracts, price)``: ``ΣN / Σ(N/P)`` (size cancels)."""
    total_contracts = 0.0
    total_value = 0.0
    for contracts, price in fills:
        _require(contracts, "fill contracts", positive=True)
        _require_price(price, "fill price")
        total_contracts += contracts
        total_value += contracts / price
    if total_contracts == 0:
        raise ValueError("harmonic_entry needs at least one fill")
    return total_contracts / total_value


def position_value_coin(position: InversePosition, price: float) -> float:
    """``V(P) = Q/P``: the position's value in coin at ``price``."""
    _require_price(price)
    return position.notional_usd / price


def pnl_coin(position: InversePosition, price: float) -> float:
    """Unrealised PnL in coin at ``price``: ``s*Q*(1/P0 - 1/P)``."""
    _require_price(price)
    q = position.notional_usd
    return position.sign * q * (1.0 / position.entry - 1.0 / price)


def initial_margin_coin(position: InversePosition) -> float | None:
    """Isolated, entry-based initial margin ``Q/(P0*L)``; ``None`` without a leverage."""
    if position.leverage is None:
        return None
    return position.notional_usd / (position.entry * position.leverage)


def roi_pct(position: InversePosition, price: float) -> float | None:
    """Exchange-style ROI: coin PnL over initial margin, in percent (``None`` without leverage)."""
    im = initial_margin_coin(position)
    if im is None or im == 0:
        return None
    return pnl_coin(position, price) / im * 100.0


# --------------------------------------------------------------------------- tiers
