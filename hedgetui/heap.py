"""Keep what start-up built out of Python's full garbage collections (``gc.freeze``).

The imports, Textual's DOM and styles, the config and the widgets are ~70,000 objects that live
as long as the dashboard. Python's full collection walks all of them whenever enough newer
objects have piled up (every half minute to a minute at the benchmark's load), ~30 ms each
time: about a tenth of a point of a core, and a stall, spent proving the same objects alive.
Frozen after start-up, they are skipped; objects made later (a screen opened, a reconnect's
buffers) are collected as usual.

The cost: a frozen object that later becomes garbage *in a cycle* is never reclaimed (refcounts
still free the rest). What start-up leaves behind is collected first, so what is frozen is what
was alive then: mostly what lives as long as the process (modules, the app, its widgets).
"""

from __future__ import annotations

import asyncio
import gc

START_UP_S = 2.0
"""From the start of the dashboard to the freeze: the screen is drawn (~0.5 s) and the feeds
are connecting; what they build later stays in the collector's reach."""


def freeze_start_up_heap() -> int:
    """Collect once, then move every object still alive out of later collections.

    Returns how many objects are frozen (``gc.get_freeze_count()``).
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def freeze_after_start_up(
    loop: asyncio.AbstractEventLoop, after_s: float = START_UP_S
) -> asyncio.TimerHandle:
    """Run :func:`freeze_start_up_heap` on ``loop`` in ``after_s`` (cancel the handle on exit)."""
    return loop.call_later(after_s, freeze_start_up_heap)
