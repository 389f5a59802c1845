"""Deribit's funding history over loopback against the simulator: the shipped 2020 hours
verbatim, paging by time (744 hours a call), the 10028 answer, a gap, the settlements'
realised funding, and the cache across a restart."""

from __future__ import annotations

import csv
from pathlib import Path

from hedgetui.history.funding.deribit import MAX_ROWS
from hedgetui.history.model import FundingRecord
from hedgetui.sim.scenarios import DATA_DIR
from tests.history.sim_rig import DAY_MS, HOUR_MS, MARK, served

SYMBOL = "BTC-PERPETUAL"
SHIPPED = "funding_deribit_btc-perpetual_1h_2020-02_2020-04.csv"
FIRST = 1_580_515_200_000  # 2020-02-01T00:00Z, the file's first hour
LAST = 1_588_287_600_000  # 2020-04-30T23:00Z, its last
NOW_S = 1_796_601_600.0  # 2026-12-07T00:00Z


def shipped_rows() -> list[dict[str, str]]:
    with (DATA_DIR / SHIPPED).open(newline="") as f:
        return list(csv.DictReader(f))


async def test_the_shipped_hours_come_back_verbatim_in_pages_of_744() -> None:
    async with served("deribit", NOW_S) as rig:
        records = await rig.client.fetch_rates(SYMBOL, FIRST - HOUR_MS, LAST)
        rows = shipped_rows()
        assert records == [
            FundingRecord(int(r["timestamp_ms"]), float(r["interest_1h"]), 1.0) for r in rows
        ]
        assert len(rows) == 2160 and rig.requests() == 3  # 744 + 744 + 672
        assert rig.client.last_gaps == []
        # the endpoint's own rows: every field of the file, as shipped
        reply = await rig.raw(
            "/api/v2/public/get_funding_rate_history",
            {"instrument_name": SYMBOL, "start_timestamp": str(FIRST), "end_timestamp": str(LAST)},
        )
        served_rows = reply.json()["result"]
        assert len(served_rows) == MAX_ROWS  # the newest 744 hours of the range
        by_time = {int(r["timestamp_ms"]): r for r in rows}
        for row in served_rows:
            want = by_time[row["timestamp"]]
            assert list(row) == [
                "timestamp",
                "index_price",
                "prev_index_price",
                "interest_8h",
                "interest_1h",
            ]
            for field in ("index_price", "prev_index_price", "interest_8h", "interest_1h"):
                assert repr(row[field]) == repr(float(want[field])), field


async def test_the_too_many_requests_answer_is_waited_out() -> None:
    async with served("deribit", NOW_S) as rig:
        rig.accounts.funding.throttle("deribit", 2)
        reply = await rig.raw(
            "/api/v2/public/get_funding_rate_history",
            {"instrument_name": SYMBOL, "start_timestamp": "1", "end_timestamp": "2"},
        )
        assert reply.json()["error"] == {"message": "too_many_requests", "code": 10028}
        end = int(NOW_S * 1000)
        records = await rig.client.fetch_rates(SYMBOL, end - DAY_MS, end)
        assert len(records) == 24
        assert rig.sleeps == [1.0] and rig.client.waited_s == 1.0


async def test_a_gap_in_the_venues_data_is_reported() -> None:
    async with served("deribit", NOW_S) as rig:
        hole = (FIRST + 10 * HOUR_MS, FIRST + 14 * HOUR_MS)
        rig.accounts.funding.drop("deribit", SYMBOL, *hole)
        records = await rig.client.fetch_rates(SYMBOL, FIRST - HOUR_MS, FIRST + DAY_MS)
        assert len(records) == 25 - 5
        (gap,) = rig.client.last_gaps
        assert (gap.after_ms, gap.before_ms, gap.missing) == (
            hole[0] - HOUR_MS,
            hole[1] + HOUR_MS,
            5,
        )


async def test_the_daily_settlements_carry_the_positions_funding() -> None:
    async with served("deribit", NOW_S) as rig:
        opened = int(NOW_S * 1000)
        rig.accounts.set_position("deribit", SYMBOL, -3_000, 60_000.0)  # 30,000 USD short
        rig.clock.advance(3 * 86_400)
        end = int(rig.clock.time() * 1000)
        payments = await rig.client.fetch_payments(SYMBOL, opened - DAY_MS, end)
        # 2026-12-07T00:00 -> 12-10T00:00: settlements at 08:00 on the 7th, 8th and 9th
        assert [p.time_ms for p in payments] == [
            opened + k * DAY_MS + 8 * HOUR_MS for k in range(3)
        ]
        hours = rig.simulated(SYMBOL, opened, end)
        value = -30_000 / MARK  # the short in BTC: a positive rate pays it
        first_session = [r for r in hours if r.time_ms <= opened + 8 * HOUR_MS]
        assert payments[0].amount == round(sum(-r.rate * value for r in first_session), 10)
        assert {p.coin for p in payments} == {"BTC"} and {p.symbol for p in payments} == {SYMBOL}


async def test_a_restart_reads_the_cache_and_fetches_only_what_is_new(tmp_path: Path) -> None:
    async with served("deribit", NOW_S) as rig:
        known, again, asked = await rig.restart(tmp_path, SYMBOL, 3 * 3600)
        assert len(known) == 30 * 24 and rig.requests() == 2  # 720 hours: one call each
        assert asked == 1 and again[: len(known)] == known and len(again) == len(known) + 3
