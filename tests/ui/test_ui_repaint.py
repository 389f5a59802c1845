"""How the dashboard repaints: driven by data, with a deadline; the terminal gets current lines.

The widgets hand Textual's compositor their last rendered lines while unchanged
(``hedgetui.ui.cached_lines``); these tests look at the rendered screen itself (the compositor's
output), not only at the widgets' text, so a stale cache would fail them.
"""

from __future__ import annotations

import asyncio
import re
import time
from itertools import pairwise
from typing import Any

import pyte
import pytest
from rich.console import RenderableType
from textual._compositor import CompositorUpdate, LayoutUpdate
from textual.app import App
from textual.screen import Screen

from hedgetui.domain import MarkPrice, Ticker
from hedgetui.feeds.read_gate import ReadGate
from hedgetui.ui import format as fmt
from hedgetui.ui.app import (
    CLOCK_REPAINT_S,
    MAX_READ_PERIOD_S,
    PAINT_ALLOWANCE_S,
    HedgeApp,
    clock_repaint_due,
    read_period,
)
from hedgetui.ui.card_grid import HedgeCards
from tests.ui.test_ui_dashboard import (
    COMPACT,
    MARKS,
    WIDE,
    screen_text,
    scripted_store,
    silence_bitmex,
)

NO_CLOCK_REPAINT_S = 3600.0
"""For tests that count the repaints data causes: on a slow start the clock's own repaint (a
second after the first paint) could fall inside their window."""


async def settled(app: HedgeApp, quiet_s: float = 0.2) -> int:
    """The frames painted once none came for ``quiet_s`` (the first layout's repaints are over;
    on a loaded machine they can run later than a fixed wait), within ten tries."""
    painted = -1
    for _ in range(10):
        if app.frames_painted == painted:
            break
        painted = app.frames_painted
        await asyncio.sleep(quiet_s)
    return painted


def paint_times(app: HedgeApp) -> list[float]:
    """When each repaint from here on began (``time.monotonic()``), appended as they happen."""
    began: list[float] = []
    app.on_painted = lambda _view: began.append(app._painted_at)
    return began


class TerminalRecorder(App[None]):
    """Keeps what each screen update would write to the terminal (headless writes nothing).

    Mixed in after HedgeApp, it sees what HedgeApp hands to Textual's ``App._display``.
    """

    sent: list[str]

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        if isinstance(renderable, CompositorUpdate):
            self.sent.append(renderable.render_segments(self.console))
        super()._display(screen, renderable)


class RecordingApp(HedgeApp, TerminalRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent = []


def text_written(writes: list[str], rows: range) -> str:
    """The text (colours left out) written to screen ``rows`` (each write after a cursor move
    goes to the move's row)."""
    text = []
    for data in writes:
        for move in re.finditer(r"\x1b\[(\d+);\d+H((?:(?!\x1b\[\d+;\d+H).)*)", data, re.S):
            if int(move[1]) - 1 in rows:
                text.append(re.sub(r"\x1b\[[\d;]*m", "", move[2]))
    return "\n".join(text)


def card_figures(app: HedgeApp, index: int) -> set[str]:
    """The figures card ``index`` shows (each word with a digit in it)."""
    text = app.query_one(HedgeCards).card_text(index)
    return {word for word in text.split() if any(char.isdigit() for char in word)}


Cell = tuple[str, str, str, bool, bool, bool]


def on_terminal(app: HedgeApp, writes: list[str]) -> list[list[Cell]]:
    """Every cell (character, colours, bold, reverse, underline) of a terminal emulator (pyte)
    the size of ``app`` that was sent ``writes``."""
    width, height = app.size
    screen = pyte.Screen(width, height)
    stream = pyte.ByteStream(screen)
    for data in writes:
        stream.feed(data.encode())
    return [
        [
            (c.data, c.fg, c.bg, c.bold, c.reverse, c.underscore)
            for c in (screen.buffer[y][x] for x in range(width))
        ]
        for y in range(height)
    ]


def whole_screen(app: HedgeApp) -> str:
    """The screen as Textual's compositor holds it now, written in full."""
    strips = app.screen._compositor.render_strips()
    return LayoutUpdate([[strip] for strip in strips], app.screen.region).render_segments(
        app.console
    )


@pytest.mark.parametrize("size", [COMPACT, WIDE, (200, 50)])
async def test_the_terminal_shows_exactly_the_screen_after_every_update(
    size: tuple[int, int],
) -> None:
    """Played on a terminal emulator, what the app wrote (a full screen first, then only the
    changed cells of each line) shows every cell of the screen, text and colours, at each step:
    ticks, a new selection, a feed gone stale, a theme switch, the help screen and back."""
    store, clock = scripted_store(history_s=30)
    app = RecordingApp(store, refresh_hz=10)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()

        async def check(step: str) -> None:
            await pilot.pause()
            assert on_terminal(app, app.sent) == on_terminal(app, [whole_screen(app)]), step

        await check("first frame")
        for tick in range(1, 6):
            clock.advance(0.1)
            ms = int(clock.time() * 1000)
            for i, ((venue, symbol), mark) in enumerate(MARKS.items()):
                store.apply(MarkPrice(venue, symbol, mark * (1 + 0.001 * tick * (i + 1)), ms))
            app.refresh_view()
            await check(f"tick {tick}")
        await pilot.press("down")
        await check("next hedge selected")
        silence_bitmex(store, clock)
        app.refresh_view()
        await check("bitmex stale")
        app.set_hedge_theme("light")
        await check("light theme")
        await pilot.press("question_mark")
        await check("help screen")
        await pilot.press("escape")
        app.refresh_view()
        await check("back on the dashboard")


async def test_a_change_reaches_the_rendered_screen_within_the_refresh_period() -> None:
    store, clock = scripted_store()
    app = HedgeApp(store, refresh_hz=10, clock_repaint_s=NO_CLOCK_REPAINT_S)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        painted = app.frames_painted
        done = asyncio.Event()
        app.on_painted = lambda _view: done.set()
        ms = int(clock.time() * 1000)
        started = time.monotonic()
        for price in (54_100.0, 54_200.0, 54_321.5):  # a burst: one repaint for all of it
            store.apply(MarkPrice("bitmex", "XBTUSD", price, ms))
        await asyncio.wait_for(done.wait(), timeout=2.0)
        waited = time.monotonic() - started
        await pilot.pause()
        assert app.frames_painted == painted + 1
        # scheduled 1/refresh_hz - PAINT_ALLOWANCE_S after the first change (a busy machine may
        # add to that, never take from it)
        assert waited >= 0.1 - PAINT_ALLOWANCE_S - 0.005
        assert fmt.price(54_321.5) in screen_text(app)
        assert fmt.price(54_200.0) not in screen_text(app)


async def test_changed_lines_are_written_to_the_terminal_and_only_those() -> None:
    """A data change goes out in the next screen update, as the few lines that changed."""
    store, clock = scripted_store()
    app = RecordingApp(store, refresh_hz=10)
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.pause()
        ms = int(clock.time() * 1000)
        for price in (54_100.0, 54_321.5):
            app.sent.clear()
            store.apply(MarkPrice("bitmex", "XBTUSD", price, ms))
            app.refresh_view()
            await pilot.pause()
            written = "".join(app.sent)
            assert fmt.price(price) in written
            assert 0 < written.count("\x1b[") < 400  # a few lines' worth, not a full screen
            assert "Help" not in written  # the footer did not change: not sent again


@pytest.mark.textual_fast
@pytest.mark.parametrize(
    ("index", "venue", "symbol"), [(0, "bitmex", "XBTUSD"), (3, "bybit", "BTCUSD")]
)
async def test_a_card_that_changed_sends_its_own_lines_not_its_neighbours(
    index: int, venue: str, symbol: str
) -> None:
    """The wide layout's cards are one widget across the screen: a tick in one card is written
    as that card's changed lines, not as whole rows of every card (nor, for the rightmost
    card, the row from the widget's left edge, as Textual's own update writes it)."""
    store, clock = scripted_store()
    app = RecordingApp(store, refresh_hz=10)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        neighbours = set.union(*(card_figures(app, i) for i in range(4) if i != index))
        neighbours -= card_figures(app, index)  # a figure this card shows too may be written
        assert len(neighbours) > 20
        app.sent.clear()
        store.apply(MarkPrice(venue, symbol, 54_321.5, int(clock.time() * 1000)))
        app.refresh_view()
        await pilot.pause()
        region = app.query_one(HedgeCards).region
        written = text_written(app.sent, range(region.y, region.bottom))
        assert fmt.price(54_321.5) in written
        for figure in neighbours:
            assert figure not in written


@pytest.mark.textual_fast
async def test_a_repaint_reaches_the_terminal_before_it_returns() -> None:
    """No hop through the screen's update timer: the update is written inside refresh_view,
    and the timer stays paused (it would wake twice more per repaint)."""
    store, clock = scripted_store()
    for size in (COMPACT, WIDE):
        app = RecordingApp(store, refresh_hz=10)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            timer = app.screen._update_timer
            for price in (54_100.0, 54_321.5):
                app.sent.clear()
                store.apply(MarkPrice("bitmex", "XBTUSD", price, int(clock.time() * 1000)))
                app.refresh_view()
                assert fmt.price(price) in "".join(app.sent)  # no await in between
                assert not timer._active.is_set()
                assert fmt.price(price) in screen_text(app)


async def test_inside_a_batch_update_the_repaint_waits_for_the_batch() -> None:
    """``App.batch_update`` holds screen updates back: the rows go out when it ends."""
    store, clock = scripted_store()
    app = RecordingApp(store, refresh_hz=10)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.sent.clear()
        with app.batch_update():
            store.apply(MarkPrice("bitmex", "XBTUSD", 54_321.5, int(clock.time() * 1000)))
            app.refresh_view()
            assert app.sent == []
        await pilot.pause()
        assert fmt.price(54_321.5) in "".join(app.sent)


async def test_feeds_ticking_out_of_step_repaint_at_most_refresh_hz_times_a_second() -> None:
    """A change every 20 ms never stops: each repaint begins 1/refresh_hz after the last one."""
    store, clock = scripted_store()
    app = HedgeApp(store, refresh_hz=10)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await asyncio.sleep(0.2)  # the first layout's repaints are over
        began = paint_times(app)
        price = 54_000.0
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            price += 1.0
            store.apply(MarkPrice("bitmex", "XBTUSD", price, int(clock.time() * 1000)))
            await asyncio.sleep(0.02)
        await pilot.pause()
        intervals = [b - a for a, b in pairwise(began)]
        assert len(began) >= 5  # it repainted all along (a busy machine repaints less, not more)
        # exactly: a timer that wakes early (uvloop's count whole milliseconds) is slept again
        assert min(intervals) >= 0.1 - 1e-9, intervals


def test_a_clock_check_a_hair_early_repaints_and_one_half_a_period_after_a_paint_does_not() -> None:
    assert clock_repaint_due(CLOCK_REPAINT_S - 0.001)  # not another half second standing
    assert clock_repaint_due(CLOCK_REPAINT_S)
    assert not clock_repaint_due(CLOCK_REPAINT_S / 2)  # the check's own period: not 2 Hz
    assert not clock_repaint_due(0.0)


async def test_no_data_no_repaint_but_the_clock_still_moves() -> None:
    """No event, so no repaint at the refresh rate; ages and countdowns: one repaint a second.
    The clock's check runs every half second, and one that wakes a hair early (uvloop's timers
    count whole milliseconds) still repaints."""
    store, _ = scripted_store()
    app = HedgeApp(store, refresh_hz=10)
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.pause()
        await asyncio.sleep(0.3)  # the first layout's repaints are over
        paints = paint_times(app)
        await asyncio.sleep(3.3)
        assert 2 <= len(paints) <= 4, paints
        intervals = [b - a for a, b in pairwise(paints)]
        assert all(0.7 < i < 1.3 for i in intervals), intervals  # not 0.1 s, nor now and then 1.5


async def test_a_ticker_repaints_like_its_parts_and_unchanged_widgets_stay_drawn() -> None:
    store, clock = scripted_store()
    app = HedgeApp(store, refresh_hz=10)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        before = screen_text(app)
        ms = int(clock.time() * 1000)
        store.apply(Ticker("bybit", "BTCUSD", ms, 53_555.5, 53_550.0, 0.0002, None, None, 8.0))
        app.refresh_view()
        await pilot.pause()
        after = screen_text(app)
        assert fmt.price(53_555.5) in after
        old, new = before.split("\n"), after.split("\n")
        assert [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
        assert old[-1] == new[-1]  # the footer is drawn, unchanged
        assert fmt.price(53_555.5) in app.query_one("#cards", HedgeCards).card_text(3)


async def test_a_theme_switch_redraws_every_widget() -> None:
    store, _ = scripted_store()
    app = HedgeApp(store, theme="dark")
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.pause()
        dark = app.screen._compositor.render_strips()
        await pilot.press("t")  # -> light
        await pilot.pause()
        light = app.screen._compositor.render_strips()
        assert [s.text for s in dark] == [s.text for s in light]
        # every line changes colour (nothing is left drawn in the old theme), footer included
        pairs = enumerate(zip(dark, light, strict=True))
        assert [i for i, (d, li) in pairs if list(d) != list(li)] == list(range(len(dark)))


async def test_with_a_read_gate_a_change_is_painted_right_after_the_next_pass() -> None:
    """``run_dashboard`` reads the feeds in passes: the painter follows the passes, not a timer
    of its own (a change waits for the pass, then is painted at once, once)."""
    store, clock = scripted_store()
    gate = ReadGate(3600.0)  # never passes by itself: the test makes each pass
    # no alerts panel: the new mark changes which alerts fire, and the panel's next evaluation
    # (once a second) would repaint for the new layout, at any time in the 0.3 s below
    app = HedgeApp(
        store,
        refresh_hz=10,
        read_gate=gate,
        clock_repaint_s=NO_CLOCK_REPAINT_S,
        mount_alerts=False,
    )
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        painted = await settled(app)
        store.apply(MarkPrice("bitmex", "XBTUSD", 54_321.5, int(clock.time() * 1000)))
        await asyncio.sleep(0.3)  # three refresh periods: no timer repaints it
        assert app.frames_painted == painted
        assert fmt.price(54_321.5) not in screen_text(app)
        await gate.read_once()
        await pilot.pause()
        assert app.frames_painted == painted + 1
        assert fmt.price(54_321.5) in screen_text(app)
        await gate.read_once()  # nothing changed since: no repaint
        await pilot.pause()
        assert app.frames_painted == painted + 1


async def test_a_slower_refresh_paints_after_every_few_passes_not_every_pass() -> None:
    """At refresh_hz 2 the sockets are still read every 100 ms (``read_period``), and a
    change is painted by the first pass 0.5 s (less half a pass) after the last paint."""
    assert read_period(2) == MAX_READ_PERIOD_S == 0.1
    assert read_period(10) == 0.1
    assert read_period(50) == 0.1  # capped at 10 repaints a second
    store, clock = scripted_store()
    gate = ReadGate(read_period(2))
    app = HedgeApp(store, refresh_hz=2, read_gate=gate)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        price = 54_000.0
        paints = paint_times(app)
        end = time.monotonic() + 1.6
        while time.monotonic() < end:  # a change before every pass, a pass every 100 ms
            price += 1.0
            store.apply(MarkPrice("bitmex", "XBTUSD", price, int(clock.time() * 1000)))
            await gate.read_once()
            await asyncio.sleep(0.1)
        await pilot.pause()
        assert 2 <= len(paints) <= 4, paints  # 16 passes: every 5th painted (fewer if slow)
        assert all(b - a >= 0.45 for a, b in pairwise(paints)), paints


def test_the_apps_mixins_hold_no_stub_that_could_shadow_a_real_method() -> None:
    """The key mixin declares ``refresh_view`` for the type checker only: with the bases in
    another order, the app still repaints through :class:`Repaints`."""
    from hedgetui.ui.key_actions import DashboardKeys
    from hedgetui.ui.repaint import Repaints
    from hedgetui.ui.textual_fast import CroppedUpdates

    class KeysFirst(CroppedUpdates, DashboardKeys, Repaints):
        pass

    assert "refresh_view" not in vars(DashboardKeys)
    assert KeysFirst.refresh_view is Repaints.refresh_view
    assert HedgeApp.refresh_view is Repaints.refresh_view
