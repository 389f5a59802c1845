"""The start-up heap is frozen once the dashboard has started (hedgetui/heap.py)."""

from __future__ import annotations

import asyncio
import gc
import os
import weakref
from collections.abc import Iterator

import pytest

from hedgetui.heap import (
    HeapTidier,
    freeze_after_start_up,
    freeze_start_up_heap,
    malloc_trim,
    tidy_heap,
)


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Each test starts and ends with nothing frozen (the test process's heap stays normal)."""
    gc.unfreeze()
    yield
    gc.unfreeze()


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_freezes_what_is_alive_after_a_collection(unfrozen: None) -> None:
    kept = Cycle()
    dropped = weakref.ref(Cycle())  # garbage in a cycle: only a collection reclaims it
    assert dropped() is not None and gc.get_freeze_count() == 0
    frozen = freeze_start_up_heap()
    assert dropped() is None  # collected first, not frozen with the rest
    assert frozen == gc.get_freeze_count() > 0
    assert all(obj is not kept for obj in gc.get_objects())  # out of every generation


async def test_runs_on_the_loop_after_start_up_and_can_be_cancelled(unfrozen: None) -> None:
    loop = asyncio.get_running_loop()
    cancelled = freeze_after_start_up(loop, after_s=0.0)
    cancelled.cancel()
    for _ in range(5):
        await asyncio.sleep(0)
    assert gc.get_freeze_count() == 0
    handle = freeze_after_start_up(loop, after_s=0.0)
    for _ in range(5):
        if gc.get_freeze_count():
            break
        await asyncio.sleep(0)
    assert gc.get_freeze_count() > 0
    assert not handle.cancelled()


# ---------------------------------------------------------------- tidy_heap / HeapTidier


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_tidy_heap_collects_then_trims() -> None:
    calls: list[int] = []
    dropped = weakref.ref(Cycle())
    assert tidy_heap(trim=lambda pad: calls.append(pad) or 1) is True
    assert dropped() is None and calls == [0]


@pytest.mark.skipif(malloc_trim() is None, reason="glibc's malloc_trim (Linux) only")
def test_tidy_heap_hands_free_pages_back() -> None:
    """Freed chunks below a chunk still in use stay in RSS until trimmed."""
    chunks = [bytes(20_000) for _ in range(2_000)]  # 40 MB on the C heap (each under mmap's)
    kept = bytes(20_000)  # allocated last: on top of the rest, so the heap cannot shrink
    touched = _rss_bytes()
    del chunks
    freed = _rss_bytes()
    tidy_heap()
    trimmed = _rss_bytes()
    assert touched - freed < 10_000_000  # free() alone kept the pages
    assert freed - trimmed > 30_000_000, (touched, freed, trimmed)
    del kept


async def test_tidier_runs_every_interval_until_cancelled() -> None:
    runs: list[float] = []
    loop = asyncio.get_running_loop()
    tidier = HeapTidier(loop, every_s=0.0, tidy=lambda: runs.append(loop.time()))
    for _ in range(20):
        if len(runs) >= 3:
            break
        await asyncio.sleep(0)
    tidier.cancel()
    done = len(runs)
    assert done >= 3 and tidier.runs == done
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(runs) == done
