"""``HEDGETUI_DEBUG_STATS=<file>``: the process reports on itself, for ``benchmarks/soak.py``.

With the variable set, every command run through :func:`hedgetui.event_loop.run` appends one
JSON line to the file every ``HEDGETUI_DEBUG_STATS_EVERY`` seconds (default 60), from inside
the process (what ``/proc`` cannot tell from outside):

    {"t": <epoch s>, "pid": 123, "tasks": <asyncio tasks>,
     "feeds": {"<name>": {"reconnects": n, "sessions": n, "freezes": n, "state": "live"}},
     "heap": {"py_blocks": n, "gc_objects": n, "gc_frozen": n}}

``heap`` tells live Python memory from the allocator's: ``py_blocks`` is every memory block
Python has allocated and not freed (``sys.getallocatedblocks()``: objects, their buffers, the
interpreter's own), ``gc_objects`` the container objects the collector tracks outside the
frozen start-up heap (``gc_frozen``). RSS rising while both stay flat is the allocator keeping
pages, not objects piling up. Counting ``gc_objects`` walks the collector's lists, ~1 ms per
50,000 objects, once per report.

``feeds`` names every running websocket feed: the venue for a market feed, ``account:<name>``
for an account stream. Writing is a few hundred bytes a minute; without the variable nothing
runs at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import sys
import time
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

ENV = "HEDGETUI_DEBUG_STATS"
EVERY_ENV = "HEDGETUI_DEBUG_STATS_EVERY"
T = TypeVar("T")


def stats_line() -> dict[str, Any]:
    """What the process says about itself now (call on the running loop)."""
    from hedgetui.feeds.base import running_feeds

    feeds: dict[str, dict[str, Any]] = {}
    for feed in running_feeds():
        name = feed.stats_name
        feeds[name] = {
            "reconnects": feed.stats.reconnects,
            "sessions": feed.stats.sessions,
            "freezes": feed.stats.freezes,
            "state": feed.state.value,
        }
    heap = {
        "py_blocks": sys.getallocatedblocks(),
        "gc_objects": len(gc.get_objects()),
        "gc_frozen": gc.get_freeze_count(),
    }
    tasks = len(asyncio.all_tasks())
    return {"t": time.time(), "pid": os.getpid(), "tasks": tasks, "feeds": feeds, "heap": heap}


def _append(path: str, line: str) -> None:
    with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")


async def _report_forever(path: str, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        _append(path, json.dumps(stats_line(), sort_keys=True))  # a few hundred bytes: no thread


async def _with_reports(main: Coroutine[Any, Any, T], path: str, every: float) -> T:
    reporter = asyncio.create_task(_report_forever(path, every), name="debug-stats")
    try:
        return await main
    finally:
        reporter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reporter


def wrap(main: Coroutine[Any, Any, T], env: Mapping[str, str]) -> Coroutine[Any, Any, T]:
    """``main``, reporting on the process meanwhile when ``env`` asks for it."""
    path = env.get(ENV)
    if not path:
        return main
    try:
        every = float(env.get(EVERY_ENV, "60"))
    except ValueError:
        every = 60.0
    return _with_reports(main, path, max(0.1, every))
