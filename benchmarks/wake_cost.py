"""CPU a process is charged for waking up, however little it does then.

A live dashboard wakes for every websocket frame, every repaint, every timer and every
hand-off to Textual's writer and input threads; on a virtual machine each wake can cost more
CPU than the work done in it. This measures, for this machine:

* a bare ``time.sleep`` loop: CPU per wake with nothing else going on;
* five asyncio timers of 4 Hz each (the feeds' tickers), out of step (20 wakes a second) and in
  step (4 wakes a second, five callbacks each): the CPU that sharing wakes saves;
* a thread polling a quiet file descriptor with ``select(timeout=0.1)`` (Textual's input thread):
  its CPU with nothing to read.

Usage::

    .venv/bin/python benchmarks/wake_cost.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import selectors
import threading
import time

from hedgetui import event_loop

TICKERS = 5
TICKER_PERIOD_S = 0.25


def sleep_loop(seconds: float, period: float = 0.05) -> float:
    """CPU µs per wake of a loop that only sleeps ``period``."""
    cpu0, wall0, wakes = time.process_time(), time.perf_counter(), 0
    while time.perf_counter() - wall0 < seconds:
        time.sleep(period)
        wakes += 1
    return 1e6 * (time.process_time() - cpu0) / wakes


async def tickers(seconds: float, in_step: bool) -> float:
    """CPU % of one core for TICKERS asyncio tickers, in step or spread across the period."""

    ticks = 0

    async def ticker(offset: float) -> None:
        nonlocal ticks
        await asyncio.sleep(offset)
        while True:  # as a feed's ticker: sleep, then a little bookkeeping
            await asyncio.sleep(TICKER_PERIOD_S)
            ticks += 1

    tasks = [
        asyncio.create_task(ticker(0.0 if in_step else i * TICKER_PERIOD_S / TICKERS))
        for i in range(TICKERS)
    ]
    await asyncio.sleep(1.0)
    cpu0 = time.process_time()
    await asyncio.sleep(seconds)
    cpu = time.process_time() - cpu0
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return 100 * cpu / seconds


def polling_thread(seconds: float) -> float:
    """CPU % of one core for a thread that polls a quiet pipe with select(0.1)."""
    read_end, write_end = os.pipe()
    stop = threading.Event()

    def poll() -> None:
        with selectors.SelectSelector() as selector:
            selector.register(read_end, selectors.EVENT_READ)
            while not stop.is_set():
                selector.select(0.1)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    time.sleep(0.5)
    cpu0 = time.process_time()
    time.sleep(seconds)
    cpu = time.process_time() - cpu0
    stop.set()
    thread.join()
    os.close(read_end)
    os.close(write_end)
    return 100 * cpu / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measurement")
    args = parser.parse_args()
    print(f"$ .venv/bin/python benchmarks/wake_cost.py --seconds {args.seconds:g}")
    print(f"time.sleep(0.05) loop:              {sleep_loop(args.seconds):6.1f} µs CPU per wake")
    for in_step in (False, True):
        pct = event_loop.run(tickers(args.seconds, in_step))
        wakes = TICKERS / TICKER_PERIOD_S if not in_step else 1 / TICKER_PERIOD_S
        label = "in step    " if in_step else "out of step"
        print(
            f"{TICKERS} tickers at {1 / TICKER_PERIOD_S:g} Hz, {label} ({wakes:.0f} wakes/s): "
            f"{pct:.3f} % of one core"
        )
    print(f"a thread polling with select(0.1):  {polling_thread(args.seconds):.3f} % of one core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
