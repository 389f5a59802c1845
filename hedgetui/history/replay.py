"""How a replayed session keeps time: the clock that follows the recording.

A recording's frames carry the exchanges' own times from when it was made, and the dashboard
checks exchange times against its clock (plausibility window, freshness, funding times). A
replay therefore runs the consuming session on a :class:`ReplayClock`: its wall time is the
recording's (start time + recorded seconds played so far) and its monotonic time counts
recorded seconds, both advancing at ``speed`` times real time. Every judgement made on that
clock — a price's age, STALE after ``stale_after_s`` without data, an exchange time's
plausibility, the time to the next funding — is the one the live session made at the same
recorded moment. The frames are served byte for byte as received; nothing is rewritten.

Waiting that is done in real time (reconnect backoff, the freeze check between two ticks) is
scaled by :func:`replay_feed_config`, so that a feed reconnects after a replayed drop at the
recorded moment and a fast replay does not look like a frozen process.
"""

from __future__ import annotations

from dataclasses import replace

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.feeds.loop_config import FeedConfig


class ReplayClock:
    """Recorded time: ``time()`` = the recording's start + seconds played, ``monotonic()`` =
    seconds played; both stand still until :meth:`start`, then run at ``speed``."""

    def __init__(self, start_wall_s: float, speed: float, base: Clock | None = None) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.start_wall_s = start_wall_s
        self.speed = speed
        self._base = base or SYSTEM_CLOCK
        self._origin: float | None = None

    @property
    def started(self) -> bool:
        return self._origin is not None

    def start(self) -> None:
        """Start playing (once; later calls change nothing)."""
        if self._origin is None:
            self._origin = self._base.monotonic()

    def monotonic(self) -> float:
        origin = self._origin
        if origin is None:
            return 0.0
        return (self._base.monotonic() - origin) * self.speed

    def time(self) -> float:
        return self.start_wall_s + self.monotonic()

    def real_delay(self, recorded_s: float) -> float:
        """Real seconds until recorded second ``recorded_s`` is reached (<= 0: it has been)."""
        return (recorded_s - self.monotonic()) / self.speed


def replay_feed_config(base: FeedConfig | None, speed: float) -> FeedConfig:
    """``base`` for a feed on a :class:`ReplayClock` at ``speed``: the backoff (slept in real
    time) shrunk by ``speed`` and the freeze threshold (measured in recorded seconds between
    ticks a quarter of a real second apart) grown by it; staleness and the watchdog, measured
    on the clock, are kept as they are."""
    cfg = base or FeedConfig()
    return replace(
        cfg,
        backoff_initial_s=cfg.backoff_initial_s / speed,
        backoff_max_s=cfg.backoff_max_s / speed,
        freeze_after_s=cfg.freeze_after_s * max(1.0, speed),
    )
