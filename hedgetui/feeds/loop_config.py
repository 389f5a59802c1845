"""A feed's timing, limits and counters: ``FeedConfig``, ``FeedStats`` and the reconnect backoff.

Plain values, without ``websockets``: the connection loop (``hedgetui.feeds.base``) is tuned by a
:class:`FeedConfig`, counts what happened in its :class:`FeedStats`, and waits
:func:`backoff_delay` between connection attempts (exponential, jittered, capped).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """Timing and limits of one feed. Seconds throughout."""

    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0
    backoff_factor: float = 2.0
    jitter: float = 0.25  # +-25% of the delay
    healthy_after_s: float = 10.0  # a session this long resets the backoff
    stale_after_s: float = 10.0  # no market data this long -> STALE
    idle_timeout_s: float = 30.0  # no frame at all this long -> close and reconnect
    ping_interval_s: float | None = None  # None = the venue's own keep-alive interval
    open_timeout_s: float = 10.0
    close_timeout_s: float = 2.0
    max_queue: int = 256  # frames buffered by websockets before TCP back-pressure
    max_frame_bytes: int = 4 * 1024 * 1024
    freeze_after_s: float = 5.0  # the loop did not run (or the clock jumped) this long: a freeze


@dataclass(slots=True)
class FeedStats:
    """Counters of one feed since it was created."""

    frames: int = 0
    events: int = 0
    malformed: int = 0
    error_replies: int = 0
    connects: int = 0  # connection attempts
    sessions: int = 0  # successful handshakes
    reconnects: int = 0
    freezes: int = 0  # freezes noticed (process stopped, machine suspended, clock jumped)
    last_error: str | None = None


def backoff_delay(attempt: int, config: FeedConfig, rng: random.Random) -> float:
    """Delay before connection attempt number ``attempt`` (0 = first retry), jittered and capped."""
    base = config.backoff_initial_s * config.backoff_factor ** min(attempt, 60)
    base = min(base, config.backoff_max_s)
    jittered = base * (1.0 + config.jitter * rng.uniform(-1.0, 1.0))
    return max(0.0, min(jittered, config.backoff_max_s))
