"""The plausibility layer (issue 17, items 7-9): the gate's rules, and the store keeping a refused
value out so its input goes stale rather than wrong. Over loopback for ``status``."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from websockets.asyncio.server import ServerConnection, serve

from hedgetui.cli import main
from hedgetui.clock import ManualClock
from hedgetui.config import FreshnessSettings, Settings
from hedgetui.domain import FeedState, FeedStatus, Freshness, Funding, MarkPrice, Ticker
from hedgetui.plausibility import (
    PRICE_MAX,
    PRICE_MIN,
    RATE_CAPS,
    escape,
    price_band,
)
from hedgetui.plausibility_gate import Gate, Rules
from hedgetui.sim.scenarios import crash
from hedgetui.store import Store
from tests.store.test_store import CORE

VENUE, SYMBOL = CORE.venue, CORE.symbol  # bitmex XBTUSD, a short of 300,000 contracts
HOUR_MS = 3_600_000
YEAR_MS = 365 * 24 * HOUR_MS


def make_store(**freshness: float) -> tuple[Store, ManualClock]:
    settings = Settings(hedges=(CORE,), freshness=FreshnessSettings(**freshness))  # type: ignore[arg-type]
    clock = ManualClock()
    return Store(settings, clock=clock), clock


def ms(clock: ManualClock) -> int:
    return int(clock.time() * 1000)


def ticker(
    clock: ManualClock,
    mark: float | None = 60_000.0,
    index: float | None = 59_990.0,
    rate: float | None = 0.0001,
    *,
    ts: int | None = None,
    next_time: int | None = None,
    hours: float | None = 8.0,
    predicted: float | None = None,
) -> Ticker:
    now = ms(clock)
    next_funding = now + HOUR_MS if next_time is None else next_time
    return Ticker(
        VENUE,
        SYMBOL,
        now if ts is None else ts,
        mark,
        index,
        rate,
        predicted,
        next_funding if rate is not None else None,
        hours if rate is not None else None,
    )


# --------------------------------------------------------------------------- the gate, pure


def test_price_band_follows_the_instrument_tick() -> None:
    assert price_band(0.5) == (0.5, 5e7)
    assert price_band(None) == (PRICE_MIN, PRICE_MAX)
    assert set(RATE_CAPS) == {"bitmex", "bybit", "binance", "deribit", "okx", "kraken"}


@pytest.mark.parametrize("mark", [5e-324, 1e-9, 0.1, 1e300, 6e7])
def test_a_mark_outside_the_instruments_band_is_refused(mark: float) -> None:
    gate = Gate(Rules(), {(VENUE, SYMBOL): price_band(0.5)})
    now = 1_700_000_000_000
    good = Ticker(VENUE, SYMBOL, now, 60_000.0, 60_000.0, None, None, None, None)
    assert gate.ticker(good, now) is good
    bad = good._replace(mark=mark)
    assert gate.ticker(bad, now) == good._replace(mark=None)  # the index of the frame is kept
    assert gate.counts == {(VENUE, "mark"): 1}


def test_a_jump_is_held_back_until_it_persists_then_believed() -> None:
    gate = Gate(Rules(max_jump=0.25, jump_persist=3), {})
    now = 1_700_000_000_000

    def mark(price: float) -> float | None:
        out = gate.ticker(Ticker(VENUE, SYMBOL, now, price, None, None, None, None, None), now)
        return None if out is None else out.mark

    assert mark(60_000.0) == 60_000.0
    assert mark(600.0) is None  # one wild print: refused
    assert mark(60_100.0) == 60_100.0  # and the market goes on
    # a real crash of 60% in one step: refused twice, believed on the third value in a row
    assert [mark(24_000.0), mark(24_100.0), mark(23_900.0), mark(23_800.0)] == [
        None,
        None,
        23_900.0,
        23_800.0,
    ]
    assert gate.counts == {(VENUE, "mark"): 3}


def test_jump_persist_1_never_holds_a_value_back() -> None:
    gate = Gate(Rules(jump_persist=1), {})
    now = 1_700_000_000_000
    for price in (60_000.0, 6_000.0, 60_000.0):
        event = Ticker(VENUE, SYMBOL, now, price, None, None, None, None, None)
        assert gate.ticker(event, now) is event


def test_a_refused_burst_is_logged_once_with_the_value_escaped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gate = Gate(Rules(), {})
    now = 1_700_000_000_000
    symbol = "XBT\x1b[2JUSD"
    caplog.set_level(logging.WARNING, logger="hedgetui.plausibility")
    gate.ticker(Ticker(VENUE, symbol, now, 60_000.0, None, None, None, None, None), now)
    for _ in range(5):
        gate.ticker(Ticker(VENUE, symbol, now, 1e300, None, None, None, None, None), now)
    refused = [r.getMessage() for r in caplog.records if "refused (" in r.getMessage()]
    assert len(refused) == 1
    assert refused[0].startswith("bitmex XBT\\x1b[2JUSD mark: implausible value 1e+300 refused")
    assert "\x1b" not in caplog.text
    assert gate.counts[(VENUE, "mark")] == 5
    gate.ticker(Ticker(VENUE, symbol, now, 60_010.0, None, None, None, None, None), now)
    assert "plausible again (60010.0) after 5 refused" in caplog.text


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("funding_rate", {"rate": 1e30}),
        ("funding_rate", {"rate": -0.5}),
        ("interval_hours", {"hours": 1e-9}),
        ("interval_hours", {"hours": -8.0}),
        ("interval_hours", {"hours": 1e6}),
    ],
)
def test_an_implausible_funding_rate_or_interval_drops_the_funding(
    field: str, change: dict[str, float]
) -> None:
    clock = ManualClock()
    gate = Gate(Rules(), {})
    event = ticker(clock, **change)  # type: ignore[arg-type]
    out = gate.ticker(event, ms(clock))
    assert out is not None and out.mark == 60_000.0 and out.index == 59_990.0
    assert out.funding_rate is None and out.interval_hours is None
    assert gate.counts == {(VENUE, field): 1}
    assert (VENUE, SYMBOL) in gate.funding_refused


def test_a_next_funding_time_in_the_past_is_dropped_the_rate_kept() -> None:
    clock = ManualClock()
    gate = Gate(Rules(), {})
    now = ms(clock)
    for next_time in (now - 10 * 60_000, now + 3 * 24 * HOUR_MS):
        out = gate.ticker(ticker(clock, next_time=next_time), now)
        assert out is not None and out.funding_rate == 0.0001 and out.next_funding_time is None
    slack = gate.ticker(ticker(clock, next_time=now - 5_000), now)  # just settled: fine
    assert slack is not None and slack.next_funding_time == now - 5_000
    assert gate.counts == {(VENUE, "next_funding_time"): 2}


@pytest.mark.parametrize("offset", [None, -YEAR_MS, YEAR_MS, 10 * 60_000, -10 * 60_000])
def test_an_exchange_time_far_from_the_local_clock_refuses_the_event(offset: int | None) -> None:
    clock = ManualClock()
    gate = Gate(Rules(clock_window_ms=300_000), {})
    now = ms(clock)
    for ts in [-5, 32_503_680_000_000] if offset is None else [now + offset]:  # year 3000
        assert gate.ticker(ticker(clock, ts=ts), now) is None
    assert gate.funding(Funding(VENUE, SYMBOL, 0.0001, None, None, -5, 8.0), now) is None
    assert gate.price_event(MarkPrice(VENUE, SYMBOL, 60_000.0, now + YEAR_MS), now) is False
    assert gate.counts[(VENUE, "ts")] >= 3


def test_a_past_settlement_record_may_be_hours_old() -> None:
    """BitMEX's funding table: a settlement a few hours ago is a plausible classic Funding."""
    gate = Gate(Rules(), {})
    now = 1_700_000_000_000
    record = Funding(VENUE, SYMBOL, 0.0001, None, None, now - 7 * HOUR_MS, 8.0)
    assert gate.funding(record, now) is record


def test_escape_shows_control_and_bidi_characters() -> None:
    assert escape("a\x1b[31mb\x07\u202ec\x9b") == "a\\x1b[31mb\\x07\\u202ec\\x9b"
    assert escape("plain ascii 60000.5 é") == "plain ascii 60000.5 é"


# --------------------------------------------------------------------------- through the store


def test_a_refused_mark_is_not_stored_and_its_input_goes_stale() -> None:
    store, clock = make_store(delayed_after_s=3.0, stale_after_s=10.0)
    store.apply(FeedStatus(VENUE, FeedState.LIVE))
    store.apply(ticker(clock))
    assert store.snapshot().hedges[0].mark_freshness is Freshness.FRESH
    for _ in range(12):  # the feed keeps delivering, every mark absurd, the index fine
        clock.advance(1.0)
        store.apply(ticker(clock, mark=5e-324))
    hedge = store.snapshot().hedges[0]
    assert hedge.mark == 60_000.0  # the last good one, not 0.0
    assert hedge.mark_freshness is Freshness.STALE and hedge.stale
    assert hedge.index_freshness is Freshness.FRESH  # the other fields of the frames were kept
    assert store.snapshot().totals.stale
    assert store.refused_counts() == {(VENUE, "mark"): 12}
    (feed,) = store.snapshot().feeds
    assert feed.refused == 12


def test_a_hedge_whose_only_mark_was_refused_has_no_data_never_fine() -> None:
    store, clock = make_store()
    store.apply(ticker(clock, mark=1e300))
    store.apply(ticker(clock, mark=5e-324))
    hedge = store.snapshot().hedges[0]
    assert hedge.mark is None and hedge.report is None
    assert hedge.mark_freshness is Freshness.NONE and hedge.stale
    assert store.snapshot().totals.net_exposure_usd is None


def test_a_refused_funding_rate_ages_although_the_feed_is_live() -> None:
    store, clock = make_store(delayed_after_s=3.0, stale_after_s=10.0)
    store.apply(ticker(clock))
    for _ in range(12):
        clock.advance(1.0)
        store.apply(ticker(clock, rate=1e30))
    hedge = store.snapshot().hedges[0]
    assert hedge.mark_freshness is Freshness.FRESH
    assert hedge.funding_rate == 0.0001  # the last good rate, never 1e30
    assert hedge.funding_freshness is Freshness.STALE
    assert hedge.funding_apr_pct is not None
    assert abs(hedge.funding_apr_pct) < 20.0  # 0.01% per 8 h: ~11%/yr
    clock.advance(1.0)
    store.apply(ticker(clock, rate=0.0002))
    assert store.snapshot().hedges[0].funding_freshness is Freshness.FRESH


def test_a_negative_interval_never_shows_as_fresh_numbers() -> None:
    store, clock = make_store()
    store.apply(ticker(clock, hours=-8.0))
    hedge = store.snapshot().hedges[0]
    assert hedge.report is not None  # the mark is fine: the hedge still has its numbers
    assert hedge.funding_rate is None and hedge.funding_freshness is Freshness.NONE
    assert store.refused_counts() == {(VENUE, "interval_hours"): 1}


def test_exchange_times_outside_the_window_are_refused_by_the_store() -> None:
    store, clock = make_store(clock_window_s=300.0)
    for ts in (-5, ms(clock) - YEAR_MS, ms(clock) + YEAR_MS, 32_503_680_000_000):
        store.apply(ticker(clock, ts=ts))
    hedge = store.snapshot().hedges[0]
    assert hedge.mark is None and hedge.funding_rate is None and hedge.stale
    assert store.refused_counts() == {(VENUE, "ts"): 4}


def test_a_position_with_an_absurd_entry_price_is_refused() -> None:
    from hedgetui.domain import PositionUpdate

    store, _ = make_store()
    store.apply(PositionUpdate(VENUE, SYMBOL, -100.0, 1.0, 5e-324))
    store.apply(PositionUpdate(VENUE, SYMBOL, -100.0, 1.0, 0.1))  # BTC at 10 cents
    store.apply(PositionUpdate("bybit", "BTCUSD", -100.0, 1.0, 1e300))  # no hedge: wire band
    assert store.refused_counts() == {(VENUE, "entry_price"): 2, ("bybit", "entry_price"): 1}


def test_the_demo_crash_passes_the_gate_at_any_speed() -> None:
    """The simulator's crash (BTC -20% in 60 s and back) is real: nothing of it is refused."""
    scenario = crash()
    for speed in (1.0, 30.0, 200.0):
        store, clock = make_store()
        lowest = float("inf")
        for second in range(220):  # one tick a second, scenario time at `speed`
            point = scenario.at("BTC", second * speed)
            store.apply(ticker(clock, mark=point.mark, index=point.index, rate=point.funding_rate))
            mark = store.snapshot().hedges[0].mark
            assert mark == point.mark, (speed, second)
            lowest = min(lowest, mark)
            clock.advance(1.0)
        assert lowest < 49_000
        assert store.refused_counts() == {}


def test_a_sudden_real_crash_shows_after_jump_persist_values() -> None:
    """The simulator's ``jump -60``: held back for two values, shown from the third."""
    store, clock = make_store(jump_persist=3)
    store.apply(ticker(clock, mark=60_000.0, index=60_000.0))
    shown = []
    for _ in range(4):
        clock.advance(1.0)
        store.apply(ticker(clock, mark=24_000.0, index=24_000.0))
        shown.append(store.snapshot().hedges[0].mark)
    assert shown == [60_000.0, 60_000.0, 24_000.0, 24_000.0]


# --------------------------------------------------------------------------- status, loopback


async def _bybit_server(frames: list[bytes]) -> AsyncIterator[str]:
    async def handler(ws: ServerConnection) -> None:
        await ws.recv()  # the subscription
        for frame in frames:
            await ws.send(frame.decode())
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/v5/public/inverse"


@pytest.mark.parametrize("mark", ["0.1", "5e-324", "1e300"])
async def test_status_json_shows_a_refused_mark_as_no_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mark: str
) -> None:
    now = int(time.time() * 1000)
    frame = {
        "topic": "tickers.BTCUSD",
        "type": "snapshot",
        "ts": now,
        "data": {
            "symbol": "BTCUSD",
            "markPrice": mark,
            "indexPrice": "60000",
            "fundingRate": "0.0001",
            "nextFundingTime": str(now + HOUR_MS),
        },
    }
    server = _bybit_server([orjson.dumps(frame)])
    url = await anext(server)
    try:
        cfg = tmp_path / "c.toml"
        cfg.write_text(
            f"""
[venues.bybit]
ws_url = "{url}"

[[hedges]]
name = "lev"
coin = "BTC"
venue = "bybit"
position = {{ side = "long", contracts = 60000, entry = 60000, leverage = 3 }}
"""
        )
        args = ["status", "--config", str(cfg), "--json", "--timeout", "1.5"]
        code = await asyncio.to_thread(main, args)
    finally:
        await server.aclose()
    data = json.loads(capsys.readouterr().out)
    [lev] = data["hedges"]
    assert lev["stale"] is True and lev["mark"] is None
    assert lev["liquidation_distance_pct"] is None
    assert code == 3 == data["exit_code"]
    [feed] = data["feeds"]
    # 0.1 passes the wire band but not the instrument's (one tick, 0.5): the store's gate
    # refuses and counts it; the others never become a value (the frame is malformed)
    assert feed["refused"] == (1 if mark == "0.1" else 0)


# --------------------------------------------------------------------------- decode, item 9

BIG = "1" + "0" * 30  # 1e30 as a JSON integer (orjson reads it as a float)
HUGE_TIMES = {  # (@BIG@ stands for 1e30 as a JSON integer)
    "bybit": [
        '{"topic":"tickers.BTCUSD","type":"snapshot","ts":@BIG@,"data":{"symbol":"BTCUSD",'
        '"markPrice":"60000"}}',
        '{"topic":"tickers.BTCUSD","type":"snapshot","ts":1700000000000,"data":{"symbol":"BTCUSD",'
        '"markPrice":"60000","fundingRate":"0.0001","nextFundingTime":@BIG@}}',
    ],
    "binance": [
        '{"stream":"btcusd_perp@markPrice@1s","data":{"e":"markPriceUpdate","E":@BIG@,'
        '"s":"BTCUSD_PERP","p":"60000","i":"60000","r":"0.0001","T":1700000000000}}',
        '{"stream":"btcusd_perp@markPrice@1s","data":{"e":"markPriceUpdate","E":1700000000000,'
        '"s":"BTCUSD_PERP","p":"60000","i":"60000","r":"0.0001","T":1e30}}',
    ],
    "deribit": [
        '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-PERPETUAL.100ms",'
        '"data":{"instrument_name":"BTC-PERPETUAL","timestamp":@BIG@,"mark_price":60000.0,'
        '"index_price":60000.0,"funding_8h":0.0001}}}',
    ],
    "okx": [
        '{"arg":{"channel":"mark-price","instId":"BTC-USD-SWAP"},"data":[{"instId":"BTC-USD-SWAP",'
        '"instType":"SWAP","markPx":"60000","ts":@BIG@}]}',
        '{"arg":{"channel":"funding-rate","instId":"BTC-USD-SWAP"},"data":[{"instId":"BTC-USD-SWAP",'
        '"fundingRate":"0.0001","fundingTime":"1700000000000","nextFundingTime":"@BIG@",'
        '"nextFundingRate":"","ts":"1700000000000"}]}',
    ],
    "kraken": [
        '{"feed":"ticker","product_id":"PI_XBTUSD","time":@BIG@,"markPrice":60000.0}',
        '{"feed":"ticker","product_id":"PI_XBTUSD","time":1700000000000,"markPrice":60000.0,'
        '"relative_funding_rate":0.0001,"next_funding_rate_time":-5}',
    ],
}


@pytest.mark.parametrize("venue", sorted(HUGE_TIMES))
def test_decode_reports_an_absurd_time_on_one_line_and_goes_on(venue: str) -> None:
    import subprocess
    import sys

    lines = [line.replace("@BIG@", BIG) for line in HUGE_TIMES[venue]]
    done = subprocess.run(
        [sys.executable, "-m", "hedgetui", "decode", "--venue", venue],
        input="\n".join(lines).encode(),
        capture_output=True,
        timeout=60,
    )
    err = done.stderr.decode()
    assert "Traceback" not in err
    assert err.count("hedgetui decode: line") == len(lines), err
    assert done.returncode == 1 and done.stdout == b""


def test_the_shared_readers_never_read_a_bool_as_a_number() -> None:
    from hedgetui.account_streams import values as account
    from hedgetui.feeds import FeedParseError
    from hedgetui.feeds import values as market

    readers = [
        lambda v: market.number(v, "x"),
        lambda v: market.price(v, "x"),
        lambda v: market.rate(v, "x"),
        lambda v: market.millis(v, "x"),
        lambda v: market.interval_hours(v, "x"),
        lambda v: account.number(v, "x"),
        lambda v: account.price_or_none(v, "x"),
        lambda v: account.millis(v),
        lambda v: account.iso_millis(v),
    ]
    for read in readers:
        for flag in (True, False):
            with pytest.raises(FeedParseError):
                read(flag)
    assert market.price("60000.5", "p") == 60000.5 and market.millis("0", "t") is None
    for absurd in ("5e-324", 1e300, "1e999", -1.0):
        with pytest.raises(FeedParseError, match="p "):
            market.price(absurd, "p")
    with pytest.raises(FeedParseError, match="out of range"):
        account.number(1e300, "size")
    with pytest.raises(FeedParseError, match="plausible price"):
        account.price_or_none("5e-324", "avgPrice")


def test_the_gate_is_configured_in_freshness(tmp_path: Path) -> None:
    from hedgetui.config import ConfigError, load_settings

    cfg = tmp_path / "c.toml"
    cfg.write_text("[freshness]\nmax_jump_pct = 10\njump_persist = 5\nclock_window_s = 60\n")
    fresh = load_settings(cfg, env={"HEDGETUI_FRESHNESS__JUMP_PERSIST": "7"}).freshness
    assert (fresh.max_jump_pct, fresh.jump_persist, fresh.clock_window_s) == (10.0, 7, 60.0)
    assert Settings().freshness.max_jump_pct == 25.0  # the defaults
    cfg.write_text("[freshness]\njump_persist = 0\n")
    with pytest.raises(ConfigError, match="jump_persist"):
        load_settings(cfg, env={})
    store, clock = make_store(max_jump_pct=10.0, jump_persist=2)
    store.apply(ticker(clock, mark=60_000.0))
    store.apply(ticker(clock, mark=67_000.0))  # +11.7%: more than 10%
    assert store.snapshot().hedges[0].mark == 60_000.0
    store.apply(ticker(clock, mark=67_100.0))  # the second value at the new level
    assert store.snapshot().hedges[0].mark == 67_100.0


def test_refusals_without_a_last_good_value_are_logged_once_per_burst(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gate = Gate(Rules(), {})
    now = 1_700_000_000_000
    caplog.set_level(logging.WARNING, logger="hedgetui.plausibility")
    for _ in range(10):  # one burst: a refusal every 10 s
        gate.ticker(Ticker(VENUE, SYMBOL, -5, 60_000.0, None, None, None, None, None), now)
        now += 10_000
    now += 120_000  # quiet for two minutes, then a new burst
    gate.ticker(Ticker(VENUE, SYMBOL, -5, 60_000.0, None, None, None, None, None), now)
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2 and all(" ts: implausible value -5 refused" in m for m in logged)
    assert logged[1].endswith("11 refused so far)")
