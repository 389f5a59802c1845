"""The funding-history clients of BitMEX, Binance COIN-M and Bybit against the simulator's
endpoints over loopback: pagination, the venue's rate-limit answer, a gap, realised payments,
the cache across restarts, and the shipped BitMEX 2020H1 records served verbatim."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from hedgetui.history.funding.base import find_gaps
from hedgetui.history.funding.cache import FundingCache
from hedgetui.history.funding.service import FundingHistoryService, PaymentsSpec, RatesSpec
from hedgetui.history.model import FundingRecord
from hedgetui.trading.orders import RateLimited
from tests.conftest import DATA_DIR
from tests.history.funding_helpers import DAY_MS, HOUR_MS, MARK, sim_venue

VENUES = [("bitmex", "XBTUSD", 4), ("binance", "BTCUSD_PERP", 0), ("bybit", "BTCUSD", 0)]
PAGE = {"bitmex": 500, "binance": 1000, "bybit": 200}
IDS = [v for v, _, _ in VENUES]


def grid(start_ms: int, end_ms: int, offset_h: int) -> list[int]:
    """The 8-hour funding times in (start, end] on the grid offset + 8k hours."""
    step = 8 * HOUR_MS
    first = ((start_ms - offset_h * HOUR_MS) // step + 1) * step + offset_h * HOUR_MS
    return list(range(first, end_ms + 1, step))


@pytest.mark.parametrize(("venue", "symbol", "offset"), VENUES, ids=IDS)
async def test_pages_through_more_records_than_one_page(
    venue: str, symbol: str, offset: int
) -> None:
    async with sim_venue(venue) as sim:
        now = sim.now_ms()
        start = now - 380 * DAY_MS  # 1140 records: more than a page on every venue
        async with sim.client() as client:
            records = await client.fetch_rates(symbol, start, now)
        times = [r.time_ms for r in records]
        assert times == grid(start, now, offset)
        assert len(records) > PAGE[venue]
        assert client.requests == sim.requests == -(-len(records) // PAGE[venue])
        assert client.last_gaps == [] and client.last_dropped == 0
        assert all(r.interval_hours == 8.0 for r in records)


@pytest.mark.parametrize(("venue", "symbol", "offset"), VENUES, ids=IDS)
async def test_waits_as_the_rate_limit_answer_says_then_completes(
    venue: str, symbol: str, offset: int
) -> None:
    async with sim_venue(venue) as sim:
        sim.accounts.funding.throttle(venue, 2)
        now = sim.now_ms()
        async with sim.client() as client:
            records = await client.fetch_rates(symbol, now - 10 * DAY_MS, now)
        assert len(records) == 30
        # two refusals, each waited as the venue said (1 s on all three), then the page
        assert sim.sleeps.waits == [pytest.approx(1.0, abs=0.01)] * 2
        assert client.requests == 3


@pytest.mark.parametrize("venue", ["bitmex", "binance", "bybit"])
async def test_gives_up_with_one_line_after_the_bounded_retries(venue: str) -> None:
    symbol = {"bitmex": "XBTUSD", "binance": "BTCUSD_PERP", "bybit": "BTCUSD"}[venue]
    async with sim_venue(venue) as sim:
        sim.accounts.funding.throttle(venue, 50)
        now = sim.now_ms()
        async with sim.client() as client:
            client.max_retries = 3
            with pytest.raises(RateLimited) as caught:
                await client.fetch_rates(symbol, now - DAY_MS, now)
        assert "rate limited: gave up after 3 waits as the venue asked" in str(caught.value)
        assert "\n" not in str(caught.value)
        assert len(sim.sleeps.waits) == 3


@pytest.mark.parametrize(("venue", "symbol", "offset"), VENUES, ids=IDS)
async def test_a_gap_in_the_venues_data_is_reported(venue: str, symbol: str, offset: int) -> None:
    async with sim_venue(venue) as sim:
        now = sim.now_ms()
        start = now - 30 * DAY_MS
        hole_from, hole_to = now - 10 * DAY_MS, now - 8 * DAY_MS
        sim.accounts.funding.drop(venue, symbol, hole_from, hole_to)
        async with sim.client() as client:
            records = await client.fetch_rates(symbol, start, now)
        missing = [t for t in grid(start, now, offset) if hole_from <= t <= hole_to]
        assert len(records) == 90 - len(missing)
        [gap] = client.last_gaps
        assert gap.missing == len(missing) == 6
        assert gap.after_ms < hole_from and gap.before_ms > hole_to
        assert "6 funding record(s) missing between" in gap.describe()


@pytest.mark.parametrize(("venue", "symbol", "offset"), VENUES, ids=IDS)
async def test_realised_payments_with_the_demo_keys(venue: str, symbol: str, offset: int) -> None:
    async with sim_venue(venue) as sim:
        opened = sim.now_ms()
        contracts = -30_000 if venue != "binance" else -300  # $30,000 short (Binance: $100 each)
        sim.accounts.set_position(venue, symbol, contracts, MARK)
        sim.clock.advance(9 * DAY_MS / 1000)  # > one Bybit transaction-log window of 7 days
        now = sim.now_ms()
        async with sim.client(keys=True) as client:
            paid = await client.fetch_payments(symbol, opened - DAY_MS, now)
            rates = {r.time_ms: r.rate for r in await client.fetch_rates(symbol, opened, now)}
        assert [p.time_ms for p in paid] == grid(opened, now, offset) == sorted(rates)
        for payment in paid:  # a short of 0.6 BTC receives rate x 0.6 BTC (paid when negative)
            assert payment.amount == pytest.approx(rates[payment.time_ms] * 0.6, abs=1e-8)
            assert payment.coin == "BTC" and payment.symbol == symbol
        assert any(p.amount != 0 for p in paid)


async def test_payments_without_keys_are_one_clear_line() -> None:
    async with sim_venue("bybit") as sim, sim.client() as client:
        with pytest.raises(Exception, match="no API keys") as caught:
            await client.fetch_payments("BTCUSD", 0, sim.now_ms())
        assert type(caught.value).__name__ == "HistoryUnavailable"


@pytest.mark.parametrize(("venue", "symbol", "offset"), VENUES, ids=IDS)
async def test_a_restart_loads_the_cache_and_fetches_only_newer_records(
    venue: str, symbol: str, offset: int, tmp_path: Path
) -> None:
    async with sim_venue(venue) as sim:
        sim.accounts.set_position(venue, symbol, -300 if venue == "binance" else -30_000, MARK)
        sim.clock.advance(2 * DAY_MS / 1000)

        async def start_once() -> FundingHistoryService:
            service = FundingHistoryService(
                {venue: sim.client()},
                [RatesSpec(venue, symbol)],
                payment_clients={"demo": sim.client(keys=True)},
                payments=[PaymentsSpec("demo", symbol)],
                cache=FundingCache(tmp_path),
                clock=sim.clock,
                sleep=sim.sleeps,
                lookback_days=380,  # more than a page of rates on every venue
            )
            await service.refresh()
            await service.aclose()
            return service

        first = await start_once()
        first_requests = sim.requests
        assert len(first.series(venue, symbol).records) == 1140
        assert len(first.payments("demo", symbol)) == 6
        assert first_requests >= 3  # rates over more than one page, and the payments

        sim.clock.advance(16 * HOUR_MS / 1000)  # two more funding times
        second = await start_once()
        # one request for the new rates, one for the new payments: nothing older again
        assert sim.requests - first_requests == 2
        series = second.series(venue, symbol).records
        assert len(series) == 1142
        assert series[:1140] == first.series(venue, symbol).records
        assert len(second.payments("demo", symbol)) == 8
        assert FundingCache(tmp_path).load_rates(venue, symbol) == series


async def test_a_corrupt_cache_file_is_one_warning_and_a_refetch(tmp_path: Path) -> None:
    async with sim_venue("bybit") as sim:
        cache = FundingCache(tmp_path)
        cache.rates_path("bybit", "BTCUSD").parent.mkdir(parents=True, exist_ok=True)
        cache.rates_path("bybit", "BTCUSD").write_bytes(b"{not json")
        service = FundingHistoryService(
            {"bybit": sim.client()}, [RatesSpec("bybit", "BTCUSD")], cache=cache, clock=sim.clock
        )
        await service.refresh()
        await service.aclose()
        assert len(service.series("bybit", "BTCUSD").records) == 90
        [warning] = cache.warnings
        assert "not JSON (corrupt); ignoring it and fetching again" in warning
        assert len(FundingCache(tmp_path).load_rates("bybit", "BTCUSD") or []) == 90


def _shipped_bitmex() -> list[tuple[int, float]]:
    path = DATA_DIR / "funding_bitmex_xbtusd_8h_2020-01_2020-06.csv"
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        (
            round(datetime.fromisoformat(r["time_utc"].replace("Z", "+00:00")).timestamp() * 1000),
            float(r["funding_rate"]),
        )
        for r in rows
    ]


async def test_the_sim_serves_the_shipped_bitmex_2020h1_records_verbatim() -> None:
    shipped = _shipped_bitmex()
    async with sim_venue("bitmex") as sim, sim.client() as client:
        start = shipped[0][0] - HOUR_MS
        records = await client.fetch_rates("XBTUSD", start, shipped[-1][0])
    assert [(r.time_ms, r.rate) for r in records] == shipped
    assert len(records) == len(shipped) > 500  # more than one page
    assert client.last_gaps == find_gaps(records, 8.0, start, shipped[-1][0])


def test_find_gaps_counts_the_missing_intervals() -> None:
    step = 8 * HOUR_MS
    records = [FundingRecord(t * step, 1e-4, 8.0) for t in (1, 2, 3, 7, 8)]
    [gap] = find_gaps(records, 8.0, 0, 8 * step)
    assert (gap.after_ms, gap.before_ms, gap.missing) == (3 * step, 7 * step, 3)
    assert find_gaps(records, 8.0, 0, 8 * step + step // 2) == [gap]  # next not due yet
    [tail] = find_gaps(records[:3], 8.0, 0, 6 * step)
    assert tail.missing == 3


async def test_an_unreadable_reply_is_one_typed_line() -> None:
    import httpx

    from hedgetui.history.funding.binance import BinanceFundingHistory
    from hedgetui.trading.orders import BadReply

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[{"fundingTime": "inf", "fundingRate": "0.0001"}])

    http = httpx.AsyncClient(transport=httpx.MockTransport(reply))
    client = BinanceFundingHistory(base_url="http://binance.invalid", http=http)
    with pytest.raises(BadReply) as caught:
        await client.fetch_rates("BTCUSD_PERP", 0, 1_800_000_000_000)
    await http.aclose()
    assert str(caught.value).startswith("binance: ")
    assert "unreadable /dapi/v1/fundingRate reply" in str(caught.value)
