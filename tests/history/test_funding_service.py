"""The funding-history service: it wakes at each funding time on an injected clock, backs off
after a failure, and runs inside the runtime against the demo exchange."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

from hedgetui.clock import ManualClock
from hedgetui.config import FundingHistorySettings
from hedgetui.demo import demo_exchange
from hedgetui.history.funding.cache import FundingCache
from hedgetui.history.funding.clients import CLIENTS
from hedgetui.history.funding.service import FundingHistoryService, RatesSpec, SeriesKey
from tests.history.funding_helpers import HOUR_MS, sim_venue

LIMIT_S = 10.0


async def until(check: Callable[[], bool], what: str) -> None:
    for _ in range(int(LIMIT_S / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {LIMIT_S}s: {what}")


class StopAfter:
    """An injected sleep that moves the clock as asked, and blocks for good on call ``n``."""

    def __init__(self, clock: ManualClock, n: int) -> None:
        self.clock = clock
        self.n = n
        self.waits: list[float] = []
        self.parked = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if len(self.waits) >= self.n:
            self.parked.set()
            await asyncio.Event().wait()
        self.clock.advance(seconds)


async def test_the_service_wakes_at_each_funding_time_plus_the_delay(tmp_path: Path) -> None:
    async with sim_venue("bitmex") as sim:  # 01:30Z; BitMEX funds at 04:00, 12:00, 20:00
        sleep = StopAfter(sim.clock, 3)
        service = FundingHistoryService(
            {"bitmex": sim.client()},
            [RatesSpec("bitmex", "XBTUSD")],
            cache=FundingCache(tmp_path),
            clock=sim.clock,
            sleep=sleep,
            delay_s=30,
        )
        changed: list[SeriesKey] = []
        service.subscribe(changed.append)
        task = asyncio.create_task(service.run())
        try:
            await asyncio.wait_for(sleep.parked.wait(), LIMIT_S)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await service.aclose()
        # 01:30 -> 04:00:30, then 04:00:30 -> 12:00:30
        assert sleep.waits[:2] == [2.5 * 3600 + 30, 8 * 3600.0]
        records = service.series("bitmex", "XBTUSD").records
        assert records[-1].time_ms == int(sim.clock.time() * 1000) - 30_000  # 12:00 fetched
        assert records[-2].time_ms == records[-1].time_ms - 8 * HOUR_MS
        assert changed == [SeriesKey("rates", "bitmex", "XBTUSD")] * 3
        assert sim.requests == 3  # the start, 04:00:30, 12:00:30: one request each
        status = service.status(changed[0])
        assert status is not None and status.last_error is None and status.gaps == ()


async def test_a_failed_fetch_is_in_the_status_and_retried_with_backoff(tmp_path: Path) -> None:
    async with sim_venue("bybit") as sim:
        sim.accounts.funding.throttle("bybit", 100)
        client = sim.client()
        client.max_retries = 1
        service = FundingHistoryService(
            {"bybit": client},
            [RatesSpec("bybit", "BTCUSD")],
            cache=FundingCache(tmp_path),
            clock=sim.clock,
            sleep=sim.sleeps,
            retry_s=30,
        )
        key = SeriesKey("rates", "bybit", "BTCUSD")
        await service.refresh()
        status = service.status(key)
        assert status is not None
        assert status.last_error == "bybit: rate limited: gave up after 1 waits as the venue asked"
        assert status.next_fetch_ms == sim.now_ms() + 30_000
        await service.refresh()
        assert status.failures == 2 and status.next_fetch_ms == sim.now_ms() + 60_000
        sim.accounts.funding._throttled.clear()
        await service.refresh()
        await service.aclose()
        assert status.last_error is None and status.failures == 0
        assert len(service.series("bybit", "BTCUSD").records) == 90


async def test_the_runtime_fills_the_series_of_the_demo_hedges() -> None:
    async with demo_exchange("calm", push_interval_s=0.02) as ex:
        async with ex.runtime(funding_history=True) as rt:
            service = rt.funding_history
            assert service is not None
            fetched = [h for h in ex.settings.hedges if h.venue in CLIENTS]
            assert {h.venue for h in fetched} >= {"bitmex", "bybit"}

            def filled() -> bool:
                return all(len(service.series(h.venue, h.symbol).records) >= 89 for h in fetched)

            await until(filled, "30 days of funding for every demo hedge")
            for hedge in fetched:
                key = SeriesKey("rates", hedge.venue, hedge.symbol)
                status = service.status(key)
                assert status is not None and status.last_error is None
                assert hedge.account is not None
                payments = SeriesKey("payments", hedge.account, hedge.symbol)
                assert payments in set(service.keys())  # the demo account's keys were loaded
                await until(
                    lambda k=payments: (
                        (s := service.status(k)) is not None and s.last_fetch_ms is not None
                    ),
                    f"the payments of {hedge.account}",
                )
                assert service.status(payments).last_error is None  # type: ignore[union-attr]
        assert rt.funding_history is service  # still there to read after the stop


async def test_the_runtime_fetches_nothing_unless_asked_and_enabled() -> None:
    async with demo_exchange("calm", push_interval_s=0.02) as ex:
        async with ex.runtime() as rt:
            assert rt.funding_history is None
        off = dataclasses.replace(
            ex.settings, funding_history=FundingHistorySettings(enabled=False)
        )
        ex.settings = off
        async with ex.runtime(funding_history=True) as rt:
            assert rt.funding_history is None
        assert ex.books.funding.requests == {}
