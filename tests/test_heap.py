"""The start-up heap is frozen once the dashboard has started (hedgetui/heap.py)."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from hedgetui.heap import freeze_after_start_up, freeze_start_up_heap


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
