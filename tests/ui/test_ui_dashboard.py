"""Pilot tests of the dashboard: what is on screen equals the risk engine, stale looks stale."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Input

from hedgetui.clock import ManualClock
from hedgetui.demo.portfolio import demo_settings
from hedgetui.domain import FeedState, FeedStatus, Funding, IndexPrice, MarkPrice
from hedgetui.risk import assess
from hedgetui.store import Store
from hedgetui.ui import format as fmt
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.card_grid import HedgeCards
from hedgetui.ui.screens import HelpScreen
from hedgetui.ui.widgets import HedgeCard, HedgeTable, Panel, StatusBar

WIDE = (160, 48)
COMPACT = (80, 24)
MARKS = {
    ("bitmex", "XBTUSD"): 54_000.0,
    ("okx", "ETH-USD-SWAP"): 2_700.0,
    ("deribit", "BTC-PERPETUAL"): 54_020.0,
    ("bybit", "BTCUSD"): 53_990.0,
}


def scripted_store(history_s: int = 0) -> tuple[Store, ManualClock]:
    """The demo portfolio opened at $60,000 / $3,000, then the market 10% lower.

    ``history_s`` seconds of a deterministic wiggle come first, for the sparklines.
    """
    clock = ManualClock()
    store = Store(demo_settings(60_000.0, 3_000.0, {}), clock=clock)
    for second in range(history_s):
        wiggle = 1 + 0.002 * ((second * 7) % 11 - 5) - 0.1 * second / max(1, history_s)
        for (venue, symbol), mark in MARKS.items():
            store.apply(MarkPrice(venue, symbol, mark / 0.9 * wiggle, None))
            rate = 0.0001 * (1 + ((second * 3) % 5 - 2) / 4)
            store.apply(Funding(venue, symbol, rate, None, None, None))
        clock.advance(1)
    ms = int(clock.time() * 1000)
    for (venue, symbol), mark in MARKS.items():
        store.apply(FeedStatus(venue, FeedState.LIVE))
        store.apply(MarkPrice(venue, symbol, mark, ms))
        store.apply(Funding(venue, symbol, 0.0001, 0.00012, ms + 2 * 3_600_000, ms))
    store.apply(IndexPrice("bitmex", "XBTUSD", 53_980.0, ms))
    store.apply(IndexPrice("okx", "ETH-USD", 2_699.0, ms))
    return store, clock


def silence_bitmex(store: Store, clock: ManualClock) -> None:
    """Every venue but bitmex keeps ticking; bitmex goes silent past ``stale_after_s``."""
    clock.advance(store.settings.freshness.stale_after_s + 1)
    ms = int(clock.time() * 1000)
    for (venue, symbol), mark in MARKS.items():
        if venue != "bitmex":
            store.apply(MarkPrice(venue, symbol, mark, ms))


def screen_text(app: HedgeApp) -> str:
    """The text the compositor would send to the terminal now (every line of the screen)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def cards(app: HedgeApp) -> HedgeCards:
    return app.query_one("#cards", HedgeCards)


def card_text(app: HedgeApp, index: int) -> str:
    return cards(app).card_text(index)


async def test_cards_show_the_risk_engine_numbers() -> None:
    store, _ = scripted_store()
    app = HedgeApp(store)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert not app.compact
        for i, hedge in enumerate(store.settings.hedges):
            position = store.position(hedge.name)
            assert position is not None
            mark = MARKS[(hedge.venue, hedge.symbol)]
            report = assess(
                position, mark, spot=hedge.spot_total, funding_rate=0.0001, funding_hours=8.0
            )
            text = card_text(app, i)
            assert fmt.price(mark) in text
            assert fmt.usd(report.net_exposure_usd, signed=True) in text
            assert fmt.ratio(report.hedge_ratio) in text
            assert fmt.usd(report.margin_buffer_usd) in text
            assert fmt.usd(report.funding_usd, signed=True, decimals=2) in text
            if report.liquidation_price is not None:
                assert fmt.price(report.liquidation_price) in text
                assert (
                    fmt.liq_distance(report.liquidation_state, report.liquidation_distance_pct)
                    in text
                )
            assert "STALE" not in text
            assert "?" not in text
        assert "eth-half" in cards(app).card_title(1)
        assert "eth-half" in screen_text(app)  # the title is drawn on the card's border
        status = app.query_one("#status", StatusBar).shown_text
        for venue in ("bitmex", "okx", "deribit", "bybit"):
            assert venue in status


async def test_a_stalled_feed_turns_its_values_stale() -> None:
    store, clock = scripted_store()
    app = HedgeApp(store)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "-stale" not in cards(app).card_classes(0)
        silence_bitmex(store, clock)
        app.refresh_view()
        await pilot.pause()
        assert "-stale" in cards(app).card_classes(0)
        assert cards(app).card_title(0).startswith("STALE · ")
        top = next(ln for ln in screen_text(app).splitlines() if "STALE · btc-core" in ln)
        assert top.startswith("┏╍ STALE · btc-core")  # the stale card's border is dashed
        assert fmt.price(MARKS[("bitmex", "XBTUSD")]) + fmt.STALE_GLYPH in card_text(app, 0)
        assert "-stale" not in cards(app).card_classes(1)
        assert "STALE" in app.query_one("#totals", Panel).shown_text


async def test_typed_what_if_move() -> None:
    store, _ = scripted_store()
    app = HedgeApp(store)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("w")
        assert isinstance(app.focused, Input)
        await pilot.press("minus", "1", "5", "enter")
        await pilot.pause()
        row = store.what_if("btc-core", -15.0)
        assert row is not None
        table = app.query_one("#whatif-table", Panel).shown_text
        line = next(ln for ln in table.splitlines() if "-15.0%" in ln)
        assert line.lstrip().startswith("»")
        for value in (
            fmt.price(row.price),
            fmt.usd(row.spot_pnl_usd, signed=True),
            fmt.usd(row.futures_pnl_usd, signed=True),
            fmt.usd(row.net_pnl_usd, signed=True),
            fmt.usd(row.portfolio_usd),
        ):
            assert value in line
        await pilot.press("escape")
        assert app.focused is None


async def test_compact_layout_and_hedge_selection() -> None:
    store, _ = scripted_store()
    app = HedgeApp(store)
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.pause()
        assert app.compact
        table = app.query_one("#table", HedgeTable).shown_text
        assert table.splitlines()[1].startswith("▶ btc-core")
        detail = app.query_one("#detail", HedgeCard)
        assert "btc-core" in str(detail.border_title)
        await pilot.press("down")
        await pilot.pause()
        assert "eth-half" in str(detail.border_title)
        await pilot.press("tab", "tab")
        await pilot.pause()
        assert "btc-lev" in str(detail.border_title)
        await pilot.press("up")
        await pilot.pause()
        assert "btc-desk" in str(detail.border_title)
        assert "What if btc-desk" in app.query_one("#whatif-table", Panel).shown_text


async def test_help_theme_and_unwind_keys() -> None:
    store, _ = scripted_store()
    pushed: list[str] = []

    def unwind_factory(name: str) -> Screen[Any]:
        pushed.append(name)
        return HelpScreen([("escape", "close")])

    app = HedgeApp(store, unwind_factory=unwind_factory)
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "DashboardScreen"
        themes = [app.hedge_theme]
        await pilot.press("t")
        themes.append(app.hedge_theme)
        assert app.has_class("theme-light") and not app.has_class("theme-dark")
        await pilot.press("t")
        themes.append(app.hedge_theme)
        assert themes == ["dark", "light", "high-contrast"]
        assert app.theme == "hedgetui-high-contrast"
        await pilot.press("down", "u")
        await pilot.pause()
        assert pushed == ["eth-half"]


async def test_command_palette_switches_theme() -> None:
    store, _ = scripted_store()
    app = HedgeApp(store)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Theme: light")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.hedge_theme == "light"


async def test_what_if_follows_a_fast_market_at_once() -> None:
    """Rows are recomputed at most once a second, unless the mark moved away from their base."""
    store, _ = scripted_store()
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        table = app.query_one("#whatif-table", Panel)
        assert f"from {fmt.price(MARKS[('bitmex', 'XBTUSD')])}" in table.shown_text
        store.apply(MarkPrice("bitmex", "XBTUSD", 54_010.0, None))  # +0.02%: keeps the rows
        app.refresh_view()
        assert f"from {fmt.price(54_000.0)}" in table.shown_text
        store.apply(MarkPrice("bitmex", "XBTUSD", 48_000.0, None))  # -11%: recomputed now
        app.refresh_view()
        row = store.what_if("btc-core", -10.0)
        assert row is not None
        assert f"from {fmt.price(48_000.0)}" in table.shown_text
        assert fmt.price(row.price) in table.shown_text
