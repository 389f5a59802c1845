"""The unwind dialog at 80x23 over the live dashboard: it fits, it says SIMULATOR when its
orders go to the simulator, and the dashboard behind it keeps painting the same data as its
preview (it used to freeze while the dialog was open)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual.containers import Vertical
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from hedgetui.clock import ManualClock
from hedgetui.demo.trading import demo_trading
from hedgetui.domain import MarkPrice
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.unwind_screen import SIMULATOR_MODE, UnwindScreen
from hedgetui.ui.widgets import HedgeCard, HedgeTable

SIZE = (80, 23)  # 80x24 less a tmux status bar
PARTS = (
    "#unwind-title",
    "#unwind-mode",
    "#p25",
    "#p50",
    "#p100",
    "#unwind-amount",
    "#unwind-preview",
    "#unwind-confirm",
    "#unwind-status",
)


def preview(dialog: UnwindScreen) -> str:
    return str(dialog.query_one("#unwind-preview", Static).render())


def assert_fits(
    dialog: Screen[object], prefix: str = "unwind", parts: Sequence[str] = PARTS
) -> None:
    """Every part of the dialog on screen, inside the box, and the box's content not cut."""
    screen = Region(0, 0, *SIZE)
    box = dialog.query_one(f"#{prefix}-box", Vertical)
    assert screen.contains_region(box.region), box.region
    assert box.virtual_size.height <= box.content_region.height, "the dialog is clipped"
    for selector in parts:
        part = dialog.query_one(selector, Widget)
        if not part.display:
            continue
        assert part.region.height > 0 and box.content_region.contains_region(part.region), (
            selector,
            part.region,
            box.content_region,
        )


async def test_the_dialog_fits_80x23_and_the_dashboard_behind_it_stays_live(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    async with demo_trading("btc-lev", audit_log=tmp_path / "a.jsonl", clock=clock) as demo:
        await demo.poller.poll_once()
        store = demo.store
        app = HedgeApp(
            store,
            mount_alerts=False,
            unwind_factory=lambda name: UnwindScreen(demo.service, name),
        )
        async with app.run_test(size=SIZE) as pilot:
            app.selected = store.hedge_names().index("btc-lev")
            app.refresh_view()
            await pilot.press("u")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, UnwindScreen)
            assert str(dialog.query_one("#unwind-mode", Static).render()) == SIMULATOR_MODE
            assert_fits(dialog)
            await pilot.press("2")
            await pilot.pause()
            confirm = dialog.query_one("#unwind-confirm", Input)
            assert confirm.display and confirm.has_focus
            assert "to SEND to the simulator" in str(confirm.placeholder)
            assert_fits(dialog)

            hedge = store.settings.hedge("btc-lev")
            clock.advance(1)
            store.apply(MarkPrice(hedge.venue, hedge.symbol, 48_158.8, int(clock.time() * 1000)))
            app.refresh_view()
            await pilot.pause()
            assert app.screen is dialog
            assert "48,158.8" in app.query_one(HedgeTable).shown_text  # the table behind
            assert "Mark   48,158.8" in app.query_one("#detail", HedgeCard).shown_text
            assert "mark 48,158.80" in preview(dialog)  # the preview: the same mark
            plan = dialog.plan
            assert plan is not None and plan.mark == 48_158.8

            await pilot.press(*hedge.symbol, "enter")
            for _ in range(200):  # the order's worker (the painter's never completes)
                if dialog.result is not None:
                    break
                await pilot.pause(0.02)
            await pilot.pause()
            status = str(dialog.query_one("#unwind-status", Static).render())
            assert status.startswith("Done: sell"), status
            assert_fits(dialog)  # the result and "[Esc] close" fit too
            assert dialog.result is not None
            # the order sent is the one previewed: same client id, planned (audited) once
            assert dialog.result.plan.order.client_order_id == plan.order.client_order_id
    events = [e["event"] for e in demo.service.audit.read()]
    assert events[:3] == ["plan", "confirm", "send"], events


async def test_the_help_fits_80x23() -> None:
    """The other dialog: its last line (the command palette's) was cut at 80x23."""
    from tests.ui.test_ui_dashboard import scripted_store

    store, _ = scripted_store()
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        box = app.screen.query_one("#help-box", Vertical)
        assert Region(0, 0, *SIZE).contains_region(box.region), box.region
        assert box.virtual_size.height <= box.content_region.height, "the help is clipped"
        note = app.screen.query_one("#help-note", Static)
        assert box.content_region.contains_region(note.region), note.region


async def test_a_resize_under_the_dialog_lays_out_the_dashboard_not_the_dialog() -> None:

    from hedgetui.ui.screens import HelpScreen
    from tests.ui.test_ui_dashboard import scripted_store

    store, _ = scripted_store()
    app = HedgeApp(store, unwind_factory=lambda name: HelpScreen([("escape", "close")]))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        dashboard = app.screen
        assert dashboard.has_class("-wide")
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.resize_terminal(80, 23)
        await pilot.pause()
        dialog: Screen[object] = app.screen
        assert dashboard.has_class("-compact") and not dashboard.has_class("-wide")
        assert not dialog.has_class("-compact") and not dialog.has_class("-wide")
        under_dialog = app.plan
        await pilot.press("escape")
        await pilot.pause()
        app._apply_layout(80, 23)  # on the dashboard itself: the same plan (its alerts panel)
        assert app.plan == under_dialog
