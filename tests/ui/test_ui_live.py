"""End to end: the simulator on loopback -> real feeds -> store -> dashboard shows live numbers."""

from __future__ import annotations

import asyncio

from hedgetui.demo import demo_environment
from hedgetui.domain import VENUES, FeedState
from hedgetui.runtime import Runtime
from hedgetui.ui import format as fmt
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.card_grid import HedgeCards
from hedgetui.ui.widgets import Panel


async def test_demo_on_the_simulator_shows_live_numbers() -> None:
    async with demo_environment("calm", speed=1.0) as (sim, settings):
        runtime = Runtime(settings, extra_venues=VENUES)
        app = HedgeApp(runtime.store)
        async with runtime, app.run_test(size=(160, 48)) as pilot:
            for _ in range(300):  # bounded wait (15 s): every hedge has a mark and a report
                view = runtime.store.snapshot()
                if all(h.report is not None for h in view.hedges):
                    break
                await asyncio.sleep(0.05)
            first_version = view.version
            app.refresh_view()
            shown = app.last_view
            assert shown is not None
            for i, hedge in enumerate(shown.hedges):
                assert hedge.report is not None, hedge.name
                assert hedge.mark is not None
                assert not hedge.stale
                text = app.query_one("#cards", HedgeCards).card_text(i)
                assert fmt.price(hedge.mark) in text
                assert fmt.usd(hedge.report.net_exposure_usd, signed=True) in text
                mark, _, _ = sim.price(hedge.coin)
                assert abs(hedge.mark - mark) / mark < 0.01  # what the venue sent, not a stub
            status = app.query_one("#status", Panel).shown_text
            assert all(venue in status for venue in VENUES)
            assert all(f.state is FeedState.LIVE for f in shown.feeds)
            for _ in range(300):  # and it keeps moving
                if runtime.store.version > first_version + 10:
                    break
                await asyncio.sleep(0.05)
            assert runtime.store.version > first_version + 10
            await pilot.pause()
