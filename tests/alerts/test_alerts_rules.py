"""Each rule's trigger and clear level, through the engine (pending 0, clear_ratio 0.2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import EventKind, Severity
from hedgetui.clock import ManualClock
from hedgetui.config import AlertSettings
from hedgetui.domain import DashboardView, FeedState, Freshness, HedgeView
from tests.alerts_views import feed, hedge, report, view

SETTINGS = AlertSettings(pending_s=0.0, clear_ratio=0.2, rate_limit_per_min=1000)


def _buffer(x: float) -> HedgeView:
    return hedge(buffer_pct=x)


def _liq(x: float) -> HedgeView:
    return hedge(rep=report(liq_distance_pct=x))


def _band(ratio: float) -> HedgeView:
    return hedge(rep=report(hedge_ratio=ratio), target=1.0, band=0.05)


def _funding(apr_received: float) -> HedgeView:
    return hedge(funding_apr_pct=apr_received)


def _basis(bps: float) -> HedgeView:
    return hedge(basis_bps=bps)


def _divergence(exchange_liq: float) -> HedgeView:
    return hedge(rep=report(liq_price=40_000.0), exchange_liq=exchange_liq)


# rule, view factory, (safe, just-not-triggered, triggered, inside hysteresis, cleared), severity
CASES: list[tuple[str, Callable[[float], HedgeView], tuple[float, ...], Severity]] = [
    ("margin_buffer", _buffer, (90.0, 50.0, 49.0, 59.0, 61.0), Severity.WARNING),
    ("liq_distance", _liq, (40.0, 15.0, 14.9, 17.9, 18.1), Severity.WARNING),
    # band 0.05 around 1.0; clears inside 0.05 x 0.8 = 0.04
    ("hedge_band", _band, (1.0, 1.049, 1.051, 0.959, 0.961), Severity.WARNING),
    # funding received -20%/yr is 20%/yr against; clears below 16%/yr against
    ("funding_against", _funding, (10.0, -20.0, -20.5, -16.5, -15.5), Severity.WARNING),
    ("basis", _basis, (5.0, 50.0, -51.0, 41.0, 39.0), Severity.INFO),
    # own 40,000 vs exchange: 1% -> warning; clears below 0.8%
    (
        "liq_divergence",
        _divergence,
        (40_000.0, 40_400.0, 40_500.0, 40_350.0, 40_300.0),
        Severity.WARNING,
    ),
]


@pytest.mark.parametrize(("rule", "make", "values", "severity"), CASES)
def test_rule_trigger_and_clear(
    rule: str, make: Callable[[float], HedgeView], values: tuple[float, ...], severity: Severity
) -> None:
    safe, edge, trigger, inside, cleared = values
    clock = ManualClock()
    eng = AlertEngine(SETTINGS, clock=clock)

    def step(x: float) -> list[tuple[EventKind, Severity]]:
        clock.advance(1)
        return [(e.kind, e.severity) for e in eng.evaluate(view(make(x))) if e.rule == rule]

    assert step(safe) == []
    assert step(edge) == []
    fired = step(trigger)
    assert fired[-1] == (EventKind.FIRED, severity)
    assert step(inside) == []
    assert [a.rule for a in eng.active()] == [rule]
    assert step(cleared)[-1][0] == EventKind.RESOLVED
    assert eng.active() == []


def test_hedge_band_is_off_without_target_or_when_disabled() -> None:
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    assert eng.evaluate(view(hedge(rep=report(hedge_ratio=0.5), target=None))) == []
    off = AlertEngine(replace(SETTINGS, hedge_band_alert=False), clock=ManualClock())
    assert off.evaluate(view(_band(0.5))) == []


def test_missing_funding_is_no_data_not_safe() -> None:
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    eng.evaluate(view(_funding(-50.0)))
    events = eng.evaluate(view(hedge(funding_apr_pct=None, funding=Freshness.NONE)))
    assert events == []
    assert "funding_against:btc-lev" in eng.no_data()
    assert [a.no_data for a in eng.active()] == [True]


def test_a_stale_funding_rate_is_still_the_rate() -> None:
    """Funding is published rarely; a stale rate still counts (a dead feed has its own alert)."""
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    [ev] = eng.evaluate(view(hedge(funding_apr_pct=-50.0, funding=Freshness.STALE)))
    assert ev.rule == "funding_against" and ev.value == 50.0


def test_basis_needs_fresh_index() -> None:
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    assert eng.evaluate(view(hedge(basis_bps=500.0, index=Freshness.NONE))) == []
    assert "basis:btc-lev" in eng.no_data()


def test_no_exchange_liquidation_price_means_no_divergence_rule() -> None:
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    eng.evaluate(view(hedge()))
    assert not any(k.startswith("liq_divergence") for k in eng.no_data())


def test_exchange_sees_liquidation_we_do_not() -> None:
    eng = AlertEngine(SETTINGS, clock=ManualClock())
    rep = report(liq_price=None, liq_distance_pct=None)
    [ev] = eng.evaluate(view(hedge(rep=rep, exchange_liq=30_000.0)))
    assert ev.rule == "liq_divergence" and ev.value == 100.0


def test_feed_stale_warning_then_critical_at_four_t() -> None:
    clock = ManualClock()
    eng = AlertEngine(replace(SETTINGS, feed_stale_after_s=10.0), clock=clock)

    def at(state: FeedState, fresh: Freshness) -> DashboardView:
        return view(hedge(), feeds=(feed("okx", state, fresh, age=None),))

    eng.evaluate(at(FeedState.LIVE, Freshness.STALE))
    clock.advance(10.1)
    assert [e.severity for e in eng.evaluate(at(FeedState.LIVE, Freshness.STALE))] == [
        Severity.WARNING
    ]
    clock.advance(30)
    [esc] = eng.evaluate(at(FeedState.DOWN, Freshness.STALE))
    assert (esc.kind, esc.severity, esc.venue) == (EventKind.ESCALATED, Severity.CRITICAL, "okx")
    clock.advance(1)
    [res] = eng.evaluate(at(FeedState.LIVE, Freshness.FRESH))
    assert res.kind == EventKind.RESOLVED


def test_feed_stale_uses_reported_message_age() -> None:
    """A feed already silent for 45 s when the engine starts (status snapshot) is stale now."""
    eng = AlertEngine(replace(SETTINGS, feed_stale_after_s=30.0), clock=ManualClock())
    [ev] = eng.evaluate(view(hedge(), feeds=(feed("okx", FeedState.STALE, Freshness.STALE, 45),)))
    assert ev.rule == "feed_stale" and ev.value == 45


@pytest.mark.parametrize(
    ("rule", "make", "values"),
    [
        ("margin_buffer", _buffer, (40.0, 24.0, 29.0, 31.0)),
        ("liq_distance", _liq, (12.0, 7.4, 8.9, 9.1)),
    ],
)
def test_critical_level_and_its_clear(
    rule: str, make: Callable[[float], HedgeView], values: tuple[float, ...]
) -> None:
    warn, crit, inside, back_to_warning = values
    clock = ManualClock()
    eng = AlertEngine(SETTINGS, clock=clock)
    assert [e.kind for e in eng.evaluate(view(make(warn)))] == [EventKind.FIRED]
    assert [(e.kind, e.severity) for e in eng.evaluate(view(make(crit)))] == [
        (EventKind.ESCALATED, Severity.CRITICAL)
    ]
    eng.evaluate(view(make(inside)))
    assert eng.active()[0].severity == Severity.CRITICAL
    eng.evaluate(view(make(back_to_warning)))
    assert eng.active()[0].severity == Severity.WARNING
