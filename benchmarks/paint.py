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

Usage::

    .venv/bin/python benchmarks/paint.py [--seconds 10] [--repeats 3] [--size 120x40] [--flat]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time

from hedgetui import event_loop

VENUE_SYMBOLS = {
    "bitmex": ("XBTUSD", 60_000.0),
    "okx": ("ETH-USD-SWAP", 3_000.0),
    "deribit": ("BTC-PERPETUAL", 60_000.0),
    "bybit": ("BTCUSD", 60_000.0),
    "binance": ("BTCUSD_PERP", 60_000.0),
}
FEED_HZ = 10.0


async def measure(
    seconds: float, repeats: int, size: tuple[int, int], flat: bool = False
) -> list[tuple[float, float]]:
    from rich.console import RenderableType
    from textual._compositor import CompositorUpdate
    from textual.app import App
    from textual.screen import Screen

    from hedgetui.clock import ManualClock
    from hedgetui.demo_portfolio import demo_settings
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
    results: list[tuple[float, float]] = []

    async def feed() -> None:
        """Every venue updates mark, index and funding FEED_HZ times a second."""
        tick = 0
        start = time.perf_counter()
        for venue in VENUE_SYMBOLS:
            store.apply(FeedStatus(venue, FeedState.LIVE))
        while True:
            tick += 1
            await asyncio.sleep(max(0.0, start + tick / FEED_HZ - time.perf_counter()))
            clock.advance(1 / FEED_HZ)
            ms = int(clock.time() * 1000)
            for i, (venue, (symbol, base)) in enumerate(VENUE_SYMBOLS.items()):
                mark = base if flat else base * (1 + 0.002 * math.sin(tick / 7 + i))
                store.apply(MarkPrice(venue, symbol, mark, ms))
                index = adapter_index_symbol(venue, symbol)
                store.apply(IndexPrice(venue, index, mark * 0.9998, ms))
                rate = 0.0001 if flat else 0.0001 * (1 + 0.5 * math.sin(tick / 50 + i))
                store.apply(Funding(venue, symbol, rate, None, ms + 3_600_000, ms, 8.0))

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", default="120x40", help="terminal COLSxROWS (default 120x40)")
    parser.add_argument("--flat", action="store_true", help="prices never move (fixed cost)")
    args = parser.parse_args()
    cols, _, rows = args.size.partition("x")
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
