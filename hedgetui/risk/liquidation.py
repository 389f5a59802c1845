"""Where a position stands relative to liquidation: the one rule every surface reads.

``calc``, ``status``, ``watch``, the alerts, the what-if table and the dashboard all show the
:class:`~hedgetui.domain.LiquidationState` this module computes (carried in ``RiskReport`` and
``ScenarioRow``), never their own reading of a liquidation price:

* ``none``: no price liquidates the position, or only one more than a 10x move from the mark
  (``LIQUIDATION_REACH``); no liquidation price and no distance are reported;
* ``ahead``: a liquidation price the mark has not reached; the distance is positive;
* ``past``: the mark is at or beyond the liquidation price; the distance is negative (or 0);
* ``below_maintenance``: equity is already below the maintenance requirement and no price on
  the other side of the mark restores it (e.g. a size-dependent requirement larger than the
  equity at every price); no liquidation price and no distance.

Distances are signed: long ``(P - P_liq)``, short ``(P_liq - P)``, in USD per coin of price and
in % of the mark ``P``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hedgetui.domain import LIQUIDATION_REACH, LiquidationState, Side

# A mark within this fraction of the liquidation price counts as at it (float noise).
_AT_PRICE = 1e-9


@dataclass(frozen=True, slots=True)
class LiquidationOutlook:
    """The state and the (signed) numbers that go with it; ``None`` where the state has none."""

    state: LiquidationState
    price: float | None
    distance_pct: float | None
    distance_usd: float | None


def beyond_reach(price: float, mark: float) -> bool:
    """True when ``price`` is more than a 10x move from ``mark`` (up or down), or not finite."""
    if not math.isfinite(price):
        return True
    return price > mark * LIQUIDATION_REACH or price * LIQUIDATION_REACH < mark


def liquidation_outlook(
    side: Side, mark: float, liquidation: float | None, buffer_coin: float
) -> LiquidationOutlook:
    """Classify a position at ``mark`` from its liquidation price and its margin buffer
    (equity minus the maintenance requirement, in coin, at the same mark)."""
    if liquidation is not None and math.isfinite(liquidation):
        usd = mark - liquidation if side == "long" else liquidation - mark
        if usd <= mark * _AT_PRICE:
            return LiquidationOutlook(
                LiquidationState.PAST, liquidation, min(0.0, usd / mark * 100.0), min(0.0, usd)
            )
        if buffer_coin >= 0 and not beyond_reach(liquidation, mark):
            return LiquidationOutlook(LiquidationState.AHEAD, liquidation, usd / mark * 100.0, usd)
    if buffer_coin < 0:
        return LiquidationOutlook(LiquidationState.BELOW_MAINTENANCE, None, None, None)
    return LiquidationOutlook(LiquidationState.NONE, None, None, None)


def within_reach(price: float | None, mark: float) -> float | None:
    """``price`` unless it is None or more than a 10x move from ``mark`` (then None)."""
    return None if price is None or beyond_reach(price, mark) else price


def closeness_key(state: LiquidationState, distance_pct: float | None) -> float:
    """A sort key, smallest = closest to liquidation: below maintenance first (``-inf``), then
    the signed distance (past liquidation is negative), ``none`` last (``inf``)."""
    if state is LiquidationState.BELOW_MAINTENANCE:
        return -math.inf
    if state is LiquidationState.NONE or distance_pct is None:
        return math.inf
    return distance_pct
