"""The dashboard's keys and command palette: hedge selection, the what-if move, themes,
help, unwind, adjust (rebalance) and the alerts' acknowledge and snooze.

:class:`DashboardKeys` is the part of :class:`~hedgetui.ui.app.HedgeApp` that acts on a key; the
app itself lays the dashboard out and repaints it (``refresh_view``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.widgets import Input

from hedgetui.history.crashes import CRASHES
from hedgetui.keymap import help_rows
from hedgetui.store import Store
from hedgetui.ui import what_if
from hedgetui.ui.alerts_panel import AlertsPanel
from hedgetui.ui.layout import TEXTUAL_THEME
from hedgetui.ui.screens import HelpScreen

CRASH_TITLES = tuple((c.name, c.title) for c in CRASHES)
UnwindFactory = Callable[[str], Screen[Any]]
AdjustFactory = Callable[[str], Screen[Any]]


class HedgeCommands(Provider):
    """Command-palette entries: themes, what-if moves, hedge selection, help, stress tests of
    the selected hedge on the shipped crashes, unwind, adjust, quit."""

    def _commands(self) -> Iterable[tuple[str, Callable[[], object], str]]:
        app = self.app
        if not isinstance(app, DashboardKeys):
            return
        for theme in app.theme_names:
            yield (f"Theme: {theme}", partial(app.set_hedge_theme, theme), "switch colours")
        for move in what_if.WHAT_IF_MOVES:
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
        names = app.store.hedge_names()
        if names:
            selected = names[app.selected % len(names)]
            for name, title in CRASH_TITLES:
                yield (
                    f"Stress test: {selected} on {name}",
                    partial(app.open_stress, name),
                    f"how it would have held through {title}",
                )
        yield ("Unwind selected hedge", app.action_unwind, "preview a reduce-only close")
        yield (
            "Adjust (rebalance) selected hedge",
            app.action_rebalance,
            "back to its band, to a ratio, or by contracts",
        )
        yield ("History: funding and carry", app.action_history, "of the selected hedge")
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


class DashboardKeys(App[None]):
    """The dashboard's key bindings and what they do (the app's state is set by
    :class:`~hedgetui.ui.app.HedgeApp`)."""

    store: Store
    selected: int
    typed_move: float | None
    hedge_theme: str
    theme_names: tuple[str, ...]  # the shipped themes, then the user's
    _unwind_factory: UnwindFactory | None
    _adjust_factory: AdjustFactory | None

    COMMANDS = App.COMMANDS | {HedgeCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="help"),
        Binding("w", "focus_what_if", "What-if", id="what-if"),
        Binding("t", "cycle_theme", "Theme", id="theme"),
        Binding("u", "unwind", "Unwind", id="unwind"),
        Binding("r", "rebalance", "Adjust", id="adjust"),
        Binding("h", "history", "History", show=False, id="history"),
        Binding("a", "ack_alert", "Ack alert", show=False, id="ack-alert"),
        Binding("s", "snooze_alert", "Snooze alert", show=False, id="snooze-alert"),
        Binding("down,j", "select_next", "Next hedge", show=False, id="next-hedge"),
        Binding("up,k", "select_previous", "Previous hedge", show=False, id="previous-hedge"),
        Binding("escape", "leave_input", "Back", show=False, id="leave-input"),
    ]

    @property
    def help_keys(self) -> list[tuple[str, str]]:
        """The help screen's rows: every key in force (after the config's ``[keys]``)."""
        return help_rows(self.store.settings.keys)

    if TYPE_CHECKING:
        # Declared for the type checker only: a stub here would shadow the app's real
        # method whenever this mixin came earlier in the app's bases.
        def refresh_view(self) -> None:
            """Repaint the dashboard now (:class:`~hedgetui.ui.repaint.Repaints`)."""

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
        if name not in self.theme_names:
            self.notify(f"unknown theme {name!r}", severity="warning")
            return
        for other in self.theme_names:
            self.set_class(other == name, f"theme-{other}")
        self.hedge_theme = name
        self.theme = TEXTUAL_THEME.get(name, TEXTUAL_THEME["dark"])  # a user theme: dark's base

    def action_cycle_theme(self) -> None:
        names = self.theme_names
        self.set_hedge_theme(names[(names.index(self.hedge_theme) + 1) % len(names)])
        self.notify(f"theme: {self.hedge_theme}", timeout=2)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.open_dialog(HelpScreen(self.help_keys))

    def action_history(self) -> None:
        """The history screen of the selected hedge (funding, carry, basis)."""
        if isinstance(self.focused, Input):
            return
        names = self.store.hedge_names()
        if not names:
            self.notify("no hedge to show", severity="warning")
            return
        from hedgetui.ui.history_screen import HistoryScreen  # only when asked for

        self.open_dialog(HistoryScreen(self.store, names[self.selected % len(names)]))

    def action_unwind(self) -> None:
        factory = self._unwind_factory or _optional_store_dialog(self, "unwind", "UnwindScreen")
        self._open_order_dialog("unwind", factory)

    def action_rebalance(self) -> None:
        factory = self._adjust_factory or _optional_store_dialog(self, "adjust", "AdjustScreen")
        self._open_order_dialog("adjust", factory)

    def _open_order_dialog(self, what: str, factory: UnwindFactory | None) -> None:
        """The order dialog ``factory`` makes for the selected hedge, or a note saying why not."""
        names = self.store.hedge_names()
        if not names:
            self.notify(f"no hedge to {what}", severity="warning")
            return
        name = names[self.selected % len(names)]
        if factory is None:
            self.notify(f"{what} not available", severity="warning")
            return
        self.open_dialog(factory(name))

    def open_stress(self, crash_name: str) -> None:
        """The selected hedge through a shipped crash (:mod:`hedgetui.ui.stress_screen`)."""
        from hedgetui.ui.stress_screen import StressScreen

        names = self.store.hedge_names()
        if names:
            self.open_dialog(
                StressScreen(self.store, names[self.selected % len(names)], crash_name)
            )

    def open_dialog(self, screen: Screen[Any]) -> None:
        """Open a dialog: no toast stays over it (a dialog has the screen to itself)."""
        self.clear_notifications()
        self.push_screen(screen)

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


def _optional_store_dialog(
    app: DashboardKeys, module_name: str, class_name: str
) -> UnwindFactory | None:
    """The order dialog ``hedgetui.ui.<module_name>_screen.<class_name>`` over the app's bare
    store (no runtime: the dialog makes its own service), or None when it cannot be imported."""
    try:
        module = importlib.import_module(f"hedgetui.ui.{module_name}_screen")
    except ImportError:
        return None
    screen_class = getattr(module, class_name, None)
    if screen_class is None:
        return None

    def build(name: str) -> Screen[Any]:
        screen: Screen[Any] = screen_class(app.store, name)
        return screen

    return build
