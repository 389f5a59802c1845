"""OKX's funding history over loopback against the simulator: pages of 100 by the after
cursor, the 50011 answer, a gap, funding-fee bills (pages by bill id), the cache across a
restart."""

from __future__ import annotations

from pathlib import Path

from hedgetui.history.funding.okx import PAGE
from hedgetui.history.model import FundingRecord
from tests.history.sim_rig import DAY_MS, HOUR_MS, MARK, served

SYMBOL = "BTC-USD-SWAP"
NOW_S = 1_796_601_600.0  # 2026-12-07T00:00Z: a funding time on OKX's 8 h grid
NOW = int(NOW_S * 1000)


async def test_sixty_days_come_in_pages_of_100_newest_first() -> None:
    async with served("okx", NOW_S) as rig:
        records = await rig.client.fetch_rates(SYMBOL, NOW - 60 * DAY_MS, NOW)
        expected = rig.simulated(SYMBOL, NOW - 60 * DAY_MS, NOW)
        assert records == [FundingRecord(r.time_ms, r.rate, 8.0) for r in expected]
        assert len(records) == 180 > PAGE and rig.requests() == 2
        assert rig.client.last_gaps == []


async def test_the_rate_limit_answer_is_waited_out_one_window_at_a_time() -> None:
    async with served("okx", NOW_S) as rig:
        rig.accounts.funding.throttle("okx", 3)
        reply = await rig.raw("/api/v5/public/funding-rate-history", {"instId": SYMBOL})
        assert reply.status_code == 429 and reply.json()["code"] == "50011"
        records = await rig.client.fetch_rates(SYMBOL, NOW - DAY_MS, NOW)
        assert len(records) == 3
        assert rig.sleeps == [2.0, 2.0] and rig.client.waited_s == 4.0


async def test_a_gap_in_the_venues_data_is_reported() -> None:
    async with served("okx", NOW_S) as rig:
        rig.accounts.funding.drop("okx", SYMBOL, NOW - 3 * DAY_MS, NOW - 2 * DAY_MS)
        records = await rig.client.fetch_rates(SYMBOL, NOW - 7 * DAY_MS, NOW)
        assert len(records) == 21 - 4
        (gap,) = rig.client.last_gaps
        assert gap.missing == 4
        assert (gap.after_ms, gap.before_ms) == (
            NOW - 3 * DAY_MS - 8 * HOUR_MS,
            NOW - DAY_MS - 16 * HOUR_MS,
        )


async def test_funding_fee_bills_are_the_accounts_payments_over_pages() -> None:
    async with served("okx", NOW_S) as rig:
        rig.accounts.set_position("okx", SYMBOL, -300, 60_000.0)  # 30,000 USD short
        rig.clock.advance(40 * 86_400)
        end = int(rig.clock.time() * 1000)
        payments = await rig.client.fetch_payments(SYMBOL, NOW - DAY_MS, end)
        assert len(payments) == 120 > PAGE and rig.requests() == 2
        value = -30_000 / MARK
        paid = rig.simulated(SYMBOL, NOW, end)
        assert [(p.time_ms, p.amount) for p in payments] == [
            (r.time_ms, -r.rate * value) for r in paid
        ]
        assert {p.coin for p in payments} == {"BTC"}
        bills = await rig.raw("/api/v5/account/bills-archive", {"type": "8", "instId": SYMBOL})
        assert bills.json()["code"] == "50113" or bills.status_code == 401  # signed only


async def test_a_restart_reads_the_cache_and_fetches_only_what_is_new(tmp_path: Path) -> None:
    async with served("okx", NOW_S) as rig:
        known, again, asked = await rig.restart(tmp_path, SYMBOL, 8 * 3600)
        assert len(known) == 90 and asked == 1
        assert again[:-1] == known and again[-1].time_ms == NOW + 8 * HOUR_MS
