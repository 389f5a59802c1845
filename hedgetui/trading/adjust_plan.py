"""What an adjust asks for and what it plans: the request, the preview, the plan (pure).

The planner's inputs are here too: ``HedgeState`` (what is known of the hedge at one moment)
and ``AdjustLimits`` (the ``[trading]`` limits as they apply to it).

``AdjustRequest`` is one of ``to`` (a target hedge ratio), ``by`` (a signed change in
contracts) or ``band`` (back to the hedge's target); :func:`hedgetui.trading.adjust.plan_adjust`
turns it into an ``AdjustPlan``: an ``UnwindPlan`` (so the same broker, gate and audit run it)
that may increase the position, with its ``AdjustPreview`` (the hedge before -> after the fill
at the mark). The screens, the command's report and the order description read these without
the planner; :func:`suggestion_text` words a suggested plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hedgetui.config.model import DEFAULT_MAX_LIMIT_OFFSET_BPS
from hedgetui.domain import RiskReport
from hedgetui.risk import InversePosition
from hedgetui.trading.planner import PlanError, UnwindPlan

Strategy = Literal["to", "by", "band"]


@dataclass(frozen=True, slots=True)
class AdjustLimits:
    """The ``[trading]`` limits as they apply to one hedge (None = no limit).

    ``scope`` prefixes the key names in refusals (``trading`` or ``hedges.NAME.trading``).
    """

    max_order_contracts: float | None = None
    max_order_usd: float | None = None
    max_leverage: float | None = None
    min_liquidation_distance_pct: float | None = None
    target_hedge_ratio: float | None = None
    hedge_band: float | None = None
    max_limit_offset_bps: float = DEFAULT_MAX_LIMIT_OFFSET_BPS
    scope: str = "trading"


@dataclass(frozen=True, slots=True)
class HedgeState:
    """What the planner knows about one hedge at one moment.

    ``position`` is signed contracts (negative = short); ``risk_position`` the position the risk
    engine sees (collateral, entry, maintenance table, leverage), None only when flat, in which
    case ``collateral`` (coin) and ``template`` (margin parameters) describe the account.
    ``available_margin`` (coin) is the account's figure when there is one.
    """

    position: float
    mark: float
    spot: float = 0.0
    risk_position: InversePosition | None = None
    collateral: float = 0.0
    template: InversePosition | None = None
    available_margin: float | None = None
    funding_rate: float | None = None
    funding_hours: float = 8.0
    margin_mode: Literal["isolated", "cross"] | None = None


@dataclass(frozen=True, slots=True)
class AdjustRequest:
    """Exactly one of: ``to`` (target hedge ratio >= 0), ``by`` (signed contracts), ``band``."""

    to: float | None = None
    by: float | None = None
    band: bool = False
    limit_offset_bps: float | None = None  # None -> market order

    @property
    def strategy(self) -> Strategy:
        given = [s for s, on in (("to", self.to is not None), ("by", self.by is not None)) if on]
        if self.band:
            given.append("band")
        if len(given) != 1:
            raise PlanError("give exactly one of: a target ratio (to), a change (by), or band")
        strategy: Strategy = "to" if given[0] == "to" else "by" if given[0] == "by" else "band"
        return strategy


@dataclass(frozen=True, slots=True)
class AdjustPreview:
    """Before -> after the fill at the mark. Reports are None for a flat position."""

    position_before: float
    position_after: float
    ratio_before: float | None
    ratio_after: float | None
    before: RiskReport | None
    after: RiskReport | None
    leverage_after: float | None  # position value / equity, in x
    margin_needed: float  # coin, the initial margin the increase takes (0 for a reduction)
    margin_available: float | None  # coin, what the check compared against (None: reduction)
    funding_per_day_usd: float | None  # after; positive = the position receives
    target_ratio: float | None = None

    @property
    def liquidation_price_after(self) -> float | None:
        return self.after.liquidation_price if self.after else None


@dataclass(frozen=True, slots=True)
class AdjustPlan(UnwindPlan):
    """An :class:`UnwindPlan` (so the same broker, gate and audit run it) that may increase."""

    adjust: AdjustPreview | None = None
    strategy: Strategy = "to"

    @property
    def increases(self) -> bool:
        return abs(self.position_after) > abs(self.position_before)


def suggestion_text(plan: AdjustPlan, arrow: str = "→") -> str:
    """``sell 1,200 → 0.50``: the order and the ratio it brings the hedge to (``arrow="->"``
    in ASCII mode)."""
    target = plan.adjust.ratio_after if plan.adjust else None
    ratio = f" {arrow} {target:.2f}" if target is not None else ""
    return f"{plan.order.side} {plan.order.contracts:,.10g}{ratio}"
