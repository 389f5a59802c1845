"""Widgets that hand Textual's compositor their last rendered lines while nothing changed.

On every screen update Textual's compositor asks EVERY visible widget for its lines
(``render_lines``), not only the widgets that changed: the crop it passes is the whole widget
whenever the widget lies inside its container's clip, which is always the case on the dashboard.
Each call walks the widget's ancestors for its background colours and loops over its cached
lines (``StylesCache``), ~50-100 µs per widget; with a dozen widgets on the dashboard that was
about a third of each 10 Hz repaint although only two or three widgets had changed.

:class:`CachedLines` keeps the strips of the last call and returns them again while the widget
was not refreshed since (Textual marks a widget dirty for every repaint, layout and style
change: :class:`~hedgetui.ui.textual_fast.ForgetOnDirty`), the crop and size are the same, and
the same line filters are active. That is exactly when Textual's own line cache would return
the same strips, so the screen is unchanged; only the bookkeeping around the cache is skipped.
On Textual's stock paths (``textual_fast.FAST`` off) every call renders.
"""

from __future__ import annotations

from typing import Any

from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widgets import Footer, Input

from hedgetui.ui import textual_fast
from hedgetui.ui.textual_fast import ForgetOnDirty


class CachedLines(ForgetOnDirty):
    """Mix in before a Textual widget class: ``class X(CachedLines, Footer)``.

    A plain mixin at run time: Textual inherits CSS (DEFAULT_CSS, type selectors) along the
    FIRST DOM base class only, so the widget class must come right after the mixin."""

    _last_lines: tuple[Region, Size, tuple[Any, ...], list[Strip]] | None = None

    def forget_drawn(self) -> None:
        self._last_lines = None

    def notify_style_update(self) -> None:
        self._last_lines = None
        super().notify_style_update()

    def render_lines(self, crop: Region) -> list[Strip]:
        if not textual_fast.FAST:  # Textual's stock path: every call renders
            return super().render_lines(crop)
        size = self.region.size
        filters = tuple(self.app.get_line_filters())
        last = self._last_lines
        if last is not None and last[0] == crop and last[1] == size and last[2] == filters:
            return last[3]
        lines = super().render_lines(crop)
        self._last_lines = (crop, size, filters, lines)
        return lines


class CachedVerticalScroll(CachedLines, VerticalScroll):
    """A ``VerticalScroll`` that skips re-rendering while unchanged (see the module doc)."""


class CachedHorizontal(CachedLines, Horizontal):
    """A ``Horizontal`` that skips re-rendering while unchanged."""


class CachedVertical(CachedLines, Vertical):
    """A ``Vertical`` that skips re-rendering while unchanged."""


class CachedFooter(CachedLines, Footer):
    """Textual's ``Footer`` (key hints) that skips re-rendering while unchanged."""


class CachedInput(CachedLines, Input):
    """Textual's ``Input`` that skips re-rendering while unchanged (a blinking cursor refreshes
    it, so it re-renders whenever it changes)."""
