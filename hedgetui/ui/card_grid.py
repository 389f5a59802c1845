"""The wide layout's hedge cards: every card drawn by one widget.

Each widget that changes costs Textual its own work on every repaint (its dirty regions, its
strips cut into the compositor's chops, its piece of the terminal update). :class:`HedgeCards`
draws the cards side by side in one widget, so a repaint of the wide layout touches two widgets
(cards and status line) instead of five: 2.42-2.47 against 2.78-2.91 ms of CPU a repaint at
200x50 (``benchmarks/paint.py``, interleaved runs). The price is terminal output: Textual sends
a changed row of a widget from the widget's left edge, so a row where one card changed now
carries all four (about 95 against 54 kB/s at 10 Hz).

The cards look exactly as separate widgets would: each card's frame (border, title, padding) is
drawn by Textual's styles cache from the ``.card`` rules of the theme files. A card's state
(danger, stale, selected) is a *component class* of the widget named after the classes a card
widget would carry (``"card -crit -selected"``); Textual applies the stylesheet to a virtual node
of those classes under this widget, so ``HedgeApp.theme-dark .card.-crit`` styles it as before.

That frame is a private path of Textual's (:mod:`hedgetui.ui.textual_fast`): on the stock paths
``HedgeCards(...)`` is a :class:`StockHedgeCards`, a card widget per card in Textual's grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from itertools import chain
from typing import Any

from rich.style import Style as RichStyle
from textual.app import ComposeResult
from textual.content import Content
from textual.filter import LineFilter
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from hedgetui.config import AlertSettings
from hedgetui.domain import HedgeView
from hedgetui.ui import render, textual_fast
from hedgetui.ui.card_layout import (
    CARD_FRAME,
    CARD_STATES,
    KeptCard,
    KeptGrid,
    column_spans,
)
from hedgetui.ui.line_drawing import (
    KeptLines,
    StyleTable,
    detached,
    filter_style,
    frame_edges,
    line_segments,
    plain_text,
    styles_only,
)
from hedgetui.ui.render import CARD_MIN_WIDTH, CARD_STATE_CLASSES
from hedgetui.ui.textual_fast import (
    component_styles,
    draw_frame,
    repaint_now,
    styles_cache_lines,
    title_style,
    widget_style,
)
from hedgetui.ui.widgets import HedgeCard


class HedgeCards(KeptLines):
    """A card per hedge with all its numbers, gauges and sparklines, in a grid of columns.

    The border is coloured by danger, dashed when the hedge's data is stale, and the selected
    card's title is highlighted. :meth:`show_card` compares a card's new lines with the ones
    shown and repaints only the changed lines, like :class:`~hedgetui.ui.widgets.Panel`.
    """

    COMPONENT_CLASSES = CARD_STATES
    DEFAULT_CSS = """
    HedgeCards { height: auto; }
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> HedgeCards:
        # on Textual's stock paths, the cards are card widgets (StockHedgeCards)
        return super().__new__(StockHedgeCards if not textual_fast.FAST else cls)

    def __init__(self, count: int, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._cards = [KeptCard() for _ in range(count)]
        self._columns = max(1, min(count, 2))
        self._grid: KeptGrid | None = None
        self._styles: dict[str, StyleTable] = {}  # by card state: as Rich draws them
        self._filtered: dict[str, StyleTable] = {}  # the same through the line filters

    # ------------------------------------------------------------------ what is shown

    @property
    def columns(self) -> int:
        return self._columns

    @columns.setter
    def columns(self, columns: int) -> None:
        columns = max(1, columns)
        if columns != self._columns:
            self._columns = columns
            self.refresh(layout=True)

    def card_width(self, index: int) -> int:
        """The width a card's lines are laid out for (its column less border and padding)."""
        spans = column_spans(self.size.width, self._columns)
        return self._line_width(spans[index % len(spans)][1])

    def _line_width(self, column_width: int) -> int:
        return max(CARD_MIN_WIDTH, column_width - self._frame_size().width)

    def show_card(
        self,
        index: int,
        hedge: HedgeView,
        alerts: AlertSettings,
        *,
        selected: bool,
        marks: Sequence[float] = (),
        fundings: Sequence[float] = (),
        rows: int | None = None,
    ) -> bool:
        """Show ``hedge`` in card ``index``; True when the screen changed."""
        card = self._cards[index]
        grid = self._grid
        width = grid.widths[index % len(grid.widths)] if grid else self.card_width(index)
        lines = render.hedge_card(hedge, alerts, width, marks, fundings, rows)
        title, state = render.card_look(hedge, alerts, selected, width)
        restyled = (title, state) != (card.title, card.state)
        previous = card.lines
        if not restyled and lines == previous:
            return False
        card.title, card.state, card.lines = title, state, lines
        if len(previous) != len(lines) or grid is None or not self._on_screen(grid):
            # a new height moves the cards below; not drawn yet, hidden or under a modal
            # screen: Textual's own path
            self.refresh(layout=len(previous) != len(lines))
            return True
        top, _, x, width = self._place(grid, index)
        regions: list[Region] = []
        if restyled:  # a new border or title: the whole card
            card.drawn = False
            regions.append(Region(x, top, width, len(lines) + self._frame_size().height))
        else:
            top += card.content_top
            x += card.content_left
            for y, (old, new) in enumerate(zip(previous, lines, strict=True)):
                if old != new:  # the line between the card's edges
                    card.changed.add(y)
                    regions.append(Region(x, top + y, card.content_width, 1))
        repaint_now(self, grid.screen, regions)
        return True

    def card_text(self, index: int) -> str:
        """The plain text of a card's lines (for tests and the benchmark)."""
        return "\n".join(plain_text(line) for line in self._cards[index].lines)

    def card_title(self, index: int) -> str:
        return self._cards[index].title

    def card_classes(self, index: int) -> set[str]:
        """The classes card ``index`` is styled by (``card``, ``-stale``, ``-crit``, ...)."""
        return set(self._cards[index].state.split())

    # ------------------------------------------------------------------ layout

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return sum(self._row_heights())  # no hedges: no line at all

    def _row_heights(self) -> list[int]:
        frame = self._frame_size().height
        cards = self._cards
        columns = self._columns
        return [
            max(len(card.lines) + frame for card in cards[start : start + columns])
            for start in range(0, len(cards), columns)
        ]

    def _frame_size(self) -> Size:
        styles = component_styles(self).get("card")
        return CARD_FRAME if styles is None else Size(*styles.gutter.totals)

    def _on_screen(self, grid: KeptGrid) -> bool:
        return self.display and grid.screen.is_current

    # ------------------------------------------------------------------ drawing

    def _forget(self) -> None:
        self._grid = None

    def _kept_lines(self, size: Size) -> list[Strip]:
        key = (size, tuple(self.get_line_filters()), self.app.theme, self._columns)
        grid = self._grid
        if grid is None or grid.key != key:
            grid = self._draw_grid(key)
        else:
            self._draw_changes(grid)
        return grid.strips

    def render_line(self, y: int) -> Strip:
        # what shows between and below the cards: the background, as a container draws it
        background = self.background_colors[1]
        return Strip.blank(self.size.width, RichStyle(bgcolor=background.rich_color))

    def _draw_grid(self, key: tuple[Size, tuple[LineFilter, ...], str, int]) -> KeptGrid:
        """The widget's background cut into pieces around the cards, then every card."""
        size = key[0]
        self._styles.clear()
        self._filtered.clear()
        background = styles_cache_lines(self, size)
        spans = column_spans(size.width, self._columns)
        cuts = [edge for x, width in spans for edge in (x, x + width)]
        pieces = [
            [list(piece) for piece in detached(strip).divide([*cuts, size.width])]
            for strip in background
        ]
        tops = [0]
        for height in self._row_heights():
            tops.append(tops[-1] + height)
        widths = tuple(self._line_width(width) for _, width in spans)
        grid = KeptGrid(
            key, tops[:-1], spans, widths, pieces, background, self.screen, styles_only(key[1])
        )
        self._grid = grid
        for index, card in enumerate(self._cards):
            card.drawn = False
            self._draw_card(grid, index)
        grid.strips = [Strip(list(chain.from_iterable(row)), size.width) for row in pieces]
        return grid

    def _draw_changes(self, grid: KeptGrid) -> None:
        """Draw the cards whose state changed and the lines that changed since the last call."""
        rows: set[int] = set()
        for index, card in enumerate(self._cards):
            if not card.drawn:
                rows.update(self._draw_card(grid, index))
            elif card.changed:
                rows.update(self._draw_lines(grid, index))
        width = grid.key[0].width
        pieces = grid.pieces
        for y in rows:
            grid.strips[y] = Strip(list(chain.from_iterable(pieces[y])), width)

    def _place(self, grid: KeptGrid, index: int) -> tuple[int, int, int, int]:
        """The card's first line in the widget, its piece of a line, its column and width."""
        columns = len(grid.spans)
        band, column = divmod(index, columns)
        x, width = grid.spans[column]
        return grid.tops[band], 2 * column + 1, x, width

    def _draw_card(self, grid: KeptGrid, index: int) -> range:
        """One card's frame and lines through Textual's styles cache, as a card widget's.

        Returns the lines of the widget it covers.
        """
        card = self._cards[index]
        card.drawn = True
        card.changed.clear()
        styles = component_styles(self)[card.state]
        node = styles.node
        assert node is not None  # the component's virtual node
        top, piece, _, width = self._place(grid, index)
        gutter = styles.gutter
        size = Size(width, len(card.lines) + gutter.height)
        content = Size(max(0, width - gutter.width), len(card.lines))
        base_background, background = node.background_colors
        title = (Content(card.title), *title_style(node, base_background))
        table = self._styles_of(card.state)

        def content_line(y: int) -> Strip:
            return Strip(line_segments(card.lines[y], content.width, table), content.width)

        strips = draw_frame(
            styles,
            size,
            (base_background, background),
            content_line,
            grid.key[1],
            title,
            content_size=content,
            padding=styles.padding,
            opacity=self.opacity,
            ansi_theme=self.app.ansi_theme,
            native_ansi=self.app.native_ansi_color,
        )
        card.edges = frame_edges(styles, strips, size) if self.opacity == 1.0 else None
        card.content_top = gutter.top
        card.content_left = gutter.left
        card.content_width = content.width
        rows = range(top, min(top + size.height, len(grid.pieces)))
        for y, strip in zip(rows, strips, strict=False):
            grid.pieces[y][piece] = list(strip)
        return rows

    def _draw_lines(self, grid: KeptGrid, index: int) -> list[int]:
        """Draw a card's changed lines between its frame's edges; returns the widget's lines."""
        card = self._cards[index]
        if card.edges is None or not grid.styles_only:  # only the styles cache draws those
            return list(self._draw_card(grid, index))
        changed, card.changed = card.changed, set()
        left, right = card.edges
        top, piece, _, _ = self._place(grid, index)
        top += card.content_top
        width = card.content_width
        table = self._filtered_of(card.state)
        rows = []
        for y in changed:
            if y < len(card.lines) and top + y < len(grid.pieces):
                segments = line_segments(card.lines[y], width, table)
                grid.pieces[top + y][piece] = [*left, *segments, *right]
                rows.append(top + y)
        return rows

    def _style(self, state: str, style: str) -> RichStyle:
        """A style of a card's lines (``""`` is the card's own) as Rich draws it."""
        return widget_style(self, self.get_visual_style(state), style)

    def _filtered_style(self, state: str, style: str) -> RichStyle:
        """``_style`` through the line filters, as they would change a segment."""
        filtered = self._styles_of(state)[style]
        grid = self._grid
        node = component_styles(self)[state].node
        if grid is not None and node is not None:
            filtered = filter_style(filtered, grid.key[1], node.background_colors[1])
        return filtered

    def _styles_of(self, state: str) -> StyleTable:
        """The styles of a card in ``state`` as Rich draws them."""
        table = self._styles.get(state)
        if table is None:
            table = self._styles[state] = StyleTable(partial(self._style, state))
        return table

    def _filtered_of(self, state: str) -> StyleTable:
        """The styles of a card in ``state`` through the line filters."""
        table = self._filtered.get(state)
        if table is None:
            table = self._filtered[state] = StyleTable(partial(self._filtered_style, state))
        return table


class StockHedgeCards(HedgeCards):
    """The cards on Textual's stock paths: a :class:`~hedgetui.ui.widgets.HedgeCard` per
    hedge, carrying its card's state as classes, in Textual's grid of ``1fr`` columns with a
    gutter of one column (where :func:`column_spans` puts the cards), each drawn by Textual
    like any widget. Slower (a widget per card), the same screen."""

    DEFAULT_CSS = """
    StockHedgeCards { layout: grid; grid-size: 2; grid-rows: auto; grid-gutter: 0 1; }
    """

    def __init__(self, count: int, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(count, id=id, classes=classes)
        self.styles.grid_size_columns = self._columns

    def compose(self) -> ComposeResult:
        for index in range(len(self._cards)):
            yield HedgeCard(id=f"card-{index}", classes="card")

    @property
    def columns(self) -> int:
        return self._columns

    @columns.setter
    def columns(self, columns: int) -> None:
        self._columns = max(1, columns)
        self.styles.grid_size_columns = self._columns

    def _card(self, index: int) -> HedgeCard | None:
        children = self.children
        card = children[index] if index < len(children) else None  # None: before compose
        return card if isinstance(card, HedgeCard) else None

    def card_width(self, index: int) -> int:
        card = self._card(index)
        return CARD_MIN_WIDTH if card is None else max(CARD_MIN_WIDTH, card.content_region.width)

    def show_card(
        self,
        index: int,
        hedge: HedgeView,
        alerts: AlertSettings,
        *,
        selected: bool,
        marks: Sequence[float] = (),
        fundings: Sequence[float] = (),
        rows: int | None = None,
    ) -> bool:
        card = self._card(index)
        if card is None:
            return False
        return card.show_hedge(
            hedge, alerts, selected=selected, marks=marks, fundings=fundings, rows=rows
        )

    def card_text(self, index: int) -> str:
        card = self._card(index)
        return "" if card is None else card.shown_text

    def card_title(self, index: int) -> str:
        card = self._card(index)
        return "" if card is None else card.shown_title

    def card_classes(self, index: int) -> set[str]:
        card = self._card(index)
        return set() if card is None else set(card.classes) & {"card", *CARD_STATE_CLASSES}

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return Widget.get_content_height(self, container, viewport, width)  # the grid's

    def render_lines(self, crop: Region) -> list[Strip]:
        return Widget.render_lines(self, crop)  # the background: the cards draw themselves
