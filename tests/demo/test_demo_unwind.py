"""The demo's full loop: dashboard -> `u` -> 50% -> typed symbol -> a signed reduce-only order
to the simulator -> the position streams back in, smaller. No keys, loopback only.

Everything here is what `hedgetui demo` runs: `demo_exchange` (the simulator with its REST side
and private streams, books seeded with the demo portfolio), a `Runtime` reading each hedge's
position from its demo account, and `unwind_factory_for(runtime)` behind the dashboard's `u`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from hedgetui.demo import demo_exchange
from hedgetui.demo.portfolio import DEMO_HEDGES
from hedgetui.domain import VENUES, FeedState, Freshness, HedgeView
from hedgetui.runtime import Runtime
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.unwind_screen import SIMULATOR_MODE, UnwindScreen, unwind_factory_for

LIMIT_S = 10.0  # every wait below is bounded; on a loaded machine the loop takes ~1 s


async def until(check: Callable[[], bool], what: str, pilot: Pilot[None] | None = None) -> None:
    """Poll ``check`` every 20 ms (letting the app run); fail naming ``what`` after LIMIT_S."""
    for _ in range(int(LIMIT_S / 0.02)):
        if check():
            return
        if pilot is not None:
            await pilot.pause(0.02)
        else:
            await asyncio.sleep(0.02)
    raise AssertionError(f"not within {LIMIT_S}s: {what}")


def hedge_view(rt: Runtime, name: str) -> HedgeView:
    return next(h for h in rt.store.snapshot().hedges if h.name == name)


def ready(rt: Runtime) -> bool:
    """Every demo hedge has a fresh mark and a fresh position from its account."""
    hedges = rt.store.snapshot().hedges
    return all(
        h.contracts is not None
        and h.position_freshness is Freshness.FRESH
        and h.mark_freshness is Freshness.FRESH
        for h in hedges
    )


async def test_unwind_half_of_btc_core_from_the_demo_dashboard(tmp_path: Path) -> None:
    audit_path = tmp_path / "audit.jsonl"
    async with demo_exchange("calm", audit_log=str(audit_path), push_interval_s=0.02) as ex:
        assert {h.account for h in ex.settings.hedges} == {
            "demo-bitmex",
            "demo-okx",
            "demo-deribit",
            "demo-bybit",
        }
        assert all(h.position is None for h in ex.settings.hedges)  # nothing typed in
        async with ex.runtime(extra_venues=VENUES) as rt:
            await until(lambda: ready(rt), "every demo position streamed in")
            assert not rt.problems
            assert all(a.state is FeedState.LIVE for a in rt.store.account_views())
            before = hedge_view(rt, "btc-core")
            assert before.side == "short" and before.contracts is not None
            books_before = ex.books.position("bitmex", "XBTUSD")
            assert books_before == -before.contracts

            app = HedgeApp(rt.store, unwind_factory=unwind_factory_for(rt), mount_alerts=False)
            async with app.run_test(size=(100, 40)) as pilot:
                await pilot.pause()
                names = rt.store.hedge_names()
                assert names == DEMO_HEDGES
                assert names[app.selected % len(names)] == "btc-core"  # selected on open
                await pilot.press("u")
                await until(lambda: isinstance(app.screen, UnwindScreen), "the dialog", pilot)
                dialog = app.screen
                assert isinstance(dialog, UnwindScreen)
                mode = str(dialog.query_one("#unwind-mode", Static).render())
                # an order that is sent (not a dry run), and where it goes: the simulator,
                # never "LIVE", which is for real venues only (issue 19)
                assert mode == SIMULATOR_MODE, mode
                await pilot.press("2")  # 50%
                await until(lambda: dialog.plan is not None, "the 50% plan", pilot)
                plan = dialog.plan
                assert plan is not None
                order = plan.order
                assert (order.side, order.reduce_only, order.symbol) == ("buy", True, "XBTUSD")
                assert 0 < order.contracts < before.contracts
                assert abs(order.contracts - before.contracts / 2) <= 100  # half, whole lots
                confirm = dialog.query_one("#unwind-confirm", Input)
                assert confirm.has_focus
                await pilot.press(*"XBTUSD", "enter")
                await until(lambda: dialog.result is not None, "the order's result", pilot)
                result = dialog.result
                assert result is not None and result.status == "filled", result
                expected = before.contracts - order.contracts
                await until(
                    lambda: hedge_view(rt, "btc-core").contracts == expected,
                    "the smaller position on the card",
                    pilot,
                )
                await pilot.press("escape")
                await until(lambda: not isinstance(app.screen, UnwindScreen), "closed", pilot)

            # the simulator got exactly one order: a reduce-only buy of that size, filled
            [sent] = ex.books.orders("bitmex")
            assert sent["side"] == "buy" and sent["reduce_only"] is True
            assert sent["qty"] == order.contracts and sent["status"] == "filled"
            assert sent["client_id"] == order.client_order_id
            assert ex.books.position("bitmex", "XBTUSD") == books_before + order.contracts
            for venue in ("okx", "deribit", "bybit"):
                assert ex.books.orders(venue) == []
            after = hedge_view(rt, "btc-core")
            assert after.side == "short" and after.position_freshness is Freshness.FRESH
            assert after.report is not None and after.report.hedge_ratio is not None
            assert 0.45 < after.report.hedge_ratio < 0.55  # half the hedge is gone

    # the audit log: the plan, the typed confirmation, the order sent and its fill
    entries = [json.loads(line) for line in audit_path.read_text().splitlines()]
    events = [e["event"] for e in entries]
    assert events[:3] == ["plan", "confirm", "send"], events
    assert all(e.get("hedge", "btc-core") == "btc-core" for e in entries)
    assert entries[0]["dry_run"] is False
    assert entries[0]["order"]["contracts"] == order.contracts
    assert entries[1]["typed_matches"] is True
    assert entries[2]["order"]["reduce_only"] is True
    assert "reply" in events
    from hedgetui.sim.rest import DEMO_API_SECRET

    assert DEMO_API_SECRET not in audit_path.read_text()


async def test_without_the_demo_keys_the_dialog_is_a_dry_run_that_says_why(
    tmp_path: Path,
) -> None:
    audit_path = tmp_path / "audit.jsonl"
    async with demo_exchange("calm", audit_log=str(audit_path)) as ex:
        async with Runtime(ex.settings, env={}) as rt:  # no keys in this environment
            assert len(rt.problems) == 4 and not rt.account_clients
            app = HedgeApp(rt.store, unwind_factory=unwind_factory_for(rt), mount_alerts=False)
            async with app.run_test(size=(100, 40)) as pilot:
                await pilot.press("u")
                await until(lambda: isinstance(app.screen, UnwindScreen), "the dialog", pilot)
                dialog = app.screen
                assert isinstance(dialog, UnwindScreen)
                mode = str(dialog.query_one("#unwind-mode", Static).render())
                assert mode.startswith("DRY RUN: account 'demo-bitmex': no API credentials"), mode
                assert "HEDGETUI_DEMO_API_KEY" in mode  # names where it looked, never a value
                refusal = str(dialog.query_one("#unwind-refusal", Static).render())
                assert "position is unknown" in refusal
        assert ex.books.orders("bitmex") == []
