"""Every non-ASCII glyph hedgetui draws or prints, and its ASCII twin: the one table.

A terminal whose locale is not UTF-8 (``LANG=C``, a remote tmux without UTF-8) shows each
of ``● ▶ ≥ × █ ─ │`` as ``_``: ``≥10×`` came out as ``_10_``. In ASCII mode (that locale, or
``--ascii``, or ``display.ascii = true``) text is written with the twins instead:

* :func:`text` gives a text its ASCII twin, a glyph possibly becoming several characters
  (``none (≥10×)`` -> ``none (>=10x)``): for text before it is laid out in columns (the
  dashboard's lines, ``calc`` / ``status`` / ``watch`` output, alert texts).
* :data:`CELL_TWINS` keeps each glyph to one character (``≥`` -> ``>``, ``╭`` -> ``+``): for
  what is already laid out (Textual's borders, scrollbars and widgets), where a wider twin
  would shift the rest of the line. The dashboard applies it to every line it draws
  (``hedgetui.ui.ascii_filter``), after :func:`text` did its own lines.

A glyph in neither table becomes ``?`` (``??`` when it is two cells wide), so ASCII mode never
lets a non-ASCII character through. :data:`ASCII` is the process's mode (like the UI's
``textual_fast.FAST``), set once by the command that draws: :func:`use_ascii`.
"""

from __future__ import annotations

import codecs
import os
import sys
import unicodedata
from collections.abc import Mapping
from typing import TextIO

TWINS: dict[str, str] = {
    # the dashboard's own marks
    "●": "*",  # a live feed
    "◌": "o",  # connecting, no data yet
    "✖": "x",  # a feed down or stale
    "✕": "x",
    "▶": ">",  # the selected hedge
    "»": ">",  # the typed what-if row
    "⏎": "Enter",
    "↻": "(r)",
    "·": "-",  # separators (STALE · name · venue); the no-data gauge
    "—": "-",  # no data
    "–": "-",
    "…": "...",
    "±": "+/-",
    "≥": ">=",
    "≤": "<=",
    "×": "x",
    "→": "->",
    "←": "<-",
    "↑": "^",
    "↓": "v",
    "∓": "-/+",
    # gauges (format.bar) and sparklines (format.sparkline: eight heights, low to high)
    "█": "#",
    "░": ".",
    "▁": "_",
    "▂": ".",
    "▃": "-",
    "▄": ":",
    "▅": "=",
    "▆": "+",
    "▇": "*",
    # Textual's box drawing (every border type), scrollbars, keys and half blocks
    "─": "-",
    "━": "-",
    "═": "=",
    "╌": "-",
    "╍": "-",
    "┄": "-",
    "┅": "-",
    "│": "|",
    "┃": "|",
    "║": "|",
    "╎": "|",
    "╏": "|",
    "┆": "|",
    "┇": "|",
    "╭": "+",
    "╮": "+",
    "╯": "+",
    "╰": "+",
    "┌": "+",
    "┐": "+",
    "└": "+",
    "┘": "+",
    "┏": "+",
    "┓": "+",
    "┗": "+",
    "┛": "+",
    "╔": "+",
    "╗": "+",
    "╚": "+",
    "╝": "+",
    "├": "+",
    "┤": "+",
    "┬": "+",
    "┴": "+",
    "┼": "+",
    "┣": "+",
    "┫": "+",
    "▀": "-",
    "▔": "-",
    "▌": "|",
    "▐": "|",
    "▊": "|",
    "▉": "|",
    "▋": "|",
    "▍": "|",
    "▎": "|",
    "▏": "|",
    "▕": "|",
    "\u00a0": " ",  # no-break space
}
"""Glyph -> its ASCII twin (one character or more)."""

ONE_CELL_OVERRIDES = {
    "≥": ">",
    "≤": "<",
    "±": "~",
    "∓": "~",
    "…": "~",
    "⏎": "<",
    "↻": "@",
    "→": ">",
    "←": "<",
    "▄": "-",  # laid out, it is the bottom edge of a thick border (a sparkline is text first)
}
"""A one-character twin where :data:`TWINS` has several (the meaning stays, if shorter), or
where the glyph, once laid out, is part of a border."""

CELL_TWINS: dict[str, str] = {
    glyph: ONE_CELL_OVERRIDES.get(glyph, twin) for glyph, twin in TWINS.items()
}
"""Glyph -> a one-character twin, for text already laid out in cells."""

UNKNOWN = "?"
WIDE_TWINS = {"🔎": ">"}
"""Glyphs two cells wide that Textual draws itself (the command palette's search icon) -> a
twin, padded to the glyph's two cells; any other wide glyph is ``??``."""

ASCII = False
"""The process's mode: True once :func:`use_ascii` turned ASCII on."""

_TEXT_TABLE = str.maketrans(TWINS)
_CELL_TABLE = str.maketrans(CELL_TWINS)


def use_ascii(on: bool) -> None:
    """Turn ASCII mode on or off for the whole process."""
    global ASCII
    ASCII = on


def _unknown(char: str) -> str:
    wide = unicodedata.east_asian_width(char) in ("W", "F")
    twin = WIDE_TWINS.get(char)
    if twin is not None:
        return twin.ljust(2) if wide else twin
    return UNKNOWN * 2 if wide else UNKNOWN


def ascii_text(value: str) -> str:
    """``value`` with every glyph replaced by its twin (several characters for some)."""
    if value.isascii():
        return value
    out = value.translate(_TEXT_TABLE)
    return out if out.isascii() else "".join(c if c.isascii() else _unknown(c) for c in out)


def ascii_cells(value: str) -> str:
    """``value`` with every glyph replaced by a one-character twin: same cells, all ASCII."""
    if value.isascii():
        return value
    out = value.translate(_CELL_TABLE)
    return out if out.isascii() else "".join(c if c.isascii() else _unknown(c) for c in out)


def text(value: str) -> str:
    """``value`` as this process writes it: its ASCII twin in ASCII mode, else as it is."""
    return ascii_text(value) if ASCII else value


def utf8_locale(
    env: Mapping[str, str] = os.environ,
    *,
    utf8_mode: bool | None = None,
    utf8_forced: bool | None = None,
) -> bool:
    """True when the locale's character encoding is UTF-8 (the terminal can show glyphs).

    The locale is ``LC_ALL``, else ``LC_CTYPE``, else ``LANG`` (POSIX's order). Python hides a
    C or POSIX locale: it starts in UTF-8 mode there (PEP 540) and may even set
    ``LC_CTYPE=C.UTF-8`` (PEP 538), so UTF-8 mode that nobody asked for (``PYTHONUTF8``,
    ``-X utf8``) means the locale was C: not UTF-8.
    """
    if utf8_mode is None:
        utf8_mode = bool(sys.flags.utf8_mode)
    if utf8_forced is None:
        utf8_forced = env.get("PYTHONUTF8", "") == "1" or "utf8" in sys._xoptions
    if utf8_mode and not utf8_forced:
        return False
    locale = env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or ""
    encoding = locale.partition(".")[2].partition("@")[0]
    try:
        return bool(encoding) and codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


class AsciiStream:
    """A text stream that writes the ASCII twin of everything written to it (the commands'
    stdout and stderr in ASCII mode): ``print`` and ``write`` work as on the stream itself."""

    def __init__(self, stream: TextIO) -> None:
        self.wrapped = stream

    def write(self, value: str) -> int:
        self.wrapped.write(ascii_text(value))
        return len(value)

    def __getattr__(self, name: str) -> object:
        return getattr(self.wrapped, name)


def unwrapped(stream: TextIO) -> TextIO:
    """The stream an :class:`AsciiStream` writes to (``stream`` itself otherwise)."""
    return stream.wrapped if isinstance(stream, AsciiStream) else stream
