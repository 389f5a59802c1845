"""One ``Ticker`` per ticker frame: what the venues emit, and the store applying it.

The five venues whose ticker frame carries mark, index and funding together (BitMEX, Bybit,
Binance, Deribit, Kraken) emit one ``Ticker`` per instrument and frame; OKX (one value per
channel) and BitMEX's index and funding-table rows keep the classic events. The store applies a
Ticker exactly as it would apply the classic events it stands for.
"""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from hedgetui.clock import ManualClock
from hedgetui.config import HedgeSettings, ManualPosition, Settings
from hedgetui.domain import (
    DashboardView,
    Funding,
    IndexPrice,
    MarkPrice,
    Ticker,
)
from hedgetui.feeds import get_adapter
from hedgetui.store import Store
from tests.conftest import SAMPLES_DIR
from tests.feeds_helpers import wire_frame

# venue, sample frame, the one Ticker it must give
ONE_TICKER_PER_FRAME = [
    (
        "bybit",
        "bybit/tickers_inverse_snapshot_recorded.json",
        Ticker(
            "bybit", "BTCUSD", 1680673822577, 28560.0, 28566.94, 0.0001, None, 1680681600000, 8.0
        ),
    ),
    (
        "binance",
        "binance_coinm/markPrice_combined_recorded_2021.json",
        Ticker(
            "binance",
            "BTCUSD_PERP",
            1617309477000,
            59012.56007222,
            None,  # no "i" in 2021 frames
            0.00073689,
            None,
            1617321600000,
            8.0,
        ),
    ),
    (
        "deribit",
        "deribit/ticker_perpetual_recorded_2019b_negative_funding.json",
        Ticker(
            "deribit",
            "BTC-PERPETUAL",
            1569888003897,
            8304.39,
            8305.94,
            -0.00008477,
            None,
            None,
            8.0,
        ),
    ),
    (
        "kraken",
        "kraken_futures/ticker_PI_XBTUSD_recorded_2022.json",
        Ticker(
            "kraken",
            "PI_XBTUSD",
            1654164951042,
            29919.75,
            29927.42,
            9.6321875e-8,
            -0.000025847309375,
            1654171200000,
            1.0,
        ),
    ),
    (
        "bitmex",
        "bitmex/instrument_partial_XBTUSD_testnet_2021.json",
        Ticker(
            "bitmex",
            "XBTUSD",
            1639857300000,
            46704.01,
            46703.96,
            0.0001,
            0.0001,
            1639857600000,
            8.0,
        ),
    ),
]


@pytest.mark.parametrize(
    ("venue", "sample", "expected"),
    ONE_TICKER_PER_FRAME,
    ids=[v for v, _, _ in ONE_TICKER_PER_FRAME],
)
def test_a_ticker_frame_gives_one_ticker(venue: str, sample: str, expected: Ticker) -> None:
    events = get_adapter(venue).parse(wire_frame(SAMPLES_DIR / sample))
    assert len(events) == 1
    (ticker,) = events
    assert type(ticker) is Ticker
    assert ticker == expected
    assert tuple(ticker) == tuple(expected)  # field by field, in order


def test_merged_updates_give_one_ticker_each() -> None:
    bybit = get_adapter("bybit")
    bybit.parse(wire_frame(SAMPLES_DIR / "bybit/tickers_inverse_snapshot_recorded.json"))
    ts = 1680673823000  # (a plausible time: one near 1970 is refused)
    delta = {"topic": "tickers.BTCUSD", "type": "delta", "ts": ts, "data": {"symbol": "BTCUSD"}}
    # a delta without any value confirms the merged prices; no funding field -> no funding
    assert bybit.parse(orjson.dumps(delta)) == [
        Ticker("bybit", "BTCUSD", ts, 28560.0, 28566.94, None, None, None, None)
    ]
    bitmex = get_adapter("bitmex")
    bitmex.parse(wire_frame(SAMPLES_DIR / "bitmex/instrument_partial_XBTUSD_testnet_2021.json"))
    update = wire_frame(SAMPLES_DIR / "bitmex/instrument_update_markPrice_testnet_2021.json")
    assert bitmex.parse(update) == [
        Ticker("bitmex", "XBTUSD", 1639857785000, 46599.19, 46594.56, None, None, None, None)
    ]


def test_single_value_frames_keep_the_classic_events() -> None:
    okx = get_adapter("okx")
    mark = okx.parse(wire_frame(SAMPLES_DIR / "okx/mark-price_push_docs.json"))
    index = okx.parse(wire_frame(SAMPLES_DIR / "okx/index-tickers_BTC-USD_recorded_2023.json"))
    funding = okx.parse(wire_frame(SAMPLES_DIR / "okx/funding-rate_push_docs.json"))
    assert [type(e) for e in mark + index + funding] == [MarkPrice, IndexPrice, Funding]
    bitmex = get_adapter("bitmex")
    row = {"symbol": ".BXBT", "lastPrice": 46703.5, "timestamp": "2021-12-18T19:55:00.000Z"}
    partial = {"table": "instrument", "action": "partial", "data": [row]}
    assert [type(e) for e in bitmex.parse(orjson.dumps(partial))] == [IndexPrice]
    funding_rows = get_adapter("bitmex").parse(
        wire_frame(SAMPLES_DIR / "bitmex/funding_partial_recorded.json")
    )
    assert [type(e) for e in funding_rows] == [Funding]


# ------------------------------------------------------------------ the store

HEDGE = HedgeSettings(
    name="core",
    coin="BTC",
    venue="bybit",
    symbol="BTCUSD",
    position=ManualPosition(side="short", contracts=30_000, entry=60_000, collateral=0.5),
    target_hedge_ratio=1.0,
)


def stores() -> tuple[tuple[Store, ManualClock], tuple[Store, ManualClock]]:
    def one() -> tuple[Store, ManualClock]:
        clock = ManualClock()
        return Store(Settings(hedges=(HEDGE,)), clock=clock), clock

    return one(), one()


def same_view(a: DashboardView, b: DashboardView) -> bool:
    """Equal apart from ``version``, which counts applied events (one Ticker vs its parts)."""
    return dataclasses.replace(a, version=0) == dataclasses.replace(b, version=0)


def test_applying_a_ticker_is_applying_its_parts() -> None:
    (whole, clock_a), (parts, clock_b) = stores()
    due = (int(clock_a.time() * 1000) // 3_600_000 + 1) * 3_600_000  # a funding time (whole hour)
    for clock in (clock_a, clock_b):
        clock.advance(due / 1000 - clock.time() - 35)  # 35 s before it, the frames at the clock
    steps: list[Ticker] = [
        Ticker("bybit", "BTCUSD", due - 35_000, 58_000.0, 58_010.0, 0.0001, None, due, 8.0),
        Ticker("bybit", "BTCUSD", due - 15_000, 57_500.0, None, None, None, None, None),  # mark
        # no mark; the exchange's time has passed the funding time: the crossing is accrued
        Ticker("bybit", "BTCUSD", due + 5_000, None, 57_400.0, -0.0002, 0.0001, due, 8.0),
        Ticker("bybit", "ETHUSD", due + 25_000, 3_000.0, 3_001.0, 0.0001, None, None, 8.0),
    ]
    for ticker in steps:
        whole.apply(ticker)
        for event in ticker.parts():
            parts.apply(event)
        assert same_view(whole.snapshot(), parts.snapshot())
        for clock in (clock_a, clock_b):
            clock.advance(20)  # crosses the funding time after the second step
    view = whole.snapshot()
    assert same_view(view, parts.snapshot())
    hedge = view.hedges[0]
    assert (hedge.mark, hedge.index, hedge.funding_rate) == (57_500.0, 57_400.0, -0.0002)
    assert hedge.funding_carried_usd != 0.0  # the crossing was accrued, the same in both
    assert whole.mark_history("core") == parts.mark_history("core")
    assert whole.funding_history("core") == parts.funding_history("core")
    assert whole.version == len(steps) + 1  # one change per Ticker, one for the accrual


def test_missing_values_leave_the_stored_ones() -> None:
    (store, clock), _ = stores()
    now = int(clock.time() * 1000)  # exchange times at the clock (far from it: refused)
    store.apply(Ticker("bybit", "BTCUSD", now, 60_000.0, 60_010.0, 0.0001, None, None, 8.0))
    store.apply(Ticker("bybit", "BTCUSD", now + 1, 61_000.0, None, None, None, None, None))
    hedge = store.snapshot().hedges[0]
    assert (hedge.mark, hedge.index, hedge.funding_rate) == (61_000.0, 60_010.0, 0.0001)
