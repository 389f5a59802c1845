"""ASCII mode on screen: a Textual line filter that draws every glyph as its one-character
ASCII twin (:data:`hedgetui.glyphs.CELL_TWINS`).

The dashboard's own lines are already ASCII by then (``glyphs.text``, with twins of several
characters where they read better: ``>=10x``); this catches what Textual draws itself (every
border type, scrollbars, the footer's key separator, buttons, toasts) without changing a
single cell's position. ``HedgeApp.get_line_filters`` adds it in ASCII mode.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from hedgetui.glyphs import ascii_cells


class AsciiFilter(LineFilter):
    """Each segment's text through :func:`hedgetui.glyphs.ascii_cells` (same cells)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out = []
        for segment in segments:
            text = segment.text
            if not text.isascii() and not segment.control:
                segment = Segment(ascii_cells(text), segment.style, segment.control)
            out.append(segment)
        return out
