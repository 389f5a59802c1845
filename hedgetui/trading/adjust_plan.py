"""What an adjust asks for and what it plans: the request, the preview, the plan (pure).

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

from hedgetui.domain import RiskReport
from hedgetui.trading.planner import PlanError, UnwindPlan

Strategy = Literal["to", "by", "band"]


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
