"""The demo's dashboard store shows real carry figures: the runtime's funding history service,
fetching from the demo exchange (the simulator) over loopback, feeds the store."""

from __future__ import annotations

import dataclasses

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import EventKind
from hedgetui.demo import demo_exchange
from hedgetui.history.funding.clients import CLIENTS
from tests.history.test_funding_service import until


async def test_the_demo_store_has_carry_figures_for_the_hedges_with_a_history() -> None:
    async with (
        demo_exchange("calm", push_interval_s=0.02) as ex,
        ex.runtime(funding_history=True) as rt,
    ):
        fetched = {h.name for h in ex.settings.hedges if h.venue in CLIENTS}
        assert fetched

        def figures() -> bool:
            view = rt.store.snapshot()
            return all(
                h.carry is not None and (w := h.carry.window("30d")) is not None and w.events >= 89
                for h in view.hedges
                if h.name in fetched
            )

        await until(figures, "30 days of carry figures on every hedge with a history")
        for hedge in rt.store.snapshot().hedges:
            if hedge.name not in fetched:
                continue
            carry = hedge.carry
            assert carry is not None and carry.since is not None
            assert not carry.since_configured  # the demo sets no carry_since
            assert carry.projection(30, "current") is not None
            assert carry.projection(30, "30d avg") is not None
            # the demo account's position opened with the demo: no payment booked in the
            # windows yet, so the figures are the rates' estimate
            week = carry.window("7d")
            assert week is not None and week.source == "estimate" and week.complete


async def test_the_funding_trap_fires_from_the_runtime_s_history() -> None:
    """The runtime's history reaches the alert engine (what ``watch`` and the dashboard run):
    the demo's 3x long pays about 10%/yr over the week, over a 5%/yr trap."""
    async with (
        demo_exchange("calm", push_interval_s=0.02) as ex,
        ex.runtime(funding_history=True) as rt,
    ):
        trap = dataclasses.replace(ex.settings.alerts, funding_trap_apr_pct=5.0, pending_s=0.0)
        engine = AlertEngine(trap)

        def week_known() -> bool:
            lev = next(h for h in rt.store.snapshot().hedges if h.name == "btc-lev")
            return lev.carry is not None and lev.carry.window("7d") is not None

        await until(week_known, "btc-lev's week of funding")
        events = engine.evaluate(rt.store.snapshot())
        traps = [e for e in events if e.rule == "funding_trap"]
        assert [(e.hedge, e.kind) for e in traps] == [("btc-lev", EventKind.FIRED)]
        assert traps[0].value is not None and 5.0 < traps[0].value < 15.0
