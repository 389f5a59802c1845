"""The AlertsPanel widget in a Pilot-driven app: bell, list, ack and snooze keys, and toasts
only for alerts the list does not show."""

from __future__ import annotations

import json
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.sinks import AlertDispatcher
from hedgetui.alerts.sinks.log_file import JsonLinesLogSink
from hedgetui.clock import ManualClock
from hedgetui.config import AlertSettings
from hedgetui.domain import DashboardView
from hedgetui.ui.alerts_panel import AlertsPanel
from tests.alerts_views import hedge, view, with_liq


class PanelApp(App[None]):
    def __init__(self, panel: AlertsPanel) -> None:
        super().__init__()
        self.panel = panel
        self.toasts: list[tuple[str, str, str]] = []
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield self.panel

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: str = "information",  # type: ignore[override]
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.toasts.append((title, message, severity))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)  # type: ignore[arg-type]

    def bell(self) -> None:
        self.bells += 1


async def test_panel_rings_lists_and_acks_and_snoozes(tmp_path: Path) -> None:
    """The list on screen says what a toast would: the alerts ring and list, no toast (issue 19:
    stacked toasts covered the screen repeating the list). Key feedback stays a toast."""
    clock = ManualClock()
    engine = AlertEngine(AlertSettings(pending_s=0.0), clock=clock)
    current: list[DashboardView] = [view(with_liq(hedge(), 30.0))]
    log = tmp_path / "alerts.jsonl"
    dispatcher = AlertDispatcher([JsonLinesLogSink(log)])
    panel = AlertsPanel(
        engine, snapshot=lambda: current[0], dispatcher=dispatcher, bell=True, interval_s=60
    )
    app = PanelApp(panel)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "alerts: none firing" in str(panel.query_one("#alerts-summary", Static).render())
        current[0] = view(with_liq(hedge("a"), 5.0), with_liq(hedge("b"), 12.0))
        events = panel.evaluate_now()
        await pilot.pause()
        assert [e.key for e in events] == ["liq_distance:a", "liq_distance:b"]
        assert app.toasts == []
        assert app.bells == 1
        table = panel.query_one(DataTable)
        assert table.row_count == 2
        summary = str(panel.query_one("#alerts-summary", Static).render())
        assert "2 firing" in summary and "a ack" in summary
        table.focus()
        await pilot.press("a")  # ack the highlighted (first, most severe) alert
        assert [x.acked for x in engine.active()] == [True, False]
        assert app.toasts == [("", "acknowledged liq_distance:a", "information")]
        await pilot.press("down", "s")
        snoozed = engine.active()[1]
        assert snoozed.key == "liq_distance:b"
        assert snoozed.snoozed_until == clock.time() + 900
        assert "snoozed 15m00s" in str(table.get_row_at(1)[2])
        assert "acked" in str(table.get_row_at(0)[2])
        await dispatcher.drain(2.0)
    logged = [json.loads(x)["key"] for x in log.read_text().splitlines()]
    assert logged == ["liq_distance:a", "liq_distance:b"]


async def test_a_hidden_list_toasts_the_worst_alert_once() -> None:
    """Not on screen, the list cannot say it: one toast, the most severe of the events."""
    clock = ManualClock()
    engine = AlertEngine(AlertSettings(pending_s=0.0), clock=clock)
    current: list[DashboardView] = [view(with_liq(hedge(), 30.0))]
    panel = AlertsPanel(engine, snapshot=lambda: current[0], bell=False, interval_s=60)
    app = PanelApp(panel)
    async with app.run_test(size=(80, 24)) as pilot:
        panel.display = False
        current[0] = view(with_liq(hedge("b"), 12.0), with_liq(hedge("a"), 5.0))
        events = panel.evaluate_now()
        await pilot.pause()
        assert len(events) == 2
        worst = ("[CRITICAL] a liquidation distance: 5.0%", events[1].message, "error")
        assert app.toasts == [worst]


async def test_panel_with_no_arguments_runs_on_the_dashboard_store(tmp_path: Path) -> None:
    """The dashboard mounts ``AlertsPanel()``: it finds the app's store, its clock and its
    settings (alert log included) by itself."""
    from dataclasses import replace

    from hedgetui.demo.portfolio import demo_settings
    from hedgetui.domain import FeedState, FeedStatus, Funding, IndexPrice, MarkPrice
    from hedgetui.store import Store
    from hedgetui.ui.app import HedgeApp

    log = tmp_path / "alerts.jsonl"
    base = demo_settings(60_000.0, 3_000.0, {})
    alerts = replace(base.alerts, log_path=str(log), pending_s=2.0)
    settings = replace(
        base, alerts=alerts, hedges=tuple(replace(h, alerts=alerts) for h in base.hedges)
    )
    clock = ManualClock()
    store = Store(settings, clock=clock)

    def market(btc: float) -> None:
        ms = int(clock.time() * 1000)
        for venue, symbol, index_symbol, price in (
            ("bitmex", "XBTUSD", "XBTUSD", btc),
            ("okx", "ETH-USD-SWAP", "ETH-USD", 3_000.0),
            ("deribit", "BTC-PERPETUAL", "BTC-PERPETUAL", btc),
            ("bybit", "BTCUSD", "BTCUSD", btc),
        ):
            store.apply(FeedStatus(venue, FeedState.LIVE))
            store.apply(MarkPrice(venue, symbol, price, ms))
            store.apply(IndexPrice(venue, index_symbol, price, ms))
            store.apply(Funding(venue, symbol, 0.0001, None, ms + 3_600_000, ms))

    market(47_000.0)  # btc-lev (3x long from 60,000) ~4% from liquidation
    app = HedgeApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(AlertsPanel)
        panel.evaluate_now()
        clock.advance(2.5)
        market(47_000.0)
        panel.evaluate_now()
        await pilot.pause()
        table = panel.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][:2] == ["CRIT", rows[0][1]] and "btc-lev liquidation" in rows[0][1]
        assert panel.dispatcher is not None
        await panel.dispatcher.drain(2.0)
    logged = [json.loads(x) for x in log.read_text().splitlines()]
    assert ("liq_distance:btc-lev", "fired", "critical") in [
        (x["key"], x["event"], x["severity"]) for x in logged
    ]
