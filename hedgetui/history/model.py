"""The value types the history package shares: funding events, realised payments, price bars.

Pure data, no I/O. Times are epoch milliseconds (UTC); rates are fractions per funding interval
with the venues' common sign (positive: longs pay shorts, so a short hedge receives).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FundingRecord:
    """One funding event of a perpetual: at ``time_ms`` the rate of the interval ending then."""

    time_ms: int
    rate: float
    interval_hours: float


@dataclass(frozen=True, slots=True)
class FundingPayment:
    """One funding payment the venue booked to the account (positive: the account received)."""

    time_ms: int
    amount: float
    coin: str
    symbol: str


@dataclass(frozen=True, slots=True)
class PriceBar:
    """One bar of a price path (a minute, in the shipped crash files); ``funding_rate`` is the
    rate per 8 hours in force during the bar where the source knows it."""

    time_ms: int
    open: float
    high: float
    low: float
    close: float
    funding_rate: float | None = None


def plausible_record(record: FundingRecord) -> bool:
    """A funding record a venue could have sent: finite, |rate| under 100% per interval, an
    interval between a minute and a week, a time after 2015 and before 2100."""
    return (
        math.isfinite(record.rate)
        and abs(record.rate) < 1.0
        and 1 / 60 <= record.interval_hours <= 168
        and 1_420_070_400_000 <= record.time_ms < 4_102_444_800_000
    )


@dataclass
class FundingSeries:
    """One instrument's funding events, time-ordered, one per time (a later copy replaces an
    earlier one: a venue can correct a rate)."""

    records: list[FundingRecord] = field(default_factory=list)
    _times: list[int] = field(init=False, repr=False, compare=False)  # records' times, for bisect

    def __post_init__(self) -> None:
        self._times = [r.time_ms for r in self.records]

    def merge(self, new: Iterable[FundingRecord]) -> int:
        """Add ``new`` (any order); returns how many times were not known before."""
        by_time = {r.time_ms: r for r in self.records}
        before = len(by_time)
        for record in new:
            by_time[record.time_ms] = record
        self.records = sorted(by_time.values(), key=lambda r: r.time_ms)
        self._times = [r.time_ms for r in self.records]
        return len(by_time) - before

    def between(self, start_ms: int, end_ms: int) -> Sequence[FundingRecord]:
        """The records with ``start_ms < time_ms <= end_ms``."""
        lo = bisect.bisect_right(self._times, start_ms)
        hi = bisect.bisect_right(self._times, end_ms)
        return self.records[lo:hi]

    @property
    def last_ms(self) -> int | None:
        return self.records[-1].time_ms if self.records else None
