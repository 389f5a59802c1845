"""The alert rules: pure functions from one hedge's or one feed's view to observations.

A rule does not decide whether an alert fires: it reports what it sees (a value, the
trigger levels, which way is dangerous) and the engine applies pending time, hysteresis,
cooldown and the rest. An observation is one of three things:

* a value with its levels - the engine compares it (``value`` is not None);
* ``no_data`` - the input is missing or stale, so the rule cannot tell (never "safe");
* not applicable (``value is None`` and not ``no_data``) - e.g. a 1x short has no
  liquidation price, so the liquidation-distance rule is genuinely clear.

A value that is not a finite number (NaN, +/-inf), or a trigger that is not, is ``no_data``:
NaN compares false with every threshold, so it would otherwise read as "fine". Every
:class:`Observation` enforces this itself when it is built, whichever rule built it; a hedge
whose risk report holds a non-finite number has no usable data at all
(:func:`hedge_has_no_data`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Literal

from hedgetui.alerts.model import AlertThresholds, Severity
from hedgetui.domain import (
    LIQUIDATION_WORDS,
    FeedState,
    FeedView,
    Freshness,
    HedgeView,
    LiquidationState,
    SuggestedOrder,
    shown_failure,
)
from hedgetui.risk.liquidation import beyond_reach

Direction = Literal["below", "above"]  # the dangerous side of the trigger

MARGIN_BUFFER = "margin_buffer"
LIQ_DISTANCE = "liq_distance"
HEDGE_BAND = "hedge_band"
FUNDING_AGAINST = "funding_against"
FUNDING_TRAP = "funding_trap"
FUNDING_TRAP_USD = "funding_trap_usd"
BASIS = "basis"
LIQ_DIVERGENCE = "liq_divergence"
NO_DATA = "no_data"
FEED_STALE = "feed_stale"

RULES: tuple[str, ...] = (
    MARGIN_BUFFER,
    LIQ_DISTANCE,
    HEDGE_BAND,
    FUNDING_AGAINST,
    FUNDING_TRAP,
    FUNDING_TRAP_USD,
    BASIS,
    LIQ_DIVERGENCE,
    NO_DATA,
    FEED_STALE,
)

_UNUSABLE = (Freshness.STALE, Freshness.NONE)
_PAST_OR_BELOW = (LiquidationState.PAST, LiquidationState.BELOW_MAINTENANCE)
STALE_CRITICAL_FACTOR = 4.0  # a feed/hedge without data for 4 x T is critical


@dataclass(frozen=True, slots=True)
class Level:
    severity: Severity
    trigger: float


@dataclass(frozen=True, slots=True)
class Observation:
    rule: str
    key: str
    hedge: str | None
    venue: str | None
    value: float | None
    levels: tuple[Level, ...]  # least to most severe
    direction: Direction
    clear_ratio: float
    subject: str  # "btc-lev liquidation distance"
    unit: str  # "%", " bps", "s", "%/yr"
    no_data: bool = False
    uses_pending: bool = True  # False when the value is itself a duration (stale rules)
    # the hedge-band rule: the order that would bring the hedge back (computed, never sent)
    suggestion: SuggestedOrder | None = None

    def __post_init__(self) -> None:
        """A non-finite value or trigger cannot be compared: the rule has no data."""
        value = self.value
        if (value is not None and not math.isfinite(value)) or not all(
            math.isfinite(level.trigger) for level in self.levels
        ):
            object.__setattr__(self, "value", None)
            object.__setattr__(self, "no_data", True)

    @property
    def not_applicable(self) -> bool:
        return self.value is None and not self.no_data

    def crossed(self, level: Level) -> bool:
        """The value is on the dangerous side of ``level``'s trigger."""
        if self.value is None:
            return False
        if self.direction == "below":
            return self.value < level.trigger
        return self.value > level.trigger

    def holds(self, level: Level) -> bool:
        """A firing ``level`` still holds: its clear level (trigger moved ``clear_ratio``
        toward safety) has not been crossed back. This is the hysteresis."""
        if self.value is None:
            return False
        if self.direction == "below":
            return self.value < level.trigger + abs(level.trigger) * self.clear_ratio
        return self.value > level.trigger - abs(level.trigger) * self.clear_ratio

    def clear_level(self, level: Level) -> float:
        step = abs(level.trigger) * self.clear_ratio
        return level.trigger + step if self.direction == "below" else level.trigger - step

    def triggered(self) -> Level | None:
        """The most severe level whose trigger is crossed, if any."""
        hit = [lv for lv in self.levels if self.crossed(lv)]
        return hit[-1] if hit else None

    def held(self, current: Severity) -> Level | None:
        """Severity after hysteresis for an alert firing at ``current``: the most severe
        crossed trigger if it escalates, else the most severe level up to ``current``
        whose clear level is not yet reached; None means resolved."""
        up = self.triggered()
        if up is not None and up.severity.rank > current.rank:
            return up
        kept = [lv for lv in self.levels if lv.severity.rank <= current.rank and self.holds(lv)]
        return kept[-1] if kept else None

    def describe(self, level: Level | None) -> tuple[str, str]:
        """(title, message) for humans, at ``level``."""
        shown = "no data" if self.value is None else f"{_fmt(self.value)}{self.unit}"
        title = f"{self.subject}: {shown}"
        side = "below" if self.direction == "below" else "above"
        parts = [f"{lv.severity.value} {side} {_fmt(lv.trigger)}{self.unit}" for lv in self.levels]
        msg = f"{self.subject}: {shown} ({'; '.join(parts)}"
        if level is not None:
            msg += f"; clears {'above' if side == 'below' else 'below'} "
            msg += f"{_fmt(self.clear_level(level))}{self.unit}"
        msg += ")"
        if self.suggestion is not None and level is not None:
            msg += f"; to bring it back: {self.suggestion.words()} (suggested, not sent)"
        return title, msg


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}" if abs(x) < 0.1 else f"{x:.1f}"


def _divergence_pct(own: float | None, exchange: float) -> float:
    if not math.isfinite(exchange):
        return math.nan  # not a price: no data (see Observation)
    if own is None:  # the exchange sees a liquidation price we do not: maximal divergence
        return 100.0
    return abs(own - exchange) / exchange * 100.0 if exchange > 0 else 0.0


_REPORT_NUMBERS = (
    "notional_usd",
    "position_value_coin",
    "pnl_coin",
    "equity_coin",
    "maintenance_margin_coin",
    "margin_buffer_coin",
    "net_exposure_coin",
)
"""The numbers every risk report has: one of them not finite means the whole report is not."""


def hedge_has_no_data(h: HedgeView) -> bool:
    """Nothing trustworthy can be said about this hedge's risk right now.

    No report, stale inputs, or a report computed from numbers that are not finite (NaN, inf)
    all count: such a report's "no liquidation price" or "no buffer" would read as safe.
    """
    report = h.report
    if report is None or h.stale:
        return True
    return not all(math.isfinite(getattr(report, name)) for name in _REPORT_NUMBERS)


def feed_is_unhealthy(f: FeedView) -> bool:
    return f.state != FeedState.LIVE or f.freshness in _UNUSABLE


def hedge_observations(
    h: HedgeView, t: AlertThresholds, no_data_for_s: float
) -> Iterator[Observation]:
    """Every rule over one hedge. ``no_data_for_s``: how long it has had no usable data."""
    r = t.clear_ratio
    risk_blind = hedge_has_no_data(h)
    report = h.report

    def obs(
        rule: str,
        subject: str,
        value: float | None,
        levels: tuple[Level, ...],
        direction: Direction,
        unit: str,
        no_data: bool,
    ) -> Observation:
        return Observation(
            rule=rule,
            key=f"{rule}:{h.name}",
            hedge=h.name,
            venue=h.venue,
            value=None if no_data else value,
            levels=levels,
            direction=direction,
            clear_ratio=r,
            subject=f"{h.name} {subject}",
            unit=unit,
            no_data=no_data,
        )

    # margin buffer as % of equity; equity <= 0 (the store leaves the % unset) is 0% left.
    buffer_pct = h.margin_buffer_pct_of_equity
    if buffer_pct is None and report is not None and report.equity_coin <= 0:
        buffer_pct = 0.0
    yield obs(
        MARGIN_BUFFER,
        "margin buffer",
        buffer_pct,
        (
            Level(Severity.WARNING, t.margin_buffer_warn_pct),
            Level(Severity.CRITICAL, t.margin_buffer_crit_pct),
        ),
        "below",
        "% of equity",
        risk_blind or buffer_pct is None,
    )
    # liquidation distance, signed (negative past the price); no liquidation (a 1x short, or
    # one beyond a 10x move) is "not applicable", not no data; below maintenance is 0% away.
    liq_state = None if report is None else report.liquidation_state
    liq_value = None if report is None else report.liquidation_distance_pct
    liq_subject = "liquidation distance"
    if liq_state is LiquidationState.BELOW_MAINTENANCE:
        liq_value = 0.0
    if liq_state in _PAST_OR_BELOW:
        liq_subject += f" ({LIQUIDATION_WORDS[liq_state]})"
    yield obs(
        LIQ_DISTANCE,
        liq_subject,
        liq_value,
        (
            Level(Severity.WARNING, t.liq_distance_warn_pct),
            Level(Severity.CRITICAL, t.liq_distance_crit_pct),
        ),
        "below",
        "%",
        risk_blind,
    )
    if t.hedge_band_alert and h.target_hedge_ratio is not None:
        ratio = None if report is None else report.hedge_ratio
        if ratio is not None and not math.isfinite(ratio):
            ratio = None  # not a ratio: no data
        band = h.hedge_band if h.hedge_band is not None else 0.05
        band_obs = obs(
            HEDGE_BAND,
            "hedge ratio off target"
            if ratio is None
            else f"hedge ratio {ratio:.3f} vs target {h.target_hedge_ratio:.2f}, off by",
            None if ratio is None else abs(ratio - h.target_hedge_ratio),
            (Level(Severity.WARNING, band),),
            "above",
            "",
            risk_blind or ratio is None,
        )
        suggestion = None if band_obs.no_data else h.suggestion
        yield replace(band_obs, suggestion=suggestion) if suggestion else band_obs
    # A funding rate is a per-interval rate that venues publish rarely (BitMEX's funding table
    # changes every 8 h): a stale one is still the rate; only a missing one is no data.
    funding_blind = risk_blind or h.funding_freshness == Freshness.NONE or h.funding_apr_pct is None
    yield obs(
        FUNDING_AGAINST,
        "funding against the hedge",
        None if h.funding_apr_pct is None else -h.funding_apr_pct,
        (Level(Severity.WARNING, t.funding_against_apr_pct),),
        "above",
        "%/yr",
        funding_blind,
    )
    yield from _funding_trap(h, t, obs)
    basis_blind = (
        h.mark_freshness in _UNUSABLE or h.index_freshness in _UNUSABLE or h.basis_bps is None
    )
    yield obs(
        BASIS,
        "basis",
        None if h.basis_bps is None else abs(h.basis_bps),
        (Level(Severity.INFO, t.basis_bps),),
        "above",
        " bps",
        basis_blind,
    )
    if h.exchange_liquidation_price is not None:
        own = None if report is None else report.liquidation_price
        gap = _divergence_pct(own, h.exchange_liquidation_price)
        exchange = h.exchange_liquidation_price
        if liq_state is LiquidationState.NONE and h.mark is not None and math.isfinite(exchange):
            # both beyond a 10x move: the exchange's far-away price is our "none" (one rule)
            gap = 0.0 if beyond_reach(exchange, h.mark) else gap
        yield obs(
            LIQ_DIVERGENCE,
            "own vs exchange liquidation price gap",
            gap,
            (Level(Severity.WARNING, t.liq_divergence_pct),),
            "above",
            "%",
            risk_blind,
        )
    stale_t = t.feed_stale_after_s
    yield Observation(
        rule=NO_DATA,
        key=f"{NO_DATA}:{h.name}",
        hedge=h.name,
        venue=h.venue,
        value=no_data_for_s,
        levels=(
            Level(Severity.WARNING, stale_t),
            Level(Severity.CRITICAL, stale_t * STALE_CRITICAL_FACTOR),
        ),
        direction="above",
        clear_ratio=1.0,
        subject=f"{h.name} without usable data",
        unit="s",
        uses_pending=False,
    )


TRAP_WINDOW = "7d"
"""The funding trap looks at the carry of the last 7 days (``HedgeView.carry``)."""


def _funding_trap(
    h: HedgeView, t: AlertThresholds, obs: Callable[..., Observation]
) -> Iterator[Observation]:
    """The funding trap: the last 7 days of funding cost the hedge more than
    ``funding_trap_apr_pct`` a year (the window's average rate) or ``funding_trap_usd``.

    A threshold of 0 turns its half off. No carry figures at all (the funding history is off
    or not fetched yet) is not applicable; a week with no funding events in it is no data; a
    week with events missing still compares what it has (a cost already past the trigger is
    news) and says so in the subject.
    """
    carry = h.carry
    if carry is None or (t.funding_trap_apr_pct <= 0 and t.funding_trap_usd <= 0):
        return
    week = carry.window(TRAP_WINDOW)
    blind = week is None or week.events == 0
    gap = "" if week is None or week.complete else f", {week.missing} events missing"
    source = "" if week is None or week.source == "paid" else " (est.)"
    if t.funding_trap_apr_pct > 0:
        apr = None if week is None or week.apr_pct is None else -week.apr_pct
        yield obs(
            FUNDING_TRAP,
            f"funding cost over 7d{source}{gap}",
            apr,
            (Level(Severity.WARNING, t.funding_trap_apr_pct),),
            "above",
            "%/yr",
            blind or apr is None,
        )
    if t.funding_trap_usd > 0:
        yield obs(
            FUNDING_TRAP_USD,
            f"funding cost over 7d{source}{gap}, USD",
            None if week is None else -week.usd,
            (Level(Severity.WARNING, t.funding_trap_usd),),
            "above",
            "",
            blind,
        )


def feed_observation(f: FeedView, t: AlertThresholds, unhealthy_for_s: float) -> Observation:
    """The stale/disconnected-feed rule for one venue's feed.

    The value is how long the feed has been unhealthy (not live, or its data stale/absent);
    it drops to 0 the moment it is healthy again, which clears the alert.
    """
    value = 0.0
    if feed_is_unhealthy(f):
        age = f.last_message_age
        if age is None or not math.isfinite(age):
            age = 0.0  # (an unknown age: how long it has been unhealthy still counts)
        value = max(unhealthy_for_s, age)
    state = f.state.value if f.freshness == Freshness.FRESH else f"{f.state.value}/{f.freshness}"
    failure = shown_failure(f.state, f.failure)
    if failure is not None:  # why, in a word: okx feed down/none (refused)
        state += f" ({failure.short})"
    return Observation(
        rule=FEED_STALE,
        key=f"{FEED_STALE}:{f.venue}",
        hedge=None,
        venue=f.venue,
        value=value,
        levels=(
            Level(Severity.WARNING, t.feed_stale_after_s),
            Level(Severity.CRITICAL, t.feed_stale_after_s * STALE_CRITICAL_FACTOR),
        ),
        direction="above",
        clear_ratio=1.0,
        subject=f"{f.venue} feed {state}",
        unit="s",
        uses_pending=False,
    )
