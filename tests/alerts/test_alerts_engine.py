"""Alert lifecycle with an injected ManualClock over views built from the domain types."""

from __future__ import annotations

from dataclasses import replace

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import AlertEvent, AlertState, EventKind, Severity
from hedgetui.clock import ManualClock
from hedgetui.config import AlertSettings
from hedgetui.domain import DashboardView, FeedState, Freshness
from tests.alerts_views import feed, hedge, report, view, with_liq

FAST = AlertSettings(pending_s=5.0, cooldown_s=60.0, rate_limit_per_min=100)


def engine(settings: AlertSettings = FAST, **kw: float) -> tuple[AlertEngine, ManualClock]:
    clock = ManualClock()
    return AlertEngine(settings, clock=clock, **kw), clock


def liq(distance: float | None, **kw: object) -> DashboardView:
    return view(with_liq(hedge(**kw), distance))  # type: ignore[arg-type]


def kinds(events: list[AlertEvent], rule: str = "liq_distance") -> list[tuple[str, str]]:
    return [(e.kind.value, e.severity.value) for e in events if e.rule == rule]


def test_pending_then_firing() -> None:
    eng, clock = engine()
    assert eng.evaluate(liq(12.0)) == []
    [pending] = eng.active()
    assert pending.state == AlertState.PENDING and pending.key == "liq_distance:btc-lev"
    clock.advance(4.9)
    assert eng.evaluate(liq(12.0)) == []
    clock.advance(0.2)
    events = eng.evaluate(liq(12.0))
    assert kinds(events) == [("fired", "warning")]
    ev = events[0]
    assert ev.notify and ev.hedge == "btc-lev" and ev.value == 12.0 and ev.threshold == 15.0
    assert ev.at == clock.time()
    assert "liquidation distance" in ev.title and "12" in ev.title
    assert eng.active()[0].state == AlertState.FIRING


def test_condition_that_does_not_hold_for_pending_never_fires() -> None:
    eng, clock = engine()
    eng.evaluate(liq(12.0))
    clock.advance(3)
    assert eng.evaluate(liq(20.0)) == []
    assert eng.active() == []
    clock.advance(3)
    assert eng.evaluate(liq(12.0)) == []  # pending restarted from here
    clock.advance(4)
    assert eng.evaluate(liq(12.0)) == []
    clock.advance(1.5)
    assert kinds(eng.evaluate(liq(12.0))) == [("fired", "warning")]


def test_hysteresis_clears_only_past_the_clear_level() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0))
    assert kinds(eng.evaluate(liq(14.0))) == [("fired", "warning")]
    # 15 x (1 + 0.2) = 18: between 15 and 18 it keeps firing
    for d in (15.5, 17.9, 16.0):
        clock.advance(1)
        assert kinds(eng.evaluate(liq(d))) == []
        assert eng.active()[0].state == AlertState.FIRING
    clock.advance(1)
    events = eng.evaluate(liq(18.1))
    assert kinds(events) == [("resolved", "warning")]
    assert events[0].threshold == 18.0
    assert eng.active() == []


def test_escalation_renotifies_and_deescalation_is_quiet() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0))
    eng.evaluate(liq(10.0))
    eng.ack("liq_distance:btc-lev")
    clock.advance(1)
    events = eng.evaluate(liq(7.0))
    assert kinds(events) == [("escalated", "critical")]
    assert events[0].notify and events[0].threshold == 7.5
    assert not eng.active()[0].acked  # a new severity needs a new ack
    clock.advance(1)
    assert kinds(eng.evaluate(liq(8.9))) == []  # below 7.5 x 1.2 = 9: still critical
    assert eng.active()[0].severity == Severity.CRITICAL
    clock.advance(1)
    assert kinds(eng.evaluate(liq(9.5))) == []  # quietly back to warning
    assert eng.active()[0].severity == Severity.WARNING
    clock.advance(1)
    assert kinds(eng.evaluate(liq(19.0))) == [("resolved", "warning")]


def test_straight_to_critical() -> None:
    eng, _ = engine(replace(FAST, pending_s=0.0))
    assert kinds(eng.evaluate(liq(5.0))) == [("fired", "critical")]


def test_cooldown_repeats_and_refire_within_cooldown_is_not_pushed() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0, cooldown_s=60.0))
    assert kinds(eng.evaluate(liq(12.0))) == [("fired", "warning")]
    clock.advance(59)
    assert kinds(eng.evaluate(liq(12.0))) == []
    clock.advance(1)
    events = eng.evaluate(liq(12.0))
    assert kinds(events) == [("repeated", "warning")] and events[0].notify
    clock.advance(10)
    assert kinds(eng.evaluate(liq(30.0))) == [("resolved", "warning")]
    clock.advance(10)  # re-fires 20 s after the last push: recorded, not pushed
    [refire] = eng.evaluate(liq(12.0))
    assert refire.kind == EventKind.FIRED and not refire.notify
    assert refire.suppressed_by == "cooldown"
    clock.advance(60)  # but it still repeats a cooldown after it fired
    [rep] = eng.evaluate(liq(12.0))
    assert rep.kind == EventKind.REPEATED and rep.notify


def test_ack_stops_repeats_until_resolved() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0, cooldown_s=60.0))
    eng.evaluate(liq(12.0))
    assert eng.ack("liq_distance:btc-lev")
    assert eng.active()[0].acked
    for _ in range(5):
        clock.advance(61)
        assert eng.evaluate(liq(12.0)) == []
    assert kinds(eng.evaluate(liq(40.0))) == [("resolved", "warning")]
    clock.advance(61)
    events = eng.evaluate(liq(12.0))
    assert kinds(events) == [("fired", "warning")] and events[0].notify
    assert not eng.active()[0].acked
    assert not eng.ack("no_such:key")


def test_snooze_mutes_then_rearms_if_still_true() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0, cooldown_s=60.0))
    eng.evaluate(liq(12.0))
    assert eng.snooze("liq_distance:btc-lev", 900)
    assert eng.active()[0].snoozed_until == clock.time() + 900
    for _ in range(14):
        clock.advance(60)
        assert eng.evaluate(liq(12.0)) == []
    clock.advance(60)
    events = eng.evaluate(liq(12.0))
    assert kinds(events) == [("repeated", "warning")] and events[0].notify
    assert eng.active()[0].snoozed_until is None


def test_snooze_then_resolution_is_recorded_but_muted() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0))
    eng.evaluate(liq(12.0))
    eng.snooze("liq_distance:btc-lev", 900)
    clock.advance(10)
    [ev] = eng.evaluate(liq(30.0))
    assert ev.kind == EventKind.RESOLVED and not ev.notify and ev.suppressed_by == "snooze"


def test_escalation_to_critical_breaks_a_snooze() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0))
    eng.evaluate(liq(12.0))
    eng.snooze("liq_distance:btc-lev", 900)
    clock.advance(10)
    [ev] = eng.evaluate(liq(5.0))
    assert ev.kind == EventKind.ESCALATED and ev.notify
    assert eng.active()[0].snoozed_until is None


def test_rate_limit_with_critical_bypass() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0, rate_limit_per_min=2))
    names = [f"h{i}" for i in range(4)]
    warn = view(*(with_liq(hedge(n), 12.0) for n in names))
    events = kinds(eng.evaluate(warn))
    assert events == [("fired", "warning")] * 4
    pushed = [e for e in eng.evaluate(view()) if e.notify]  # all resolve: limit still full
    assert pushed == []
    clock.advance(1)
    crit = view(*(with_liq(hedge(n), 5.0) for n in names))
    crit_events = eng.evaluate(crit)
    assert [e.notify for e in crit_events] == [True] * 4  # critical bypasses the limit
    assert eng.suppressed_by_rate_limit == 6
    clock.advance(60)  # window slides: warnings get through again
    other = eng.evaluate(view(with_liq(hedge("x"), 12.0)))
    assert [(e.key, e.notify) for e in other if e.kind == EventKind.FIRED] == [
        ("liq_distance:x", True)
    ]


def test_rate_limit_counts_pushes_in_the_last_minute_only() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0, rate_limit_per_min=2))
    first = eng.evaluate(view(with_liq(hedge("a"), 12.0), with_liq(hedge("b"), 12.0)))
    assert [e.notify for e in first] == [True, True]
    clock.advance(30)
    [third] = eng.evaluate(
        view(with_liq(hedge("a"), 12.0), with_liq(hedge("b"), 12.0), with_liq(hedge("c"), 12.0))
    )
    assert not third.notify and third.suppressed_by == "rate_limit"


def test_missing_input_never_resolves_a_firing_alert() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0))
    eng.evaluate(liq(12.0))
    clock.advance(5)
    stale = view(with_liq(hedge(mark=Freshness.STALE), 40.0))  # looks safe but is stale
    assert kinds(eng.evaluate(stale)) == []
    [alert] = [a for a in eng.active() if a.rule == "liq_distance"]
    assert alert.state == AlertState.FIRING and alert.no_data and alert.value is None
    assert "liq_distance:btc-lev" in eng.no_data()
    clock.advance(5)
    assert kinds(eng.evaluate(liq(40.0))) == [("resolved", "warning")]


def test_pending_needs_evidence_missing_data_drops_it() -> None:
    eng, clock = engine()
    eng.evaluate(liq(12.0))
    clock.advance(3)
    eng.evaluate(view(with_liq(hedge(position=Freshness.NONE), 12.0)))
    assert [a for a in eng.active() if a.rule == "liq_distance"] == []


def test_hedge_with_no_data_raises_no_data_after_t_and_critical_at_4t() -> None:
    eng, clock = engine(replace(FAST, feed_stale_after_s=30.0))
    blind = view(hedge(rep=None, mark=Freshness.NONE, position=Freshness.NONE))
    eng.evaluate(blind)
    clock.advance(30)
    assert kinds(eng.evaluate(blind), "no_data") == []
    clock.advance(0.5)
    events = [e for e in eng.evaluate(blind) if e.rule == "no_data"]
    assert [(e.kind, e.severity) for e in events] == [(EventKind.NO_DATA, Severity.WARNING)]
    assert events[0].key == "no_data:btc-lev"
    clock.advance(90)
    assert kinds(eng.evaluate(blind), "no_data") == [("escalated", "critical")]
    # every risk rule reports no data, none reads as safe
    assert {k.split(":")[0] for k in eng.no_data()} >= {"liq_distance", "margin_buffer", "basis"}
    clock.advance(1)
    assert kinds(eng.evaluate(view(hedge())), "no_data") == [("resolved", "critical")]


def test_not_applicable_is_clear_not_no_data() -> None:
    eng, _ = engine(replace(FAST, pending_s=0.0))
    one_x_short = view(hedge(rep=report(liq_distance_pct=None, liq_price=None)))
    assert eng.evaluate(one_x_short) == []
    assert "liq_distance:btc-lev" not in eng.no_data()


def test_hedge_gone_from_view_resolves() -> None:
    eng, _ = engine(replace(FAST, pending_s=0.0))
    eng.evaluate(liq(5.0))
    assert kinds(eng.evaluate(view())) == [("resolved", "critical")]


def test_snapshot_mode_pending_zero() -> None:
    eng, _ = engine(pending_override_s=0.0)
    assert kinds(eng.evaluate(liq(12.0))) == [("fired", "warning")]


def test_per_hedge_thresholds_and_from_settings() -> None:
    from hedgetui.config import parse_settings

    settings = parse_settings(
        """
[alerts]
pending_s = 0
liq_distance_warn_pct = 15

[[hedges]]
name = "tight"
coin = "BTC"
venue = "bybit"
position = { side = "long", contracts = 1000, entry = 60000, leverage = 3 }
[hedges.alerts]
liq_distance_warn_pct = 25

[[hedges]]
name = "loose"
coin = "BTC"
venue = "bybit"
position = { side = "long", contracts = 1000, entry = 60000, leverage = 3 }
"""
    )
    clock = ManualClock()
    eng = AlertEngine.from_settings(settings, clock=clock)
    events = eng.evaluate(view(with_liq(hedge("tight"), 20.0), with_liq(hedge("loose"), 20.0)))
    assert [(e.key, e.threshold) for e in events] == [("liq_distance:tight", 25.0)]


def test_active_orders_firing_critical_first() -> None:
    eng, clock = engine(replace(FAST, pending_s=0.0))
    eng.evaluate(view(with_liq(hedge("a"), 12.0), with_liq(hedge("b"), 5.0)))
    clock.advance(1)
    eng.evaluate(
        view(with_liq(hedge("a"), 12.0), with_liq(hedge("b"), 5.0), with_liq(hedge("c"), 5.0))
    )
    assert [a.key for a in eng.active()] == [
        "liq_distance:b",
        "liq_distance:c",
        "liq_distance:a",
    ]
    assert eng.worst_firing() == Severity.CRITICAL


def test_feed_state_change_unhealthy_resets_when_live() -> None:
    eng, clock = engine(replace(FAST, feed_stale_after_s=10.0))
    down = view(hedge(), feeds=(feed(state=FeedState.DOWN, age=None),))
    eng.evaluate(down)
    clock.advance(10.5)
    [ev] = [e for e in eng.evaluate(down) if e.rule == "feed_stale"]
    assert ev.kind == EventKind.FIRED and ev.venue == "bybit" and ev.key == "feed_stale:bybit"
    clock.advance(1)
    assert kinds(eng.evaluate(view(hedge())), "feed_stale") == [("resolved", "warning")]
