"""How long `hedgetui stress` takes for a year of minute bars through one hedge (525,600 steps).

The path is synthetic but realistic: a deterministic random walk (seeded) with BTC-like minute
volatility (~0.05% per minute, ~65% a year), each bar's high and low a little outside its open
and close, and a funding rate per 8 h that drifts between -0.05% and +0.05% (1,095 settlements
on the venue grid, each re-solving the liquidation price). The hedge is the article's kind: a
short on BitMEX XBTUSD with the venue's tiers, held against spot, at 3x: it is not liquidated,
so every bar and every settlement is walked.

The engine alone is timed (the bars are built before the clock starts), best of ``--repeat``
runs (default 5): other work on a shared machine only ever adds time. One core: the engine is
a single thread.

Usage::

    PYTHONPATH=. python benchmarks/stress_year.py [--bars 525600] [--repeat 5]
"""

from __future__ import annotations

import argparse
import math
import random
import time

from hedgetui.history.model import PriceBar
from hedgetui.history.stress import StressHedge, columns, funding_from_bars, stress
from hedgetui.venues import get_instrument, position_for

MINUTE_MS = 60_000
START_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z


def synthetic_year(bars: int, seed: int = 21) -> list[PriceBar]:
    rng = random.Random(seed)
    price = 60_000.0
    rate = 0.0001
    out: list[PriceBar] = []
    for i in range(bars):
        close = price * math.exp(rng.gauss(0.0, 0.0005))
        wick = price * abs(rng.gauss(0.0, 0.0003))
        high = max(price, close) + wick
        low = min(price, close) - wick * rng.random()
        if i % 480 == 0:
            rate = min(0.0005, max(-0.0005, rate + rng.gauss(0.0, 0.0001)))
        out.append(PriceBar(START_MS + i * MINUTE_MS, price, high, low, close, rate))
        price = close
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=525_600)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bars = synthetic_year(args.bars)
    profile = get_instrument("bitmex", "XBTUSD")
    entry = bars[0].open
    position = position_for(profile, "short", 3 * entry, entry, 1.0, leverage=3.0)
    hedge = StressHedge("year", "BTC", 2.0, position, entry, profile.funding_interval_hours)
    timings = []
    result = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        path = columns(bars)
        plan = funding_from_bars(path, hedge.funding_interval_hours)
        result = stress(path, [(hedge, plan)])
        timings.append(time.perf_counter() - started)
    assert result is not None
    h = result.hedges[0]
    print(f"bars: {len(bars):,}  settlements: {h.funding_events}  liquidated: {h.liquidated_ms}")
    print(
        f"hedged: worst ${h.hedged.worst:,.0f}, drawdown {h.hedged.max_drawdown_pct:.1f}%; "
        f"unhedged drawdown {h.unhedged.max_drawdown_pct:.1f}%; closest {h.min_distance_pct:.1f}%"
    )
    print("runs (s): " + ", ".join(f"{t:.3f}" for t in timings))
    print(f"best: {min(timings):.3f} s for {len(bars):,} steps")


if __name__ == "__main__":
    main()
