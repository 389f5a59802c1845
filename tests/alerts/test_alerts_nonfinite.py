"""NaN never crosses an alert threshold: a non-finite input is no data, with no data's lifecycle.

NaN compares false with every trigger, so without care it reads as "fine". For every rule kind, a
NaN or infinite input must (like a missing one) be listed in ``no_data()``, never fire, drop a
pending alert, and keep a firing one firing (flagged no data) until a real value clears it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import pytest

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import AlertState, EventKind, Severity
from hedgetui.clock import ManualClock
from hedgetui.domain import FeedState, Freshness, HedgeView
from tests.alerts.test_alerts_rules import CASES, SETTINGS
from tests.alerts_views import feed, hedge, report, view

NON_FINITE = [math.nan, math.inf, -math.inf]
IDS = ["nan", "inf", "-inf"]
Case = tuple[str, Callable[[float], HedgeView], tuple[float, ...], Severity]
RULES = [case[0] for case in CASES]


def rule_events(eng: AlertEngine, h: HedgeView, rule: str) -> list[tuple[EventKind, Severity]]:
    return [(e.kind, e.severity) for e in eng.evaluate(view(h)) if e.rule == rule]


@pytest.mark.parametrize("bad", NON_FINITE, ids=IDS)
@pytest.mark.parametrize("case", CASES, ids=RULES)
def test_a_non_finite_input_is_no_data_never_fine(case: Case, bad: float) -> None:
    rule, make, (safe, _edge, trigger, _inside, _cleared), severity = case
    clock = ManualClock()
    eng = AlertEngine(SETTINGS, clock=clock)
    key = f"{rule}:btc-lev"
    # never seen a value: no data, not "clear"
    assert rule_events(eng, make(bad), rule) == []
    assert key in eng.no_data()
    # firing, then the input turns non-finite: still firing, flagged no data, never resolved
    clock.advance(1)
    assert rule_events(eng, make(trigger), rule)[-1] == (EventKind.FIRED, severity)
    for _ in range(3):
        clock.advance(1)
        assert rule_events(eng, make(bad), rule) == []
        assert key in eng.no_data()
        [alert] = [a for a in eng.active() if a.rule == rule]
        assert alert.state is AlertState.FIRING and alert.no_data and alert.value is None
    # a real, safe value clears it as usual
    clock.advance(1)
    assert rule_events(eng, make(safe), rule)[-1][0] == EventKind.RESOLVED


@pytest.mark.parametrize("bad", NON_FINITE, ids=IDS)
@pytest.mark.parametrize("case", CASES, ids=RULES)
def test_a_non_finite_input_drops_a_pending_alert(case: Case, bad: float) -> None:
    rule, make, values, _severity = case
    trigger = values[2]
    clock = ManualClock()
    eng = AlertEngine(replace(SETTINGS, pending_s=5.0), clock=clock)
    assert rule_events(eng, make(trigger), rule) == []
    assert [a.state for a in eng.active() if a.rule == rule] == [AlertState.PENDING]
    clock.advance(3)
    rule_events(eng, make(bad), rule)
    assert [a for a in eng.active() if a.rule == rule] == []  # pending needs evidence


@pytest.mark.parametrize("bad", NON_FINITE, ids=IDS)
@pytest.mark.parametrize(
    "field", ["equity_coin", "margin_buffer_coin", "net_exposure_coin", "notional_usd"]
)
def test_a_report_with_a_non_finite_number_is_no_usable_data(field: str, bad: float) -> None:
    """e.g. a mark of 5e-324 gave net exposure NaN and "liquidation: none": not "fine"."""
    clock = ManualClock()
    eng = AlertEngine(replace(SETTINGS, feed_stale_after_s=30.0), clock=clock)
    broken = replace(report(liq_distance_pct=None, liq_price=None), **{field: bad})
    h = hedge(rep=broken)
    eng.evaluate(view(h))
    assert {"liq_distance:btc-lev", "margin_buffer:btc-lev"} <= set(eng.no_data())
    clock.advance(31)
    events = [e for e in eng.evaluate(view(h)) if e.rule == "no_data"]
    assert [(e.kind, e.severity) for e in events] == [(EventKind.NO_DATA, Severity.WARNING)]


@pytest.mark.parametrize("bad", NON_FINITE, ids=IDS)
def test_a_non_finite_hedge_ratio_is_no_data(bad: float) -> None:
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    h = hedge(rep=report(hedge_ratio=bad), target=1.0, band=0.05)
    assert rule_events(eng, h, "hedge_band") == []
    assert "hedge_band:btc-lev" in eng.no_data()
    assert not [a for a in eng.active() if a.rule == "hedge_band"]


@pytest.mark.parametrize("bad", NON_FINITE, ids=IDS)
def test_a_non_finite_threshold_is_no_data(bad: float) -> None:
    eng = AlertEngine(replace(SETTINGS, margin_buffer_warn_pct=bad), clock=ManualClock())
    assert rule_events(eng, hedge(buffer_pct=1.0), "margin_buffer") == []
    assert "margin_buffer:btc-lev" in eng.no_data()


@pytest.mark.parametrize("age", [math.nan, math.inf], ids=["nan", "inf"])
def test_a_stale_feed_with_a_non_finite_age_still_fires_on_time(age: float) -> None:
    """The feed rule's value is how long it has been unhealthy; a bad age does not hide it."""
    clock = ManualClock()
    eng = AlertEngine(replace(SETTINGS, feed_stale_after_s=10.0), clock=clock)
    down = view(hedge(), feeds=(feed(state=FeedState.DOWN, freshness=Freshness.STALE, age=age),))
    assert [e for e in eng.evaluate(down) if e.rule == "feed_stale"] == []
    clock.advance(10.5)
    events = [e for e in eng.evaluate(down) if e.rule == "feed_stale"]
    assert [(e.kind, e.severity) for e in events] == [(EventKind.FIRED, Severity.WARNING)]
    assert events[0].value is not None and math.isfinite(events[0].value)
