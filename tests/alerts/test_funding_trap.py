"""The funding-trap rule: the last 7 days of funding cost the hedge more than X%/yr (or $Y)."""

from __future__ import annotations

from dataclasses import replace

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import EventKind, Severity
from hedgetui.clock import ManualClock
from hedgetui.config import AlertSettings
from hedgetui.domain import HedgeView
from hedgetui.history.carry import DAY_MS, HOUR_MS, Exposure, carry_figures
from hedgetui.history.model import FundingRecord, FundingSeries
from tests.alerts_views import hedge, view

SETTINGS = AlertSettings(pending_s=0.0, clear_ratio=0.2, rate_limit_per_min=1000)
NOW = 1_700_006_400_000  # on the 8 h grid
SHORT = Exposure("short", 100_000.0, 40_000.0)


def _week_at(rate: float, *, drop: range = range(0)) -> FundingSeries:
    """30 days of 8-hourly records at ``rate`` ending now, without the records in ``drop``."""
    series = FundingSeries()
    series.merge(FundingRecord(NOW - i * 8 * HOUR_MS, rate, 8) for i in range(90) if i not in drop)
    return series


def _hedge(rate: float, **kw: object) -> HedgeView:
    series = kw.pop("series", None) or _week_at(rate)
    assert isinstance(series, FundingSeries)
    return replace(hedge(), carry=carry_figures(series, SHORT, NOW))


def _fired(eng: AlertEngine, h: HedgeView) -> list[tuple[str, EventKind, Severity]]:
    return [(e.rule, e.kind, e.severity) for e in eng.evaluate(view(h))]


def test_a_week_costing_more_than_the_apr_fires_and_clears_with_hysteresis() -> None:
    clock = ManualClock()
    eng = AlertEngine(SETTINGS, clock=clock)  # the default: 15%/yr

    def trap(rate: float) -> list[tuple[str, EventKind, Severity]]:
        clock.advance(1)
        return [e for e in _fired(eng, _hedge(rate)) if e[0] == "funding_trap"]

    assert SETTINGS.funding_trap_apr_pct == 15.0
    assert trap(-0.0001) == []  # 10.95%/yr paid by the short: the baseline, under the trigger
    assert trap(-0.000136) == []  # 14.9%/yr
    assert trap(-0.00014) == [("funding_trap", EventKind.FIRED, Severity.WARNING)]  # 15.3%/yr
    [alert] = [a for a in eng.active() if a.rule == "funding_trap"]
    assert alert.title == "btc-lev funding cost over 7d (est.): 15.3%/yr"
    assert trap(-0.00012) == []  # 13.1%/yr: inside the hysteresis (clears below 12%/yr)
    assert trap(-0.0001) == [("funding_trap", EventKind.RESOLVED, Severity.WARNING)]


def test_funding_received_never_fires() -> None:
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    assert not any(e[0].startswith("funding_trap") for e in _fired(eng, _hedge(0.001)))


def test_the_usd_threshold_fires_on_the_week_s_cost() -> None:
    eng = AlertEngine(replace(SETTINGS, funding_trap_apr_pct=0.0, funding_trap_usd=200.0))
    # 21 events × 0.01% × $100k = $210 paid over the week
    fired = _fired(eng, _hedge(-0.0001))
    assert ("funding_trap_usd", EventKind.FIRED, Severity.WARNING) in fired
    assert not any(e[0] == "funding_trap" for e in fired)


def test_zero_turns_it_off_and_no_history_is_not_applicable() -> None:
    off = AlertEngine(replace(SETTINGS, funding_trap_apr_pct=0.0), clock=ManualClock())
    assert not any(e[0].startswith("funding_trap") for e in _fired(off, _hedge(-0.01)))
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    eng.evaluate(view(hedge()))  # no carry figures: the history is off or not fetched yet
    assert not any(k.startswith("funding_trap") for k in eng.no_data())


def test_a_week_without_records_is_no_data_and_a_gap_is_said() -> None:
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    empty = replace(hedge(), carry=carry_figures(FundingSeries(), SHORT, NOW))
    eng.evaluate(view(empty))
    assert "funding_trap:btc-lev" in eng.no_data()
    holed = _hedge(-0.001, series=_week_at(-0.001, drop=range(3, 6)))
    eng.evaluate(view(holed))
    [alert] = [a for a in eng.active() if a.rule == "funding_trap"]
    assert "3 events missing" in alert.title
    assert holed.carry is not None and holed.carry.window("7d") is not None


def test_the_window_is_the_last_seven_days() -> None:
    """A costly month whose last week received: the trap looks at the week only."""
    series = FundingSeries()
    series.merge(
        FundingRecord(NOW - i * 8 * HOUR_MS, 0.0001 if i < 21 else -0.003, 8) for i in range(90)
    )
    h = replace(hedge(), carry=carry_figures(series, SHORT, NOW))
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    assert not any(e[0] == "funding_trap" for e in _fired(eng, h))
    assert h.carry is not None
    month = h.carry.window("30d")
    assert month is not None and month.usd < 0 and month.start_ms == NOW - 30 * DAY_MS
