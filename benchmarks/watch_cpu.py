"""CPU of `hedgetui watch` per market frame it receives, against the simulator.

Starts `hedgetui sim` (websockets only, ``--tick-hz``), writes a config with one hand-entered
hedge per instrument that ``benchmarks/sim.py`` subscribes to on five venues (BitMEX, Bybit,
Binance COIN-M, Deribit, Kraken Futures: BTC and ETH, BitMEX BTC only), pointed at the
simulator, and runs `hedgetui watch --config ...` as a subprocess. A counting client per venue
subscribes to the same channels, so the frames the watcher receives are counted without
touching it. After a warm-up, the watcher's CPU time (utime + stime from /proc) over
``--seconds`` is divided by the frames delivered in that time. Usage::

    .venv/bin/python benchmarks/watch_cpu.py [--seconds 20] [--tick-hz 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hedgetui import event_loop

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sim import SUBSCRIBE, client, cpu_seconds  # noqa: E402  (the benchmark next door)

VENUES = ("bitmex", "bybit", "binance", "deribit", "kraken")
INSTRUMENTS = {
    "bitmex": ("XBTUSD",),
    "bybit": ("BTCUSD", "ETHUSD"),
    "binance": ("BTCUSD_PERP", "ETHUSD_PERP"),
    "deribit": ("BTC-PERPETUAL", "ETH-PERPETUAL"),
    "kraken": ("PI_XBTUSD", "PI_ETHUSD"),
}


def config(urls: dict[str, str]) -> str:
    lines: list[str] = []
    for venue in VENUES:
        lines += [f"[venues.{venue}]", f'ws_url = "{urls[venue]}"', ""]
        for symbol in INSTRUMENTS[venue]:
            coin = "ETH" if "ETH" in symbol else "BTC"
            entry = 3000 if coin == "ETH" else 60000
            lines += [
                "[[hedges]]",
                f'name = "{venue}-{symbol}"',
                f'coin = "{coin}"',
                f'venue = "{venue}"',
                f'symbol = "{symbol}"',
                "[hedges.position]",
                'side = "short"',
                "contracts = 100",
                f"entry = {entry}",
                "collateral = 1.0",
                "",
            ]
    return "\n".join(lines)


async def measure(urls: dict[str, str], pid: int, seconds: float) -> tuple[float, float, float]:
    """(frames per second delivered to the watcher, its CPU %, its CPU µs per frame)."""
    counter = [0]
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(client(urls[v] + SUBSCRIBE[v][0], SUBSCRIBE[v][1], counter, stop))
        for v in VENUES
    ]
    await asyncio.sleep(3.0)  # both connect, subscribe and settle
    counter[0] = 0
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(seconds)
    cpu1, t1 = cpu_seconds(pid), time.monotonic()
    frames = counter[0]
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    cpu = cpu1 - cpu0
    return frames / (t1 - t0), 100 * cpu / (t1 - t0), cpu / max(frames, 1) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--tick-hz", default="5", help="the simulator's ticks per second")
    args = ap.parse_args()
    sim_cmd = [sys.executable, "-m", "hedgetui", "sim", "--no-rest", "--tick-hz", args.tick_hz]
    sim = subprocess.Popen(
        sim_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert sim.stdout is not None
    urls: dict[str, str] = {}
    watcher: subprocess.Popen[str] | None = None
    try:
        while "control" not in (line := json.loads(sim.stdout.readline())):
            urls[line["venue"]] = line["ws"]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "watch.toml"
            path.write_text(config(urls))
            watch_cmd = [sys.executable, "-m", "hedgetui", "watch", "--config", str(path)]
            watcher = subprocess.Popen(
                [*watch_cmd, "--interval", "3600"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            fps, cpu, per_frame = event_loop.run(measure(urls, watcher.pid, args.seconds))
            if watcher.poll() is not None:
                raise SystemExit(f"hedgetui watch exited early ({watcher.returncode})")
    finally:
        if watcher is not None:
            watcher.terminate()
            watcher.wait(timeout=10)
        sim.terminate()
        sim.wait(timeout=10)
    print(f"hedgetui watch, {len(VENUES)} feeds, sim --tick-hz {args.tick_hz}, {args.seconds:g} s")
    print(f"frames/s {fps:.1f}  watcher CPU {cpu:.2f}% of a core  {per_frame:.1f} µs CPU/frame")


if __name__ == "__main__":
    main()
