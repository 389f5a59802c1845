"""A recording as a price path: minute bars of one instrument's mark, with the funding in force."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from hedgetui.clock import ManualClock
from hedgetui.history.model import PriceBar
from hedgetui.history.recording import RecordingError, RecordingWriter
from hedgetui.history.recording_prices import price_bars
from tests.conftest import SAMPLES_DIR
from tests.history.test_recording import T0, _partial, _record, _update


def test_price_bars_are_minute_ohlc_of_the_mark_with_the_funding_in_force(
    tmp_path: Path,
) -> None:
    clock = ManualClock(T0)
    out = tmp_path / "bars.jsonl.gz"
    t0 = round(T0 * 1000)  # 19:55:00, the partial's own time (mark 46704.01, funding 0.0001/8h)
    marks = {  # ms after t0 -> mark
        10_000: 46_800.0,
        30_000: 46_500.0,
        50_000: 46_600.0,
        # 19:56 has none: a stall
        130_000: 46_000.0,
        170_000: 46_100.0,
    }
    with _record(out, clock) as w:
        conn = w.opened("bitmex", "wss://ws.bitmex.com/realtime")
        w.frame("bitmex", conn, _partial())
        for dt, mark in marks.items():
            w.frame("bitmex", conn, _update(mark, t0 + dt))
        w.closed("bitmex", conn, 1006, "")
        conn = w.opened("bitmex", "wss://ws.bitmex.com/realtime")  # reconnected after a drop
        w.frame("bitmex", conn, _update(45_900.0, t0 + 175_000))
    bars = price_bars(out)
    assert bars[0] == PriceBar(t0, 46704.01, 46800.0, 46500.0, 46600.0, 0.0001)
    assert bars[1].time_ms == t0 + 120_000
    assert len(bars) == 2
    assert (bars[1].open, bars[1].high, bars[1].low, bars[1].close) == (
        46_000.0,
        46_100.0,
        45_900.0,
        45_900.0,
    )
    assert bars[1].funding_rate == 0.0001
    assert price_bars(out, "bitmex", "XBTUSD") == bars
    with pytest.raises(RecordingError, match="no mark prices of okx"):
        price_bars(out, "okx")


def test_price_bars_of_a_recording_with_several_instruments_must_be_chosen(
    tmp_path: Path,
) -> None:
    out = tmp_path / "two.jsonl.gz"
    clock = ManualClock(T0)
    bybit = SAMPLES_DIR / "bybit" / "tickers_inverse_snapshot_recorded.json"
    w = RecordingWriter(
        out, ["bitmex", "bybit"], {"bitmex": ["XBTUSD"], "bybit": ["BTCUSD"]}, clock=clock
    )
    with w:
        w.frame("bitmex", w.opened("bitmex", "wss://ws.bitmex.com/realtime"), _partial())
        conn = w.opened("bybit", "wss://stream.bybit.com/v5/public/inverse")
        w.frame("bybit", conn, orjson.dumps(orjson.loads(bybit.read_bytes())))
    with pytest.raises(RecordingError, match="several instruments \\(bitmex XBTUSD, bybit BTCUSD"):
        price_bars(out)
    (bar,) = price_bars(out, "bybit")
    assert (bar.time_ms, bar.open, bar.funding_rate) == (1680673800000, 28560.0, 0.0001)
    (bar,) = price_bars(out, symbol="XBTUSD")
    assert bar.close == 46704.01
