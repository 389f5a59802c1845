"""The dashboard's alert list: toasts, bell and a persistent list with ack/snooze keys.

Self-contained: ``AlertsPanel()`` with no arguments finds the app's store
(``self.app.store``), builds an :class:`AlertEngine` from its settings and the configured
sinks (log file, notify-send, apprise; the terminal bell rings through Textual), and
evaluates the alerts twice a second. Tests and other hosts may pass their own engine,
snapshot function and dispatcher.

Keys (when the list has focus): ``a`` acknowledge, ``s`` snooze 15 minutes, on the
highlighted alert.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.widgets import DataTable, Static

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import Alert, AlertEvent, AlertState, EventKind, Severity
from hedgetui.alerts.sinks import AlertDispatcher, build_sinks
from hedgetui.alerts.sinks.base import headline
from hedgetui.domain import DashboardView
from hedgetui.ui.cached_lines import CachedVertical

SNOOZE_S = 15 * 60.0
_SHORT = {Severity.INFO: "info", Severity.WARNING: "WARN", Severity.CRITICAL: "CRIT"}
_STYLE = {Severity.INFO: "dim", Severity.WARNING: "bold yellow", Severity.CRITICAL: "bold red"}
_TOAST: dict[Severity, SeverityLevel] = {
    Severity.INFO: "information",
    Severity.WARNING: "warning",
    Severity.CRITICAL: "error",
}


def _age(seconds: float) -> str:
    s = max(0, int(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def alert_row(alert: Alert, now: float) -> tuple[Text, str, str]:
    """(severity, what, state) cells for one alert."""
    state = alert.state.value
    if alert.no_data:
        state += ", no data"
    if alert.acked:
        state += ", acked"
    if alert.snoozed_until is not None:
        state += f", snoozed {_age(alert.snoozed_until - now)}"
    sev = Text(_SHORT[alert.severity], style=_STYLE[alert.severity])
    return sev, alert.title, f"{state} {_age(now - alert.since)}"


class AlertsPanel(CachedVertical):
    DEFAULT_CSS = """
    AlertsPanel {
        height: auto;
        max-height: 7;
        border-top: solid $warning 50%;
    }
    AlertsPanel.-quiet { border-top: solid $success 30%; }
    AlertsPanel #alerts-summary { height: 1; padding: 0 1; }
    AlertsPanel DataTable { height: auto; max-height: 5; }
    AlertsPanel.-quiet DataTable { display: none; }
    .-compact AlertsPanel DataTable { max-height: 3; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "ack", "ack alert"),
        Binding("s", "snooze", "snooze 15m"),
    ]

    def __init__(
        self,
        engine: AlertEngine | None = None,
        *,
        snapshot: Callable[[], DashboardView] | None = None,
        dispatcher: AlertDispatcher | None = None,
        bell: bool | None = None,
        interval_s: float = 0.5,
        id: str | None = "alerts",
    ) -> None:
        super().__init__(id=id)
        self.engine = engine
        self._snapshot = snapshot
        self.dispatcher = dispatcher
        self._bell = bell
        self._interval_s = interval_s
        self._keys: list[str] = []
        self.problem: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("alerts: starting", id="alerts-summary")
        table: DataTable[str | Text] = DataTable(
            cursor_type="row", show_header=False, zebra_stripes=False
        )
        table.add_columns("sev", "alert", "state")
        yield table

    async def on_mount(self) -> None:
        store: Any = getattr(self.app, "store", None)
        if self.engine is None and store is not None:
            self.engine = AlertEngine.from_settings(store.settings, clock=store.clock)
        if self._snapshot is None and store is not None:
            self._snapshot = store.snapshot
        if self.dispatcher is None and store is not None:
            sinks, _notes = build_sinks(store.settings.alerts, terminal_sinks=False)
            self.dispatcher = AlertDispatcher(sinks, on_problem=self._on_problem)
        if self._bell is None:
            self._bell = bool(store.settings.alerts.bell) if store is not None else True
        if self.dispatcher is not None:
            self.dispatcher.start()
        self.set_interval(self._interval_s, self.evaluate_now, name="alerts")
        self.evaluate_now()

    async def on_unmount(self) -> None:
        if self.dispatcher is not None:
            await self.dispatcher.close(timeout_s=1.0)

    def _on_problem(self, line: str) -> None:
        self.problem = line
        self.app.notify(line, title="alert delivery", severity="warning", timeout=8)

    # ------------------------------------------------------------------ evaluation

    def evaluate_now(self) -> list[AlertEvent]:
        """One evaluation: new events -> toast/bell/sinks; then redraw the list."""
        if self.engine is None or self._snapshot is None:
            return []
        events = self.engine.evaluate(self._snapshot())
        self.handle_events(events)
        self.refresh_list()
        return events

    def handle_events(self, events: Sequence[AlertEvent]) -> None:
        """Toast and ring for the events the engine wants pushed; hand all to the sinks."""
        ring = False
        for event in events:
            if not event.notify:
                continue
            resolved = event.kind == EventKind.RESOLVED
            self.app.notify(
                event.message,
                title=headline(event),
                severity="information" if resolved else _TOAST[event.severity],
                timeout=12 if event.severity == Severity.CRITICAL and not resolved else 6,
                markup=False,
            )
            ring = ring or (not resolved and event.severity != Severity.INFO)
        if ring and self._bell:
            self.app.bell()
        if self.dispatcher is not None:
            self.dispatcher.submit(events)

    def refresh_list(self) -> None:
        if self.engine is None:
            return
        alerts = self.engine.active()
        now = self.engine.clock.time()
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        self._keys = [a.key for a in alerts]
        for alert in alerts:
            table.add_row(*alert_row(alert, now), key=alert.key)
        if alerts:
            table.move_cursor(row=min(max(cursor, 0), len(alerts) - 1))
        firing = [a for a in alerts if a.state == AlertState.FIRING]
        blind = self.engine.no_data()
        summary = f"alerts: {len(firing)} firing" if firing else "alerts: none firing"
        pending = len(alerts) - len(firing)
        if pending:
            summary += f", {pending} pending"
        if blind:
            summary += f" · no data: {len(blind)} rule{'s' if len(blind) != 1 else ''}"
        if firing:
            summary += " · a ack · s snooze 15m"
        if self.problem:
            summary += f" · {self.problem}"
        self.query_one("#alerts-summary", Static).update(summary)
        self.set_class(not alerts, "-quiet")

    # ------------------------------------------------------------------ actions

    def highlighted_key(self) -> str | None:
        row = self.query_one(DataTable).cursor_row
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def action_ack(self) -> None:
        key = self.highlighted_key()
        if key is not None and self.engine is not None and self.engine.ack(key):
            self.app.notify(f"acknowledged {key}", timeout=3)
            self.refresh_list()

    def action_snooze(self) -> None:
        key = self.highlighted_key()
        if key is not None and self.engine is not None and self.engine.snooze(key, SNOOZE_S):
            self.app.notify(f"snoozed {key} for 15 minutes", timeout=3)
            self.refresh_list()
