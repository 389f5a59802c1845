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
import ctypes
import gc
import sys
from collections.abc import Callable
from functools import cache
from typing import cast

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


# ---------------------------------------------------------------- handing free pages back

TIDY_EVERY_S = 300.0
"""How often a long-running process (the dashboard, ``watch``) collects and trims its heap."""

MallocTrim = Callable[[int], int]


@cache
def malloc_trim() -> MallocTrim | None:
    """glibc's ``malloc_trim`` (None elsewhere: macOS, musl, Windows)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # a libc without it (musl)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return cast(MallocTrim, trim)


def tidy_heap(trim: MallocTrim | None = None) -> bool:
    """One full collection, then the C allocator's free pages back to the system.

    Memory Python frees goes back to glibc's heap, which keeps it: a page stays in the
    process's RSS while any chunk on it is in use, and the heap's top only shrinks when its
    last chunk is free. A reconnect's buffers, a burst of frames, a toast's widgets leave such
    free pages behind, and RSS climbs by their high-water marks. ``malloc_trim(0)`` hands every
    whole free page back (``madvise``), in a fraction of a millisecond. The collection first
    frees what waits in the collector's oldest generation. Returns whether the trim ran.
    """
    gc.collect()
    trim = trim if trim is not None else malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


class HeapTidier:
    """:func:`tidy_heap` on ``loop`` every ``every_s`` seconds until :meth:`cancel`."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        every_s: float = TIDY_EVERY_S,
        tidy: Callable[[], object] = tidy_heap,
    ) -> None:
        self._loop = loop
        self._every_s = every_s
        self._tidy = tidy
        self.runs = 0
        self._handle: asyncio.TimerHandle | None = loop.call_later(every_s, self._run)

    def _run(self) -> None:
        self._tidy()
        self.runs += 1
        self._handle = self._loop.call_later(self._every_s, self._run)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
