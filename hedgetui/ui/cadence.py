"""How often the dashboard repaints and reads its feeds' sockets (``display.refresh_hz``)."""

from __future__ import annotations

PAINT_ALLOWANCE_S = 0.025
"""Part of the ``1 / refresh_hz`` budget kept for Textual's screen-update timer (up to one
frame, 17 ms at its default 60 fps) and the paint itself (~3 ms)."""
CLOCK_REPAINT_S = 1.0  # with no data, repaint this often for ages, countdowns and staleness
MAX_REFRESH_HZ = 10.0
MIN_REFRESH_HZ = 0.2
MAX_READ_PERIOD_S = 0.1
"""The feeds' sockets are read at least this often, whatever the refresh rate: a slow refresh
(a phone on the move) must not leave seconds of frames in the kernel's socket buffers, where a
busy stream could fill them and push back on the venue."""


def clock_repaint_due(since_paint_s: float, period_s: float = CLOCK_REPAINT_S) -> bool:
    """Whether the clock's check, run every half ``period_s``, repaints.

    It takes a quarter of ``period_s`` as slack: a check that wakes a hair early (uvloop's
    timers count whole milliseconds) would otherwise find the last paint a hair under
    ``period_s`` old and leave the ages standing for another half period.
    """
    return since_paint_s >= period_s * 3 / 4


def refresh_rate(hz: float) -> float:
    """The repaints per second the dashboard makes when ``display.refresh_hz`` asks for ``hz``."""
    return min(MAX_REFRESH_HZ, max(MIN_REFRESH_HZ, hz))


def read_period(hz: float) -> float:
    """Seconds between two reads of the feeds' sockets (``Runtime.read_in_passes``) for a
    dashboard that ``display.refresh_hz`` asks to repaint ``hz`` times a second: one read per
    repaint, but at least every ``MAX_READ_PERIOD_S``."""
    return min(1 / refresh_rate(hz), MAX_READ_PERIOD_S)
