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
the "compact" layout shows one row per hedge plus a detail
card for the selected hedge beside the what-if panel (fits 80x24); otherwise one card per hedge,
side by side, with the what-if panel underneath.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import RenderableType
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.events import Resize
from textual.screen import Screen
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import Input

from hedgetui.domain import DashboardView, HedgeView, ScenarioRow
from hedgetui.store import Store
from hedgetui.ui import render
from hedgetui.ui.alerts_panel import AlertsPanel
from hedgetui.ui.cached_lines import (
    CachedFooter,
    CachedHorizontal,
    CachedLines,
    CachedVerticalScroll,
)
from hedgetui.ui.card_grid import HedgeCards
from hedgetui.ui.line_drawing import one_update
from hedgetui.ui.screen_update import cropped
from hedgetui.ui.screens import HelpScreen
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

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"
THEME_NAMES: tuple[str, ...] = ("dark", "light", "high-contrast")
COMPACT_BELOW = (120, 30)  # (columns, rows): smaller terminals get the compact layout
CARD_MIN_WIDTH = 40
CARD_ROWS = 14  # a card's height with its border
WHAT_IF_ROWS = 11  # the what-if panel (6 moves + a typed one, header, title, input, border)
CHROME_ROWS = 3  # status, totals, footer
WHAT_IF_DRIFT_PCT = 0.25  # recompute the what-if rows at once when the mark moved this far
PAINT_ALLOWANCE_S = 0.025
"""Part of the ``1 / refresh_hz`` budget kept for Textual's screen-update timer (up to one
frame, 17 ms at its default 60 fps) and the paint itself (~3 ms)."""
CLOCK_REPAINT_S = 1.0  # with no data, repaint this often for ages, countdowns and staleness
MAX_REFRESH_HZ = 10.0
MIN_REFRESH_HZ = 0.2
MAX_READ_PERIOD_S = 0.1
"""The feeds' sockets are read at least this often, whatever the refresh rate: a slow refresh
(a phone on the move) must not leave seconds of frames in the kernel's socket buffers, where a
busy stream could fill them and push back on the venue."""


def clock_repaint_due(since_paint_s: float, period_s: float = CLOCK_REPAINT_S) -> bool:
    """Whether the clock's check, run every half ``period_s``, repaints.

    It takes a quarter of ``period_s`` as slack: a check that wakes a hair early (uvloop's
    timers count whole milliseconds) would otherwise find the last paint a hair under
    ``period_s`` old and leave the ages standing for another half period.
    """
    return since_paint_s >= period_s * 3 / 4


def refresh_rate(hz: float) -> float:
    """The repaints per second the dashboard makes when ``display.refresh_hz`` asks for ``hz``."""
    return min(MAX_REFRESH_HZ, max(MIN_REFRESH_HZ, hz))


def read_period(hz: float) -> float:
    """Seconds between two reads of the feeds' sockets (``Runtime.read_in_passes``) for a
    dashboard that ``display.refresh_hz`` asks to repaint ``hz`` times a second: one read per
    repaint, but at least every ``MAX_READ_PERIOD_S``."""
    return min(1 / refresh_rate(hz), MAX_READ_PERIOD_S)


HIGH_CONTRAST = Theme(
    name="hedgetui-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#00ffff",
    warning="#ffff00",
    error="#ff3030",
    success="#00ff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1a1a1a",
    dark=True,
)
TEXTUAL_THEME = {
    "dark": "textual-dark",
    "light": "textual-light",
    "high-contrast": HIGH_CONTRAST.name,
}

UnwindFactory = Callable[[str], Screen[Any]]


class HedgeCommands(Provider):
    """Command-palette entries: themes, what-if moves, hedge selection, help, unwind, quit."""

    def _commands(self) -> Iterable[tuple[str, Callable[[], object], str]]:
        app = self.app
        if not isinstance(app, HedgeApp):
            return
        for theme in THEME_NAMES:
            yield (f"Theme: {theme}", partial(app.set_hedge_theme, theme), "switch colours")
        for move in render.WHAT_IF_MOVES:
            yield (
                f"What-if: move {move:+.0f}%",
                partial(app.set_typed_move, move),
                "show this move in the what-if panel",
            )
        for i, name in enumerate(app.store.hedge_names()):
            yield (f"Select hedge: {name}", partial(app.select_hedge, i), "show its details")
        yield ("Alerts: acknowledge", app.action_ack_alert, "the highlighted or most severe alert")
        yield ("Alerts: snooze 15 minutes", app.action_snooze_alert, "silence it for a while")
        yield ("Help: keys", app.action_help, "show every key binding")
        yield ("Unwind selected hedge", app.action_unwind, "preview a reduce-only close")
        yield ("Quit", app.action_quit, "leave hedgetui")

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class DashboardScreen(CachedLines, Screen[None]):
    """The main screen: tab cycles hedges here instead of moving the focus."""

    AUTO_FOCUS = None  # keys go to the dashboard until `w` focuses the what-if input

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.select_next", "Next hedge", show=False),
        Binding("shift+tab", "app.select_previous", "Previous hedge", show=False),
    ]


@dataclass(frozen=True, slots=True)
class _DashboardWidgets:
    status: StatusBar
    totals: TotalsBar
    table: HedgeTable
    detail: HedgeCard
    cards: HedgeCards
    what_if: WhatIfPanel


class HedgeApp(App[None]):
    """The hedgetui dashboard over one :class:`~hedgetui.store.Store`."""

    TITLE = "hedgetui"
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        THEMES_DIR / "base.tcss",
        *(THEMES_DIR / f"{name}.tcss" for name in THEME_NAMES),
    ]
    COMMANDS = App.COMMANDS | {HedgeCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("w", "focus_what_if", "What-if"),
        Binding("t", "cycle_theme", "Theme"),
        Binding("u", "unwind", "Unwind"),
        Binding("a", "ack_alert", "Ack alert", show=False),
        Binding("s", "snooze_alert", "Snooze alert", show=False),
        Binding("down,j", "select_next", "Next hedge", show=False),
        Binding("up,k", "select_previous", "Previous hedge", show=False),
        Binding("escape", "leave_input", "Back", show=False),
    ]
    HELP_KEYS: ClassVar[list[tuple[str, str]]] = [
        ("tab / down / j", "select the next hedge"),
        ("shift+tab / up / k", "select the previous hedge"),
        ("w", "type a what-if move in % (e.g. -15, enter)"),
        ("escape", "leave the what-if input"),
        ("t", "cycle theme: dark, light, high-contrast"),
        ("u", "unwind the selected hedge (preview first)"),
        ("a", "acknowledge the top (or highlighted) alert"),
        ("s", "snooze that alert for 15 minutes"),
        ("ctrl+p", "command palette"),
        ("? / F1", "this help"),
        ("q", "quit"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        theme: str | None = None,
        refresh_hz: float | None = None,
        watchdog: bool = False,
        unwind_factory: UnwindFactory | None = None,
        alerts_panel: Widget | None = None,
        mount_alerts: bool = True,
        read_gate: ReadGate | None = None,
        clock_repaint_s: float = CLOCK_REPAINT_S,
    ) -> None:
        """``read_gate``: the feeds' sockets are read in its passes (``Runtime.read_in_passes``
        every ``read_period(refresh_hz)``): repaint right after a pass that brought a change
        rather than on a timer of the app's own.

        ``clock_repaint_s``: with no data, repaint this often for ages and countdowns (tests
        that count the repaints data causes move it out of their way)."""
        super().__init__()
        self.store = store
        display = store.settings.display
        self.hedge_theme = theme or display.theme
        if self.hedge_theme not in THEME_NAMES:
            self.hedge_theme = "dark"
        self.refresh_hz = refresh_rate(refresh_hz or display.refresh_hz)
        self._read_gate = read_gate
        self._clock_repaint_s = clock_repaint_s
        self.animation_level = "full" if display.animations else "none"
        self.selected = 0
        self.typed_move: float | None = None
        self.compact = True
        self.last_view: DashboardView | None = None
        self.frames_painted = 0
        self._painted_at = float("-inf")  # time.monotonic() of the last repaint
        self._change_at: float | None = None  # first change not yet painted
        self._change = asyncio.Event()
        self._widgets: _DashboardWidgets | None = None
        self.on_painted: Callable[[DashboardView], None] | None = None
        self._watchdog = watchdog
        self._unwind_factory = unwind_factory
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
        (``input_driver``) where Textual would use its Linux/macOS one."""
        driver = super().get_driver_class()
        if driver.__module__ == "textual.drivers.linux_driver" and driver.__name__ == "LinuxDriver":
            from hedgetui.ui.input_driver import QuietInputDriver  # imports termios: not Windows

            return QuietInputDriver
        return driver

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

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        """Write a partial screen update as the changed cells only (``screen_update``)."""
        super()._display(screen, cropped(renderable))

    def on_resize(self, event: Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)
        self.call_after_refresh(self.refresh_view)

    def _apply_layout(self, width: int, height: int) -> None:
        count = max(1, len(self.store.hedge_names()))
        columns = max(1, min(count, width // CARD_MIN_WIDTH))
        rows = -(-count // columns)
        needed = CHROME_ROWS + rows * CARD_ROWS + WHAT_IF_ROWS
        compact = width < COMPACT_BELOW[0] or height < max(COMPACT_BELOW[1], needed)
        self.compact = compact
        self.screen.set_class(compact, "-compact")
        self.screen.set_class(not compact, "-wide")
        with contextlib.suppress(NoMatches):  # before compose finished
            self.query_one("#cards", HedgeCards).columns = columns

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
        if not self.is_running or not isinstance(self.screen, DashboardScreen):
            return  # not started, or a modal screen is on top: the dashboard keeps its last frame
        w = self._dashboard_widgets()
        if w is None:
            return
        self._painted_at = time.monotonic()
        with one_update(self.screen):  # on the terminal when the block ends
            self._show_view(w)

    def _show_view(self, w: _DashboardWidgets) -> None:
        """One snapshot into the widgets; their changed rows are marked for the screen."""
        view = self.store.snapshot()
        self.last_view = view
        if view.hedges:
            self.selected %= len(view.hedges)
        w.status.show(render.status_bar(view, self.size.width))
        w.totals.show(render.totals_bar(view.totals, not self.compact))
        if self.compact:
            w.table.show(render.hedge_table(view, self._alerts, self.selected))
            if view.hedges:
                hedge = view.hedges[self.selected]
                w.detail.show_hedge(
                    hedge,
                    self._alerts[self.selected],
                    selected=True,
                    marks=self.store.mark_history(hedge.name),
                    fundings=self.store.funding_history(hedge.name),
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
                )
        selected = view.hedges[self.selected] if view.hedges else None
        rows, typed = self._what_if_rows(view, selected)
        w.what_if.show_rows(selected, rows, typed)
        self.frames_painted += 1
        if self.on_painted is not None:
            self.on_painted(view)

    def _dashboard_widgets(self) -> _DashboardWidgets | None:
        """The dashboard's widgets, looked up once (a repaint must not search the DOM)."""
        if self._widgets is None:
            try:
                self._widgets = _DashboardWidgets(
                    status=self.query_one("#status", StatusBar),
                    totals=self.query_one("#totals", TotalsBar),
                    table=self.query_one("#table", HedgeTable),
                    detail=self.query_one("#detail", HedgeCard),
                    cards=self.query_one("#cards", HedgeCards),
                    what_if=self.query_one(WhatIfPanel),
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
        base = render.what_if_base(self._what_if[0])
        if base and hedge.mark is not None:
            moved = moved or abs(hedge.mark / base - 1) * 100 > WHAT_IF_DRIFT_PCT
        if key != self._what_if_key or moved:
            moves = list(render.WHAT_IF_MOVES)
            if self.typed_move is not None and self.typed_move not in moves:
                moves.append(self.typed_move)
            rows = self.store.what_if_table(hedge.name, moves)
            typed = next((r for r in rows if r.move_pct == self.typed_move), None)
            self._what_if = (tuple(r for r in rows if r is not typed), typed)
            self._what_if_key = key
            self._what_if_version = view.version
            self._what_if_at = now
        return self._what_if

    # ------------------------------------------------------------------ actions

    def select_hedge(self, index: int) -> None:
        count = len(self.store.hedge_names())
        if count:
            self.selected = index % count
            self.refresh_view()

    def action_select_next(self) -> None:
        if isinstance(self.focused, Input):
            return
        self.select_hedge(self.selected + 1)

    def action_select_previous(self) -> None:
        if isinstance(self.focused, Input):
            return
        self.select_hedge(self.selected - 1)

    def action_focus_what_if(self) -> None:
        self.query_one("#whatif-input", Input).focus()

    def action_leave_input(self) -> None:
        self.set_focus(None)

    def set_typed_move(self, move: float | None) -> None:
        self.typed_move = move
        self.refresh_view()

    @on(Input.Submitted, "#whatif-input")
    def _typed_move_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.set_typed_move(None)
            return
        try:
            move = float(text)
        except ValueError:
            self.notify(f"not a move in %: {text!r} (e.g. -15)", severity="warning")
            return
        if not -99.0 < move <= 1000.0:
            self.notify("a move must be above -99% and at most +1000%", severity="warning")
            return
        self.set_typed_move(move)

    def set_hedge_theme(self, name: str) -> None:
        if name not in THEME_NAMES:
            self.notify(f"unknown theme {name!r}", severity="warning")
            return
        for other in THEME_NAMES:
            self.set_class(other == name, f"theme-{other}")
        self.hedge_theme = name
        self.theme = TEXTUAL_THEME[name]

    def action_cycle_theme(self) -> None:
        index = THEME_NAMES.index(self.hedge_theme)
        self.set_hedge_theme(THEME_NAMES[(index + 1) % len(THEME_NAMES)])
        self.notify(f"theme: {self.hedge_theme}", timeout=2)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.HELP_KEYS))

    def action_unwind(self) -> None:
        names = self.store.hedge_names()
        if not names:
            self.notify("no hedge to unwind", severity="warning")
            return
        name = names[self.selected % len(names)]
        factory = self._unwind_factory or _optional_unwind_factory(self)
        if factory is None:
            self.notify("unwind not available", severity="warning")
            return
        self.push_screen(factory(name))

    def _alerts_for_key(self) -> AlertsPanel | None:
        """The alerts panel when it has an alert to act on, else a notification saying why."""
        if isinstance(self.focused, Input):
            return None
        panels = self.query(AlertsPanel)
        panel = panels.first() if panels else None
        if panel is None:
            self.notify("no alerts panel", severity="warning", timeout=3)
            return None
        if panel.highlighted_key() is None:
            self.notify("no active alert", timeout=3)
            return None
        return panel

    def action_ack_alert(self) -> None:
        """Acknowledge the highlighted alert (the most severe one unless moved), from anywhere."""
        panel = self._alerts_for_key()
        if panel is not None:
            panel.action_ack()

    def action_snooze_alert(self) -> None:
        """Snooze the highlighted alert for 15 minutes, from anywhere."""
        panel = self._alerts_for_key()
        if panel is not None:
            panel.action_snooze()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Textual's own theme picker would bypass our .tcss themes: offer ours instead.
        for command in super().get_system_commands(screen):
            if "theme" not in command.title.lower():
                yield command

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


def _optional_unwind_factory(app: HedgeApp) -> UnwindFactory | None:
    try:
        module = importlib.import_module("hedgetui.ui.unwind_screen")
    except ImportError:
        return None
    screen_class = getattr(module, "UnwindScreen", None)
    if screen_class is None:
        return None

    def build(name: str) -> Screen[Any]:
        screen: Screen[Any] = screen_class(app.store, name)
        return screen

    return build
