"""A hedge's carry figures from the funding history, recomputed only when what they depend on
changes (the history, the position, the funding rate, the minute), never on every frame."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from hedgetui.history.carry import Exposure, carry_figures
from hedgetui.history.model import FundingPayment, FundingSeries
from hedgetui.store.state import HedgeState

RECOMPUTE_MS = 60_000
"""The trailing windows move with the clock: the figures are recomputed once a minute."""
RATE_DIGITS = 6
"""A change of the current funding rate below 1e-6 (0.0001% an interval) waits for the minute."""


def since_ms(day: date | None) -> int | None:
    """A hedge's configured ``carry_since`` (a UTC date) in epoch ms, None when unset."""
    if day is None:
        return None
    return int(datetime.combine(day, time(0), UTC).timestamp() * 1000)


def carry_of(
    hedge: HedgeState,
    series: FundingSeries | None,
    payments: Sequence[FundingPayment] | None,
    history_version: int,
    mark: float | None,
    rate: float | None,
    hours: float,
    now_ms: int,
) -> None:
    """Set ``hedge.carry`` for its position now (None without a history or a position)."""
    position = hedge.position
    if series is None or position is None:
        hedge.carry, hedge.carry_key = None, None
        return
    minute = now_ms // RECOMPUTE_MS
    # A venue's predicted rate moves on every tick: to a millionth it moves the projections by
    # under 1% of a typical rate, so they follow it without a recompute per frame.
    shown_rate = None if rate is None else round(rate, RATE_DIGITS)
    key: tuple[object, ...] = (history_version, position.side, position.notional_usd, shown_rate)
    key += (hours, minute)
    if key == hedge.carry_key:
        return
    exposure = Exposure(position.side, position.notional_usd, mark if mark and mark > 0 else None)
    hedge.carry = carry_figures(
        series,
        exposure,
        now_ms,
        since_ms=since_ms(hedge.settings.carry_since),
        current_rate=rate,
        interval_hours=hours,
        payments=payments,
    )
    hedge.carry_key = key
