"""The dashboard's screen and layout: its themes and their severity colours, and the widgets it
repaints. The choice between the wide layout (a card per hedge) and the compact one (a row per
hedge), and the rows of every region, are the layout budget's (:mod:`hedgetui.ui.budget`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from hedgetui.theme_files import SHIPPED_THEMES, shipped_dir
from hedgetui.ui.alerts_panel import SEVERITY_COLOURS as DEFAULT_SEVERITY_COLOURS
from hedgetui.ui.cached_lines import CachedLines
from hedgetui.ui.card_grid import HedgeCards
from hedgetui.ui.widgets import HedgeCard, HedgeTable, StatusBar, TotalsBar, WhatIfPanel

THEMES_DIR = shipped_dir()
THEME_NAMES: tuple[str, ...] = SHIPPED_THEMES
SEVERITY_COLOURS: dict[str, dict[str, str]] = {
    "dark": dict(DEFAULT_SEVERITY_COLOURS),
    "light": {"sev-warn": "#b36b00", "sev-crit": "#c01c28"},
    "high-contrast": {"sev-warn": "#ffff00", "sev-crit": "#ff3030"},
}
"""``$sev-warn`` and ``$sev-crit`` of each theme: every warning and critical colour on the
dashboard (card borders, danger values, the alerts' labels). Each maps to yellow and red in a
16-colour terminal (``TERM=screen``, ``TERM=linux``), where Rich draws a colour as the nearest
of the 16: the themes' own ``$warning`` (orange) and ``$error`` both come out bright red there."""
CHART_COLOURS: dict[str, dict[str, str]] = {
    "dark": {"chart-mark": "#0178d4", "select": "#4fc3f7"},
    "light": {"chart-mark": "#0178d4", "select": "#005f87"},
    "high-contrast": {"chart-mark": "#00ffff", "select": "#00ffff"},
}
"""``$chart-mark``: the mark chart's colour in each theme, never a severity's (blue, cyan in 16
colours; the high-contrast theme's primary is its warning yellow). ``$select``: the selected
hedge's marker and title and the footer's keys, cyan (the themes' orange ``$accent`` is bright
red in 16 colours, where red must mean danger only)."""

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


class DashboardScreen(CachedLines, Screen[None]):
    """The main screen: tab cycles hedges here instead of moving the focus."""

    AUTO_FOCUS = None  # keys go to the dashboard until `w` focuses the what-if input

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.select_next", "Next hedge", show=False, id="next-hedge"),
        Binding(
            "shift+tab", "app.select_previous", "Previous hedge", show=False, id="previous-hedge"
        ),
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
