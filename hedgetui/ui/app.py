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
import time
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
from hedgetui.domain import DashboardView, HedgeView, ScenarioRow
from hedgetui.store import Store
from hedgetui.ui import bars, budget, table_rows, textual_fast, what_if
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
from hedgetui.ui.screens import FollowsDashboard
from hedgetui.ui.textual_fast import CroppedUpdates, one_update
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

WHAT_IF_DRIFT_PCT = 0.25  # recompute the what-if rows at once when the mark moved this far
TOAST_MAX_S = 5.0  # a notification goes after this long at most


class HedgeApp(CroppedUpdates, DashboardKeys):
    """The hedgetui dashboard over one :class:`~hedgetui.store.Store`: its layout and repaints
    (its keys: :class:`~hedgetui.ui.key_actions.DashboardKeys`).

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

    # ------------------------------------------------------------------ refresh

    def _store_changed(self) -> None:
        """The store's ``on_change``: runs for every event, so it only notes the first one."""
        if self._change_at is None:
            self._change_at = time.monotonic()
            self._change.set()

    async def _paint_changes(self) -> None:
        """Repaint each batch of changes ``1 / refresh_hz - PAINT_ALLOWANCE_S`` after its first,
        and never sooner than ``1 / refresh_hz`` after the last repaint began.

        The second rule holds the cadence when changes never stop: feeds that tick out of step
        with each other start a new batch right after every repaint, and without it the screen
        would repaint every ``1 / refresh_hz - PAINT_ALLOWANCE_S`` (13 times a second at 10).
        A change still waits at most ``1 / refresh_hz``: it arrived after the last repaint
        began.
        """
        interval = 1 / self.refresh_hz
        delay = max(0.0, interval - PAINT_ALLOWANCE_S)
        while True:
            await self._change.wait()
            self._change.clear()
            first = self._change_at
            if first is not None:
                due = max(first + delay, self._painted_at + interval)
                # not one sleep: uvloop's timers count whole milliseconds and can wake one early
                while (wait := due - time.monotonic()) > 0:  # noqa: ASYNC110 (a deadline, not a poll)
                    await asyncio.sleep(wait)
            self._change_at = None  # changes from here on schedule the next repaint
            self.refresh_view()

    async def _paint_after_reads(self) -> None:
        """Repaint right after each pass of the read gate that brought a change.

        At the default refresh the passes are ``1 / refresh_hz`` apart, so this holds the
        cadence by itself, and a frame waits in its socket at most until the next pass, then a
        few milliseconds. A slower refresh still has the sockets read every
        ``MAX_READ_PERIOD_S`` and paints after every few passes. Changes that do not come from
        a socket (a feed going stale, a status) are painted after the next pass too.
        """
        gate = self._read_gate
        assert gate is not None
        # passes come every period_s <= 1 / refresh_hz: with a slower refresh, paint after the
        # first pass that is (to within half a pass) 1 / refresh_hz after this loop's last paint
        # (its own: a key's repaint in between must not hold the data back another pass)
        spacing = 1 / self.refresh_hz - gate.period_s / 2
        painted_at = float("-inf")
        while True:
            await gate.passed()
            if self._change_at is None or time.monotonic() - painted_at < spacing:
                continue
            self._change_at = None
            painted_at = time.monotonic()
            self.refresh_view()

    def _clock_repaint(self) -> None:
        """Ages, countdowns and staleness move with the clock: repaint when data has not."""
        if clock_repaint_due(time.monotonic() - self._painted_at, self._clock_repaint_s):
            self.refresh_view()

    def refresh_view(self) -> None:
        """Take one snapshot and push it to the widgets (the painter, the clock, a key)."""
        dashboard = self._dashboard_screen()
        if not self.is_running or dashboard is None:
            return
        w = self._dashboard_widgets()
        if w is None:
            return
        self._painted_at = time.monotonic()
        # under a dialog too: the screen behind stays live (Textual draws it under the dialog)
        with one_update(dashboard):  # on the terminal when the block ends
            self._show_view(w)
        dialog = self.screen
        if dialog is not dashboard and isinstance(dialog, FollowsDashboard):
            dialog.dashboard_painted()

    def _dashboard_screen(self) -> DashboardScreen | None:
        """The dashboard's screen, whether or not a dialog is on top of it."""
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                return screen
        return None

    def _show_view(self, w: DashboardWidgets) -> None:
        """One snapshot into the widgets; their changed rows are marked for the screen."""
        view = self.store.snapshot()
        self.last_view = view
        if view.hedges:
            self.selected %= len(view.hedges)
        w.status.show(bars.status_bar(view, self.size.width))
        totals_width = w.totals.content_region.width or self.size.width - 2
        w.totals.show(bars.totals_bar(view.totals, not self.compact, totals_width))
        card_rows = self.plan.card_rows
        suggestions = table_rows.suggestion_count(view)
        if suggestions != self._suggestion_count:  # a hedge left or came back into its band
            self._suggestion_count = suggestions
            self._apply_layout(self.size.width, self.size.height)
            card_rows = self.plan.card_rows
        if self.compact:
            width = w.table.content_region.width or self.size.width
            shown = self.plan.suggestion_rows
            w.table.show(table_rows.hedge_table(view, self._alerts, self.selected, width, shown))
            if view.hedges:
                hedge = view.hedges[self.selected]
                w.detail.show_hedge(
                    hedge,
                    self._alerts[self.selected],
                    selected=True,
                    marks=self.store.mark_history(hedge.name),
                    fundings=self.store.funding_history(hedge.name),
                    rows=card_rows,
                )
        else:
            for i, hedge in enumerate(view.hedges):
                w.cards.show_card(
                    i,
                    hedge,
                    self._alerts[i],
                    selected=i == self.selected,
                    marks=self.store.mark_history(hedge.name),
                    fundings=self.store.funding_history(hedge.name),
                    rows=card_rows,
                )
        selected = view.hedges[self.selected] if view.hedges else None
        rows, typed = self._what_if_rows(view, selected)
        w.what_if.show_rows(selected, self._kept_moves(rows), typed)
        self.frames_painted += 1
        if self.on_painted is not None:
            self.on_painted(view)

    def _kept_moves(self, rows: tuple[ScenarioRow, ...]) -> tuple[ScenarioRow, ...]:
        """The what-if rows the budget has room for (the same tuple while nothing changed:
        the panel skips rows it already shows)."""
        count = self.plan.what_if_moves
        last_rows, last_count, kept = self._shown_moves
        if rows is not last_rows or count != last_count:
            kept = what_if.kept_moves(rows, count)
            self._shown_moves = (rows, count, kept)
        return kept

    def _dashboard_widgets(self) -> DashboardWidgets | None:
        """The dashboard's widgets, looked up once (a repaint must not search the DOM)."""
        screen = self._dashboard_screen()
        if self._widgets is None and screen is not None:
            try:
                self._widgets = DashboardWidgets(
                    status=screen.query_one("#status", StatusBar),
                    totals=screen.query_one("#totals", TotalsBar),
                    table=screen.query_one("#table", HedgeTable),
                    detail=screen.query_one("#detail", HedgeCard),
                    cards=screen.query_one("#cards", HedgeCards),
                    what_if=screen.query_one(WhatIfPanel),
                )
            except NoMatches:  # before compose finished
                return None
        return self._widgets

    def _what_if_rows(
        self, view: DashboardView, hedge: HedgeView | None
    ) -> tuple[tuple[ScenarioRow, ...], ScenarioRow | None]:
        """The what-if rows, recomputed at most once a second while only prices move.

        A what-if table is for planning: following every tick would cost a repaint of the whole
        panel several times a second for digits nobody reads that fast. A new selection, a
        typed move, a change in staleness or a mark more than ``WHAT_IF_DRIFT_PCT`` away from
        the one the rows were computed at (a fast market) shows at once.
        """
        if hedge is None:
            return (), None
        key = (self.selected, self.typed_move, hedge.stale, hedge.report is None)
        now = self.store.clock.monotonic()
        moved = view.version != self._what_if_version and now - self._what_if_at >= 1.0
        base = what_if.what_if_base(self._what_if[0])
        if base and hedge.mark is not None:
            moved = moved or abs(hedge.mark / base - 1) * 100 > WHAT_IF_DRIFT_PCT
        if key != self._what_if_key or moved:
            moves = list(what_if.WHAT_IF_MOVES)
            if self.typed_move is not None and self.typed_move not in moves:
                moves.append(self.typed_move)
            rows = self.store.what_if_table(hedge.name, moves)
            typed = next((r for r in rows if r.move_pct == self.typed_move), None)
            self._what_if = (tuple(r for r in rows if r is not typed), typed)
            self._what_if_key = key
            self._what_if_version = view.version
            self._what_if_at = now
        return self._what_if

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
