"""Dashboard widgets: pre-rendered ``Content`` that repaints only the lines that changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.style import Style as RichStyle
from textual.app import ComposeResult
from textual.color import Color
from textual.content import Content
from textual.filter import LineFilter
from textual.geometry import Region, Size
from textual.screen import Screen
from textual.strip import Strip
from textual.visual import Visual

from hedgetui import glyphs
from hedgetui.alerts import AlertDispatcher, AlertEngine
from hedgetui.config import AlertSettings
from hedgetui.domain import DashboardView, HedgeView, ScenarioRow
from hedgetui.ui import render, what_if
from hedgetui.ui.alerts_panel import AlertsPanel, alert_row
from hedgetui.ui.cached_lines import CachedInput, CachedVertical
from hedgetui.ui.line_drawing import (
    NO_SPACING,
    Edges,
    KeptLines,
    StyleTable,
    cell_length,
    content_parts,
    filter_style,
    frame_edges,
    line_segments,
    plain_text,
    styles_only,
)
from hedgetui.ui.render import CARD_MIN_WIDTH, CARD_STATE_CLASSES
from hedgetui.ui.styled import Line
from hedgetui.ui.textual_fast import repaint_now, styles_cache_lines, widget_style


class Panel(KeptLines):
    """Pre-rendered lines that repaint only the lines that changed.

    A dashboard line (a price, a PnL) changes several times a second while most lines of a
    card do not: ``show`` compares the new content line by line and marks only the changed
    lines dirty, so Textual's compositor repaints a few cells instead of the whole card. A
    change in the number of lines relays out the widget. (One widget per line was measured
    too: Textual's per-widget overhead costs more than it saves; see benchmarks/dashboard.py.)

    The panel keeps its whole frame (border, padding and content, line filters applied) and
    hands it to the compositor as is. Textual's styles cache draws the frame whenever anything
    but our own lines changed (size, styles, theme, border title, filters); a changed content
    line is then drawn between the frame's own edges (border and padding) without it, which
    saves the per-widget and per-line work of the styles cache on every repaint.
    """

    DEFAULT_CSS = """
    Panel { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown = False
        self._lines: list[Content | Line] = []
        self._styles = StyleTable(self._rich)
        self._filtered = StyleTable(self._filtered_style)  # the same through the line filters
        self._frame: _Frame | None = None
        self._changed_rows: set[int] = set()  # content lines changed since the frame was drawn

    def show(self, content: Content | Sequence[Content | Line]) -> bool:
        """Display ``content`` (one ``Content``, or one per line); True when the screen changed."""
        if isinstance(content, Content):
            lines: list[Content | Line] = (
                list(content.split("\n", allow_blank=True)) if "\n" in content.plain else [content]
            )
        else:
            lines = list(content)
        previous = self._lines
        if lines == previous and self._shown:
            return False
        self._shown = True
        self._lines = lines
        if len(previous) != len(lines) or not self.is_mounted:
            self.refresh(layout=True)
            return True
        frame = self._frame
        if frame is None or not self.display or not frame.screen.is_current:
            self.refresh()  # not drawn yet, hidden, or under a modal screen: Textual's own path
            return True
        left, top, width = frame.left, frame.top, frame.content.width
        regions: list[Region] = []
        for y, (old, new) in enumerate(zip(previous, lines, strict=True)):
            if old != new:  # the line between the panel's edges
                self._changed_rows.add(y)
                regions.append(Region(left, top + y, width, 1))
        repaint_now(self, frame.screen, regions)
        return True

    @property
    def shown_text(self) -> str:
        """The plain text on screen (for tests and the benchmark)."""
        return "\n".join(plain_text(line) for line in self._lines)

    def _forget(self) -> None:
        self._frame = None

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._lines))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max((cell_length(line) for line in self._lines), default=1)

    def _kept_lines(self, size: Size) -> list[Strip]:
        key = (size, tuple(self.get_line_filters()), self.app.theme)
        frame = self._frame
        if frame is None or frame.key != key:
            frame = self._draw_frame(key)
        elif self._changed_rows:
            self._draw_rows(frame)
        return frame.strips

    def _draw_frame(self, key: tuple[Size, tuple[LineFilter, ...], str]) -> _Frame:
        """The whole widget through Textual's styles cache, and the edges of its content lines."""
        size = key[0]
        self._styles.clear()
        self._filtered.clear()
        self._changed_rows.clear()
        strips = styles_cache_lines(self, size)
        edges = None
        if self.scrollbar_gutter == NO_SPACING:  # a scrolling panel: Textual draws it all
            edges = frame_edges(self.styles, strips, size)
        self._frame = _Frame(
            key,
            strips,
            edges,
            self.styles.gutter.top,
            self.styles.gutter.left,
            self.screen,
            self.size,
            self.background_colors[1],
            styles_only(key[1]),
        )
        return self._frame

    def _draw_rows(self, frame: _Frame) -> None:
        """Draw the changed content lines between the frame's edges (border and padding).

        The line filters (Textual's ANSI-to-truecolor one at least) are applied to each style
        once, not to every segment of every changed line, when they all map styles only.
        """
        rows, self._changed_rows = self._changed_rows, set()
        if frame.edges is None:  # tint, opacity or hatch: only the styles cache draws those
            self._draw_frame(frame.key)
            return
        left, right = frame.edges
        top = frame.top
        width, height = frame.content
        total = frame.key[0].width
        lines = self._lines
        for y in rows:
            if y >= height or y >= len(lines):
                continue
            line = lines[y]
            parts = content_parts(line) if isinstance(line, Content) else line
            if parts is not None and frame.styles_only:
                segments = line_segments(parts, width, self._filtered)
            else:
                strip = self._line_strip(line, width)
                for line_filter in frame.key[1]:
                    strip = strip.apply_filter(line_filter, frame.background)
                segments = list(strip)
            frame.strips[top + y] = Strip([*left, *segments, *right], total)

    def render_line(self, y: int) -> Strip:
        line: Content | Line = self._lines[y] if y < len(self._lines) else ()
        return self._line_strip(line, self.size.width)

    def _line_strip(self, line: Content | Line, width: int) -> Strip:
        """One line as a strip, cut to ``width`` with an ellipsis (the panels never wrap).

        The lines come from ``render`` as (text, style) parts, mapped to segments directly with
        cached styles: several times cheaper than Textual's general Content renderer, which
        cost most of a repaint otherwise. A ``Content`` line takes the same path once its spans
        are read as parts (:func:`~hedgetui.ui.line_drawing.content_parts`).
        """
        if isinstance(line, Content):
            parts = content_parts(line)
            if parts is None:  # overlapping or non-text styles: Textual's general renderer
                base = self.visual_style
                strips = Visual.to_strips(self, line, width, 1, base, pad=True)
                return strips[0] if strips else Strip.blank(width, base.rich_style)
            line = parts
        return Strip(line_segments(line, width, self._styles), width)

    def _rich(self, style: str) -> RichStyle:
        """A style of our lines (``""`` is the panel's own) as Rich draws it."""
        return widget_style(self, self.visual_style, style)

    def _filtered_style(self, style: str) -> RichStyle:
        """``_rich(style)`` through the frame's line filters, as they would change a segment."""
        frame = self._frame
        filtered = self._styles[style]
        if frame is not None:
            filtered = filter_style(filtered, frame.key[1], frame.background)
        return filtered


@dataclass(slots=True)
class _Frame:
    """A panel's frame as last drawn: the strips the compositor gets, and how to redraw a line."""

    key: tuple[Size, tuple[LineFilter, ...], str]  # outer size, line filters, theme
    strips: list[Strip]  # every line of the widget, border and padding included
    edges: Edges | None  # left and right of a content line
    top: int  # the row of the first content line
    left: int  # the column of the content lines (right of border and padding)
    screen: Screen[object]  # the panel's screen, which draws the frame
    content: Size  # the content area (the widget less border and padding)
    background: Color  # what the line filters are given
    styles_only: bool  # every line filter maps styles only: filter each style once


class StatusBar(Panel):
    """Top line: every feed's connection state and the age of its last message."""


class TotalsBar(Panel):
    """Second line: totals across hedges."""


class HedgeTable(Panel):
    """Compact layout: one row per hedge; the selected one is marked ``▶``."""


class HedgeCard(Panel):
    """One hedge with all its numbers, gauges and sparklines; border coloured by danger.

    The compact layout's detail card. (The wide layout draws every card in one widget,
    :class:`~hedgetui.ui.card_grid.HedgeCards`, styled by the same ``.card`` rules; on
    Textual's stock paths it is a grid of these, :class:`~hedgetui.ui.card_grid.StockHedgeCards`.)
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._title = ""
        self._state = ""

    def show_hedge(
        self,
        hedge: HedgeView,
        alerts: AlertSettings,
        *,
        selected: bool,
        marks: Sequence[float] = (),
        fundings: Sequence[float] = (),
        rows: int | None = None,
    ) -> bool:
        width = max(CARD_MIN_WIDTH, self.content_region.width or self.size.width - 4)
        title, state = render.card_look(hedge, alerts, selected, width)
        if title != self._title:  # setting border_title repaints the whole card, even unchanged
            self._title = title
            self.border_title = title
        if state != self._state:  # class changes restyle the card: only when they change
            self._state = state
            classes = state.split()
            for name in CARD_STATE_CLASSES:
                self.set_class(name in classes, name)
        return self.show(render.hedge_card(hedge, alerts, width, marks, fundings, rows))

    @property
    def shown_title(self) -> str:
        """The border title shown (for tests and the card grid's stock path)."""
        return self._title


class WhatIfPanel(CachedVertical):
    """Scenario table for the selected hedge plus an input for a typed move in %."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._key: tuple[str | None, bool | None, int] | None = None
        self._rows: Sequence[ScenarioRow] = ()
        self._typed: ScenarioRow | None = None

    def compose(self) -> ComposeResult:
        yield Panel(id="whatif-table")
        yield CachedInput(
            placeholder=glyphs.text("move % (e.g. -15) ⏎"),
            restrict=r"[-+0-9.]*",
            id="whatif-input",
            compact=True,
        )

    def show_rows(
        self,
        hedge: HedgeView | None,
        rows: Sequence[ScenarioRow],
        typed: ScenarioRow | None,
    ) -> bool:
        """Show ``rows`` (the app recomputes them at most once a second: skip until then)."""
        table = self.query_one("#whatif-table", Panel)
        width = table.size.width
        key = (hedge.name if hedge else None, hedge.stale if hedge else None, width)
        if key == self._key and rows is self._rows and typed is self._typed:
            return False
        self._key, self._rows, self._typed = key, rows, typed
        return table.show(what_if.what_if_table(hedge, rows, typed, width))


class DashboardAlertsPanel(AlertsPanel):
    """The alerts panel as the dashboard mounts it: evaluated once a second, repainted only
    when what it shows changed (the list is rebuilt from scratch by ``refresh_list``, which
    costs a full repaint of the table even when nothing moved)."""

    def __init__(
        self,
        engine: AlertEngine | None = None,
        *,
        snapshot: Callable[[], DashboardView] | None = None,
        dispatcher: AlertDispatcher | None = None,
        bell: bool | None = None,
        interval_s: float = 1.0,
    ) -> None:
        super().__init__(
            engine, snapshot=snapshot, dispatcher=dispatcher, bell=bell, interval_s=interval_s
        )
        self._listed: object = None

    def refresh_list(self) -> None:
        if self.engine is None:
            return
        now = self.engine.clock.time()
        listed = (
            tuple(
                (str(sev), what, state)
                for sev, what, state in (alert_row(a, now) for a in self.engine.active())
            ),
            tuple(self.engine.no_data()),
            self.problem,
            self.visible_rows,
            tuple(self._colours().values()),
        )
        if listed == self._listed:
            return
        self._listed = listed
        super().refresh_list()

    def _listed_changed(self) -> None:
        self._listed = None  # the rows given changed: "+N more" with them
        self.refresh_list()

    def report_problem(self, line: str) -> None:
        """Show a delivery problem of a sink (the dispatcher's ``on_problem``)."""
        self._on_problem(line)
