"""The dashboard's screen and layout: its themes, the widgets it repaints, and the choice
between the wide layout (a card per hedge) and the compact one (a row per hedge)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from hedgetui.ui.cached_lines import CachedLines
from hedgetui.ui.card_grid import HedgeCards
from hedgetui.ui.widgets import HedgeCard, HedgeTable, StatusBar, TotalsBar, WhatIfPanel

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"
THEME_NAMES: tuple[str, ...] = ("dark", "light", "high-contrast")
COMPACT_BELOW = (120, 30)  # (columns, rows): smaller terminals get the compact layout
CARD_MIN_WIDTH = 40
CARD_ROWS = 14  # a card's height with its border
WHAT_IF_ROWS = 11  # the what-if panel (6 moves + a typed one, header, title, input, border)
CHROME_ROWS = 3  # status, totals, footer

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


def choose_layout(width: int, height: int, hedges: int) -> tuple[bool, int]:
    """(compact, columns of cards) for a ``width`` x ``height`` terminal and ``hedges`` hedges:
    compact below ``COMPACT_BELOW`` or when the cards and the what-if panel would not fit."""
    count = max(1, hedges)
    columns = max(1, min(count, width // CARD_MIN_WIDTH))
    rows = -(-count // columns)
    needed = CHROME_ROWS + rows * CARD_ROWS + WHAT_IF_ROWS
    compact = width < COMPACT_BELOW[0] or height < max(COMPACT_BELOW[1], needed)
    return compact, columns


class DashboardScreen(CachedLines, Screen[None]):
    """The main screen: tab cycles hedges here instead of moving the focus."""

    AUTO_FOCUS = None  # keys go to the dashboard until `w` focuses the what-if input

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.select_next", "Next hedge", show=False),
        Binding("shift+tab", "app.select_previous", "Previous hedge", show=False),
    ]


@dataclass(frozen=True, slots=True)
class DashboardWidgets:
    """The widgets a repaint fills, looked up once (a repaint must not search the DOM)."""

    status: StatusBar
    totals: TotalsBar
    table: HedgeTable
    detail: HedgeCard
    cards: HedgeCards
    what_if: WhatIfPanel
