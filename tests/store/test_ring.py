"""FloatRing: the last n values, oldest first, in memory taken when it is made."""

from __future__ import annotations

import tracemalloc

import pytest

from hedgetui.clock import ManualClock
from hedgetui.config import HedgeSettings, ManualPosition, Settings
from hedgetui.domain import IndexPrice, MarkPrice
from hedgetui.store import Store
from hedgetui.store.ring import FloatRing

NOW_S = 1_700_000_000.0


def test_ring_keeps_the_last_values_oldest_first() -> None:
    ring = FloatRing(3)
    assert (len(ring), tuple(ring)) == (0, ())
    ring.append(1.0)
    ring.append(2.0)
    assert (len(ring), tuple(ring)) == (2, (1.0, 2.0))
    for value in (3.0, 4.0, 5.0, 6.0, 7.0):
        ring.append(value)
    assert (len(ring), tuple(ring), ring.size) == (3, (5.0, 6.0, 7.0), 3)


def test_ring_of_one_and_no_ring_of_none() -> None:
    ring = FloatRing(1)
    ring.append(1.5)
    ring.append(-2.5)
    assert tuple(ring) == (-2.5,)
    with pytest.raises(ValueError, match="at least one"):
        FloatRing(0)


def _traced_growth(step: object, times: int) -> int:
    """Net bytes still allocated after calling ``step(i)`` ``times`` times."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(times):
            step(i)  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_ring_takes_no_memory_as_it_fills() -> None:
    ring = FloatRing(3600)
    growth = _traced_growth(lambda i: ring.append(i * 0.25 + 0.1), 3600)
    assert growth < 1024, growth  # a deque(maxlen=3600) of floats grows ~115 kB here


def test_store_basis_history_takes_no_memory_as_the_hour_fills() -> None:
    """A hedge's basis history (a point a second for an hour) does not grow the store's memory
    while it fills: a long session's memory is flat from the start, not rising for an hour."""
    position = ManualPosition(side="short", contracts=100_000, entry=40_000, collateral=3.0)
    hedge = HedgeSettings(
        name="btc", coin="BTC", venue="bitmex", symbol="XBTUSD", position=position
    )
    clock = ManualClock(NOW_S)
    store = Store(Settings(hedges=(hedge,)), clock=clock)

    def one_second(i: int) -> None:
        ms = int(clock.time() * 1000)
        store.apply(IndexPrice("bitmex", "XBTUSD", 40_000.0, ms))
        store.apply(MarkPrice("bitmex", "XBTUSD", 40_000.0 + (i % 97) * 0.5 + 0.25, ms))
        clock.advance(1)

    for i in range(300):  # the sparkline rings (120 points) fill first
        one_second(i)
    growth = _traced_growth(one_second, 1200)
    assert len(store.basis_history("btc")) == 1500
    assert growth < 8 * 1024, growth  # a deque of floats: ~38 kB for 1200 points
