"""Where the wide layout's hedge cards sit and what is kept of each as drawn.

The columns (:func:`column_spans`) fall where Textual's grid puts card widgets, so
:class:`~hedgetui.ui.card_grid.HedgeCards` (every card in one widget) and its stock version
(a card widget per card in Textual's grid) lay the cards out alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache

from rich.segment import Segment
from textual.filter import LineFilter
from textual.geometry import Size
from textual.screen import Screen
from textual.strip import Strip

from hedgetui.ui.danger import Danger
from hedgetui.ui.line_drawing import Edges
from hedgetui.ui.render import card_state
from hedgetui.ui.styled import Line

CARD_GUTTER = 1
"""Columns between two cards side by side (there is no gap between rows of cards)."""
CARD_FRAME = Size(4, 2)
"""Border and padding around a card's lines in every theme (``.card`` in base.tcss), used
until the stylesheet has styled the widget."""


CARD_STATES = set(  # the component classes: every state a card can be in
    card_state(danger, stale, selected)
    for danger in (None, *Danger)
    for stale in (False, True)
    for selected in (False, True)
)


@cache
def column_spans(
    width: int, columns: int, gutter: int = CARD_GUTTER
) -> tuple[tuple[int, int], ...]:
    """(x, width) of each of ``columns`` equal columns across ``width`` cells.

    The same division as Textual's grid layout with ``1fr`` columns: fractional widths, each
    edge rounded down, so the cards sit exactly where a ``Grid`` of card widgets put them.
    """
    columns = max(1, columns)
    unit = Fraction(max(0, width - gutter * (columns - 1)), columns)
    spans: list[tuple[int, int]] = []
    for i in range(columns):
        start = (unit * i + gutter * i).__floor__()
        end = (unit * (i + 1) + gutter * i).__floor__()
        spans.append((start, end - start))
    return tuple(spans)


@dataclass(slots=True)
class KeptCard:
    """One card: what it shows, and how its lines were last drawn."""

    lines: list[Line] = field(default_factory=list)
    title: str = ""
    state: str = "card"  # its component class (see card_state)
    drawn: bool = False  # its frame is drawn for the current state and grid
    edges: Edges | None = None  # border and padding either side of a content line
    content_top: int = 1  # the card's row of its first line (below the border)
    content_left: int = 2  # the card's column of its lines (right of border and padding)
    content_width: int = 0
    changed: set[int] = field(default_factory=set)  # lines changed since drawn


@dataclass(slots=True)
class KeptGrid:
    """The widget as drawn for one size, theme, set of line filters and number of columns.

    Each line of the widget is kept in pieces: the background left of the first card, the
    first card's line, the background up to the next card, and so on. A changed card line
    replaces its piece, and the widget's line is joined again from its pieces.
    """

    key: tuple[Size, tuple[LineFilter, ...], str, int]  # size, filters, theme, columns
    tops: list[int]  # the first line of each row of cards
    spans: tuple[tuple[int, int], ...]  # (x, width) of each column
    widths: tuple[int, ...]  # the width of a card's lines in each column (see card_width)
    pieces: list[list[list[Segment]]]  # every line of the widget, in pieces
    strips: list[Strip]  # every line of the widget, joined
    screen: Screen[object]
    styles_only: bool  # every line filter maps styles only: filter each style once
