"""Pilot tests of the adjust dialog (``r``) over the demo's simulator: an adjust that raises
eth-half from 0.5 to 0.9 lands and the card shows it; refusal on stale prices and on an
unknown position; it fits 80x23 and says SIMULATOR; the typed request's words."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from textual.events import Key
from textual.widgets import Input, Static

from hedgetui.clock import ManualClock
from hedgetui.demo.trading import DemoTrading, demo_trading
from hedgetui.store import Store
from hedgetui.trading.adjust_service import AdjustService
from hedgetui.trading.planner import PlanError
from hedgetui.ui.adjust_screen import AdjustScreen, parse_adjust
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.order_dialog import SIMULATOR_MODE
from hedgetui.ui.widgets import HedgeCard
from tests.ui.test_unwind_live import SIZE, assert_fits

PARTS = (
    "#adjust-title",
    "#adjust-mode",
    "#adjust-band",
    "#adjust-amount",
    "#adjust-preview",
    "#adjust-confirm",
    "#adjust-status",
)


def text_of(dialog: AdjustScreen, part: str) -> str:
    return str(dialog.query_one(f"#adjust-{part}", Static).render())


def test_parse_adjust() -> None:
    assert parse_adjust("0.9").to == 0.9
    assert parse_adjust("90%").to == 0.9
    assert parse_adjust("-5,000").by == -5000
    assert parse_adjust("+5000c").by == 5000
    assert parse_adjust("band").band and parse_adjust(" B ").band
    for bad, said in (
        ("", "type 0.9"),
        ("5000c", "needs its sign"),
        ("5000", "from 0 to 10"),
        ("lots", "not a ratio nor a change"),
    ):
        with pytest.raises(PlanError, match=said):
            parse_adjust(bad)


def dashboard(demo: DemoTrading, store: Store | None = None) -> HedgeApp:
    service = AdjustService(demo.service)
    return HedgeApp(
        store or demo.store,
        mount_alerts=False,
        adjust_factory=lambda name: AdjustScreen(service, name),
    )


async def open_dialog(app: HedgeApp, pilot: Any, hedge: str) -> AdjustScreen:
    app.selected = app.store.hedge_names().index(hedge)
    app.refresh_view()
    await pilot.press("r")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, AdjustScreen)
    return dialog


async def until_result(dialog: AdjustScreen, pilot: Any) -> None:
    """The order's worker done (the dashboard's painter never completes: no wait_for_complete)."""
    for _ in range(200):
        if dialog.result is not None:
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def test_raising_eth_half_to_0_9_lands_and_the_card_shows_it(tmp_path: Path) -> None:
    clock = ManualClock()
    async with demo_trading("eth-half", audit_log=tmp_path / "a.jsonl", clock=clock) as demo:
        await demo.poller.poll_once()
        store = demo.store
        hedge = store.settings.hedge("eth-half")
        start = demo.accounts.position(hedge.venue, hedge.symbol)  # type: ignore[attr-defined]
        app = dashboard(demo)
        async with app.run_test(size=SIZE) as pilot:
            dialog = await open_dialog(app, pilot, "eth-half")
            assert text_of(dialog, "mode") == SIMULATOR_MODE
            assert_fits(dialog, "adjust", PARTS)
            dialog.query_one("#adjust-amount", Input).focus()
            await pilot.press(*"0.9", "enter")
            await pilot.pause()
            plan = dialog.plan
            assert plan is not None and plan.adjust is not None
            preview = text_of(dialog, "preview")
            assert "ratio     0.500 -> 0.900" in preview, preview
            assert "SELL" in preview and "increases the position" in preview
            assert not plan.order.reduce_only and plan.order.side == "sell"
            confirm = dialog.query_one("#adjust-confirm", Input)
            assert confirm.display and confirm.has_focus
            assert "to SEND to the simulator" in str(confirm.placeholder)
            assert_fits(dialog, "adjust", PARTS)

            await pilot.press(*hedge.symbol, "enter")
            await until_result(dialog, pilot)
            status = text_of(dialog, "status")
            assert status.startswith("Done: sell"), status
            assert_fits(dialog, "adjust", PARTS)
            result = dialog.result
            assert result is not None and result.status == "filled"
            books = demo.accounts.position(hedge.venue, hedge.symbol)  # type: ignore[attr-defined]
            assert books == start + plan.position_after - plan.position_before
            assert books == plan.position_after == result.position_after

            await demo.poller.poll_once()  # the account stream's next reading
            app.refresh_view()
            await pilot.pause()
            ratio_after = f"Hedge  {plan.adjust.ratio_after:.3f}"
            assert ratio_after.startswith("Hedge  0.9")
            assert ratio_after in app.query_one("#detail", HedgeCard).shown_text
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, AdjustScreen)
    events = [e["event"] for e in demo.service.audit.read()]
    assert events[:3] == ["plan", "confirm", "send"], events


async def test_refuses_on_a_stale_price(tmp_path: Path) -> None:
    clock = ManualClock()
    async with demo_trading("eth-half", audit_log=tmp_path / "a.jsonl", clock=clock) as demo:
        await demo.poller.poll_once()
        app = dashboard(demo)
        async with app.run_test(size=SIZE) as pilot:
            clock.advance(demo.settings.freshness.stale_after_s + 1)
            dialog = await open_dialog(app, pilot, "eth-half")
            refusal = text_of(dialog, "refusal")
            assert "Refused" in refusal and "mark price is stale" in refusal, refusal
            await pilot.press("b")  # no plan while refused
            await pilot.pause()
            assert dialog.plan is None
            assert not dialog.query_one("#adjust-confirm", Input).display
            assert_fits(dialog, "adjust", PARTS)
    assert demo.accounts.orders("okx") == []  # type: ignore[attr-defined]


async def test_refuses_an_unknown_position(tmp_path: Path) -> None:
    clock = ManualClock()
    async with demo_trading("eth-half", audit_log=tmp_path / "a.jsonl", clock=clock) as demo:
        # no account reading yet: the position is unknown
        app = dashboard(demo)
        async with app.run_test(size=SIZE) as pilot:
            dialog = await open_dialog(app, pilot, "eth-half")
            assert "position is unknown" in text_of(dialog, "refusal")


async def test_band_in_band_says_so_and_a_dry_run_sends_nothing(tmp_path: Path) -> None:
    clock = ManualClock()
    async with demo_trading("eth-half", audit_log=tmp_path / "a.jsonl", clock=clock) as demo:
        await demo.poller.poll_once()
        service = dataclasses.replace(demo.service, client=None)  # a dry run
        app = HedgeApp(
            demo.store,
            mount_alerts=False,
            adjust_factory=lambda name: AdjustScreen(AdjustService(service), name),
        )
        async with app.run_test(size=SIZE) as pilot:
            dialog = await open_dialog(app, pilot, "eth-half")
            assert text_of(dialog, "mode").startswith("DRY RUN")
            await pilot.press("b")  # eth-half sits at its target: nothing to do
            await pilot.pause()
            assert "inside the band" in text_of(dialog, "refusal")
            dialog.query_one("#adjust-amount", Input).focus()
            await pilot.press(*"-40", "enter")
            await pilot.pause()
            assert dialog.plan is not None and dialog.plan.order.contracts == 40
            await pilot.press(*"ETH-USD-SWAP", "enter")
            await until_result(dialog, pilot)
            assert "dry run" in text_of(dialog, "status")
    assert demo.accounts.orders("okx") == []  # type: ignore[attr-defined]


async def test_r_on_a_bare_store_opens_the_dialog_in_dry_run(tmp_path: Path) -> None:
    """No runtime (no factory): the dialog makes its own service over the store, as ``u``."""
    from tests.ui.test_unwind_screen import audited_store

    app = HedgeApp(audited_store(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, pilot, "core")
        assert text_of(dialog, "mode").startswith("DRY RUN")
        await pilot.press("b")  # no target ratio in this config: no band
        await pilot.pause()
        assert "no target_hedge_ratio" in text_of(dialog, "refusal")
        dialog.query_one("#adjust-amount", Input).focus()
        await pilot.press(*"0.5", "enter")
        await pilot.pause()
        preview = text_of(dialog, "preview")
        assert "BUY 150,000 XBTUSD market reduce-only" in preview, preview
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AdjustScreen)


async def test_a_ratio_typed_as_the_dialog_opens_goes_into_the_amount(tmp_path: Path) -> None:
    """The Band button has the focus when the dialog opens (``b`` / Enter: back to band), but
    ``0.9`` typed at once is a ratio, not three keys lost on a button."""
    clock = ManualClock()
    async with demo_trading("eth-half", audit_log=tmp_path / "a.jsonl", clock=clock) as demo:
        await demo.poller.poll_once()
        service = dataclasses.replace(demo.service, client=None)  # a dry run
        app = HedgeApp(
            demo.store,
            mount_alerts=False,
            adjust_factory=lambda name: AdjustScreen(AdjustService(service), name),
        )
        async with app.run_test(size=SIZE) as pilot:
            dialog = await open_dialog(app, pilot, "eth-half")
            # a burst, as a terminal delivers fast typing or a paste: all before the focus moves
            for key, char in (("0", "0"), ("full_stop", "."), ("9", "9")):
                dialog.post_message(Key(key, char))
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert dialog.query_one("#adjust-amount", Input).value == "0.9"
            assert dialog.plan is not None and dialog.plan.adjust.ratio_after > 0.85
    assert demo.accounts.orders("okx") == []  # type: ignore[attr-defined]
