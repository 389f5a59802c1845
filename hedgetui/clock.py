"""Injectable time source, so tests advance time instead of sleeping."""

from __future__ import annotations

import time as _time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Wall-clock epoch seconds."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes backwards."""
        ...


class SystemClock:
    # The builtins themselves, not methods that call them: the store reads the monotonic clock
    # for every event it applies, and a Python-level wrapper would add a frame to each read.
    time = staticmethod(_time.time)
    monotonic = staticmethod(_time.monotonic)


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
