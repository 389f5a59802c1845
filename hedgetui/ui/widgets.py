"""Dashboard widgets. Each shows a pre-rendered ``Content`` and skips the repaint when unchanged."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from hedgetui.config import AlertSettings
from hedgetui.domain import HedgeView, ScenarioRow
from hedgetui.ui import render
from hedgetui.ui.render import DANGER_CLASS, Danger


class Panel(Static):
    """A Static that repaints only when its content really changed.

    (One widget per line, to repaint only changed lines, was measured: it costs more in
    Textual's per-widget overhead than it saves; see benchmarks/dashboard.py.)
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self._shown: Content | None = None

    def show(self, content: Content) -> bool:
        """Display ``content``; returns True when the screen had to change."""
        if content == self._shown:
            return False
        previous = self._shown
        self._shown = content
        # Same number of lines: the size cannot change, so skip the (costly) relayout.
        same_height = previous is not None and previous.plain.count("\n") == content.plain.count(
            "\n"
        )
        self.update(content, layout=not same_height)
        return True

    @property
    def shown_text(self) -> str:
        """The plain text on screen (for tests and the benchmark)."""
        return self._shown.plain if self._shown is not None else ""


class StatusBar(Panel):
    """Top line: every feed's connection state and the age of its last message."""


class TotalsBar(Panel):
    """Second line: totals across hedges."""


class HedgeTable(Panel):
    """Compact layout: one row per hedge; the selected one is marked ``▶``."""


class HedgeCard(Panel):
    """One hedge with all its numbers, gauges and sparklines; border coloured by danger."""

    def show_hedge(
        self,
        hedge: HedgeView,
        alerts: AlertSettings,
        *,
        selected: bool,
        marks: Sequence[float] = (),
        fundings: Sequence[float] = (),
    ) -> bool:
        width = max(20, self.content_region.width or self.size.width - 4)
        danger = render.hedge_danger(hedge, alerts)
        self.border_title = render.hedge_title(hedge)
        for level in Danger:
            self.set_class(danger is level and not hedge.stale, DANGER_CLASS[level])
        self.set_class(hedge.stale, "-stale")
        self.set_class(selected, "-selected")
        return self.show(render.hedge_card(hedge, alerts, width, marks, fundings))


class WhatIfPanel(Vertical):
    """Scenario table for the selected hedge plus an input for a typed move in %."""

    def compose(self) -> ComposeResult:
        yield Panel(id="whatif-table")
        yield Input(
            placeholder="move % (e.g. -15) ⏎",
            restrict=r"[-+0-9.]*",
            id="whatif-input",
            compact=True,
        )

    def show_rows(
        self,
        hedge: HedgeView | None,
        rows: Sequence[ScenarioRow],
        typed: ScenarioRow | None,
        wide: bool,
    ) -> bool:
        table = self.query_one("#whatif-table", Panel)
        return table.show(render.what_if_table(hedge, rows, typed, wide))
