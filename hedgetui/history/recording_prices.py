"""A recording as a price path: each instrument's first mark, and one instrument's minute bars.

`first_marks` (what `hedgetui demo --replay` seeds its books with) and `price_bars` (what
`hedgetui stress --path` replays) read a recording set (`hedgetui.history.recording`) and put
every frame through its venue's real adapter (`hedgetui.feeds`), so a recorded price is read
exactly as the live feed would read it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hedgetui.domain import Funding, MarkPrice, Ticker
from hedgetui.feeds.errors import FeedParseError
from hedgetui.feeds.registry import get_adapter
from hedgetui.history.model import PriceBar
from hedgetui.history.recording import (
    Frame,
    Opened,
    RecordingError,
    Warn,
    read_entries,
    read_header,
)

MINUTE_MS = 60_000


def first_marks(
    path: Path, *, max_entries: int = 100_000, warn: Warn | None = None
) -> dict[tuple[str, str], float]:
    """The first mark price of each instrument in the first ``max_entries`` entries of a
    recording ((venue, symbol) -> USD), through the real adapters; stops early once every
    recorded instrument has one."""
    header = read_header(Path(path))
    wanted = sum(len(s) for s in header.symbols.values())
    adapters: dict[str, Any] = {}
    found: dict[tuple[str, str], float] = {}
    for n, entry in enumerate(read_entries(Path(path), warn)):
        if n >= max_entries or (wanted and len(found) >= wanted):
            break
        if not isinstance(entry, Frame):
            continue
        for event in _parse(adapters, entry):
            mark = event.mark if isinstance(event, Ticker) else None
            if isinstance(event, MarkPrice):
                mark = event.price
            if mark is not None and math.isfinite(mark) and mark > 0:
                found.setdefault((event.venue, event.symbol), mark)
    return found


def _parse(adapters: dict[str, Any], entry: Frame) -> list[Any]:
    """The market events of one recorded frame, through its venue's adapter ([] if none)."""
    adapter = adapters.get(entry.venue)
    if adapter is None:
        try:
            adapter = adapters[entry.venue] = get_adapter(entry.venue)
        except ValueError:
            return []
    try:
        events: list[Any] = adapter.parse(entry.data)
    except FeedParseError:
        return []
    return events


def price_bars(
    path: Path,
    venue: str | None = None,
    symbol: str | None = None,
    *,
    warn: Warn | None = None,
) -> list[PriceBar]:
    """One-minute OHLC bars of one instrument's mark price from a recording.

    Every frame goes through its venue's real adapter (``hedgetui.feeds``; a fresh merge state
    on every connection, as the feed does) into mark and funding events. An event is placed by
    the exchange's own time where the frame has one, else by its receive time. A bar's
    ``funding_rate`` is the rate in force at its close, per 8 hours (a rate per interval times
    8 / interval hours; 8 h when the venue does not say). Minutes without a mark (a stall, a
    drop) have no bar.

    ``venue``/``symbol`` choose the instrument; RecordingError when none matches or several
    remain (the message lists them).
    """
    header = read_header(Path(path))
    adapters: dict[str, Any] = {}
    marks: dict[tuple[str, str], list[tuple[int, float]]] = {}
    funding: dict[tuple[str, str], list[tuple[int, float]]] = {}
    want_venue = venue.lower() if venue is not None else None
    for entry in read_entries(Path(path), warn):
        if want_venue is not None and entry.venue != want_venue:
            continue
        if isinstance(entry, Opened):
            adapters.pop(entry.venue, None)
            continue
        if not isinstance(entry, Frame):
            continue
        for event in _parse(adapters, entry):
            if symbol is not None and event.symbol != symbol:
                continue
            key = (event.venue, event.symbol)
            ts = event.ts if event.ts is not None else entry.wall_ms
            if isinstance(event, Ticker):
                mark, rate, hours = event.mark, event.funding_rate, event.interval_hours
            elif isinstance(event, MarkPrice):
                mark, rate, hours = event.price, None, None
            elif isinstance(event, Funding):
                mark, rate, hours = None, event.rate, event.interval_hours
            else:
                continue
            if rate is not None and math.isfinite(rate):
                funding.setdefault(key, []).append((ts, rate * 8.0 / (hours or 8.0)))
            if mark is not None and math.isfinite(mark) and mark > 0:
                marks.setdefault(key, []).append((ts, mark))
    if not marks:
        what = " ".join(x for x in (venue, symbol) if x) or "any instrument"
        raise RecordingError(
            f"{path}: no mark prices of {what} (recorded: {_listing(header.symbols)})"
        )
    if len(marks) > 1:
        found = ", ".join(f"{v} {s}" for v, s in sorted(marks))
        raise RecordingError(f"{path}: several instruments ({found}); choose a venue and symbol")
    ((key, points),) = marks.items()
    return _bars(points, funding.get(key, []))


def _listing(symbols: Mapping[str, Sequence[str]]) -> str:
    return ", ".join(f"{v} {' '.join(ss)}" for v, ss in symbols.items()) or "nothing"


def _bars(points: list[tuple[int, float]], rates: list[tuple[int, float]]) -> list[PriceBar]:
    """Bucket (time, mark) points into minute bars, in arrival order within a minute."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0] // MINUTE_MS, i))
    rates = sorted(rates, key=lambda r: r[0])
    bars: list[PriceBar] = []
    r = 0
    rate: float | None = None
    minute = None
    o = h = lo = c = 0.0
    for i in order:
        ts, price = points[i]
        m = ts // MINUTE_MS
        if m != minute:
            if minute is not None:
                rate, r = _rate_until(rates, r, rate, (minute + 1) * MINUTE_MS)
                bars.append(PriceBar(minute * MINUTE_MS, o, h, lo, c, rate))
            minute = m
            o = h = lo = c = price
            continue
        h = max(h, price)
        lo = min(lo, price)
        c = price
    if minute is not None:
        rate, r = _rate_until(rates, r, rate, (minute + 1) * MINUTE_MS)
        bars.append(PriceBar(minute * MINUTE_MS, o, h, lo, c, rate))
    return bars


def _rate_until(
    rates: list[tuple[int, float]], i: int, rate: float | None, end_ms: int
) -> tuple[float | None, int]:
    """The last rate known before ``end_ms``, walking ``rates`` on from ``i``."""
    while i < len(rates) and rates[i][0] < end_ms:
        rate = rates[i][1]
        i += 1
    return rate, i
