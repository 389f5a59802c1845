"""CPU cost of replaying a recording fast: `hedgetui sim --replay FILE --speed 100`.

The recording (unless ``--recording FILE`` is given) is made here, quickly and realistically:
the simulator's own venue protocols (``hedgetui.sim``: the frames each venue really sends, at
each venue's own rates) run on a manual clock through ``--minutes`` (default 5) of the
``crash`` scenario, for all six venues and the demo portfolio's instruments, and every frame is
written by ``RecordingWriter`` as ``hedgetui record`` writes it (open, subscriptions, frames).

Then ``hedgetui sim --replay FILE --speed X`` runs in a CHILD process and this process connects
one real feed per venue (``hedgetui.feeds.Feed``, into a ``Store`` on the recording's clock,
as ``demo --replay`` does). Reported: the replaying simulator's CPU time (from /proc, Linux)
and this consumer's (``time.process_time()``), each as % of one core over the playback (from
the first connection to ``replay_ended``), and the frames delivered. Usage::

    .venv/bin/python benchmarks/replay_speed.py [--minutes 5] [--speed 100] [--recording FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hedgetui import event_loop
from hedgetui.clock import ManualClock
from hedgetui.demo.portfolio import demo_settings
from hedgetui.domain import VENUES
from hedgetui.feeds import Feed, get_adapter
from hedgetui.history.recording import RecordingWriter, read_header
from hedgetui.history.replay import ReplayClock, replay_feed_config
from hedgetui.runtime.core import feed_plan
from hedgetui.sim.base import Session
from hedgetui.sim.market import Market
from hedgetui.sim.scenarios import get_scenario
from hedgetui.sim.server import PROTOCOLS
from hedgetui.store import Store

REPO = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")
STEP_S = 0.01  # the manual clock's step while making the recording


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def make_recording(path: Path, minutes: float) -> int:
    """Write ``minutes`` of the crash scenario on all six venues; returns the frames written."""
    scenario = get_scenario("crash")
    settings = demo_settings(
        scenario.initial("BTC").mark, scenario.initial("ETH").mark, {v: "" for v in VENUES}
    )
    plan = feed_plan(settings, VENUES)
    clock = ManualClock(time.time() - minutes * 60)
    market = Market(scenario, clock, 1.0)
    writer = RecordingWriter(path, tuple(plan), plan, clock=clock)
    venues = []
    talk: dict[str, tuple[Any, Any, Session]] = {}
    for venue, symbols in plan.items():
        protocol = PROTOCOLS[venue](market)
        adapter = get_adapter(venue)
        base = "ws://127.0.0.1:1" + ("" if venue == "binance" else protocol.paths[0])
        url = adapter.connect_url(base, symbols)
        session = Session(url.split(":1", 1)[1] or "/")
        conn = writer.opened(venue, url)

        def deliver(frames: list[str | bytes], venue: str = venue, conn: int = conn) -> None:
            """Record frames as the feed receives them, answering what must be answered."""
            adapter, protocol, session = talk[venue]
            for frame in frames:
                writer.frame(venue, conn, frame)
                reply = adapter.answer(frame)
                if reply is not None:
                    writer.sent(venue, conn, reply)
                    deliver(protocol.receive(session, reply))

        talk[venue] = (adapter, protocol, session)
        deliver(protocol.open(session))
        for message in adapter.subscribe_messages(symbols):
            writer.sent(venue, conn, message)
            deliver(protocol.receive(session, message))
        every = max(1, round(1.0 / protocol.hz / STEP_S))
        venues.append((protocol, session, deliver, every, len(venues)))
    steps = round(minutes * 60 / STEP_S)
    counts = [0] * len(venues)
    for k in range(steps):
        clock.advance(STEP_S)
        for protocol, session, deliver, every, offset in venues:
            if (k + offset) % every:
                continue
            counts[offset] += 1
            deliver(protocol.tick(session, protocol.quotes_now(), counts[offset]))
    writer.close()
    return writer.frames


def start_replay(path: Path, speed: float) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """``hedgetui sim --replay`` in a child process, and its venues' URLs."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hedgetui", "sim", "--replay", str(path), "--speed", str(speed)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    urls: dict[str, str] = {}
    while True:
        line = json.loads(proc.stdout.readline())
        if "replay" in line:
            return proc, urls
        urls[line["venue"]] = line["ws"]


async def replay(
    path: Path, speed: float, proc: subprocess.Popen[str], urls: dict[str, str]
) -> None:
    header = read_header(path)
    assert proc.stdout is not None
    clock = ReplayClock(header.start_ms / 1000, speed)
    scenario = get_scenario("crash")
    settings = demo_settings(scenario.initial("BTC").mark, scenario.initial("ETH").mark, urls)
    store = Store(settings, clock=clock, extra_venues=header.venues)
    config = replay_feed_config(None, speed)
    feeds = [
        Feed(v, header.symbols[v], store.apply, url=urls[v], clock=clock, config=config)
        for v in header.venues
    ]
    sim_cpu0, cpu0, wall0 = cpu_seconds(proc.pid), time.process_time(), time.perf_counter()
    clock.start()
    tasks = [asyncio.create_task(f.run()) for f in feeds]
    ended = json.loads(await asyncio.to_thread(proc.stdout.readline))
    wall = time.perf_counter() - wall0
    sim_cpu, cpu = cpu_seconds(proc.pid) - sim_cpu0, time.process_time() - cpu0
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    recorded_s = clock.monotonic() if wall else 0.0
    frames = sum(f.stats.frames for f in feeds)
    print(
        f"replayed {ended['frames_sent']} frames ({frames} received) at {speed:g}x in "
        f"{wall:.2f} s ({recorded_s:.0f} recorded s)\n"
        f"replaying simulator: {sim_cpu:.2f} s CPU = {100 * sim_cpu / wall:.1f}% of one core\n"
        f"consumer (6 feeds + store): {cpu:.2f} s CPU = {100 * cpu / wall:.1f}% of one core"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--speed", type=float, default=100.0)
    parser.add_argument("--recording", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.recording
        if path is None:
            path = Path(tmp) / "crash.jsonl.gz"
            t0 = time.perf_counter()
            n = make_recording(path, args.minutes)
            size = path.stat().st_size
            print(
                f"recording: {args.minutes:g} min of crash on 6 venues, {n} frames, "
                f"{size / 1024:.0f} KiB gzip (made in {time.perf_counter() - t0:.1f} s)"
            )
        proc, urls = start_replay(path, args.speed)
        try:
            event_loop.run(replay(path, args.speed, proc, urls))
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
