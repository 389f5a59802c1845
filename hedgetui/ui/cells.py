"""How many terminal cells a text of the dashboard's takes, without growing Rich's cache.

Rich's ``cell_len`` keeps the width of every text under 512 characters it is asked about in an
``lru_cache`` of 4096. The dashboard asked about every part of each changed line holding a
non-ASCII glyph (a gauge, a chart row, a ``·``): numbers new ten times a second, chart rows new
every second. Those texts filled Rich's cache, each with its string kept alive, and faster
when cards went stale and alerts fired (new forms of every line at once).
ASCII and hedgetui's own one-cell glyphs (``hedgetui.glyphs``, the sparkline blocks) are
counted by their length instead, which is also cheaper than a cache lookup; any other text
still goes to Rich.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

from hedgetui import glyphs
from hedgetui.ui import format as fmt

ONE_CELL = frozenset(map(chr, range(0x20, 0x7F))) | frozenset(
    char
    for char in (*glyphs.TWINS, *glyphs.CELL_TWINS, *fmt.SPARK_CHARS)
    if len(char) == 1 and cell_len(char) == 1
)
"""Printable ASCII and hedgetui's own glyphs that Rich counts as one cell each (checked at
import): a text of these alone takes as many cells as it has characters."""

_ONE_CELL_TEXT = re.compile("[" + re.escape("".join(sorted(ONE_CELL))) + "]*")
"""Matches a text of :data:`ONE_CELL` characters alone (a regular expression: 0.2 µs for a
chart row, where ``frozenset.issuperset`` builds a set of the text first, 0.8 µs)."""


def text_cells(text: str) -> int:
    """The cells ``text`` takes, as Rich's ``cell_len`` counts them."""
    if text.isascii():
        if text.isprintable():
            return len(text)
    elif _ONE_CELL_TEXT.fullmatch(text):
        return len(text)
    return cell_len(text)
