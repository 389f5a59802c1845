"""`hedgetui watch` reads its feeds in passes: each alert evaluation follows a read pass."""

from __future__ import annotations

import asyncio
import contextlib

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.headless import watch_loop
from hedgetui.alerts.sinks import AlertDispatcher
from hedgetui.config import Settings
from hedgetui.feeds.read_gate import ReadGate
from hedgetui.store import Store
from tests.store.test_store import CORE


async def test_with_passes_each_evaluation_follows_a_pass() -> None:
    """The evaluation timer is 10 s here: only the gate's passes (every 50 ms) can make the
    loop evaluate ~10 times in half a second (one status line per evaluation)."""
    settings = Settings(hedges=(CORE,))
    store = Store(settings)
    gate = ReadGate(0.05)
    runner = asyncio.create_task(gate.run())
    lines: list[str] = []
    try:
        await watch_loop(
            store,
            AlertEngine.from_settings(settings),
            AlertDispatcher([]),
            lines.append,
            json_mode=True,
            interval_s=1e-9,  # a status line after every evaluation
            stop=asyncio.Event(),
            duration_s=0.5,
            eval_every_s=10.0,
            passed=gate.passed,
        )
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    evaluations = len(lines)
    assert evaluations >= 5
    assert gate.passes >= evaluations - 1  # the first evaluation runs before any pass
