"""The band suggestion of a hedge (pure): when its hedge ratio is outside ``target ± band``, the
order the adjust planner (``hedgetui.trading.adjust.suggest``) would send to bring it back.

Computed with the store's numbers when they change, shown on the card, the hedge row and in the
hedge-band alert; never sent by itself. None when the hedge is in its band, has no target, or
the planner refuses the order (a limit, the margin, a long): nothing is suggested that the
``r`` dialog would refuse.
"""

from __future__ import annotations

from hedgetui.config import HedgeSettings
from hedgetui.domain import RiskReport, SuggestedOrder
from hedgetui.risk import InversePosition
from hedgetui.trading.adjust import AdjustLimits, HedgeState, suggest
from hedgetui.trading.planner import Instrument
from hedgetui.venues import InstrumentProfile


def out_of_band(settings: HedgeSettings, report: RiskReport | None) -> bool:
    """The hedge ratio is known and outside its band (the store's view's ``in_band`` rule)."""
    target = settings.target_hedge_ratio
    if report is None or target is None or report.hedge_ratio is None:
        return False
    return abs(report.hedge_ratio - target) > settings.hedge_band + 1e-12


def band_suggestion(
    settings: HedgeSettings,
    profile: InstrumentProfile,
    position: InversePosition,
    report: RiskReport | None,
    mark: float,
    *,
    funding_rate: float | None = None,
    funding_hours: float = 8.0,
    limits: AdjustLimits | None = None,
) -> SuggestedOrder | None:
    """The order that brings the hedge back to its target ratio, or None (see the module)."""
    if not out_of_band(settings, report):
        return None
    signed = -position.contracts if position.side == "short" else position.contracts
    state = HedgeState(
        position=signed,
        mark=mark,
        spot=settings.spot_total,
        risk_position=position,
        funding_rate=funding_rate,
        funding_hours=funding_hours,
        margin_mode=settings.position.margin_mode if settings.position else None,
    )
    instrument = Instrument(
        venue=settings.venue,
        symbol=profile.symbol,
        coin=profile.coin,
        contract_size=profile.contract_size,
        lot_size=profile.lot_size,
        tick_size=profile.tick_size,
    )
    limits = limits or AdjustLimits(
        target_hedge_ratio=settings.target_hedge_ratio, hedge_band=settings.hedge_band
    )
    plan = suggest(state, instrument, limits)
    if plan is None or plan.adjust is None or plan.adjust.ratio_after is None:
        return None
    order = plan.order
    return SuggestedOrder(order.side, order.contracts, plan.adjust.ratio_after, order.reduce_only)
