"""Styled text as the dashboard's renderers make it: (text, style) parts, lines of them, and
the stale rule (a value from stale input is dimmed and tagged ``?``; no data is ``—``)."""

from __future__ import annotations

from collections.abc import Sequence

from hedgetui import glyphs
from hedgetui.ui import format as fmt

Part = tuple[str, str]  # (text, style)
Line = tuple[Part, ...]
"""One screen line as styled parts: what the panels compare and draw (cheaper than ``Content``:
a tuple compares in one C call and maps straight to segments)."""
LABEL = "$text-muted"
STALE_STYLE = "dim"


def value_parts(text: str, stale: bool, style: str = "") -> list[Part]:
    """A number, dimmed and tagged ``?`` when derived from stale input."""
    if text == fmt.NO_DATA:
        return [(text, LABEL)]
    if stale:
        return [(text, STALE_STYLE), (fmt.STALE_GLYPH, "b $warning")]
    return [(text, style)]


def line_parts(*parts: Part | list[Part]) -> list[Part]:
    """The parts, and the parts of each list among them, as one line."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, list):
            out.extend(part)
        else:
            out.append(part)
    return out


def shown_length(parts: Sequence[Part]) -> int:
    """How many characters ``parts`` take on screen (their ASCII twins in ASCII mode)."""
    return sum(len(glyphs.text(text)) for text, _ in parts)


def fitted(width: int, *candidates: list[Part]) -> list[Part]:
    """The first of ``candidates`` (one line's parts, longest first) that fits ``width``
    characters, else the last: a line gives way to a shorter form of its numbers, or drops a
    less important one, and is never cut inside a number."""
    for parts in candidates:
        if shown_length(parts) <= width:
            return parts
    return candidates[-1]


def as_lines(lines: Sequence[list[Part]]) -> list[Line]:
    """One :data:`Line` per line (panels compare and repaint line by line); in ASCII mode
    each part is its ASCII twin (:func:`hedgetui.glyphs.text`)."""
    if glyphs.ASCII:
        return [tuple((glyphs.ascii_text(text), style) for text, style in line) for line in lines]
    return [tuple(line) for line in lines]
