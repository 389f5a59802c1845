"""One evaluation of ``watch`` as Prometheus metric families (pure: no I/O, no clock).

Names follow Prometheus's conventions: the ``hedgetui_`` prefix, base units (ratios as ratios,
not percent; seconds; ``_usd``/``_coin`` for amounts), ``_total`` on counters. A value from
stale or missing input is left out (the series is absent for that scrape), never exported as
if it were fresh: ``hedgetui_hedge_stale`` and ``hedgetui_feed_state`` say why.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Iterable, Mapping, Sequence

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from hedgetui import __version__
from hedgetui.alerts.model import Alert, AlertState
from hedgetui.domain import DashboardView, FeedState, Freshness, HedgeView, LiquidationState

HEDGE_LABELS = ("hedge", "venue", "symbol", "coin")
ALERT_LABELS = ("key", "rule", "hedge", "venue", "severity")
_NOT_FRESH = (Freshness.STALE, Freshness.NONE)


def build_info() -> Metric:
    info = GaugeMetricFamily(
        "hedgetui_build_info",
        "Always 1; the labels say which hedgetui and Python run the watcher",
        labels=("version", "python_version"),
    )
    info.add_metric((__version__, platform.python_version()), 1.0)
    return info


def _gauge(name: str, doc: str, labels: Sequence[str] = HEDGE_LABELS) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


class _HedgeGauges:
    """The per-hedge families, filled one hedge at a time."""

    def __init__(self) -> None:
        g = _gauge
        self.stale = g(
            "hedgetui_hedge_stale",
            "1 when the hedge's mark or position is stale or missing: its numbers are withheld",
        )
        self.net_coin = g("hedgetui_hedge_net_exposure_coin", "Net exposure (spot + hedge), coin")
        self.net_usd = g("hedgetui_hedge_net_exposure_usd", "Net exposure at the mark, USD")
        self.ratio = g("hedgetui_hedge_ratio", "Hedge ratio (1 = fully hedged)")
        self.buffer_coin = g(
            "hedgetui_hedge_margin_buffer_coin", "Equity above maintenance margin, coin"
        )
        self.buffer_usd = g("hedgetui_hedge_margin_buffer_usd", "Margin buffer at the mark, USD")
        self.buffer_ratio = g(
            "hedgetui_hedge_margin_buffer_ratio", "Margin buffer as a fraction of equity"
        )
        self.liq_state = _gauge(
            "hedgetui_hedge_liquidation_state",
            "1 for the hedge's liquidation state (none, ahead, past, below_maintenance)",
            (*HEDGE_LABELS, "state"),
        )
        self.liq_price = g("hedgetui_hedge_liquidation_price_usd", "Liquidation price, USD")
        self.liq_distance = g(
            "hedgetui_hedge_liquidation_distance_ratio",
            "Signed distance from the mark to liquidation as a fraction of the mark "
            "(negative: past it)",
        )
        self.funding_rate = g(
            "hedgetui_hedge_funding_rate", "Current funding rate per interval (the venue's sign)"
        )
        self.funding_interval = g(
            "hedgetui_hedge_funding_interval_seconds", "Time between funding events"
        )
        self.funding_apr = g(
            "hedgetui_hedge_funding_apr_ratio",
            "Funding annualised for this position (positive: received)",
        )
        self.carried_coin = g(
            "hedgetui_hedge_funding_carried_coin", "Funding carried while watched, coin"
        )
        self.carried_usd = g(
            "hedgetui_hedge_funding_carried_usd", "Funding carried while watched, USD"
        )
        window_labels = (*HEDGE_LABELS, "window")
        self.carry_usd = _gauge(
            "hedgetui_hedge_carry_usd",
            "Funding received (+) or paid (-) over the window, from the funding history",
            window_labels,
        )
        self.carry_apr = _gauge(
            "hedgetui_hedge_carry_apr_ratio",
            "The window's average funding rate annualised (positive: received)",
            window_labels,
        )
        self.carry_missing = _gauge(
            "hedgetui_hedge_carry_missing_events",
            "Funding events missing from the window's history (0: complete)",
            window_labels,
        )
        self.carry_projection = _gauge(
            "hedgetui_hedge_carry_projection_usd",
            "Projected funding over the next days at a rate (basis: current or 30d avg)",
            (*HEDGE_LABELS, "days", "basis"),
        )

    def families(self) -> list[Metric]:
        return [v for v in vars(self).values() if isinstance(v, Metric)]

    def add(self, h: HedgeView) -> None:
        labels = (h.name, h.venue, h.symbol, h.coin)
        r = h.report
        withheld = h.stale or r is None
        self.stale.add_metric(labels, 1.0 if withheld else 0.0)
        self._add_carry(h, labels)
        if withheld or r is None:
            return
        _put(self.net_coin, labels, r.net_exposure_coin)
        _put(self.net_usd, labels, r.net_exposure_usd)
        _put(self.ratio, labels, r.hedge_ratio)
        _put(self.buffer_coin, labels, r.margin_buffer_coin)
        _put(self.buffer_usd, labels, r.margin_buffer_usd)
        _put(self.buffer_ratio, labels, _ratio(h.margin_buffer_pct_of_equity))
        for state in LiquidationState:
            on = 1.0 if r.liquidation_state is state else 0.0
            self.liq_state.add_metric((*labels, state.value), on)
        _put(self.liq_price, labels, r.liquidation_price)
        _put(self.liq_distance, labels, _ratio(r.liquidation_distance_pct))
        _put(self.carried_coin, labels, h.funding_carried_coin)
        _put(self.carried_usd, labels, h.funding_carried_usd)
        if h.funding_freshness in _NOT_FRESH:
            return
        _put(self.funding_rate, labels, h.funding_rate)
        hours = h.funding_interval_hours
        _put(self.funding_interval, labels, None if hours is None else hours * 3600.0)
        _put(self.funding_apr, labels, _ratio(h.funding_apr_pct))

    def _add_carry(self, h: HedgeView, labels: tuple[str, ...]) -> None:
        """The funding history's windows (issue 21): settled payments, so they stay valid
        while the live feed is stale; the projections use the current rate, so they do not."""
        carry = h.carry
        if carry is None:
            return
        windows = [*carry.windows, *((carry.since,) if carry.since else ())]
        for w in windows:
            at = (*labels, w.label)
            self.carry_usd.add_metric(at, w.usd)
            _put(self.carry_apr, at, _ratio(w.apr_pct))
            self.carry_missing.add_metric(at, float(w.missing))
        if h.funding_freshness in _NOT_FRESH:
            return
        for p in carry.projections:
            self.carry_projection.add_metric((*labels, str(p.days), p.basis), p.usd)


def view_families(
    view: DashboardView, alerts: Sequence[Alert], frames: Mapping[str, int]
) -> list[Metric]:
    """Every family of one evaluation: ``view`` (the store's snapshot), ``alerts`` (the engine's
    active alerts), ``frames`` (venue -> frames received by its market feed)."""
    hedges = _HedgeGauges()
    for h in view.hedges:
        hedges.add(h)
    evaluated = _gauge(
        "hedgetui_last_evaluation_timestamp_seconds",
        "When watch last evaluated (Unix time): a watcher that hangs stops moving it",
        (),
    )
    evaluated.add_metric((), view.at)
    return [evaluated, *hedges.families(), *_feed_families(view, frames), *_alert_families(alerts)]


def _feed_families(view: DashboardView, frames: Mapping[str, int]) -> Iterable[Metric]:
    state = _gauge(
        "hedgetui_feed_state",
        "1 for the market feed's state (connecting, live, stale, down)",
        ("venue", "state"),
    )
    age = _gauge(
        "hedgetui_feed_last_message_age_seconds",
        "Seconds since the feed's last message (absent: none yet)",
        ("venue",),
    )
    reconnects = CounterMetricFamily(
        "hedgetui_feed_reconnects", "Reconnections of the feed", labels=("venue",)
    )
    frame_count = CounterMetricFamily(
        "hedgetui_feed_frames", "Websocket frames received by the feed", labels=("venue",)
    )
    malformed = CounterMetricFamily(
        "hedgetui_feed_malformed_frames", "Frames the feed could not parse", labels=("venue",)
    )
    for f in view.feeds:
        for s in FeedState:
            state.add_metric((f.venue, s.value), 1.0 if f.state is s else 0.0)
        _put(age, (f.venue,), f.last_message_age)
        reconnects.add_metric((f.venue,), float(f.reconnects))
        malformed.add_metric((f.venue,), float(f.malformed))
        if f.venue in frames:
            frame_count.add_metric((f.venue,), float(frames[f.venue]))
    return (state, age, reconnects, frame_count, malformed)


def _alert_families(alerts: Sequence[Alert]) -> Iterable[Metric]:
    state = _gauge(
        "hedgetui_alert_state",
        "1 for the alert's state (pending, firing) while it is active; absent when inactive",
        (*ALERT_LABELS, "state"),
    )
    for a in alerts:
        labels = (a.key, a.rule, a.hedge or "", a.venue or "", a.severity.value)
        for s in AlertState:
            state.add_metric((*labels, s.value), 1.0 if a.state is s else 0.0)
    return (state,)


def _ratio(pct: float | None) -> float | None:
    return None if pct is None else pct / 100.0


def _put(family: GaugeMetricFamily, labels: Sequence[str], value: float | None) -> None:
    """Add ``value`` unless it is unknown (None) or not a number a reader could trust."""
    if value is not None and math.isfinite(value):
        family.add_metric(labels, value)
