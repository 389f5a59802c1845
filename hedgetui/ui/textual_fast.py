"""Textual's private API, every use of it, behind this one door.

The dashboard's repaint is cheap because it goes around a few of Textual's general paths; each
way around is a private name of Textual 8.2.8 (pinned exactly in pyproject.toml), and nothing
outside this module may use one (``lint-imports`` forbids ``textual._*`` elsewhere, and
``tests/ui/test_textual_door.py`` fails on a private attribute of Textual's used elsewhere).

At import the module checks that every name it needs exists with the shape it expects
(:func:`textual_problems`). The fast paths are on when nothing is missing and the environment
does not switch them off (``HEDGETUI_TEXTUAL_FAST=0``); otherwise one line is logged (for a
missing name) and the dashboard runs on Textual's stock paths, slower but drawing the same screen:

* :func:`repaint_now` (a widget's changed lines straight to the screen) -> ``Widget.refresh``;
* :func:`one_update` (the screen update inside the repaint) -> the screen's update timer;
* :class:`ForgetOnDirty` with kept and cached lines (``Widget._set_dirty``) -> every
  ``render_lines`` draws the widget again;
* :class:`CroppedUpdates` (``App._display``, ``ChopsUpdate``) -> Textual's partial update;
* ``QuietInputDriver`` (``XTermParser``, ``_timeout_time``) -> Textual's ``LinuxDriver``, whose
  input thread wakes every 100 ms;
* the card grid's frames (:func:`draw_frame`, :func:`component_styles`, :func:`title_style`:
  every card drawn in one widget through ``StylesCache``, a frame for a component class) ->
  one stock card widget per card in Textual's grid
  (:class:`~hedgetui.ui.card_grid.StockHedgeCards`), each drawn by Textual like any widget;
* :func:`widget_style` (``Widget._get_style``) -> the same lookup through public calls
  (``Widget.get_visual_style``, ``textual.style.Style.parse``).

On the stock paths hedgetui calls and overrides none of these names, only Textual's public
API. The private modules are imported under a guard: a Textual without one of them (or without
a name imported from one) logs that one line and runs the stock paths, like a missing attribute.
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import textual
from rich.color import ColorSystem
from rich.console import Console, RenderableType
from rich.style import Style as RichStyle
from rich.terminal_theme import TerminalTheme
from textual.app import App
from textual.color import Color
from textual.content import Content
from textual.css.styles import RenderStyles, StylesBase
from textual.dom import DOMNode
from textual.drivers.linux_driver import LinuxDriver
from textual.filter import LineFilter
from textual.geometry import Region, Size, Spacing
from textual.screen import Screen
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widget import Widget

from hedgetui.ui.screen_update import cropped_segments

try:  # Textual's private modules; another Textual may lack one: then the stock paths, one line
    from textual._compositor import ChopsUpdate  # the partial update CroppedUpdates writes
    from textual._parser import ParseError  # what feeding the key parser its end may raise
    from textual._styles_cache import StylesCache  # draws a frame (border, padding, title)
    from textual._time import get_time  # the clock of the key parser's timeout
    from textual._xterm_parser import XTermParser  # the key parser of the quiet input thread
except ImportError as exc:  # the fast paths' code below is then never defined nor run
    _MISSING_MODULE: str | None = str(exc)
else:
    _MISSING_MODULE = None

log = logging.getLogger(__name__)

SWITCH = "HEDGETUI_TEXTUAL_FAST"
"""Environment variable: ``0`` (or ``off``, ``false``, ``no``) runs the stock paths."""
WRITTEN_FOR = "8.2.8"


def _sets(cls: type, name: str) -> bool:
    """Whether some method of ``cls`` (or a base) assigns or reads ``self.<name>``."""
    for klass in cls.__mro__:
        for member in vars(klass).values():
            code = getattr(member, "__code__", None)
            if code is not None and name in code.co_names:
                return True
    return False


def _has_params(function: object, *names: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return all(name in parameters for name in names)


def textual_problems() -> list[str]:
    """The private names the fast paths need that the running Textual lacks (none on 8.2.8).

    The stock paths need none of them: only Textual's public API."""
    if _MISSING_MODULE is not None:  # a private module or a name in one is gone
        return [_MISSING_MODULE]
    checks = {
        "Screen._dirty_widgets": _sets(Screen, "_dirty_widgets"),
        "Screen._update_timer": isinstance(getattr(Screen, "_update_timer", None), property),
        "Screen._on_timer_update": callable(getattr(Screen, "_on_timer_update", None)),
        "App._batch_count": _sets(App, "_batch_count"),
        "App._exit": _sets(App, "_exit"),
        "App._display(screen, renderable)": _has_params(
            getattr(App, "_display", None), "screen", "renderable"
        ),
        "Widget._set_dirty": callable(getattr(Widget, "_set_dirty", None)),
        "Widget._styles_cache": _sets(Widget, "_styles_cache"),
        "Widget._layout_cache": _sets(Widget, "_layout_cache"),
        "Widget._repaint_regions": _sets(Widget, "_repaint_regions"),
        "Widget._get_style": callable(getattr(Widget, "_get_style", None)),
        "DOMNode._component_styles": _sets(DOMNode, "_component_styles"),
        "DOMNode._get_title_style_information": callable(
            getattr(DOMNode, "_get_title_style_information", None)
        ),
        "ChopsUpdate(chops, spans, chop_ends)": _has_params(
            ChopsUpdate, "chops", "spans", "chop_ends"
        ),
        "StylesCache.render": _has_params(
            StylesCache.render, "styles", "size", "filters", "content_size", "padding"
        ),
        "StylesCache.get_inner_outer": _has_params(
            StylesCache.get_inner_outer, "base_background", "background"
        ),
        "XTermParser._timeout_time": _sets(XTermParser, "_timeout_time"),
        "LinuxDriver.run_input_thread": callable(getattr(LinuxDriver, "run_input_thread", None)),
        "Driver._debug": _sets(LinuxDriver, "_debug"),
        "rich Console._color_system": _sets(Console, "_color_system"),
    }
    return [name for name, present in checks.items() if not present]


def _switched_on() -> bool:
    return os.environ.get(SWITCH, "1").strip().lower() not in {"0", "off", "false", "no"}


def _decide() -> bool:
    problems = textual_problems()
    if problems:
        log.warning(
            "Textual %s lacks %s (hedgetui was written for %s): running on Textual's stock paths",
            textual.__version__,
            ", ".join(problems),
            WRITTEN_FOR,
        )
    return not problems and _switched_on()


FAST = _decide()
"""The fast paths are on (the names are there and the switch is not off)."""


# ---------------------------------------------------------------- the screen update


if _MISSING_MODULE is None:  # ChopsUpdate exists

    class CroppedChopsUpdate(ChopsUpdate):
        """Textual's partial update (``textual._compositor.ChopsUpdate``, written from each
        widget's left edge) writing only the segments that overlap each changed span
        (:func:`hedgetui.ui.screen_update.cropped_segments`)."""

        def render_segments(self, console: Console) -> str:
            """The update as raw data for the terminal (what Textual's driver writes)."""
            # rich's private ``_color_system``: the one the console renders in, as Textual reads it
            color_system = console._color_system or ColorSystem.TRUECOLOR
            return cropped_segments(self.chops, self.spans, self.chop_ends, console, color_system)

    def cropped(update: RenderableType | None) -> RenderableType | None:
        """``update`` as a :class:`CroppedChopsUpdate` when it is Textual's partial update."""
        if type(update) is ChopsUpdate:
            return CroppedChopsUpdate(update.chops, update.spans, update.chop_ends)
        return update


if TYPE_CHECKING:
    _AppBase = App[Any]
    _WidgetBase = Widget
else:
    # plain mixins at run time: Textual inherits CSS along its DOM base classes only
    _AppBase = object
    _WidgetBase = object


class CroppedUpdates(_AppBase):
    """Mix in before ``App``: a partial screen update is written as the changed cells only.

    Replaces ``App._display``'s argument (a ``ChopsUpdate``) with a :class:`CroppedChopsUpdate`:
    half the bytes at 200x50 when a line changed in one card of four. Stock: no override."""

    if FAST:

        def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
            super()._display(screen, cropped(renderable))


# ---------------------------------------------------------------- widgets that keep their lines


class ForgetOnDirty(_WidgetBase):
    """Mix in before a widget class: :meth:`forget_drawn` runs whenever Textual marks the
    widget dirty (``Widget._set_dirty``: every refresh, layout and size change), the one hook
    that sees all of them, so a widget may keep its lines as drawn until then. Stock: no
    override (the widgets keep no lines then: every ``render_lines`` draws anew)."""

    def forget_drawn(self) -> None:
        raise NotImplementedError

    if FAST:

        def _set_dirty(self, *regions: Region) -> None:
            self.forget_drawn()
            super()._set_dirty(*regions)


def styles_cache_lines(widget: Widget, size: Size) -> list[Strip]:
    """The whole widget drawn by Textual's styles cache.

    Fast: from a clear cache (``Widget._styles_cache``), since :func:`repaint_now` did not mark
    the changed lines in it. Stock: ``Widget.refresh`` did mark them."""
    if FAST:
        widget._styles_cache.clear()
    return Widget.render_lines(widget, size.region)


def repaint_now(widget: Widget, screen: Screen[object], regions: Iterable[Region]) -> None:
    """Hand ``regions`` of ``widget`` (its changed content lines, between its frame's edges)
    straight to ``screen``'s next update.

    This is what ``Widget.refresh(*regions)`` comes to for a widget that draws its own lines,
    without the styles-cache bookkeeping (a full draw starts from a clear cache) and without its
    two idle round-trips through Textual's message queues (the widget posts itself an idle
    prompt, then its screen an ``Update``, then the screen prompts itself to start its update
    timer): with several widgets changing at every repaint, those hops cost about as much as
    the drawing. Stock: ``widget.refresh`` of the same lines (``refresh`` takes regions of the
    content area, inside the frame; ``regions`` are the widget's own, frame included).
    """
    if not FAST:
        offset = widget.content_offset
        widget.refresh(*(region.translate(-offset) for region in regions))
        return
    widget._layout_cache.clear()
    widget.clear_cached_dimensions()
    widget._repaint_regions.update(regions)
    screen._dirty_widgets.add(widget)
    if screen not in _UPDATING:
        screen._update_timer.resume()


_UPDATING: list[Screen[Any]] = []
"""Screens a repaint in progress brings up to date itself when it ends (:func:`one_update`)."""


@contextmanager
def one_update(screen: Screen[Any]) -> Iterator[None]:
    """Put every row :func:`repaint_now` marks in this block on the terminal as the block ends.

    Without it, the first marked row resumes the screen's update timer: its task runs the
    update a moment later, then sleeps to the timer's next tick (1/60 s on) only to find itself
    paused, two more hops of the event loop for every repaint. Here the update runs in the
    same call, through the timer's own callback (``Screen._on_timer_update``), so it does
    exactly what the timer would have done. When the screen cannot update now (not the current
    screen, or inside ``App.batch_update``: ``App._batch_count``) the timer is resumed as
    before; while the app quits (``App._exit``), neither updates. Stock: the timer does it.
    """
    if not FAST:
        yield
        return
    _UPDATING.append(screen)
    try:
        yield
    finally:
        _UPDATING.remove(screen)
        app = screen.app
        if app._exit:
            pass  # quitting: the timer would not update either
        elif screen.is_current and not app._batch_count:
            screen._on_timer_update()
        elif screen._dirty_widgets:
            screen._update_timer.resume()


# ---------------------------------------------------------------- frames and styles


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[VisualStyle, VisualStyle]:
    """``StylesCache.get_inner_outer`` keyed by the two colours alone."""
    return (
        VisualStyle(background=base_background + background),
        VisualStyle(background=base_background),
    )


def _inner_outer_by_colour(
    self: object, base_background: Color, background: Color
) -> tuple[VisualStyle, VisualStyle]:
    """``StylesCache.get_inner_outer``, cached by the two colours alone (see
    :func:`keep_no_styles_caches`)."""
    return _inner_outer(base_background, background)


def keep_no_styles_caches() -> None:
    """Stop Textual's ``StylesCache.get_inner_outer`` from keeping styles caches alive.

    It is an ``lru_cache(1024)`` on an instance method (its first parameter is named ``cls``,
    but it is no classmethod), so its key holds the instance: every styles cache it ran on
    stays alive, with every line it drew, until 1024 newer keys push it out. A widget has one
    styles cache for life, so each widget that is gone (a toast, a closed dialog or screen)
    was kept with its lines; a frame of the card grid had a new one per call, and each card
    redrawn in full (stale, an alert, the selection) left one behind (the dashboard's memory
    rose by ~1.3 MB a minute under a fault every 13 s). The result depends on the two colours
    only, so it is cached by them alone and keeps nothing else. Done once, at import, when
    the fast paths are on (:data:`FAST`); :func:`textual_problems` checks the method is there.
    """
    StylesCache.get_inner_outer = _inner_outer_by_colour  # type: ignore[method-assign,assignment]


if FAST:
    TEXTUAL_INNER_OUTER = StylesCache.get_inner_outer  # Textual's own, for the tests
    keep_no_styles_caches()


def draw_frame(
    styles: StylesBase,
    size: Size,
    backgrounds: tuple[Color, Color],
    content_line: Callable[[int], Strip],
    filters: Sequence[LineFilter],
    title: tuple[Content, Color, Color, VisualStyle],
    *,
    content_size: Size,
    padding: Spacing,
    opacity: float,
    ansi_theme: TerminalTheme,
    native_ansi: bool,
) -> list[Strip]:
    """A frame (border, title, padding) around ``content_line``'s lines, drawn as Textual
    draws a widget's (``textual._styles_cache.StylesCache``), for a component class that is
    no widget of its own (a card of the card grid)."""
    return StylesCache().render(
        styles,
        size,
        backgrounds[0],
        backgrounds[1],
        content_line,
        filters,
        title,
        None,
        content_size=content_size,
        padding=padding,
        opacity=opacity,
        ansi_theme=ansi_theme,
        native_ansi=native_ansi,
    )


def component_styles(widget: Widget) -> dict[str, RenderStyles]:
    """The styles of ``widget``'s component classes as the stylesheet set them
    (``DOMNode._component_styles``; ``get_component_styles`` builds a new object each call)."""
    return widget._component_styles


def title_style(node: DOMNode, background: Color) -> tuple[Color, Color, VisualStyle]:
    """How a border title is drawn on ``node`` (``DOMNode._get_title_style_information``)."""
    return node._get_title_style_information(background)


def widget_style(widget: Widget, base: VisualStyle, style: str) -> RichStyle:
    """``base`` with ``style`` (a style name of ours, read in ``widget``) on top, as Rich
    draws it (``Widget._get_style``: how a ``Content`` span's style string is read).
    Stock: :func:`public_style`, the same lookup through Textual's public API."""
    if not style:
        return base.rich_style
    return (base + (widget._get_style(style) if FAST else public_style(widget, style))).rich_style


def public_style(widget: Widget, style: str) -> VisualStyle:
    """A ``Content`` span's style string read in ``widget`` as ``Widget._get_style`` reads it:
    ``.name`` is the component class of the nearest widget (``widget`` or an ancestor) that has
    it, anything else is parsed (an unknown name is no style)."""
    if style.startswith("."):
        for node in widget.ancestors_with_self:
            if not isinstance(node, Widget):
                return VisualStyle()  # up to the screen without the class: no style
            try:
                return node.get_visual_style(style[1:], partial=True)
            except KeyError:
                continue
        raise KeyError(f"No matching component class found for {style!r}")
    try:
        return VisualStyle.parse(style)
    except Exception:  # as Textual: a style it cannot read is no style
        return VisualStyle()


# ---------------------------------------------------------------- the input thread


def key_parser(driver: LinuxDriver) -> XTermParser:
    """Textual's key parser (``textual._xterm_parser``) as ``LinuxDriver`` makes it."""
    return XTermParser(driver._debug)


def key_timeout(parser: XTermParser) -> float | None:
    """Seconds until the parser's key timeout (a lone Escape?) when one runs
    (``Parser._timeout_time``), else None."""
    due: float | None = parser._timeout_time
    return None if due is None else max(0.0, due - get_time())


KEY_PARSE_ERROR: type[Exception] = ParseError if _MISSING_MODULE is None else Exception
"""What feeding the key parser its end may raise."""
