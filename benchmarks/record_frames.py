"""Record what `hedgetui sim` sends, per venue, for `benchmarks/ingest.py` to replay.

Starts `hedgetui sim` (websockets only) on a scenario, subscribes one client per venue to BTC
and ETH mark/index/funding exactly as `benchmarks/sim.py` does, and writes every text frame it
receives (subscription acks included, as a feed sees them) to
``benchmarks/frames/<venue>.jsonl.gz``: one JSON string per line, in arrival order. Usage::

    .venv/bin/python benchmarks/record_frames.py [--seconds 60] [--scenario crash]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import subprocess
import sys
from pathlib import Path

from websockets.asyncio.client import connect

from hedgetui import event_loop

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from sim import SUBSCRIBE  # noqa: E402  (the benchmark next door: the same subscriptions)

OUT = HERE / "frames"


async def record(url: str, messages: list[str], seconds: float) -> list[str]:
    frames: list[str] = []
    async with connect(url, max_queue=None) as ws:
        for m in messages:
            await ws.send(m)
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while (left := end - loop.time()) > 0:
            try:
                frame = await asyncio.wait_for(ws.recv(), left)
            except TimeoutError:
                break
            frames.append(frame if isinstance(frame, str) else frame.decode())
    return frames


async def record_all(urls: dict[str, str], seconds: float) -> dict[str, list[str]]:
    venues = list(SUBSCRIBE)
    got = await asyncio.gather(
        *(record(urls[v] + SUBSCRIBE[v][0], SUBSCRIBE[v][1], seconds) for v in venues)
    )
    return dict(zip(venues, got, strict=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--scenario", default="crash")
    args = ap.parse_args()
    cmd = [sys.executable, "-m", "hedgetui", "sim", "--no-rest", "--scenario", args.scenario]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None
    urls: dict[str, str] = {}
    try:
        while "control" not in (line := json.loads(proc.stdout.readline())):
            urls[line["venue"]] = line["ws"]
        recorded = event_loop.run(record_all(urls, args.seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    OUT.mkdir(exist_ok=True)
    for venue, frames in recorded.items():
        path = OUT / f"{venue}.jsonl.gz"
        lines = "".join(json.dumps(f) + "\n" for f in frames)
        path.write_bytes(gzip.compress(lines.encode(), mtime=0))
        print(f"{venue:8} {len(frames):6d} frames  {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
