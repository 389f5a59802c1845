"""``HEDGETUI_DEBUG_STATS``: a process reports its tasks and its feeds' reconnects to a file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from hedgetui import event_loop
from hedgetui.feeds import Feed
from hedgetui.sim import start_simulator
from tests.feeds.test_feeds_live import FAST, Recorder


def test_the_process_reports_its_tasks_and_feeds_every_interval(tmp_path: Path) -> None:
    out = tmp_path / "stats.jsonl"

    async def main() -> None:
        sim = await start_simulator(venues=["okx"], scenario="calm", control=False)
        feed = Feed("okx", ["BTC-USD-SWAP"], Recorder(), url=sim.ws_url("okx"), config=FAST)
        task = asyncio.create_task(feed.run())
        await asyncio.sleep(1.0)
        await sim.fault("okx", "drop")
        await asyncio.sleep(1.0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await sim.close()

    env = {"HEDGETUI_DEBUG_STATS": str(out), "HEDGETUI_DEBUG_STATS_EVERY": "0.3"}
    event_loop.run(main(), env=env)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) >= 4
    assert all(line["tasks"] >= 2 for line in lines)
    assert lines[0]["feeds"]["okx"]["reconnects"] == 0
    assert lines[-1]["feeds"]["okx"]["reconnects"] == 1
    heap = lines[-1]["heap"]
    assert heap["py_blocks"] > heap["gc_objects"] > 1000 and heap["gc_frozen"] >= 0


def test_without_the_variable_nothing_is_written(tmp_path: Path) -> None:
    assert event_loop.run(asyncio.sleep(0.01, result=7), env={}) == 7
    assert list(tmp_path.iterdir()) == []
