"""Pilot tests of the unwind dialog: refusal when stale, dry run, typed confirmation, result."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Input, Label, Static

from hedgetui.clock import ManualClock
from hedgetui.config import HedgeSettings, ManualPosition, Settings
from hedgetui.demo.trading import demo_trading
from hedgetui.domain import MarkPrice
from hedgetui.runtime.unwind import service_for_store
from hedgetui.sim.rest import SimAccounts
from hedgetui.store import Store
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.broker import UnwindResult
from hedgetui.ui.unwind_screen import SIMULATOR_MODE, UnwindScreen, parse_amount


class Host(App[None]):
    def __init__(self, screen: UnwindScreen) -> None:
        super().__init__()
        self.dialog = screen
        self.results: list[UnwindResult | None] = []

    def compose(self) -> ComposeResult:
        yield Label("dashboard")

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.results.append)


def text_of(screen: UnwindScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def manual_store(clock: ManualClock) -> tuple[Settings, Store]:
    hedge = HedgeSettings(
        name="core",
        coin="BTC",
        venue="bitmex",
        symbol="XBTUSD",
        position=ManualPosition(side="short", contracts=300_000, entry=60_000, collateral=5.0),
    )
    settings = Settings(hedges=(hedge,))
    store = Store(settings, clock=clock)
    store.apply(MarkPrice("bitmex", "XBTUSD", 60_000.0, int(clock.time() * 1000)))
    return settings, store


def test_parse_amount() -> None:
    assert parse_amount("50%").fraction == 0.5
    assert parse_amount("0.3").fraction == 0.3
    assert parse_amount("1,200c").contracts == 1200
    assert parse_amount("1200").contracts == 1200


async def test_refuses_when_the_price_is_stale(tmp_path: Path) -> None:
    clock = ManualClock()
    settings, store = manual_store(clock)
    audit = AuditLog(tmp_path / "a.jsonl", clock=clock)
    service = service_for_store(settings, store, client=None, audit=audit, clock=clock)
    clock.advance(settings.freshness.stale_after_s + 1)
    app = Host(UnwindScreen(service, "core"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        refusal = text_of(app.dialog, "#unwind-refusal")
        assert "Refused" in refusal and "mark price is stale" in refusal
        await pilot.press("2")  # no plan while refused
        await pilot.pause()
        assert app.dialog.plan is None
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]
    assert audit.read() == []


async def test_dry_run_shows_the_exact_order_and_sends_nothing(tmp_path: Path) -> None:
    clock = ManualClock()
    settings, store = manual_store(clock)
    audit = AuditLog(tmp_path / "a.jsonl", clock=clock)
    service = service_for_store(settings, store, client=None, audit=audit, clock=clock)
    app = Host(UnwindScreen(service, "core"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "DRY RUN" in text_of(app.dialog, "#unwind-mode")
        await pilot.press("3")
        await pilot.pause()
        preview = text_of(app.dialog, "#unwind-preview")
        assert "BUY 300,000 XBTUSD market reduce-only" in preview
        await pilot.press(*"XBTUSD", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "dry run: would send buy 300000 XBTUSD" in text_of(app.dialog, "#unwind-status")
    events = [e["event"] for e in audit.read()]
    assert events == ["plan", "confirm", "dry_run"]


async def test_typed_confirmation_sends_and_shows_the_result(tmp_path: Path) -> None:
    clock = ManualClock()
    books = SimAccounts(clock)
    async with demo_trading(
        "btc-lev", accounts=books, audit_log=tmp_path / "a.jsonl", clock=clock
    ) as demo:
        await demo.poller.poll_once()
        start = books.position("bybit", "BTCUSD")
        assert start > 0  # the demo's leveraged long
        app = Host(UnwindScreen(demo.service, "btc-lev"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            # demo_trading's: the simulator, and not "LIVE" (issue 19: LIVE is for real venues)
            assert text_of(app.dialog, "#unwind-mode") == SIMULATOR_MODE
            await pilot.press("2")
            await pilot.pause()
            assert app.dialog.plan is not None
            assert "SELL" in text_of(app.dialog, "#unwind-preview")
            confirm = app.dialog.query_one("#unwind-confirm", Input)
            assert confirm.has_focus
            await pilot.press(*"BTCUS", "enter")  # wrong: nothing sent
            await pilot.pause()
            assert "does not match" in text_of(app.dialog, "#unwind-status")
            assert books.orders("bybit") == []
            confirm.value = ""
            await pilot.press(*"BTCUSD", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            status = text_of(app.dialog, "#unwind-status")
            assert status.startswith("Done: sell") and "filled" in status
            await pilot.press("escape")
            await pilot.pause()
        (result,) = app.results
        assert result is not None and result.status == "filled"
        asked = result.plan.order.contracts
        assert asked == start // 2
        assert books.position("bybit", "BTCUSD") == start - asked == result.position_after
        assert len(books.orders("bybit")) == 1


async def test_unknown_position_is_refused(tmp_path: Path) -> None:
    clock = ManualClock()
    settings, _ = manual_store(clock)
    hedge = dataclasses.replace(settings.hedges[0], position=None, account="acct")
    settings = dataclasses.replace(settings, hedges=(hedge,))
    store = Store(settings, clock=clock)
    store.apply(MarkPrice("bitmex", "XBTUSD", 60_000.0, int(clock.time() * 1000)))
    service = service_for_store(
        settings, store, client=None, audit=AuditLog(tmp_path / "a.jsonl"), clock=clock
    )
    app = Host(UnwindScreen(service, "core"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "position is unknown" in text_of(app.dialog, "#unwind-refusal")


def audited_store(tmp_path: Path) -> Store:
    """:func:`manual_store`'s hedge with its audit log in ``tmp_path``: a dashboard without a
    runtime, whose dialogs make their own (dry-run) services."""
    clock = ManualClock()
    settings, _ = manual_store(clock)
    trading = dataclasses.replace(settings.trading, audit_log=str(tmp_path / "a.jsonl"))
    store = Store(dataclasses.replace(settings, trading=trading), clock=clock)
    store.apply(MarkPrice("bitmex", "XBTUSD", 60_000.0, int(clock.time() * 1000)))
    return store


async def test_u_in_the_dashboard_opens_the_dialog_in_dry_run(tmp_path: Path) -> None:
    from hedgetui.ui.app import HedgeApp

    app = HedgeApp(audited_store(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, UnwindScreen)
        assert "DRY RUN" in text_of(dialog, "#unwind-mode")
        await pilot.press("1")
        await pilot.pause()
        assert "BUY 75,000 XBTUSD market reduce-only" in text_of(dialog, "#unwind-preview")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, UnwindScreen)


async def test_the_mode_line_says_whether_the_order_goes_to_the_simulator(tmp_path: Path) -> None:
    """The service learns it talks to the simulator from the wiring (``simulated``), not a
    demo flag: only then does the dialog say so; otherwise it warns of a real order."""
    clock = ManualClock()
    async with demo_trading("btc-lev", audit_log=tmp_path / "a.jsonl", clock=clock) as demo:
        await demo.poller.poll_once()
        assert demo.service.simulated
        for simulated, said, unsaid in (
            (True, "SIMULATOR", "a real reduce-only order"),
            (False, "LIVE: this sends a real reduce-only order", "SIMULATOR"),
        ):
            service = dataclasses.replace(demo.service, simulated=simulated)
            assert not service.dry_run  # the demo's settings enable trading either way
            app = Host(UnwindScreen(service, "btc-lev"))
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                mode = text_of(app.dialog, "#unwind-mode")
                assert said in mode and unsaid not in mode, mode
