"""A screen update's escape sequences with only the cells that changed.

Textual writes a partial screen update (``ChopsUpdate``) as the changed spans of each line, but
a span that starts inside a widget is written from the widget's left edge (its own comment says
"TODO: crop to x extents"). The wide layout's cards are one widget across the screen, so a line
that changed in the fourth card sent the whole row of all four cards.

:func:`cropped_segments` writes, for each changed span, only the segments that overlap it.
It never cuts a segment (a wide character stays whole, and nothing new is allocated); what lies
outside the span but inside a written segment is written as it is on screen. The dashboard's
widgets mark each changed line between their frame's edges, so a card's tick sends that card's
line: half the bytes at 200x50 (``benchmarks/dashboard.py``) and, with fewer styled segments to
write, a little less CPU too.

Textual's ``ChopsUpdate`` is private: :class:`hedgetui.ui.textual_fast.CroppedChopsUpdate` is
the update that writes its changed spans through :func:`cropped_segments`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby
from operator import itemgetter

from rich.color import ColorSystem
from rich.console import Console
from textual.strip import Strip

from hedgetui.ui.cells import text_cells


def cropped_segments(
    chops: Sequence[Mapping[int, Strip | None]],
    spans: Sequence[tuple[int, int, int]],
    chop_ends: Sequence[Sequence[int]],
    console: Console,
    color_system: ColorSystem,
) -> str:
    """A partial screen update (a ``ChopsUpdate``'s chops, changed spans and chop ends) as raw
    data for the terminal: for each changed span, the segments that overlap it."""
    render = Strip.render_style
    sequences: list[str] = []
    append = sequences.append
    last_y = spans[-1][0]
    for y, line_spans in groupby(spans, key=itemgetter(0)):
        ranges = [(x1, x2) for _, x1, x2 in line_spans]  # sorted, apart (Textual merges)
        first, last = ranges[0][0], ranges[-1][1]
        row = y + 1
        for end, (x, strip) in zip(chop_ends[y], chops[y].items(), strict=False):
            if strip is None or x >= last or end <= first:
                continue
            if len(ranges) == 1 and first <= x and end <= last:  # the whole chop
                append(f"\x1b[{row};{x + 1}H")
                append(strip.render(console))
                continue
            position = x
            k, final = 0, len(ranges) - 1
            x1, x2 = ranges[0]
            writing = False  # the cursor is at the end of the last segment written
            for text, style, _ in strip:
                while x2 <= position and k < final:  # the span is behind: the next one
                    k += 1
                    x1, x2 = ranges[k]
                if x2 <= position:  # past the last span
                    break
                segment_end = position + (
                    len(text) if text.isascii() and text.isprintable() else text_cells(text)
                )
                if segment_end > x1:  # overlaps the span
                    if not writing:
                        append(f"\x1b[{row};{position + 1}H")  # the cursor to its cell
                        writing = True
                    append(text if style is None else render(style, text, color_system))
                else:
                    writing = False
                position = segment_end
        if y != last_y:
            append("\n")  # as Textual's own update does
    return "".join(sequences)
