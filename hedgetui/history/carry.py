"""Carry: what funding has paid (or cost) a hedge, and what it would cost next (pure).

One sign convention with :mod:`hedgetui.store.funding` and ``risk-math.md`` §2.6: each funding
event pays ``rate × Q`` USD to a short and takes it from a long (``Q``, the position's USD
notional, ``contracts × contract_size``: on an inverse contract the USD value of a payment is
independent of the price; its coin value is ``rate × Q / mark``). A figure here is positive
when the hedge *received* it.

Two sources, best first:

* the account's realised payments (:class:`~hedgetui.history.model.FundingPayment`, booked by
  the venue, in coin): the truth (``source = "paid"``); their USD value is taken at the mark
  given (today's), since the venue books coin;
* the venue's funding-rate history applied to the position *as it is now* (``"estimate"``): a
  position that changed size during the window makes this an estimate, and it says so.

A window whose records do not cover it (the history starts later, or funding events are
missing between two records) reports the events missing (``missing``) and the hours it does
cover: it is never silently short.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from hedgetui.history.model import FundingPayment, FundingRecord, FundingSeries

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
HOURS_PER_YEAR = 24 * 365
WINDOWS: tuple[tuple[str, int], ...] = (("24h", DAY_MS), ("7d", 7 * DAY_MS), ("30d", 30 * DAY_MS))
"""The trailing windows every hedge is shown over (label, length)."""
PROJECTION_DAYS: tuple[int, ...] = (7, 30)
GAP_FACTOR = 1.5
"""Two records further apart than this many intervals have funding events missing between them."""
FETCH_GRACE_MS = 15 * 60_000
"""After a funding time, its record is not missing yet for this long (the fetch is on its way)."""

Source = Literal["paid", "estimate"]


@dataclass(frozen=True, slots=True)
class Exposure:
    """The hedge's position as it is now, all the carry math needs of it."""

    side: Literal["long", "short"]
    notional_usd: float  # Q = contracts × contract_size (unsigned)
    mark: float | None  # today's mark: the coin value of a USD figure (None: no coin figure)

    @property
    def sign(self) -> float:
        """+1 for a short (it receives a positive rate), -1 for a long."""
        return 1.0 if self.side == "short" else -1.0

    def coin(self, usd: float) -> float | None:
        return usd / self.mark if self.mark else None


@dataclass(frozen=True, slots=True)
class WindowCarry:
    """Funding over one window ``(start_ms, end_ms]``."""

    label: str  # "24h", "7d", "30d", "since"
    start_ms: int
    end_ms: int
    usd: float  # received (+) or paid (-)
    coin: float | None
    apr_pct: float | None  # the average rate over the covered hours, annualised (for this side)
    events: int  # funding events counted
    missing: int  # funding events the venue's grid says are missing from the window
    covered_hours: float  # the hours of the window the records cover
    source: Source

    @property
    def complete(self) -> bool:
        return self.missing == 0


@dataclass(frozen=True, slots=True)
class Projection:
    """The carry of the next ``days`` at one rate (positive: received)."""

    days: int
    basis: Literal["current", "30d avg"]
    usd: float
    coin: float | None


@dataclass(frozen=True, slots=True)
class CarryFigures:
    """Item 2 of issue 21 for one hedge: the windows, since when, and the projections."""

    since: WindowCarry | None  # None: no history at all
    since_configured: bool  # since the hedge's ``carry_since`` (else: the history's start)
    windows: tuple[WindowCarry, ...]
    projections: tuple[Projection, ...]
    current_rate: float | None  # per interval, the venue's sign
    interval_hours: float | None

    def window(self, label: str) -> WindowCarry | None:
        return next((w for w in self.windows if w.label == label), None)

    def record(self) -> dict[str, object]:
        """The figures as JSON-ready values (``status --json``, ``watch --json``)."""
        windows = [*self.windows, *((self.since,) if self.since else ())]
        return {
            "since_configured": self.since_configured,
            "windows": {
                w.label: {
                    "start_ms": w.start_ms,
                    "usd": w.usd,
                    "coin": w.coin,
                    "apr_pct": w.apr_pct,
                    "events": w.events,
                    "missing": w.missing,
                    "source": w.source,
                }
                for w in windows
            },
            "projections": [
                {"days": p.days, "basis": p.basis, "usd": p.usd, "coin": p.coin}
                for p in self.projections
            ],
        }

    def projection(self, days: int, basis: str = "current") -> Projection | None:
        return next((p for p in self.projections if p.days == days and p.basis == basis), None)


def missing_events(
    records: Sequence[FundingRecord], start_ms: int, end_ms: int, interval_hours: float
) -> int:
    """Funding events the venue's grid says should be in ``(start_ms, end_ms]`` but are not in
    ``records`` (the window's, time-ordered): between two records (each record's own interval),
    before the first (the history starting late) and after the last (not fetched up to now;
    ``FETCH_GRACE_MS`` after a funding time the event may still be on its way)."""
    step = interval_hours * HOUR_MS
    if step <= 0:
        return 0
    if not records:
        return int((end_ms - start_ms) // step)
    missing = max(0, math.ceil((records[0].time_ms - start_ms) / step) - 1)
    for a, b in itertools.pairwise(records):
        own = b.interval_hours * HOUR_MS
        if b.time_ms - a.time_ms > own * GAP_FACTOR:
            missing += round((b.time_ms - a.time_ms) / own) - 1
    missing += max(0, int((end_ms - records[-1].time_ms - FETCH_GRACE_MS) // step))
    return missing


def _interval(records: Sequence[FundingRecord], fallback: float | None) -> float | None:
    return records[-1].interval_hours if records else fallback


def rate_window(
    label: str,
    series: FundingSeries,
    exposure: Exposure,
    start_ms: int,
    end_ms: int,
    interval_hours: float | None = None,
) -> WindowCarry:
    """The estimated carry over ``(start_ms, end_ms]`` from the rate history."""
    records = series.between(start_ms, end_ms)
    hours = _interval(records, interval_hours) or _interval(series.records, None)
    usd = sum(exposure.sign * r.rate * exposure.notional_usd for r in records)
    covered = sum(r.interval_hours for r in records)
    apr = None
    if covered > 0:
        apr = exposure.sign * sum(r.rate for r in records) / covered * HOURS_PER_YEAR * 100
    missing = 0 if hours is None else missing_events(records, start_ms, end_ms, hours)
    return WindowCarry(
        label,
        start_ms,
        end_ms,
        usd,
        exposure.coin(usd),
        apr,
        len(records),
        missing,
        covered,
        "estimate",
    )


def paid_window(
    estimate: WindowCarry, payments: Sequence[FundingPayment], exposure: Exposure
) -> WindowCarry:
    """``estimate``'s window from the realised payments instead (their coin is the truth; the
    rate history still says how complete the window is and its average rate)."""
    paid = [p for p in payments if estimate.start_ms < p.time_ms <= estimate.end_ms]
    coin = sum(p.amount for p in paid)
    usd = coin * exposure.mark if exposure.mark else estimate.usd
    return WindowCarry(
        estimate.label,
        estimate.start_ms,
        estimate.end_ms,
        usd,
        coin,
        estimate.apr_pct,
        len(paid),
        estimate.missing,
        estimate.covered_hours,
        "paid",
    )


def carry_figures(
    series: FundingSeries,
    exposure: Exposure,
    now_ms: int,
    *,
    since_ms: int | None = None,
    current_rate: float | None = None,
    interval_hours: float | None = None,
    payments: Sequence[FundingPayment] | None = None,
) -> CarryFigures:
    """Every figure of one hedge at ``now_ms``.

    ``since_ms``: the hedge's configured start (``carry_since``), else the history's first
    event. ``current_rate`` (per interval, the live feed's) projects the next days; without it
    the last record's rate does. ``payments``: the account's realised payments (None: no keys);
    a window with at least one of them is the account's (``paid``), a window without any (the
    account's position is newer than it) is the estimate from the rates.
    """
    records = series.records
    hours = interval_hours or _interval(records, None)
    rate = current_rate if current_rate is not None else (records[-1].rate if records else None)

    def window(label: str, start_ms: int) -> WindowCarry:
        estimate = rate_window(label, series, exposure, start_ms, now_ms, hours)
        if not payments or not any(start_ms < p.time_ms <= now_ms for p in payments):
            return estimate  # no payment booked in the window (keys, or the position, newer)
        return paid_window(estimate, payments, exposure)

    windows = tuple(window(label, now_ms - length) for label, length in WINDOWS)
    since = None
    configured = since_ms is not None
    if since_ms is None and records:
        # the history's start: the interval the first event paid for
        since_ms = records[0].time_ms - int(records[0].interval_hours * HOUR_MS)
    if since_ms is not None:
        since = window("since", since_ms)
    projections: list[Projection] = []
    month = windows[-1]
    for days in PROJECTION_DAYS:
        if rate is not None and hours:
            usd = exposure.sign * rate * exposure.notional_usd * days * 24 / hours
            projections.append(Projection(days, "current", usd, exposure.coin(usd)))
        if month.apr_pct is not None:
            usd = month.apr_pct / 100 * exposure.notional_usd * days / 365
            projections.append(Projection(days, "30d avg", usd, exposure.coin(usd)))
    return CarryFigures(since, configured, windows, tuple(projections), rate, hours)


def cumulative(
    series: FundingSeries, exposure: Exposure, start_ms: int, end_ms: int
) -> list[tuple[int, float]]:
    """The carry (USD, received +) summed event by event over ``(start_ms, end_ms]``: one
    ``(time_ms, total so far)`` per funding event (for the history screen's chart)."""
    total = 0.0
    out: list[tuple[int, float]] = []
    for record in series.between(start_ms, end_ms):
        total += exposure.sign * record.rate * exposure.notional_usd
        out.append((record.time_ms, total))
    return out


@dataclass(frozen=True, slots=True)
class CarryTotals:
    """The portfolio's carry: USD summed over hedges, coin per coin."""

    usd: dict[str, float]  # window label -> USD
    coin: dict[str, dict[str, float]]  # window label -> coin -> amount
    incomplete: frozenset[str]  # window labels where some hedge's window has a gap


def carry_totals(figures: Sequence[tuple[str, CarryFigures]]) -> CarryTotals:
    """Sum ``(coin, figures)`` of every hedge, window by window."""
    usd: dict[str, float] = {}
    coin: dict[str, dict[str, float]] = {}
    incomplete: set[str] = set()
    for hedge_coin, fig in figures:
        for w in (*fig.windows, *((fig.since,) if fig.since else ())):
            usd[w.label] = usd.get(w.label, 0.0) + w.usd
            if w.coin is not None:
                per = coin.setdefault(w.label, {})
                per[hedge_coin] = per.get(hedge_coin, 0.0) + w.coin
            if not w.complete:
                incomplete.add(w.label)
    return CarryTotals(usd, coin, frozenset(incomplete))
