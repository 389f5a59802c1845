"""HedgeCards: the wide layout's cards in one widget, drawn as Textual would draw card widgets."""

from __future__ import annotations

import dataclasses
import gc

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Grid
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Static

from hedgetui.clock import ManualClock
from hedgetui.demo.portfolio import demo_settings
from hedgetui.domain import MarkPrice
from hedgetui.store import Store
from hedgetui.ui import textual_fast
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.card_grid import CARD_STATES, HedgeCards, column_spans
from hedgetui.ui.danger import Danger
from hedgetui.ui.render import CARD_STATE_CLASSES, card_state
from tests.ui.test_ui_dashboard import MARKS, WIDE, scripted_store, silence_bitmex


class GridApp(App[None]):
    """Textual's own grid of ``1fr`` columns with a gutter of one column, as the cards had."""

    CSS = "Grid { grid-gutter: 0 1; grid-rows: auto; height: auto; } Static { height: 1; }"

    def __init__(self, columns: int) -> None:
        super().__init__()
        self.columns = columns

    def compose(self) -> ComposeResult:
        with Grid():
            for _ in range(self.columns):
                yield Static("x")


@pytest.mark.parametrize("columns", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("width", [80, 119, 157, 160, 199, 200, 231])
async def test_columns_fall_where_textuals_grid_puts_them(columns: int, width: int) -> None:
    app = GridApp(columns)
    async with app.run_test(size=(width, 10)) as pilot:
        app.query_one(Grid).styles.grid_size_columns = columns
        await pilot.pause()
        cells = [(w.region.x, w.region.width) for w in app.query(Static)]
        assert list(column_spans(width, columns)) == cells


def test_a_card_state_is_the_classes_a_card_widget_carries() -> None:
    assert card_state(Danger.CRIT, False, True) == "card -crit -selected"
    assert card_state(Danger.CRIT, True, False) == "card -stale"  # stale wins over danger
    assert card_state(None, False, False) == "card"
    assert len(CARD_STATES) == 10  # (none, ok, warn, crit, stale) x (selected or not)
    assert {c for state in CARD_STATES for c in state.split()} == {"card", *CARD_STATE_CLASSES}


def cards_of(app: HedgeApp) -> HedgeCards:
    return app.query_one("#cards", HedgeCards)


def whole(cards: HedgeCards) -> list[Strip]:
    """Every line of the cards as on screen: the widget's own lines, and on the stock paths
    (a card widget per card) each card's lines laid over its background where it sits."""
    lines = cards.render_lines(Region(0, 0, *cards.region.size))
    for card in cards.children:
        x, y = card.region.offset - cards.region.offset
        drawn = card.render_lines(Region(0, 0, *card.region.size))
        for row, strip in enumerate(drawn, start=y):
            line = lines[row]
            parts = [line.crop(0, x), strip, line.crop(x + strip.cell_length, line.cell_length)]
            lines[row] = Strip.join(parts)
    return lines


def segments(strips: list[Strip]) -> list[list[object]]:
    return [list(strip) for strip in strips]


def card_top(cards: HedgeCards, index: int) -> str:
    """The top border of card ``index`` as drawn, title included."""
    x, width = column_spans(cards.region.width, cards.columns)[index % cards.columns]
    return whole(cards)[0].crop(x, x + width).text


@pytest.mark.textual_fast
async def test_changed_lines_are_drawn_exactly_as_a_full_redraw(no_color: bool) -> None:
    """Lines redrawn between a card's own edges equal a full redraw through Textual's styles
    cache, line filters included (ANSI colours to truecolor; monochrome under NO_COLOR)."""
    store, clock = scripted_store()
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        cards = cards_of(app)
        before = whole(cards)
        ms = int(clock.time() * 1000)
        store.apply(MarkPrice("okx", "ETH-USD-SWAP", 2_471.25, ms))  # card 1 moves
        app.refresh_view()
        fast = whole(cards)
        changed = [y for y, (a, b) in enumerate(zip(before, fast, strict=True)) if a is not b]
        assert changed and fast[0] is before[0] and fast[-1] is before[-1]  # borders kept
        assert "2,471.25" in "".join(fast[y].text for y in changed)
        cards.refresh()  # anything but a line update: every card drawn again in full
        full = whole(cards)
        assert full[changed[0]] is not fast[changed[0]]
        assert segments(fast) == segments(full)


def styles_caches_alive() -> int:
    gc.collect()
    return sum(type(o).__name__.endswith("StylesCache") for o in gc.get_objects())


@pytest.mark.textual_fast
async def test_cards_drawn_again_leave_no_styles_cache_behind() -> None:
    """Each full redraw draws every card's frame through a styles cache of its own; none of
    them may outlive the drawing (Textual's get_inner_outer lru_cache kept each one, with its
    ~30 lines, until 1024 more had been made)."""
    store, _ = scripted_store()
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        cards = cards_of(app)
        whole(cards)
        before = styles_caches_alive()
        for _ in range(25):
            cards.refresh()  # every card drawn again in full, as on a change of state
            whole(cards)
        assert styles_caches_alive() - before < 4  # was 25 x 4 cards = 100 kept


async def test_a_card_that_turns_stale_is_redrawn_with_its_stale_border_alone() -> None:
    store, clock = scripted_store()
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        cards = cards_of(app)
        assert card_top(cards, 0).startswith("╭─ btc-core")  # round: the dark theme's -ok
        others = [card_top(cards, i) for i in (1, 2, 3)]
        silence_bitmex(store, clock)
        app.refresh_view()
        await pilot.pause()
        assert card_top(cards, 0).startswith("┏╍ STALE · btc-core")  # dashed
        assert [card_top(cards, i) for i in (1, 2, 3)] == others
        fast = whole(cards)
        cards.refresh()
        assert segments(fast) == segments(whole(cards))


async def test_selecting_a_card_moves_the_highlighted_title() -> None:
    store, _ = scripted_store()
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        cards = cards_of(app)
        assert "-selected" in cards.card_classes(0)

        def title_bold(index: int) -> bool:
            x, width = column_spans(cards.region.width, cards.columns)[index]
            top = whole(cards)[0].crop(x, x + width)
            name = cards.card_title(index).split(" · ")[0]
            styles = [seg.style for seg in top if name in seg.text]
            return bool(styles and styles[0] and styles[0].bold)

        assert title_bold(0) and not title_bold(1)
        await pilot.press("down")
        await pilot.pause()
        assert "-selected" in cards.card_classes(1) and "-selected" not in cards.card_classes(0)
        assert title_bold(1) and not title_bold(0)


async def test_cards_wrap_into_even_rows_when_the_columns_run_out() -> None:
    """120x48: room for three columns of 40, but four cards make two rows of two (60 wide),
    not three and a lone fourth beside two empty slots."""
    store, _ = scripted_store()
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=(120, 48)) as pilot:
        await pilot.pause()
        assert not app.compact
        cards = cards_of(app)
        assert cards.columns == 2
        lines = [strip.text for strip in whole(cards)]
        height = len(cards.card_text(0).splitlines()) + 2
        assert len(lines) == 2 * height
        assert lines[0].startswith("╭─ btc-core") and "eth-half" in lines[0]
        assert lines[height].startswith("╭─ btc-desk") and "btc-lev" in lines[height]
        x = column_spans(120, 2)[1][0]
        assert lines[height][x:].startswith("╭─ btc-lev")  # the second row is full too
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert cards.columns == 4
        # one row of cards, taller: the layout budget grows the charts on a taller screen
        taller = len(cards.card_text(0).splitlines()) + 2
        assert taller > height and len(whole(cards)) == taller
        assert "btc-lev" in whole(cards)[0].text


def store_of(count: int) -> Store:
    """The demo portfolio's hedges repeated (under new names) or cut to ``count``."""
    settings = demo_settings(60_000.0, 3_000.0, {})
    hedges = list(settings.hedges)
    more = [dataclasses.replace(h, name=f"{h.name}-{i}") for i in range(3) for h in hedges]
    settings = dataclasses.replace(settings, hedges=tuple((hedges + more)[:count]))
    store = Store(settings, clock=ManualClock())
    for (venue, symbol), mark in MARKS.items():
        store.apply(MarkPrice(venue, symbol, mark, None))
    return store


async def test_seven_hedges_share_two_rows_of_cards_evenly() -> None:
    """200 columns hold five cards of 40 a row; seven cards need two rows, shared 4 + 3."""
    app = HedgeApp(store_of(7), mount_alerts=False)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        cards = cards_of(app)
        assert not app.compact and cards.columns == 4
        lines = [strip.text for strip in whole(cards)]
        height = len(cards.card_text(0).splitlines()) + 2
        assert len(lines) == 2 * height
        assert [lines[0].count("╭─"), lines[height].count("╭─")] == [4, 3]
        assert "btc-lev" in lines[0]  # the fourth card ends the first row
        assert lines[height].startswith("╭─ btc-core-0")  # the fifth opens the second
        assert "btc-desk-0" in lines[height]


async def test_no_hedges_no_card_line() -> None:
    app = HedgeApp(store_of(0), mount_alerts=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert cards_of(app).region.height == 0


@pytest.mark.textual_fast
async def test_widgets_that_are_gone_leave_no_styles_cache_behind() -> None:
    """Toasts, dialogs and screens come and go for weeks: none may be kept by Textual's
    get_inner_outer lru_cache once removed (it kept each one with the lines it drew)."""

    class Shelf(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("kept", id="kept")

    app = Shelf()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        before = styles_caches_alive()
        for n in range(20):
            widget = Static(f"toast {n}", classes="gone")
            widget.styles.background = f"rgb({n * 10},40,60)"
            await app.mount(widget)
            await pilot.pause()  # drawn at least once
            await widget.remove()
        await pilot.pause()
        assert styles_caches_alive() - before < 3  # Textual's own: all 20 kept


@pytest.mark.textual_fast
def test_the_styles_cache_colours_are_textuals_own() -> None:
    from textual._styles_cache import StylesCache

    cache = StylesCache()
    for base, over in [
        (Color(10, 20, 30), Color(200, 100, 50, 0.5)),
        (Color(0, 0, 0), Color(255, 255, 255, 0.0)),
        (Color(240, 240, 240), Color(0, 128, 0, 1.0)),
    ]:
        original = textual_fast.TEXTUAL_INNER_OUTER.__wrapped__(cache, base, over)
        assert cache.get_inner_outer(base, over) == original
