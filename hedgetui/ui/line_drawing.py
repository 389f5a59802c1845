"""Drawing the dashboard's own lines into a frame Textual drew, and handing them to the screen.

Shared by :class:`~hedgetui.ui.widgets.Panel` (one framed box per widget) and
:class:`~hedgetui.ui.card_grid.HedgeCards` (every hedge card in one widget). A frame (border,
padding, line filters) is drawn by Textual's styles cache; a changed content line is then drawn
between the frame's own edges, which is what makes a 10 Hz repaint cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.color import Color
from textual.content import Content
from textual.css.styles import StylesBase
from textual.filter import ANSIToTruecolor, DimFilter, LineFilter, Monochrome, NoColor
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.widget import Widget

from hedgetui.ui import textual_fast
from hedgetui.ui.cells import text_cells
from hedgetui.ui.styled import Line
from hedgetui.ui.textual_fast import ForgetOnDirty

NO_SPACING = Spacing(0, 0, 0, 0)
STYLE_FILTERS = (ANSIToTruecolor, DimFilter, Monochrome, NoColor)
"""Textual's line filters that map each segment's style and nothing else."""

Edges = tuple[list[Segment], list[Segment]]
"""The segments left and right of a content line: border and padding."""


class KeptLines(ForgetOnDirty, Widget):
    """A widget that keeps its lines as last drawn and hands them to the compositor as they are.

    A subclass draws in :meth:`_kept_lines`: the whole widget after :meth:`_forget` (any
    refresh through Textual: resize, styles, theme, border title) and only its changed lines
    otherwise, which it marks with :func:`~hedgetui.ui.textual_fast.repaint_now`. On
    Textual's stock paths (``textual_fast.FAST`` off) it draws the whole widget every time.
    """

    def _forget(self) -> None:
        """Drop the lines as drawn: the next :meth:`render_lines` draws the whole widget."""
        raise NotImplementedError

    def _kept_lines(self, size: Size) -> list[Strip]:
        """Every line of the widget at ``size``, drawn anew where needed."""
        raise NotImplementedError

    def forget_drawn(self) -> None:
        self._forget()  # Textual's own refresh (line updates go through repaint_now)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._forget()

    def render_lines(self, crop: Region) -> list[Strip]:
        size = self.region.size
        if not textual_fast.FAST:
            self._forget()
        strips = self._kept_lines(size)[crop.y : crop.bottom]
        if crop.x or crop.width != size.width:
            strips = [strip.crop(crop.x, crop.right) for strip in strips]
        return strips


class StyleTable(dict[str, RichStyle]):
    """Rich styles by our style names, each worked out once by ``make`` on first use, and the
    segments of the (text, style) parts drawn in them.

    A lookup is a plain dict lookup: one runs for every part of every changed line. Labels and
    most figures repeat from one repaint to the next, so their segments are kept too (up to
    ``SEGMENTS_KEPT``, then forgotten all at once).
    """

    SEGMENTS_KEPT = 2048

    def __init__(self, make: Callable[[str], RichStyle]) -> None:
        super().__init__()
        self._make = make
        self._segments: dict[tuple[str, str], Segment] = {}

    def __missing__(self, style: str) -> RichStyle:
        rich = self[style] = self._make(style)
        return rich

    def clear(self) -> None:
        super().clear()
        self._segments.clear()

    def segments(self, line: Line) -> list[Segment]:
        """One segment per part of ``line``."""
        kept = self._segments
        out = []
        for part in line:
            segment = kept.get(part)
            if segment is None:
                if len(kept) >= self.SEGMENTS_KEPT:
                    kept.clear()
                segment = kept[part] = Segment(part[0], self[part[1]])
            out.append(segment)
        return out


def line_segments(line: Line, width: int, styles: StyleTable) -> list[Segment]:
    """``line`` as exactly ``width`` cells of segments in ``styles``, cut with ``…``."""
    if width <= 0:
        return []
    segments = styles.segments(line)
    length = cell_length(line)
    if length > width:
        base = styles[""]
        segments = [*Strip(segments).crop(0, max(0, width - 1)), Segment("…", base)]
        length = sum(segment.cell_length for segment in segments)
    if length < width:
        segments.append(Segment(" " * (width - length), styles[""]))
    return segments


def filter_style(style: RichStyle, filters: Sequence[LineFilter], background: Color) -> RichStyle:
    """``style`` as the line ``filters`` change a segment drawn in it."""
    segments = [Segment(" ", style)]
    for line_filter in filters:
        segments = line_filter.apply(segments, background)
    return segments[0].style or RichStyle()


def styles_only(filters: Sequence[LineFilter]) -> bool:
    """True when every filter maps styles only, so each style can be filtered once."""
    return all(type(f) in STYLE_FILTERS for f in filters)


def detached(strip: Strip) -> Strip:
    """A copy of ``strip`` with caches of its own, to cut pieces from.

    A strip keeps the pieces cut from it (``divide``, ``crop``) in its caches, and Textual
    shares some strips for the life of the process (``Strip.blank`` is an ``lru_cache`` of
    1024). Pieces cut from a shared strip stay alive with it: the card grid's background
    pieces were ~280 of the ~500 strips born the first time the layout changed (the first
    alert). Pieces cut from a copy go when the copy does.
    """
    return Strip(list(strip), strip.cell_length)


def frame_edges(styles: StylesBase, strips: Sequence[Strip], size: Size) -> Edges | None:
    """The border and padding either side of a content line of a frame drawn in ``styles``.

    None when the styles cache must draw every line itself: tint, opacity and hatch change the
    content too, so a line cannot be drawn between the edges alone.
    """
    gutter = styles.gutter
    plain = (
        styles.opacity == 1.0
        and styles.text_opacity == 1.0
        and not styles.tint.a
        and not (styles.has_rule("hatch") and styles.hatch != "none")
    )
    if not plain or size.height <= gutter.height or size.width <= gutter.width:
        return None
    row = detached(strips[gutter.top])
    return (
        list(row.crop(0, gutter.left)),
        list(row.crop(size.width - gutter.right, size.width)),
    )


def content_parts(content: Content) -> Line | None:
    """A one-line ``Content`` as (text, style) parts; None if its spans overlap or are not text."""
    text = content.plain
    parts: list[tuple[str, str]] = []
    position = 0
    for span in content.spans:
        if span.start < position or not isinstance(span.style, str):
            return None
        if span.start > position:
            parts.append((text[position : span.start], ""))
        parts.append((text[span.start : span.end], span.style))
        position = span.end
    if position < len(text):
        parts.append((text[position:], ""))
    return tuple(parts)


def plain_text(line: Content | Line) -> str:
    return line.plain if isinstance(line, Content) else "".join(text for text, _ in line)


def cell_length(line: Content | Line) -> int:
    if isinstance(line, Content):
        return line.cell_length
    text = "".join([text for text, _ in line])
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(text_cells(text) for text, _ in line)
