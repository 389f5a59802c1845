"""The risk engine's report on one hedge: where it stands against liquidation, and what-ifs.

``RiskReport`` is what :mod:`hedgetui.risk` computes for a position at a mark (net exposure,
hedge ratio, margin, the liquidation price and how far it is), ``LiquidationState`` the one
classification of it that every reader shares, and ``ScenarioRow`` a row of the what-if table
(the same figures at a moved price). Immutable values, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
