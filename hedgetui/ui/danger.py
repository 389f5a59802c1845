"""How dangerous a hedge is, from its liquidation distance and margin buffer, and its colours.

The card and the compact table colour a hedge's numbers alike: :func:`liquidation_danger` and
:func:`buffer_danger` grade the two risks against the hedge's alert levels, :func:`hedge_danger`
is the worse of them, :data:`DANGER_STYLE` the theme variable each grade is drawn in, and
:func:`room_fraction` the card's one 0..1 scale of the room left before liquidation. Pure
functions of the view; the stale rule (:func:`not_fresh`) decides when a number is dimmed.
"""

from __future__ import annotations

from enum import IntEnum

from hedgetui.config import AlertSettings
from hedgetui.domain import Freshness, HedgeView, LiquidationState


class Danger(IntEnum):
    OK = 0
    WARN = 1
    CRIT = 2


DANGER_STYLE = {Danger.OK: "$success", Danger.WARN: "$sev-warn", Danger.CRIT: "b $sev-crit"}
DANGER_CLASS = {Danger.OK: "-ok", Danger.WARN: "-warn", Danger.CRIT: "-crit"}


def liquidation_danger(hedge: HedgeView, alerts: AlertSettings) -> Danger | None:
    """Danger from the liquidation state and the (signed) distance; None when unknown."""
    report = hedge.report
    if report is None:
        return None
    state = report.liquidation_state
    if state in (LiquidationState.PAST, LiquidationState.BELOW_MAINTENANCE):
        return Danger.CRIT
    dist = report.liquidation_distance_pct
    if state is LiquidationState.NONE or dist is None:
        return Danger.OK  # no liquidation price within a 10x move
    if dist < alerts.liq_distance_crit_pct:
        return Danger.CRIT
    if dist < alerts.liq_distance_warn_pct:
        return Danger.WARN
    return Danger.OK


def buffer_danger(hedge: HedgeView, alerts: AlertSettings) -> Danger | None:
    report = hedge.report
    if report is None:
        return None
    pct = hedge.margin_buffer_pct_of_equity
    if pct is None or pct < alerts.margin_buffer_crit_pct:
        return Danger.CRIT  # no equity left is the worst case, not "unknown"
    if pct < alerts.margin_buffer_warn_pct:
        return Danger.WARN
    return Danger.OK


def hedge_danger(hedge: HedgeView, alerts: AlertSettings) -> Danger | None:
    levels = [d for d in (liquidation_danger(hedge, alerts), buffer_danger(hedge, alerts)) if d]
    if hedge.report is None:
        return None
    return max(levels, default=Danger.OK)


ROOM_FULL_WITHOUT_LEVELS_PCT = 30.0  # twice the default 15% warning distance


def room_fraction(hedge: HedgeView, alerts: AlertSettings) -> float | None:
    """The card's one danger scale: the room left before liquidation, 0..1.

    1 at twice the warning distance or more (twice the critical one if larger; 30% with
    both set to 0) (and when there is no liquidation within a 10x
    move), 0 at or past the liquidation price or below maintenance; None without a report.
    Both gauges of a card are drawn on it (see ``hedge_card``).
    """
    r = hedge.report
    if r is None:
        return None
    if r.liquidation_state is LiquidationState.NONE:
        return 1.0
    distance = r.liquidation_distance_pct
    if distance is None or r.liquidation_state is not LiquidationState.AHEAD:
        return 0.0
    full_at = 2 * max(alerts.liq_distance_warn_pct, alerts.liq_distance_crit_pct)
    if full_at <= 0:  # both levels set to 0 (alerts off): the default warning level's scale
        full_at = ROOM_FULL_WITHOUT_LEVELS_PCT
    return max(0.0, min(1.0, distance / full_at))


def not_fresh(freshness: Freshness) -> bool:
    """Whether a value of this freshness is shown as stale (dimmed, with ``?``)."""
    return freshness in (Freshness.STALE, Freshness.NONE)
