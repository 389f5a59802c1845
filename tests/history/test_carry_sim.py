"""Carry through the whole path: the BitMEX funding-history client fetching the shipped 2020H1
records from the simulator over loopback, the service, the store link, the store's figures;
the sum of 8-hourly payments on a fixed short equals the hand computation to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from hedgetui.clock import ManualClock
from hedgetui.config import HedgeSettings, ManualPosition, Settings
from hedgetui.domain import MarkPrice
from hedgetui.history.funding.cache import FundingCache
from hedgetui.history.funding.service import FundingHistoryService, RatesSpec
from hedgetui.history.store_link import carry_starts, link, status_line
from hedgetui.store import Store
from tests.conftest import DATA_DIR
from tests.history.funding_helpers import sim_venue

AFTER_2020H1_S = 1_593_550_800.0  # 2020-06-30T21:00:00Z: an hour after the file's last record


def _hand_sum() -> Decimal:
    """Σ rate × $100,000 over every row of the shipped file, in Decimal from its text."""
    lines = (DATA_DIR / "funding_bitmex_xbtusd_8h_2020-01_2020-06.csv").read_text().splitlines()
    return sum((Decimal(line.split(",")[2]) * 100_000 for line in lines[1:]), Decimal(0))


def _settings() -> Settings:
    position = ManualPosition(side="short", contracts=100_000, entry=9_000, collateral=12.0)
    hedge = HedgeSettings(
        name="xbt",
        coin="BTC",
        venue="bitmex",
        symbol="XBTUSD",
        position=position,
        carry_since=date(2020, 1, 1),
    )
    return Settings(hedges=(hedge,))


async def test_bitmex_2020h1_through_the_client_service_and_store_to_the_cent(
    tmp_path: Path,
) -> None:
    settings = _settings()
    starts = carry_starts(settings)
    assert starts == {("bitmex", "XBTUSD"): 1_577_836_800_000}  # 2020-01-01T00:00Z
    rates = [RatesSpec("bitmex", "XBTUSD", starts[("bitmex", "XBTUSD")])]
    async with sim_venue("bitmex", AFTER_2020H1_S) as sim:
        store = Store(settings, clock=ManualClock(AFTER_2020H1_S))
        store.apply(MarkPrice("bitmex", "XBTUSD", 9_100.0, int(AFTER_2020H1_S * 1000)))
        service = FundingHistoryService(
            {"bitmex": sim.client()},
            rates,
            cache=FundingCache(tmp_path),
            clock=sim.clock,
            sleep=sim.sleeps,
        )
        unsubscribe = link(service, store)
        try:
            await service.refresh()
        finally:
            unsubscribe()
            await service.aclose()
    carry = store.snapshot().hedges[0].carry
    assert carry is not None and carry.since is not None and carry.since_configured
    assert carry.since.events == 546 and carry.since.missing == 0
    assert round(Decimal(carry.since.usd), 2) == round(_hand_sum(), 2)
    assert store.funding_history_status("xbt") == "fetched 2020-06-30T21:00Z"  # no gap, no error


def test_status_line_says_the_error_or_the_gaps() -> None:
    from hedgetui.history.funding.base import Gap
    from hedgetui.history.funding.service import SeriesStatus

    assert status_line(SeriesStatus()) is None
    fetched = 1_593_550_800_000
    assert status_line(SeriesStatus(last_fetch_ms=fetched)) == "fetched 2020-06-30T21:00Z"
    line = status_line(SeriesStatus(last_error="bitmex: rate limited: slow down"))
    assert line == "error: bitmex: rate limited: slow down (never fetched)"
    gaps = (Gap(0, 4 * 8 * 3_600_000, 3), Gap(10**9, 10**9 + 3 * 8 * 3_600_000, 2))
    line = status_line(SeriesStatus(last_fetch_ms=fetched, gaps=gaps))
    assert line is not None
    assert line.startswith("fetched 2020-06-30T21:00Z; 3 funding record(s) missing between")
    assert line.endswith("(+1 more gaps, 5 missing)")
