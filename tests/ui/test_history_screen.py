"""The history screen (``h``): funding rate, cumulative carry and basis charts, the carry figures
and the history's status, for the selected hedge; Escape goes back. Snapshots at 80x24 and
160x48 (dark and 16 colours), and ASCII only in ASCII mode. Regenerate with
``pytest tests/ui/test_history_screen.py --snapshot-update`` and look at the pictures."""

from __future__ import annotations

import csv
from datetime import datetime
from importlib import resources
from typing import Any

import pytest
from textual.pilot import Pilot

from hedgetui import glyphs
from hedgetui.clock import ManualClock
from hedgetui.demo.portfolio import demo_settings
from hedgetui.domain import FeedState, FeedStatus, Funding, IndexPrice, MarkPrice
from hedgetui.history.carry import HOUR_MS
from hedgetui.history.model import FundingRecord, FundingSeries
from hedgetui.store import Store
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.history_screen import HistoryScreen
from tests.ui.test_crash_layout import SixteenColourApp
from tests.ui.test_ui_ascii import non_ascii
from tests.ui.test_ui_dashboard import screen_text

START = 1_765_000_000.0  # 2025-12-06 05:46:40 UTC
MARKS = {
    ("bitmex", "XBTUSD"): 60_000.0,
    ("okx", "ETH-USD-SWAP"): 3_000.0,
    ("deribit", "BTC-PERPETUAL"): 60_000.0,
    ("bybit", "BTCUSD"): 60_000.0,
}
INDEX_OF = {"okx": "ETH-USD"}


def shipped_rates(end_ms: int, days: int = 45) -> list[FundingRecord]:
    """BitMEX XBTUSD's real 2020 rates from the shipped file (from March: Black Thursday),
    moved in time to end at ``end_ms``."""
    text = (
        resources.files("hedgetui.sim") / "data" / "funding_bitmex_xbtusd_8h_2020-01_2020-06.csv"
    ).read_text()
    rows = list(csv.DictReader(text.splitlines()))[180 : 180 + days * 3]
    last = int(datetime.fromisoformat(rows[-1]["time_utc"].replace("Z", "+00:00")).timestamp())
    shift = end_ms - last * 1000
    return [
        FundingRecord(
            int(datetime.fromisoformat(r["time_utc"].replace("Z", "+00:00")).timestamp()) * 1000
            + shift,
            float(r["funding_rate"]),
            8,
        )
        for r in rows
    ]


def history_store(*, gap: bool = True) -> Store:
    """The demo portfolio, 5 minutes of prices with a moving basis, and 45 days of real funding
    history for every hedge (with a day missing on btc-core's venue when ``gap``)."""
    clock = ManualClock(START)
    store = Store(demo_settings(60_000.0, 3_000.0, {}), clock=clock)
    for second in range(300):
        ms = int(clock.time() * 1000)
        for (venue, symbol), mark in MARKS.items():
            index_symbol = INDEX_OF.get(venue, symbol)
            wobble = 1 + 0.0008 * ((second * 7) % 13 - 6) / 6
            store.apply(IndexPrice(venue, index_symbol, mark, ms))
            store.apply(MarkPrice(venue, symbol, mark * wobble, ms))
        clock.advance(1)
    ms = int(clock.time() * 1000)
    for venue, symbol in MARKS:
        store.apply(FeedStatus(venue, FeedState.LIVE))
        store.apply(Funding(venue, symbol, -0.0003, None, ms + 2 * HOUR_MS, ms))
    end = ms - ms % (8 * HOUR_MS)
    for venue, symbol in MARKS:
        records = shipped_rates(end)
        status = None
        if gap and venue == "bitmex":
            records = [
                r
                for r in records
                if not end - 6 * 24 * HOUR_MS < r.time_ms <= end - 5 * 24 * HOUR_MS
            ]
            status = "3 funding record(s) missing between 11-30 16:00 and 12-01 16:00"
        store.set_funding_history(venue, symbol, FundingSeries(records), status=status)
    return store


SIZES = {"80x24": (80, 24), "160x48": (160, 48)}


@pytest.mark.parametrize("colours", ["dark", "16"])
@pytest.mark.parametrize("size", list(SIZES))
def test_history_screen_snapshot(snap_compare: Any, size: str, colours: str) -> None:
    app_class = SixteenColourApp if colours == "16" else HedgeApp
    app = app_class(history_store(), theme="dark", mount_alerts=False)

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        width, height = pilot.app.size
        lines = screen_text(pilot.app).splitlines()
        assert len(lines) == height and all(len(line) <= width for line in lines)
        text = "\n".join(lines)
        for words in ("History", "fund/8h", "carry $", "basis", "24h", "7d", "30d", "next 30d"):
            assert words in text, words
        assert "(3 missing)" in text  # the gap is said, on the window it is in
        assert "portfolio" in text and "7d" in text
        assert lines[-1].strip() != ""  # the charts take the rows there are

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


async def test_h_opens_the_history_of_the_selected_hedge_and_escape_closes_it() -> None:
    store = history_store(gap=False)
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down")
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        name = store.hedge_names()[1]
        assert app.screen.hedge_name == name
        assert f"History {name}" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)
        assert "History" not in screen_text(app)


async def test_the_history_screen_in_ascii_mode_draws_ascii_only() -> None:
    app = HedgeApp(history_store(), mount_alerts=False, ascii=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("h")
            await pilot.pause()
            screen = screen_text(app)
            assert "History" in screen and not non_ascii(screen), non_ascii(screen)
    finally:
        glyphs.use_ascii(False)


async def test_without_history_it_says_so() -> None:
    clock = ManualClock(START)
    store = Store(demo_settings(60_000.0, 3_000.0, {}), clock=clock)
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        text = screen_text(app)
        assert "no funding history yet" in text and "no records" in text
