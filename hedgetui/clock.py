"""Injectable time source, so tests advance time instead of sleeping."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Wall-clock epoch seconds."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes backwards."""
        ...


_BOOTTIME = getattr(time, "CLOCK_BOOTTIME", None)


class SystemClock:
    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        """Linux: CLOCK_BOOTTIME, which also counts the time the machine was suspended (its
        CLOCK_MONOTONIC stops then), so that a price from before a suspend is as old as it
        looks on the wall clock and shows stale after the resume. Elsewhere time.monotonic()."""
        if _BOOTTIME is not None:
            return time.clock_gettime(_BOOTTIME)
        return time.monotonic()


class ManualClock:
    """A clock that only moves when told to (tests, replays)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._wall = start
        self._mono = 0.0

    def time(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._wall += seconds
        self._mono += seconds


SYSTEM_CLOCK = SystemClock()
