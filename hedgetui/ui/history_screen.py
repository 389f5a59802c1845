"""The history screen (key ``h``): the selected hedge's funding rate, cumulative carry and basis
over time, its carry figures and the state of its funding history; Escape goes back.

The lines are :func:`hedgetui.ui.history_view.history_lines`'s; the screen redraws them once a
second (the figures change at most once a minute, the basis once a second) and on a resize.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.screen import Screen

from hedgetui.store import Store
from hedgetui.ui.history_view import history_lines
from hedgetui.ui.widgets import Panel

REDRAW_S = 1.0


class HistoryScreen(Screen[None]):
    """``HistoryScreen(store, hedge_name)``: the whole terminal, for one hedge."""

    DEFAULT_CSS = """
    HistoryScreen { background: $background; }
    HistoryScreen #history { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,h,q", "close", "Back", show=False, id="history-close"),
    ]

    def __init__(self, store: Store, hedge_name: str) -> None:
        super().__init__()
        self.store = store
        self.hedge_name = hedge_name

    def compose(self) -> ComposeResult:
        yield Panel(id="history")

    def on_mount(self) -> None:
        self.redraw()
        self.set_interval(REDRAW_S, self.redraw)

    def on_resize(self, _event: Resize) -> None:
        self.redraw()

    def redraw(self) -> None:
        view = self.store.snapshot()
        hedge = next((h for h in view.hedges if h.name == self.hedge_name), None)
        if hedge is None:
            return
        panel = self.query_one("#history", Panel)
        width = max(20, self.size.width - 2)
        height = max(12, self.size.height)
        panel.show(
            history_lines(
                hedge,
                self.store.funding_series(self.hedge_name),
                self.store.basis_history(self.hedge_name),
                self.store.funding_history_status(self.hedge_name),
                int(view.at * 1000),
                width,
                height,
                portfolio=view.hedges,
            )
        )

    def action_close(self) -> None:
        self.dismiss(None)
