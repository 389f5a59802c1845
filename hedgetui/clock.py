"""Injectable time source, so tests advance time instead of sleeping."""

from __future__ import annotations

import functools
import time as _time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Wall-clock epoch seconds."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes backwards."""
        ...


_BOOTTIME = getattr(_time, "CLOCK_BOOTTIME", None)


class SystemClock:
    """The machine's clocks, read through the builtins themselves: the store reads the
    monotonic clock for every event it applies, and a Python-level wrapper would add a frame to
    each read.

    ``monotonic`` on Linux is CLOCK_BOOTTIME, which also counts the time the machine was
    suspended (its CLOCK_MONOTONIC stops then), so that a price from before a suspend is as old
    as it looks on the wall clock and shows stale after the resume; elsewhere
    ``time.monotonic``.
    """

    time = staticmethod(_time.time)
    monotonic = staticmethod(
        functools.partial(_time.clock_gettime, _BOOTTIME)
        if _BOOTTIME is not None
        else _time.monotonic
    )


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


class OffsetClock:
    """Another clock's wall time moved by ``offset_s`` seconds (its monotonic time as is): a
    venue whose clock is off (``hedgetui sim --clock-skew``, the doctor's tests)."""

    def __init__(self, offset_s: float, base: Clock | None = None) -> None:
        self.offset_s = offset_s
        self._base = base or SYSTEM_CLOCK

    def time(self) -> float:
        return self._base.time() + self.offset_s

    def monotonic(self) -> float:
        return self._base.monotonic()
