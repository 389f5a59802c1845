"""CPU cost of one dashboard repaint, without network: the UI half of benchmarks/dashboard.py.

The demo portfolio's store gets the issue's load from a scripted market (5 venues x 10 mark,
index and funding updates a second, prices wiggling) in this process, while the real app runs
headless with its alerts panel and its own 10 Hz refresh timer. No sockets, no simulator: what
is left is the store, the snapshot, our rendering, Textual's compositor and the escape sequences
its terminal driver would write (built, not written), so the number moves only when the UI's
cost does (the end-to-end benchmark's run-to-run spread on a shared machine is larger than most
UI changes). Reports CPU % of one core and CPU ms per repaint, best of
``--repeats`` windows. ``--flat`` sends the same prices every time: the store still changes and
the dashboard still repaints, but no line on screen does, which isolates a repaint's fixed cost
(snapshot, rendering and comparing lines) from the cost of drawing changed lines.

``--repaints N`` takes the clock and the event loop out too: one market tick, then one repaint
run to the end (``refresh_view``, which puts its rows on the terminal in the same call), N times
in a row after 50 to warm up, reporting CPU ms per repaint (median and best of 7 batches). The
work it does is the same in every run, so under ``valgrind --tool=callgrind`` two runs of
different N give a repaint's cost in instructions, free of the machine's noise::

    valgrind --tool=callgrind .venv/bin/python benchmarks/paint.py --repaints 35 --size 200x50
    valgrind --tool=callgrind .venv/bin/python benchmarks/paint.py --repaints 385 --size 200x50
    # (totals of the second - totals of the first) / 350 = instructions per repaint

``--gap-ms G`` sleeps G ms after each repaint (not counted: the CPU clock stops): the same
repaints on a machine that has done other things, or nothing, in between, as the live
dashboard's are. On this VM a repaint costs ~0.95 ms back to back and ~2 ms with a 100 ms gap.

Usage::

    .venv/bin/python benchmarks/paint.py [--seconds 10] [--repeats 3] [--size 120x40] [--flat]
    .venv/bin/python benchmarks/paint.py --repaints 700 [--size 200x50] [--gap-ms 100]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from hedgetui import event_loop

VENUE_SYMBOLS = {
    "bitmex": ("XBTUSD", 60_000.0),
    "okx": ("ETH-USD-SWAP", 3_000.0),
    "deribit": ("BTC-PERPETUAL", 60_000.0),
    "bybit": ("BTCUSD", 60_000.0),
    "binance": ("BTCUSD_PERP", 60_000.0),
}
FEED_HZ = 10.0
WARM_UP_REPAINTS = 50
BATCHES = 7

if TYPE_CHECKING:
    from hedgetui.ui.app import HedgeApp


def scripted_app(flat: bool) -> tuple[HedgeApp, Callable[[], None]]:
    """The demo store and the app on it, and ``tick``: every venue's mark, index and funding
    once, the clock 1 / FEED_HZ on."""
    from rich.console import RenderableType
    from textual._compositor import CompositorUpdate
    from textual.app import App
    from textual.screen import Screen

    from hedgetui.clock import ManualClock
    from hedgetui.demo.portfolio import demo_settings
    from hedgetui.domain import FeedState, FeedStatus, Funding, IndexPrice, MarkPrice
    from hedgetui.store import Store, adapter_index_symbol
    from hedgetui.ui.app import HedgeApp

    class TerminalCost(App[None]):
        """Builds every screen update's escape sequences, as Textual's terminal driver does
        before writing them (headless, it builds none): the repaint's cost on a terminal.
        Mixed in after HedgeApp, it builds what HedgeApp hands to ``App._display``."""

        def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(self.console)
            super()._display(screen, renderable)

    class TerminalCostApp(HedgeApp, TerminalCost):
        pass

    clock = ManualClock()
    store = Store(demo_settings(60_000.0, 3_000.0, {}), clock=clock, extra_venues=VENUE_SYMBOLS)
    app = TerminalCostApp(store, refresh_hz=10.0)
    for venue in VENUE_SYMBOLS:
        store.apply(FeedStatus(venue, FeedState.LIVE))
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1
        clock.advance(1 / FEED_HZ)
        ms = int(clock.time() * 1000)
        for i, (venue, (symbol, base)) in enumerate(VENUE_SYMBOLS.items()):
            mark = base if flat else base * (1 + 0.002 * math.sin(ticks / 7 + i))
            store.apply(MarkPrice(venue, symbol, mark, ms))
            index = adapter_index_symbol(venue, symbol)
            store.apply(IndexPrice(venue, index, mark * 0.9998, ms))
            rate = 0.0001 if flat else 0.0001 * (1 + 0.5 * math.sin(ticks / 50 + i))
            store.apply(Funding(venue, symbol, rate, None, ms + 3_600_000, ms, 8.0))

    return app, tick


async def measure(
    seconds: float, repeats: int, size: tuple[int, int], flat: bool = False
) -> list[tuple[float, float]]:
    """(CPU % of one core, CPU ms per repaint) of each window, the app repainting at 10 Hz."""
    app, tick = scripted_app(flat)
    results: list[tuple[float, float]] = []

    async def feed() -> None:
        """Every venue updates mark, index and funding FEED_HZ times a second."""
        start = time.perf_counter()
        n = 0
        while True:
            n += 1
            await asyncio.sleep(max(0.0, start + n / FEED_HZ - time.perf_counter()))
            tick()

    async with app.run_test(size=size) as pilot:
        task = asyncio.create_task(feed())
        await asyncio.sleep(2.0)  # settle: first layout, the what-if table, the alerts panel
        for _ in range(repeats):
            paints0, cpu0, wall0 = app.frames_painted, time.process_time(), time.perf_counter()
            await asyncio.sleep(seconds)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            paints = app.frames_painted - paints0
            results.append((100 * cpu / wall, 1000 * cpu / max(1, paints)))
        task.cancel()
        await pilot.pause()
    return results


async def measure_repaints(
    repaints: int, size: tuple[int, int], flat: bool = False, gap_s: float = 0.0
) -> list[float]:
    """CPU ms per repaint of each of BATCHES batches of ``repaints`` // BATCHES synchronous
    repaints, each after one tick and followed by ``gap_s`` of sleep."""
    app, tick = scripted_app(flat)
    per_batch = max(1, repaints // BATCHES)
    results: list[float] = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause(1.0)  # first layout, the what-if table, the alerts panel
        for _ in range(WARM_UP_REPAINTS):
            tick()
            app.refresh_view()
        for _ in range(BATCHES):
            cpu0 = time.process_time()
            for _ in range(per_batch):
                tick()
                app.refresh_view()
                if gap_s:
                    # the whole process sleeps (the loop too: none of its work is counted)
                    time.sleep(gap_s)  # noqa: ASYNC251
            results.append(1000 * (time.process_time() - cpu0) / per_batch)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", default="120x40", help="terminal COLSxROWS (default 120x40)")
    parser.add_argument("--flat", action="store_true", help="prices never move (fixed cost)")
    parser.add_argument(
        "--repaints", type=int, help="N synchronous repaints instead of 10 Hz windows"
    )
    parser.add_argument(
        "--gap-ms", type=float, default=0.0, help="with --repaints: sleep this long after each"
    )
    args = parser.parse_args()
    cols, _, rows = args.size.partition("x")
    if args.repaints:
        batches = event_loop.run(
            measure_repaints(args.repaints, (int(cols), int(rows)), args.flat, args.gap_ms / 1000)
        )
        print(
            f"$ .venv/bin/python benchmarks/paint.py --repaints {args.repaints} "
            f"--size {args.size}"
            + (" --flat" if args.flat else "")
            + (f" --gap-ms {args.gap_ms:g}" if args.gap_ms else "")
        )
        print("  batches: " + ", ".join(f"{ms:.3f}" for ms in batches) + " ms CPU per repaint")
        print(
            f"median {statistics.median(batches):.3f}, best {min(batches):.3f} ms CPU per "
            f"repaint ({len(batches)} batches of {max(1, args.repaints // BATCHES)})"
        )
        return 0
    results = event_loop.run(measure(args.seconds, args.repeats, (int(cols), int(rows)), args.flat))
    print(
        f"$ .venv/bin/python benchmarks/paint.py --seconds {args.seconds:g} "
        f"--repeats {args.repeats} --size {args.size}" + (" --flat" if args.flat else "")
    )
    for pct, ms in results:
        print(f"  window: {pct:5.2f} % of one core, {ms:.2f} ms CPU per repaint")
    best = min(results)
    print(f"best: {best[0]:.2f} % of one core, {best[1]:.2f} ms CPU per repaint (10 Hz)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
