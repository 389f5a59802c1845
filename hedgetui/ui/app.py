"""The live dashboard (Textual).

The app never computes risk and never parses frames: a repaint takes one ``store.snapshot()`` and
hands it to the widgets, which repaint only what changed. Repaints follow the data. Run by
``hedgetui.ui.launch.run_dashboard``, the feeds' sockets are read in passes, one per repaint and
at least every 100 ms (``hedgetui.feeds.read_gate``), and the app repaints right after a pass
that brought a change: a frame is on screen within one period and a few milliseconds of its arrival,
and the process wakes once a period for all the frames. On a bare store (no gate: tests, the
benchmarks of the UI alone) the first change after a repaint schedules the next one
``1 / refresh_hz`` minus ``PAINT_ALLOWANCE_S`` later, but never sooner than ``1 / refresh_hz``
after the last one began. Either way the screen repaints at most ``refresh_hz`` times a second
however the feeds tick, a burst of ticks costs one repaint, and a quiet market costs none but a
once-a-second repaint for the ages, countdowns and staleness that move with the clock.

Layout: below 120 columns, or when the cards and the what-if panel would not fit the height,
the "compact" layout shows one row per hedge plus a detail card for the selected hedge beside
the what-if panel (from 80x23 up); otherwise one card per hedge, side by side, with the what-if
panel underneath. The rows of every region come from the layout budget
(:func:`hedgetui.ui.budget.plan`), applied on every resize and whenever the number of alerts
(or of hedges outside their band, whose orders the table lists) changes: the screen is filled
without overflow, the lowest-priority lines go first when rows are short, and a big screen
grows the alerts list and the cards' charts. When a critical alert
fires, its hedge is selected (once per firing: a later selection of the user's stays).
Notifications: one at a time and short (see :meth:`HedgeApp.notify`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.events import Resize
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget

from hedgetui import glyphs
from hedgetui.domain import DashboardView, ScenarioRow
from hedgetui.store import Store
from hedgetui.ui import budget, textual_fast, what_if
from hedgetui.ui.alerts_panel import AlertsPanel
from hedgetui.ui.ascii_filter import AsciiFilter
from hedgetui.ui.cached_lines import CachedFooter, CachedHorizontal, CachedVerticalScroll
from hedgetui.ui.cadence import (
    CLOCK_REPAINT_S,
    MAX_READ_PERIOD_S,
    PAINT_ALLOWANCE_S,
    clock_repaint_due,
    read_period,
    refresh_rate,
)
from hedgetui.ui.card_grid import HedgeCards
from hedgetui.ui.key_actions import AdjustFactory, DashboardKeys, UnwindFactory
from hedgetui.ui.layout import (
    CHART_COLOURS,
    HIGH_CONTRAST,
    SEVERITY_COLOURS,
    THEME_NAMES,
    THEMES_DIR,
    DashboardScreen,
    DashboardWidgets,
)
from hedgetui.ui.repaint import Repaints
from hedgetui.ui.textual_fast import CroppedUpdates
from hedgetui.ui.widgets import (
    DashboardAlertsPanel,
    HedgeCard,
    HedgeTable,
    StatusBar,
    TotalsBar,
    WhatIfPanel,
)

if TYPE_CHECKING:
    from hedgetui.feeds.read_gate import ReadGate

__all__ = [  # what the launcher, the tests and the benchmarks import from here
    "CLOCK_REPAINT_S",
    "MAX_READ_PERIOD_S",
    "PAINT_ALLOWANCE_S",
    "THEME_NAMES",
    "HedgeApp",
    "clock_repaint_due",
    "read_period",
    "terminal_alive",
]

TOAST_MAX_S = 5.0  # a notification goes after this long at most


class HedgeApp(CroppedUpdates, Repaints, DashboardKeys):
    """The hedgetui dashboard over one :class:`~hedgetui.store.Store`: its layout
    (its keys: :class:`~hedgetui.ui.key_actions.DashboardKeys`; its repaints:
    :class:`~hedgetui.ui.repaint.Repaints`; its what-if rows:
    :class:`~hedgetui.ui.what_if_rows.WhatIfRows`).

    A partial screen update is written as the changed cells only (``CroppedUpdates``)."""

    TITLE = "hedgetui"
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        THEMES_DIR / "base.tcss",
        *(THEMES_DIR / f"{name}.tcss" for name in THEME_NAMES),
    ]

    def __init__(
        self,
        store: Store,
        *,
        theme: str | None = None,
        refresh_hz: float | None = None,
        watchdog: bool = False,
        unwind_factory: UnwindFactory | None = None,
        adjust_factory: AdjustFactory | None = None,
        alerts_panel: Widget | None = None,
        mount_alerts: bool = True,
        read_gate: ReadGate | None = None,
        clock_repaint_s: float = CLOCK_REPAINT_S,
        ascii: bool | None = None,
        user_themes: Mapping[str, Path] | None = None,
    ) -> None:
        """``read_gate``: the feeds' sockets are read in its passes (``Runtime.read_in_passes``
        every ``read_period(refresh_hz)``): repaint right after a pass that brought a change
        rather than on a timer of the app's own.

        ``clock_repaint_s``: with no data, repaint this often for ages and countdowns (tests
        that count the repaints data causes move it out of their way).

        ``ascii``: draw ASCII only (``hedgetui.glyphs``; default ``display.ascii``): the
        commands turn it on for a locale that is not UTF-8 or ``--ascii`` too.

        ``user_themes``: name -> ``.tcss`` file of the user's own themes (checked by the command
        first: ``hedgetui.ui.user_themes``), after the shipped ones in ``t``'s cycle."""
        themes = dict(user_themes or {})
        super().__init__(css_path=[*self.CSS_PATH, *themes.values()] if themes else None)
        self.theme_names: tuple[str, ...] = (*THEME_NAMES, *themes)
        self.store = store
        display = store.settings.display
        self.hedge_theme = theme or display.theme
        if self.hedge_theme not in self.theme_names:
            self.hedge_theme = "dark"
        self.refresh_hz = refresh_rate(refresh_hz or display.refresh_hz)
        self.set_keymap(dict(store.settings.keys))  # [keys]: checked by the config already
        self._read_gate = read_gate
        self._clock_repaint_s = clock_repaint_s
        self.animation_level = "full" if display.animations else "none"
        self.ascii = display.ascii if ascii is None else ascii
        self._ascii_filter = AsciiFilter() if self.ascii else None
        if self.ascii:  # before compose: the widgets' own texts are made in ASCII too
            glyphs.use_ascii(True)
        self.selected = 0
        self.typed_move: float | None = None
        self.compact = True
        self.plan = budget.plan(80, 24, len(store.hedge_names()), 0)
        self._alert_count = 0  # active alerts, as the alerts panel last said
        self._suggestion_count = 0  # hedges out of band with a suggested order, last painted
        self._shown_moves: tuple[tuple[ScenarioRow, ...], int, tuple[ScenarioRow, ...]] = (
            (),
            0,
            (),
        )
        self.last_view: DashboardView | None = None
        self.frames_painted = 0
        self._painted_at = float("-inf")  # time.monotonic() of the last repaint
        self._change_at: float | None = None  # first change not yet painted
        self._change = asyncio.Event()
        self._widgets: DashboardWidgets | None = None
        self.on_painted: Callable[[DashboardView], None] | None = None
        self._watchdog = watchdog
        self._unwind_factory = unwind_factory
        self._adjust_factory = adjust_factory
        self._alerts_panel = alerts_panel
        self._mount_alerts = mount_alerts
        self._what_if_key: tuple[int, float | None, bool, bool] | None = None
        self._what_if_version = -1
        self._what_if_at = float("-inf")
        self._what_if: tuple[tuple[ScenarioRow, ...], ScenarioRow | None] = ((), None)
        names = store.hedge_names()
        self._alerts = [store.settings.hedge(n).alerts for n in names]

    # ------------------------------------------------------------------ layout

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, with an input thread that sleeps until there is input
        (``input_driver``) where Textual would use its Linux/macOS one (fast paths on)."""
        driver = super().get_driver_class()
        if not textual_fast.FAST:
            return driver
        if driver.__module__ == "textual.drivers.linux_driver" and driver.__name__ == "LinuxDriver":
            from hedgetui.ui.input_driver import QuietInputDriver  # imports termios: not Windows

            return QuietInputDriver
        return driver

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, and in ASCII mode :class:`AsciiFilter` last: every glyph that
        Textual draws itself (borders, scrollbars, buttons, toasts) as its ASCII twin."""
        filters = super().get_line_filters()
        return filters if self._ascii_filter is None else [*filters, self._ascii_filter]

    def on_unmount(self) -> None:
        if self.ascii:
            glyphs.use_ascii(False)  # the mode is the process's: this app set it

    def get_default_screen(self) -> Screen[None]:
        return DashboardScreen(id="dashboard")

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield TotalsBar(id="totals")
        with CachedVerticalScroll(id="main"):
            yield HedgeTable(id="table")
            yield HedgeCards(len(self.store.hedge_names()), id="cards")
            with CachedHorizontal(id="lower"):
                yield HedgeCard(id="detail", classes="card")
                yield WhatIfPanel(id="whatif")
        panel = self._alerts_panel
        if panel is None and self._mount_alerts:
            panel = DashboardAlertsPanel()
        if panel is not None:
            yield panel
        yield CachedFooter()

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.set_hedge_theme(self.hedge_theme)
        self._apply_layout(self.size.width, self.size.height)
        self.refresh_view()
        self.call_after_refresh(self.refresh_view)  # again once the layout knows the widths
        self.store.on_change = self._store_changed
        # a worker: Textual runs it in the app's context and cancels it when the app exits
        painter = self._paint_changes() if self._read_gate is None else self._paint_after_reads()
        self.run_worker(painter, name="painter", exit_on_error=True)
        self.set_interval(self._clock_repaint_s / 2, self._clock_repaint, name="clock-repaint")
        if self._watchdog:
            self.set_interval(1.0, self._check_terminal, name="tty-watchdog")

    def on_resize(self, event: Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)
        self.call_after_refresh(self.refresh_view)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The theme's ``$sev-warn``, ``$sev-crit``, ``$chart-mark``, ``$select`` (``layout``)."""
        theme = getattr(self, "hedge_theme", "dark")
        # a user theme starts from the dark theme's colours (its .tcss may use its own)
        colours = {
            **SEVERITY_COLOURS.get(theme, SEVERITY_COLOURS["dark"]),
            **CHART_COLOURS.get(theme, CHART_COLOURS["dark"]),
        }
        return {**super().get_theme_variable_defaults(), **colours}

    def _apply_layout(self, width: int, height: int) -> None:
        """Lay the regions out for ``width`` x ``height`` by the layout budget (the dashboard's
        screen, also while a dialog is on top of it: it keeps painting there)."""
        screen = self._dashboard_screen() or self.screen
        panels = screen.query(AlertsPanel)
        panel = panels.first() if panels else None
        plan = budget.plan(
            width,
            height,
            len(self.store.hedge_names()),
            self._alert_count,
            typed=self.typed_move is not None and self.typed_move not in what_if.WHAT_IF_MOVES,
            alerts_panel=panel is not None,
            suggestions=self._suggestion_count,
        )
        self.plan = plan
        self.compact = plan.compact
        screen.set_class(plan.compact, "-compact")
        screen.set_class(not plan.compact, "-wide")
        with contextlib.suppress(NoMatches):  # before compose finished
            screen.query_one("#cards", HedgeCards).columns = plan.columns
        if panel is not None:
            panel.set_rows(plan.alert_rows)

    def _relayout(self) -> None:
        """Apply the layout budget again (alerts came or went, a typed move) and repaint."""
        if self.is_running:
            self._apply_layout(self.size.width, self.size.height)
            self.refresh_view()

    @on(AlertsPanel.Changed)
    def _alerts_changed(self, event: AlertsPanel.Changed) -> None:
        if event.count != self._alert_count:
            self._alert_count = event.count
            self._relayout()

    @on(AlertsPanel.CriticalFired)
    def _critical_fired(self, event: AlertsPanel.CriticalFired) -> None:
        """Select the hedge in danger (its card, its what-if) when its critical alert fires."""
        names = self.store.hedge_names()
        if event.hedge in names and names.index(event.hedge) != self.selected:
            self.select_hedge(names.index(event.hedge))

    def set_typed_move(self, move: float | None) -> None:
        self.typed_move = move
        self._relayout()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notification: one at a time (a new one replaces the last), for ``TOAST_MAX_S`` at
        most. The dashboard's notifications are key feedback and things not on screen: the
        alerts list toasts none while it is displayed, nor over a dialog."""
        # in the queue before the new one (Textual adds a notification from its own message)
        self.call_later(self.clear_notifications)
        shown = TOAST_MAX_S if timeout is None else min(timeout, TOAST_MAX_S)
        message, title = glyphs.text(message), glyphs.text(title)  # ASCII mode: the long twins
        super().notify(message, title=title, severity=severity, timeout=shown, markup=markup)

    # ------------------------------------------------------------------ ssh / tmux

    def _check_terminal(self) -> None:
        """Exit when the controlling terminal went away (SSH dropped, tmux pane killed)."""
        if not terminal_alive():
            self.exit(return_code=129)


def terminal_alive() -> bool:
    """True while stdin is still a terminal that has not been hung up."""
    stream = sys.__stdin__
    if stream is None:
        return False
    try:
        fd = stream.fileno()
        if not os.isatty(fd):
            return False
        os.tcgetpgrp(fd)  # EIO / ENOTTY once the terminal is hung up
    except (OSError, ValueError):
        return False
    return True
