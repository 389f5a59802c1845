"""The dashboard's "Stress test: <hedge> on <crash>": from the command palette, for the
selected hedge, the same table as `hedgetui stress`, fitting 80x24, escape back."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette
from textual.widgets import Static

from hedgetui.history.crashes import CRASH_NAMES
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.stress_screen import StressScreen, stress_of
from tests.ui.test_ui_dashboard import scripted_store
from tests.ui.test_unwind_live import assert_fits

PARTS = ("#stress-title", "#stress-table", "#stress-keys")


async def _palette_stress(app: HedgeApp, pilot: Any, query: str) -> StressScreen:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    for _ in range(50):  # the palette searches in a worker
        await pilot.pause(0.05)
        if "Stress test" in str(app.screen.query_one("CommandList").get_option_at_index(0).prompt):
            break
    await pilot.press("enter")
    for _ in range(20):
        await pilot.pause()
        if isinstance(app.screen, StressScreen):
            break
    assert isinstance(app.screen, StressScreen)
    return app.screen


async def test_the_palette_stress_tests_the_selected_hedge_and_escape_goes_back() -> None:
    store, _ = scripted_store()
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.select_hedge(3)  # btc-lev, the 3x long: Black Thursday liquidates it
        await pilot.pause()
        screen = await _palette_stress(app, pilot, "stress btc-lev black")
        assert (screen.hedge, screen.crash_name) == ("btc-lev", "black-thursday")
        table = str(screen.query_one("#stress-table", Static).render())
        assert "liquidated: YES" in table
        assert_fits(screen, "stress", PARTS)
        # the same figures as the CLI's run of the same position from the same mark
        run = stress_of(store, "btc-lev", "black-thursday")
        assert not isinstance(run, str)
        lev = run.result.hedges[0]
        assert lev.scale == store.snapshot().hedges[3].mark / run.path.first_open
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StressScreen)


async def test_every_shipped_crash_fits_80x24_for_every_demo_hedge() -> None:
    store, _ = scripted_store()
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for i, hedge in enumerate(store.hedge_names()):
            app.select_hedge(i)
            for crash in CRASH_NAMES:
                app.open_stress(crash)
                await pilot.pause()
                screen = app.screen
                assert isinstance(screen, StressScreen) and screen.hedge == hedge
                assert_fits(screen, "stress", PARTS)
                await pilot.press("escape")
                await pilot.pause()


def test_the_stress_screen_snapshot_80x24(snap_compare: Any) -> None:
    store, _ = scripted_store(history_s=60)
    app = HedgeApp(store, mount_alerts=False)

    async def run_before(pilot: Any) -> None:
        app.select_hedge(2)  # btc-desk, the 6x short
        app.open_stress("black-thursday")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
