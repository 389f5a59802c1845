"""The liquidation-distance alert and the status/watch words read the one liquidation state."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import Severity
from hedgetui.alerts.report import alert_record, hedge_block, hedge_record, hedge_summary
from hedgetui.clock import ManualClock
from hedgetui.config import AlertSettings
from hedgetui.domain import HedgeView, RiskReport
from hedgetui.risk import assess
from tests.alerts_views import hedge, view
from tests.risk.test_liquidation_state import ALMOST_ONE_X, DERIBIT_SHORT, LONG_10X

SETTINGS = AlertSettings(pending_s=0.0, clear_ratio=0.2, rate_limit_per_min=1000)

PAST = assess(LONG_10X, 50_000)
BELOW = assess(DERIBIT_SHORT, 1314.39)
NONE = assess(ALMOST_ONE_X, 60_000)
AHEAD = assess(LONG_10X, 60_000)


def at(report: RiskReport, mark: float, **kw: object) -> HedgeView:
    buffer_pct = (
        report.margin_buffer_coin / report.equity_coin * 100 if report.equity_coin > 0 else None
    )
    return replace(hedge(rep=report, buffer_pct=buffer_pct, **kw), mark=mark)  # type: ignore[arg-type]


def liq_alerts(h: HedgeView) -> list[tuple[str, Severity, float | None, str]]:
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    eng.evaluate(view(h))
    return [
        (a.rule, a.severity, a.value, a.title) for a in eng.active() if a.rule == "liq_distance"
    ]


def test_past_liquidation_fires_critical_with_the_negative_distance() -> None:
    [(_, severity, value, title)] = liq_alerts(at(PAST, 50_000))
    assert severity is Severity.CRITICAL
    assert value == pytest.approx(-9.64, abs=0.01)
    assert "past liquidation" in title and "-9.6%" in title


def test_below_maintenance_fires_critical() -> None:
    [(_, severity, value, title)] = liq_alerts(at(BELOW, 1314.39))
    assert severity is Severity.CRITICAL
    assert value == 0.0
    assert "already below maintenance" in title


def test_no_liquidation_is_clear_and_ahead_is_measured() -> None:
    assert liq_alerts(at(NONE, 60_000)) == []
    # 8.6% ahead: between the 7.5% critical and 15% warning defaults
    [(_, severity, value, _)] = liq_alerts(at(AHEAD, 60_000))
    assert severity is Severity.WARNING
    assert value == AHEAD.liquidation_distance_pct


def test_a_far_exchange_price_agrees_with_none() -> None:
    """A venue's own ~14.9 trillion USD price is our "none": no divergence alert."""
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    eng.evaluate(view(at(NONE, 60_000, exchange_liq=1.49e13)))
    assert not [a for a in eng.active() if a.rule == "liq_divergence"]
    close = AlertEngine(SETTINGS, clock=ManualClock())
    close.evaluate(view(at(NONE, 60_000, exchange_liq=70_000.0)))
    assert [a.rule for a in close.active()] == ["liq_divergence"]


@pytest.mark.parametrize(
    ("report", "mark", "state", "summary", "block"),
    [
        (NONE, 60_000, "none", "liq none (≥10×)", "  liquidation: none (≥10×)"),
        (
            PAST,
            50_000,
            "past",
            "liq -9.6% past liquidation",
            "  liquidation 54,818.2  -9.6% (-4,818 USD): past liquidation",
        ),
        (
            BELOW,
            1314.39,
            "below_maintenance",
            "liq already below maintenance",
            "  liquidation: already below maintenance",
        ),
        (AHEAD, 60_000, "ahead", "liq 8.6%", "  liquidation 54,818.2  8.6% away (5,182 USD)"),
    ],
)
def test_status_and_watch_words(
    report: RiskReport, mark: float, state: str, summary: str, block: str
) -> None:
    h = at(report, mark)
    record = hedge_record(h)
    assert record["liquidation_state"] == state
    assert record["liquidation_distance_pct"] == report.liquidation_distance_pct
    assert summary in hedge_summary(h)
    assert block in hedge_block(h)


def test_the_alert_json_carries_the_signed_value() -> None:
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    eng.evaluate(view(at(PAST, 50_000)))
    [record] = [alert_record(a) for a in eng.active() if a.rule == "liq_distance"]
    assert record["severity"] == "critical"
    assert isinstance(record["value"], float) and record["value"] < 0
