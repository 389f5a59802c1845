"""CPU cost of the exchange simulator (`hedgetui sim`) and the frames it delivers.

Starts `hedgetui sim` as a subprocess (all six venues), connects N plain websockets clients
per venue (each subscribing to BTC and ETH mark/index/funding), counts the frames they
receive for a few seconds and reads the simulator process's CPU time from /proc (Linux).
Reported: frames per second received by all clients, and the simulator's CPU use in % of
one core. Usage::

    .venv/bin/python benchmarks/sim.py [--seconds 5] [--clients 0,1,10] [--tick-hz ""]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from hedgetui import event_loop

REPO = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")

SUBSCRIBE: dict[str, tuple[str, list[str]]] = {
    # venue -> (url suffix, messages to send after connecting)
    "bitmex": ("?subscribe=instrument:XBTUSD,funding:XBTUSD", []),
    "bybit": ("", ['{"req_id":"b","op":"subscribe","args":["tickers.BTCUSD","tickers.ETHUSD"]}']),
    "binance": ("/stream?streams=btcusd_perp@markPrice@1s/ethusd_perp@markPrice@1s", []),
    "deribit": (
        "",
        [
            '{"jsonrpc":"2.0","id":1,"method":"public/subscribe","params":{"channels":'
            '["ticker.BTC-PERPETUAL.100ms","ticker.ETH-PERPETUAL.100ms"]}}'
        ],
    ),
    "okx": (
        "",
        [
            json.dumps(
                {
                    "op": "subscribe",
                    "args": [
                        {"channel": "mark-price", "instId": "BTC-USD-SWAP"},
                        {"channel": "funding-rate", "instId": "BTC-USD-SWAP"},
                        {"channel": "index-tickers", "instId": "BTC-USD"},
                        {"channel": "mark-price", "instId": "ETH-USD-SWAP"},
                        {"channel": "funding-rate", "instId": "ETH-USD-SWAP"},
                        {"channel": "index-tickers", "instId": "ETH-USD"},
                    ],
                }
            )
        ],
    ),
    "kraken": (
        "",
        ['{"event":"subscribe","feed":"ticker","product_ids":["PI_XBTUSD","PI_ETHUSD"]}'],
    ),
}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


async def client(url: str, messages: list[str], counter: list[int], stop: asyncio.Event) -> None:
    async with connect(url, max_queue=None) as ws:
        for m in messages:
            await ws.send(m)
        await _count(ws, counter, stop)


async def _count(ws: ClientConnection, counter: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await asyncio.wait_for(ws.recv(), 0.5)
        except TimeoutError:
            continue
        counter[0] += 1


async def measure(
    urls: dict[str, str], pid: int, clients: int, seconds: float
) -> tuple[float, float]:
    counter = [0]
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(client(urls[v] + suffix, msgs, counter, stop))
        for v, (suffix, msgs) in SUBSCRIBE.items()
        for _ in range(clients)
    ]
    await asyncio.sleep(1.0)  # connect and settle
    counter[0] = 0
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(seconds)
    cpu1, t1 = cpu_seconds(pid), time.monotonic()
    frames = counter[0]
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return frames / (t1 - t0), 100.0 * (cpu1 - cpu0) / (t1 - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", default="0,1,10", help="clients per venue, comma-separated")
    ap.add_argument("--tick-hz", default="", help="pass --tick-hz to the simulator")
    args = ap.parse_args()
    cmd = [sys.executable, "-m", "hedgetui", "sim", "--no-rest", "--scenario", "crash"]
    if args.tick_hz:
        cmd += ["--tick-hz", args.tick_hz]
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    urls: dict[str, str] = {}
    while True:
        line = json.loads(proc.stdout.readline())
        if "control" in line:
            break
        urls[line["venue"]] = line["ws"]
    try:
        print(f"hedgetui sim, 6 venues, tick-hz={args.tick_hz or 'venue default'}")
        print(f"{'clients/venue':>14} {'frames/s recv':>14} {'sim CPU %':>10}")
        for n in (int(x) for x in args.clients.split(",")):
            fps, cpu = event_loop.run(measure(urls, proc.pid, n, args.seconds))
            print(f"{n:>14} {fps:>14.0f} {cpu:>10.1f}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
