"""A funding record's interval read from the venue's grid, for replies that do not state it."""

from __future__ import annotations

from collections.abc import Sequence

from hedgetui.history.model import FundingRecord

HOUR_MS = 3_600_000


def with_intervals(
    points: Sequence[tuple[int, float]], intervals_hours: Sequence[float], default_hours: float
) -> list[FundingRecord]:
    """Records from time-ordered ``(time_ms, rate)``: each record's interval is the spacing to
    the record before it when that spacing is one of the venue's ``intervals_hours``; else the
    spacing to the record after it (the first record, or one after a gap); else the interval of
    the record before; else ``default_hours``. A missing record (a gap) therefore never
    stretches an interval."""
    spacing: list[float | None] = []
    for i, (time_ms, _rate) in enumerate(points):
        hours = (time_ms - points[i - 1][0]) / HOUR_MS if i else None
        spacing.append(hours if hours in intervals_hours else None)
    records: list[FundingRecord] = []
    for i, (time_ms, rate) in enumerate(points):
        hours = spacing[i]
        if hours is None and i + 1 < len(points):
            hours = spacing[i + 1]
        if hours is None and records:
            hours = records[-1].interval_hours
        records.append(FundingRecord(time_ms, rate, hours or default_hours))
    return records
