"""The band suggestion of a hedge (pure): when its hedge ratio is outside ``target ± band``, the
order the adjust planner (``hedgetui.trading.adjust.suggest``) would send to bring it back.

Computed with the store's numbers when they change, shown on the card, the hedge row and in the
hedge-band alert; never sent by itself. None when the hedge is in its band, has no target, or
the planner refuses the order (a limit, the margin, a long): nothing is suggested that the
``r`` dialog would refuse.
"""

from __future__ import annotations

from hedgetui.config import HedgeSettings, Settings
from hedgetui.domain import RiskReport, SuggestedOrder
from hedgetui.risk import InversePosition


def in_band(settings: HedgeSettings, ratio: float | None) -> bool | None:
    """Whether ``ratio`` is within ``target_hedge_ratio ± hedge_band``; None without a ratio
    or a target (the view's ``hedge_ratio_in_band``, the suggestion's trigger)."""
    target = settings.target_hedge_ratio
    if ratio is None or target is None:
        return None
    return abs(ratio - target) <= settings.hedge_band + 1e-12


def out_of_band(settings: HedgeSettings, report: RiskReport | None) -> bool:
    """The hedge ratio is known and outside its band."""
    return in_band(settings, report.hedge_ratio if report else None) is False


def band_suggestion(
    root: Settings,
    settings: HedgeSettings,
    position: InversePosition,
    report: RiskReport | None,
    mark: float,
    *,
    funding_rate: float | None = None,
    funding_hours: float = 8.0,
) -> SuggestedOrder | None:
    """The order that brings the hedge back to its target ratio within the hedge's order
    limits (``root``'s ``[trading]``, the hedge's ``[hedges.trading]``), or None (see the
    module)."""
    if not out_of_band(settings, report):
        return None
    # the planner and the dialog's limits, imported only once a hedge leaves its band: the
    # store (and every command that reads it) starts without the trading package
    from hedgetui.trading.adjust import suggest
    from hedgetui.trading.adjust_plan import HedgeState
    from hedgetui.trading.adjust_service import limits_for
    from hedgetui.trading.service import instrument_for

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
    plan = suggest(state, instrument_for(settings), limits_for(root, settings))
    if plan is None or plan.adjust is None or plan.adjust.ratio_after is None:
        return None
    order = plan.order
    return SuggestedOrder(order.side, order.contracts, plan.adjust.ratio_after, order.reduce_only)
