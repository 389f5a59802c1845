"""Modal screens of the dashboard: the key help, and what a dialog that follows the data is."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import ClassVar, Protocol, runtime_checkable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

HELP_FOOTNOTE = (
    "Stale data: a value whose input is older than freshness.stale_after_s is dimmed and "
    "followed by '?', and its card says STALE. '—' means no data yet.\n"
    "Ctrl+P: the command palette (all of the above, by name)."
)

NOTE_WIDTH = 64  # fits the help box in an 80-column terminal


@runtime_checkable
class FollowsDashboard(Protocol):
    """A dialog that shows live numbers (the unwind preview): the dashboard, which keeps
    painting under it, calls :meth:`dashboard_painted` after each repaint, so the dialog and
    the screen behind it show the same snapshot."""

    def dashboard_painted(self) -> None: ...


class HelpScreen(ModalScreen[None]):
    """Every key binding of the dashboard; any of escape, q, ? or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss_help", "Close", show=False, id="help-close"),
    ]

    def __init__(self, bindings: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self._keys = bindings

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _ in self._keys) if self._keys else 4
        lines = [f"  {key:<{width}}  {what}" for key, what in self._keys]
        with Vertical(id="help-box"):
            yield Static("Keys", id="help-title")
            yield Static("\n".join(lines), id="help-keys", markup=False)
            note = "\n".join(textwrap.fill(part, NOTE_WIDTH) for part in HELP_FOOTNOTE.split("\n"))
            yield Static(note, id="help-note", markup=False)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
