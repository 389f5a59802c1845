"""The dashboard's alert list: the bell and a persistent list with ack/snooze keys.

Self-contained: ``AlertsPanel()`` with no arguments finds the app's store
(``self.app.store``), builds an :class:`AlertEngine` from its settings and the configured
sinks (log file, notify-send, apprise; the terminal bell rings through Textual), and
evaluates the alerts twice a second. Tests and other hosts may pass their own engine,
snapshot function and dispatcher.

The list shows the worst alerts first (critical before warning, then the newest) in the rows
its host gives it (:meth:`AlertsPanel.set_rows`); the others fold into the summary's
"+N more". Severity is a label on a block of colour (``CRIT`` white on red, ``WARN`` black on
amber in the dark theme) that holds in 16 colours and without colour, and the list's cursor
shows only while the list has the focus, so the top row is never a neutral highlight. No
toast repeats an alert the list shows: an alert toasts only when the list is not displayed,
and never over a dialog. The panel tells its host when the number of alerts changes
(:class:`AlertsPanel.Changed`) and when a critical alert fires
(:class:`AlertsPanel.CriticalFired`).

Keys (when the list has focus): ``a`` acknowledge, ``s`` snooze 15 minutes, on the
highlighted alert.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color, ColorParseError
from textual.events import DescendantBlur, DescendantFocus
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from hedgetui import glyphs
from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import Alert, AlertEvent, AlertState, EventKind, Severity
from hedgetui.alerts.sinks import AlertDispatcher, build_sinks
from hedgetui.alerts.sinks.base import headline
from hedgetui.domain import DashboardView
from hedgetui.ui.cached_lines import CachedVertical

SNOOZE_S = 15 * 60.0
_SHORT = {Severity.INFO: "info", Severity.WARNING: "WARN", Severity.CRITICAL: "CRIT"}
_TOAST: dict[Severity, SeverityLevel] = {
    Severity.INFO: "information",
    Severity.WARNING: "warning",
    Severity.CRITICAL: "error",
}
SEVERITY_COLOURS = {"sev-warn": "#ffb000", "sev-crit": "#ff3030"}
"""The severities' colours when the host sets none (``App.theme_variables``). Chosen to map to
yellow and red in a 16-colour terminal: Rich maps a colour to the nearest of the 16, and the
themes' orange ``$warning`` comes out bright red there; ANSI ``yellow``/``red`` are turned
into the terminal theme's orange and pink first and come out bright red and magenta."""
FIRED = (EventKind.FIRED, EventKind.ESCALATED)  # a new firing (not a repeat)


def _age(seconds: float) -> str:
    s = max(0, int(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def severity_style(severity: Severity, colours: Mapping[str, str] = SEVERITY_COLOURS) -> str:
    """The style of a severity's label: a block of colour with the label in bold on it (white on
    a dark block, black on a light one), so the label reads in every theme, in 16 colours
    (yellow, red) and without colour (a label)."""
    if severity == Severity.INFO:
        return "dim"
    name = "sev-crit" if severity == Severity.CRITICAL else "sev-warn"
    block = colours.get(name, SEVERITY_COLOURS[name])
    try:
        dark = Color.parse(block).brightness < 0.5
    except ColorParseError:  # a colour Textual cannot read: the default one
        block = SEVERITY_COLOURS[name]
        dark = Color.parse(block).brightness < 0.5
    return f"bold {'#ffffff' if dark else '#000000'} on {block}"


def alert_row(
    alert: Alert, now: float, colours: Mapping[str, str] = SEVERITY_COLOURS
) -> tuple[Text, Text | str, str]:
    """(severity, what, state) cells for one alert; a critical alert's text is bold."""
    state = alert.state.value
    if alert.no_data:
        state += ", no data"
    if alert.acked:
        state += ", acked"
    if alert.snoozed_until is not None:
        state += f", snoozed {_age(alert.snoozed_until - now)}"
    sev = Text(_SHORT[alert.severity], style=severity_style(alert.severity, colours))
    title = glyphs.text(alert.title)  # ASCII mode: "≥" is ">=", not the one-cell ">"
    what: Text | str = title
    if alert.severity == Severity.CRITICAL:
        what = Text(title, style="bold")
    return sev, what, f"{state} {_age(now - alert.since)}"


def alert_order(alerts: Sequence[Alert]) -> list[Alert]:
    """Worst first: critical before warning before info, firing before pending, then the
    newest first. (Acknowledging does not move an alert: ``a`` then ``s`` act on one alert.)"""
    return sorted(
        alerts, key=lambda a: (-a.severity.rank, a.state != AlertState.FIRING, -a.since, a.key)
    )


class AlertsPanel(CachedVertical):
    DEFAULT_CSS = """
    AlertsPanel {
        height: auto;
        max-height: 7;
        border-top: solid $warning 50%;
    }
    AlertsPanel.-quiet { border-top: solid $success 30%; }
    AlertsPanel #alerts-summary {
        height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    AlertsPanel DataTable { height: auto; max-height: 5; }
    AlertsPanel.-quiet DataTable { display: none; }
    AlertsPanel.-budget { max-height: 100%; }
    AlertsPanel.-budget DataTable { scrollbar-visibility: hidden; }
    .-compact AlertsPanel DataTable { max-height: 3; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "ack", "ack alert", id="ack-alert"),
        Binding("s", "snooze", "snooze 15m", id="snooze-alert"),
    ]

    class Changed(Message):
        """The number of active alerts changed (the host's layout budget gives the list rows)."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class CriticalFired(Message):
        """A critical alert about ``hedge`` fired (or escalated): once per firing."""

        def __init__(self, hedge: str) -> None:
            super().__init__()
            self.hedge = hedge

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
        self._rows: int | None = None  # rows the host gives the list (None: the CSS's)
        self._count = -1  # alerts listed at the last refresh
        self.problem: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("alerts: starting", id="alerts-summary")
        table: DataTable[str | Text] = DataTable(
            cursor_type="row", show_header=False, zebra_stripes=False, show_cursor=False
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
        """A sink's delivery problem: on the summary line (no toast: the line says it)."""
        self.problem = line
        if self.is_mounted:
            self.refresh_list()

    # ------------------------------------------------------------------ layout and focus

    def set_rows(self, rows: int | None) -> None:
        """List at most ``rows`` alerts (the host's layout budget); ``None``: the CSS default.
        The others fold into the summary's "+N more" (the cursor still reaches them)."""
        if rows == self._rows:
            return
        self._rows = rows
        self.set_class(rows is not None, "-budget")
        with_table = self.query(DataTable)
        if with_table:
            table = with_table.first()
            table.styles.max_height = None if rows is None else max(0, rows)
        if self._count >= 0:
            self._listed_changed()

    def _listed_changed(self) -> None:
        """Redraw the list (a subclass may skip this when what it shows did not change)."""
        self.refresh_list()

    @property
    def visible_rows(self) -> int:
        """Alerts listed on screen now (the others are in "+N more")."""
        count = max(0, self._count)
        return count if self._rows is None else min(count, self._rows)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self.query_one(DataTable).show_cursor = True

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self.query_one(DataTable).show_cursor = False

    # ------------------------------------------------------------------ evaluation

    def evaluate_now(self) -> list[AlertEvent]:
        """One evaluation: new events -> bell/sinks (a toast only when the list is not on
        screen); then redraw the list."""
        if self.engine is None or self._snapshot is None:
            return []
        events = self.engine.evaluate(self._snapshot())
        self.handle_events(events)
        self.refresh_list()
        return events

    def list_on_screen(self) -> bool:
        """Whether the list is displayed (it says what a toast would); from its mount on."""
        return self.display and self.parent is not None

    def handle_events(self, events: Sequence[AlertEvent]) -> None:
        """Ring for the events the engine wants pushed; hand all to the sinks. An event toasts
        only when the list is not on screen, and never over a dialog, one toast at most."""
        ring = False
        toast: AlertEvent | None = None
        for event in events:
            fired = event.kind in FIRED
            if fired and event.severity == Severity.CRITICAL and event.hedge is not None:
                self.post_message(self.CriticalFired(event.hedge))
            if not event.notify:
                continue
            resolved = event.kind == EventKind.RESOLVED
            if toast is None or event.severity.rank > toast.severity.rank:
                toast = event
            ring = ring or (not resolved and event.severity != Severity.INFO)
        if toast is not None and not self.list_on_screen() and not self._dialog_on_top():
            resolved = toast.kind == EventKind.RESOLVED
            self.app.notify(
                toast.message,
                title=headline(toast),
                severity="information" if resolved else _TOAST[toast.severity],
                timeout=6,
                markup=False,
            )
        if ring and self._bell:
            self.app.bell()
        if self.dispatcher is not None:
            self.dispatcher.submit(events)

    def _dialog_on_top(self) -> bool:
        return isinstance(self.app.screen, ModalScreen)

    def _colours(self) -> Mapping[str, str]:
        variables = getattr(self.app, "theme_variables", None) or {}
        return {k: variables.get(k, v) for k, v in SEVERITY_COLOURS.items()}

    def refresh_list(self) -> None:
        if self.engine is None:
            return
        alerts = alert_order(self.engine.active())
        now = self.engine.clock.time()
        colours = self._colours()
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        self._keys = [a.key for a in alerts]
        for alert in alerts:
            table.add_row(*alert_row(alert, now, colours), key=alert.key)
        if alerts:
            table.move_cursor(row=min(max(cursor, 0), len(alerts) - 1))
        if len(alerts) != self._count:
            self._count = len(alerts)
            self.post_message(self.Changed(len(alerts)))
        firing = [a for a in alerts if a.state == AlertState.FIRING]
        blind = self.engine.no_data()
        summary = f"alerts: {len(firing)} firing" if firing else "alerts: none firing"
        pending = len(alerts) - len(firing)
        if pending:
            summary += f", {pending} pending"
        folded = len(alerts) - self.visible_rows
        if folded > 0:
            summary += f" · +{folded} more"
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
