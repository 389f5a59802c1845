"""`a` / `s` act on the alerts panel from anywhere in the dashboard; the launcher wires it."""

from __future__ import annotations

from hedgetui.alerts import AlertEngine
from hedgetui.domain import MarkPrice
from hedgetui.runtime import Runtime
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.launch import dashboard_alerts
from hedgetui.ui.screens import HelpScreen
from hedgetui.ui.widgets import DashboardAlertsPanel
from tests.ui.test_ui_dashboard import COMPACT, scripted_store


def alarming_store() -> tuple[HedgeApp, AlertEngine]:
    """btc-desk near its liquidation and btc-lev crashed: three critical alerts."""
    store, clock = scripted_store()
    store.apply(MarkPrice("deribit", "BTC-PERPETUAL", 64_000.0, None))
    store.apply(MarkPrice("bybit", "BTCUSD", 45_000.0, None))
    engine = AlertEngine.from_settings(store.settings, clock=clock, pending_override_s=0)
    panel = DashboardAlertsPanel(engine, snapshot=store.snapshot, bell=False)
    return HedgeApp(store, alerts_panel=panel), engine


async def test_a_acknowledges_and_s_snoozes_from_the_dashboard() -> None:
    app, engine = alarming_store()
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.pause()
        first = engine.active()
        assert len(first) == 3
        assert app.focused is None or not app.query_one(DashboardAlertsPanel).has_focus_within
        top = first[0].key
        await pilot.press("a")
        await pilot.pause()
        acked = {a.key: a for a in engine.active()}
        assert acked[top].acked
        assert sum(a.acked for a in acked.values()) == 1
        await pilot.press("s")
        await pilot.pause()
        snoozed = {a.key: a for a in engine.active()}
        assert snoozed[top].snoozed_until is not None
        assert sum(a.snoozed_until is not None for a in snoozed.values()) == 1


async def test_alert_keys_with_no_alert_say_so() -> None:
    store, clock = scripted_store()
    engine = AlertEngine.from_settings(store.settings, clock=clock)
    app = HedgeApp(store, alerts_panel=DashboardAlertsPanel(engine, snapshot=store.snapshot))
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["no active alert"]


async def test_alert_keys_are_in_the_help_and_the_palette() -> None:
    app, _ = alarming_store()
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.help_keys)
        assert "acknowledge" in keys["a"] and "snooze" in keys["s"]
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Alerts: acknowledge")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert any(a.acked for a in app.query_one(DashboardAlertsPanel).engine.active())  # type: ignore[union-attr]


async def test_launcher_builds_the_panel_from_the_settings() -> None:
    store, _ = scripted_store()
    runtime = Runtime(store.settings)
    panel, dispatcher, _notes = dashboard_alerts(runtime)
    try:
        assert panel.engine is not None
        assert panel.engine.clock is runtime.store.clock
        assert panel.dispatcher is dispatcher
    finally:
        await dispatcher.close(timeout_s=0.5)
