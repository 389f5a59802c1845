"""The one time grid the feeds' tickers and the read gate's passes wake on."""

from __future__ import annotations


def ticker_delay(now: float, period: float) -> float:
    """Seconds from ``now`` (the event loop's clock) to the next multiple of ``period``.

    Every feed's ticker sleeps to the same grid, so feeds with the same period wake together:
    one wake of the process instead of one per feed (on a VM each wake costs ~90 us of CPU
    however little it does, ``benchmarks/wake_cost.py``). A multiple closer than a tenth of a
    period is skipped, so a wake a hair early never ticks twice.
    """
    delay = period - now % period
    return delay + period if delay < period / 10 else delay
