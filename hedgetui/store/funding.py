"""Funding carried: which venue funding events a hedge is credited for, and how much.

Each venue funding *event* (identified by its time ``T``, as the venue announced it) is credited
once, ``rate × position value`` (positive = this position received it), at the mark of that
moment, with the last rate the venue announced for the interval ending at ``T``. Only exchange
data decides, never the local clock (which can jump) - see :func:`announce`:

* An event is *announced* by a next-funding time ``T`` that is a plausible funding time: on a whole
  UTC hour (every venue's funding grid is), after the frame's exchange time and at most one
  interval (at least 8 h) plus an hour ahead of it, and at least half an interval after the
  event announced or credited before it. Anything else (a next time creeping 100 ms ahead, a
  time already past, one a day ahead) announces nothing.
* An announced event is *credited* once the venue's own data shows ``T`` has passed: an exchange
  timestamp ``>= T`` on the instrument's mark or funding (a BitMEX ``funding`` settlement row
  carries ``T`` itself), or a next-funding time at least half an interval later (the venue moved
  on to the next interval). Events are credited in order and the last one is remembered, so each
  ``T`` is credited at most once; one first seen after it passed is never credited.
* Without a frame's exchange time (a rare tolerant-path frame) the local clock may only *refuse*
  an announcement (as already past or too far ahead), never credit one.
* Deribit announces no funding times (its funding accrues continuously): nothing is carried.
"""

from __future__ import annotations

from collections.abc import Callable

from hedgetui.risk import InversePosition
from hedgetui.store.state import HedgeState

HOUR_MS = 3_600_000
"""Every venue's funding times are whole UTC hours: a next-funding time off the hour is none."""
FUNDING_LEAD_MIN_H = 8.0
"""A next-funding time may lie up to max(interval, this) + 1 h after the frame's exchange time."""


def announce(
    hedge: HedgeState,
    next_time: int,
    interval_hours: float | None,
    exchange_now: int,
    credit: Callable[[HedgeState, int], None],
) -> None:
    """A next-funding time from the venue: a new funding event, or evidence one passed.

    ``next_time`` announces a new event only if it is a whole UTC hour, after ``exchange_now``
    (the frame's exchange time; the local clock only when the frame has none) and at most
    ``max(interval, 8 h) + 1 h`` ahead of it, and at least half an interval after the pending or
    last credited event; when it is that far past the pending event, the venue has moved on and
    the pending event is credited first (``credit``).
    """
    if next_time % HOUR_MS:
        return
    hours = hedge.profile.funding_interval_hours
    if interval_hours is not None and 0.0 < interval_hours < 10_000.0:
        hours = interval_hours
    lead = next_time - exchange_now
    if lead <= 0 or lead > (max(hours, FUNDING_LEAD_MIN_H) + 1.0) * HOUR_MS:
        return
    half = hours * HOUR_MS / 2
    due = hedge.pending_funding_ms
    if due is not None:
        if next_time < due + half:
            return  # the same event (or an earlier time): nothing new
        credit(hedge, due)  # the venue announced the following interval
    last = hedge.credited_funding_ms
    if last is None or next_time >= last + half:
        hedge.pending_funding_ms = next_time


def settle(hedge: HedgeState, due: int) -> bool:
    """The event at ``due`` has passed: True when it is new (credit it), False when credited."""
    hedge.pending_funding_ms = None
    last = hedge.credited_funding_ms
    if last is not None and due <= last:
        return False
    hedge.credited_funding_ms = due
    return True


def carry(hedge: HedgeState, rate: float, mark: float, position: InversePosition) -> None:
    """Add one funding payment at ``rate`` and ``mark`` to what ``hedge`` has carried."""
    sign = 1.0 if position.side == "short" else -1.0
    coin = sign * rate * position.notional_usd / mark
    hedge.carried_coin += coin
    hedge.carried_usd += coin * mark
