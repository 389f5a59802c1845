"""Kraken Futures' funding history over loopback against the simulator: the whole history in
one reply, apiLimitExceeded, a gap, the account log's funding bookings (paged by log id), the
cache across a restart."""

from __future__ import annotations

from pathlib import Path

from hedgetui.history.funding.kraken import LIMIT_WAIT_S, LOG_PAGE
from hedgetui.history.model import FundingRecord
from tests.history.sim_rig import DAY_MS, HOUR_MS, MARK, served

SYMBOL = "PI_XBTUSD"
NOW_S = 1_796_601_600.0  # 2026-12-07T00:00Z
NOW = int(NOW_S * 1000)


async def test_the_whole_history_comes_in_one_reply_and_the_range_is_cut_out() -> None:
    async with served("kraken", NOW_S) as rig:
        records = await rig.client.fetch_rates(SYMBOL, NOW - 60 * DAY_MS, NOW)
        expected = rig.simulated(SYMBOL, NOW - 60 * DAY_MS, NOW)
        assert records == [FundingRecord(r.time_ms, r.rate, 1.0) for r in expected]
        assert len(records) == 60 * 24 and rig.requests() == 1
        assert rig.client.last_gaps == []
        reply = await rig.raw("/derivatives/api/v4/historicalfundingrates", {"symbol": SYMBOL})
        row = reply.json()["rates"][-1]
        assert list(row) == ["timestamp", "fundingRate", "relativeFundingRate"]
        assert row["timestamp"] == "2026-12-07T00:00:00.000Z"
        assert row["fundingRate"] == row["relativeFundingRate"] / MARK  # XBT per 1-USD contract


async def test_api_limit_exceeded_is_waited_out() -> None:
    async with served("kraken", NOW_S) as rig:
        rig.accounts.funding.throttle("kraken", 2)
        reply = await rig.raw("/derivatives/api/v4/historicalfundingrates", {"symbol": SYMBOL})
        assert reply.status_code == 429 and reply.json()["error"] == "apiLimitExceeded"
        records = await rig.client.fetch_rates(SYMBOL, NOW - DAY_MS, NOW)
        assert len(records) == 24
        assert rig.sleeps == [LIMIT_WAIT_S] and rig.client.waited_s == LIMIT_WAIT_S


async def test_a_gap_in_the_venues_data_is_reported() -> None:
    async with served("kraken", NOW_S) as rig:
        rig.accounts.funding.drop("kraken", SYMBOL, NOW - 10 * HOUR_MS, NOW - 7 * HOUR_MS)
        records = await rig.client.fetch_rates(SYMBOL, NOW - DAY_MS, NOW)
        assert len(records) == 24 - 4
        (gap,) = rig.client.last_gaps
        assert (gap.after_ms, gap.before_ms, gap.missing) == (
            NOW - 11 * HOUR_MS,
            NOW - 6 * HOUR_MS,
            4,
        )
        # the hour after the gap keeps the venue's 1 h interval (a gap never stretches one)
        assert {r.interval_hours for r in records} == {1.0}


async def test_the_account_logs_funding_bookings_are_the_payments_over_pages() -> None:
    async with served("kraken", NOW_S) as rig:
        rig.accounts.set_position("kraken", SYMBOL, -30_000, 60_000.0)  # 30,000 USD short
        rig.clock.advance(25 * 86_400)
        end = int(rig.clock.time() * 1000)
        payments = await rig.client.fetch_payments(SYMBOL, NOW - DAY_MS, end)
        assert len(payments) == 25 * 24 > LOG_PAGE and rig.requests() == 2
        value = -30_000 / MARK
        paid = rig.simulated(SYMBOL, NOW, end)
        assert [(p.time_ms, p.amount) for p in payments] == [
            (r.time_ms, -r.rate * value) for r in paid
        ]
        assert {p.coin for p in payments} == {"BTC"} and {p.symbol for p in payments} == {SYMBOL}


async def test_a_restart_reads_the_cache_and_fetches_only_what_is_new(tmp_path: Path) -> None:
    async with served("kraken", NOW_S) as rig:
        known, again, asked = await rig.restart(tmp_path, SYMBOL, 2 * 3600)
        assert len(known) == 30 * 24 and asked == 1  # one call: Kraken has no range parameter
        assert again[: len(known)] == known and len(again) == len(known) + 2
