"""The funding history the simulator serves, shared by every venue's history endpoint.

Two sources, never mixed within one time:

- **Real, shipped**: where a shipped file covers the time asked, its records verbatim (rate and
  time): BitMEX XBTUSD 8 h 2020-01..06 (``funding_bitmex_xbtusd_8h_2020-01_2020-06.csv``) and,
  for Binance COIN-M BTCUSD_PERP, the Binance USDⓈ-M BTCUSDT 8 h event windows
  (``funding_binance_usdm_btcusdt_8h_event-windows.csv``: a linear contract, served as a
  stand-in). Other venues register theirs in :data:`SHIPPED`.
- **Synthetic, recent**: for the last :data:`SYNTHETIC_DAYS` days ending at the simulator's
  now, one record per time of the venue's funding grid (:data:`GRIDS`), its rate the shipped
  BitMEX 2020H1 rates replayed in a fixed cycle (so a time always gets the same rate, scaled to
  the interval), except that the newest time gets the running scenario's current rate when it
  is first served and keeps it (``current_rate``). Deterministic, and labelled synthetic in the
  docs.

Fault hooks (the tests): :meth:`SimFundingHistory.throttle` answers the next N history requests
of a venue with the venue's own rate-limit reply; :meth:`SimFundingHistory.drop` removes the
records of a time range (a gap in the venue's data). Realised payments
(:meth:`SimFundingHistory.payments`): rate x the account's position at each funding time since
the position was last set, valued at the current mark.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from hedgetui.history.model import FundingRecord
from hedgetui.sim.market import HOUR_MS, previous_funding_ms
from hedgetui.sim.scenarios import funding_steps

DAY_MS = 24 * HOUR_MS
SYNTHETIC_DAYS = 400  # how far back the synthetic recent history reaches
BITMEX_2020H1 = "funding_bitmex_xbtusd_8h_2020-01_2020-06.csv"
BINANCE_USDM_WINDOWS = "funding_binance_usdm_btcusdt_8h_event-windows.csv"


@dataclass(frozen=True, slots=True)
class Grid:
    """A venue's funding times: ``offset_h + k * period_h`` hours after midnight UTC."""

    period_h: float
    offset_h: float = 0.0


GRIDS: dict[str, Grid] = {
    "bitmex": Grid(8.0, 4.0),  # 04:00, 12:00, 20:00 UTC
    "binance": Grid(8.0),  # 00:00, 08:00, 16:00 UTC
    "bybit": Grid(8.0),
    "okx": Grid(8.0),
    "deribit": Grid(1.0),
    "kraken": Grid(1.0),
}

# (venue, symbol) -> the shipped file of real records served for it
SHIPPED: dict[tuple[str, str], str] = {
    ("bitmex", "XBTUSD"): BITMEX_2020H1,
    ("binance", "BTCUSD_PERP"): BINANCE_USDM_WINDOWS,
}


@cache
def shipped_records(name: str) -> tuple[FundingRecord, ...]:
    """The records of a shipped 8 h funding file, time-ordered, exactly as shipped."""
    times, rates = funding_steps(name, "time_utc")
    return tuple(FundingRecord(t, r, 8.0) for t, r in zip(times, rates, strict=True))


@cache
def _cycle() -> tuple[float, ...]:
    return tuple(r.rate for r in shipped_records(BITMEX_2020H1))


def synthetic_rate(time_ms: int, period_h: float) -> float:
    """The synthetic rate of the funding time ``time_ms``: the shipped BitMEX 2020H1 rates in
    a fixed cycle (by the time's index on an hourly count), scaled from 8 h to the period."""
    rates = _cycle()
    return rates[(time_ms // HOUR_MS) % len(rates)] * period_h / 8.0


@dataclass
class SimFundingHistory:
    """The funding history of every simulated venue, with its fault hooks."""

    current_rate: Callable[[str, str], float | None] = lambda venue, symbol: None
    requests: dict[str, int] = field(default_factory=dict)  # history requests per venue
    _throttled: dict[str, int] = field(default_factory=dict)
    _dropped: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=dict)
    _published: dict[tuple[str, str, int], float] = field(default_factory=dict)

    # -- fault hooks -------------------------------------------------------------------------
    def throttle(self, venue: str, count: int = 1) -> None:
        """Answer the next ``count`` history requests of ``venue`` with its rate-limit reply."""
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        self._throttled[venue] = self._throttled.get(venue, 0) + count

    def drop(self, venue: str, symbol: str, start_ms: int, end_ms: int) -> None:
        """Serve no record of ``venue``/``symbol`` with ``start_ms <= time_ms <= end_ms``."""
        self._dropped.setdefault((venue, symbol), []).append((start_ms, end_ms))

    def take_request(self, venue: str) -> bool:
        """Count one history request; True when it is to be answered with a rate limit."""
        self.requests[venue] = self.requests.get(venue, 0) + 1
        left = self._throttled.get(venue, 0)
        if left:
            self._throttled[venue] = left - 1
            return True
        return False

    # -- the records -------------------------------------------------------------------------
    def records(
        self, venue: str, symbol: str, start_ms: int, end_ms: int, now_ms: int
    ) -> list[FundingRecord]:
        """The records with ``start_ms <= time_ms <= min(end_ms, now_ms)``, time-ordered."""
        end_ms = min(end_ms, now_ms)
        if end_ms < start_ms:
            return []
        out: list[FundingRecord] = []
        shipped_span: tuple[int, int] | None = None
        name = SHIPPED.get((venue, symbol))
        if name is not None:
            shipped = shipped_records(name)
            shipped_span = (shipped[0].time_ms, shipped[-1].time_ms)
            times = [r.time_ms for r in shipped]
            lo = bisect.bisect_left(times, start_ms)
            hi = bisect.bisect_right(times, end_ms)
            out.extend(shipped[lo:hi])
        out.extend(self._synthetic(venue, symbol, start_ms, end_ms, now_ms, shipped_span))
        gaps = self._dropped.get((venue, symbol), [])
        return [r for r in out if not any(a <= r.time_ms <= b for a, b in gaps)]

    def _synthetic(
        self,
        venue: str,
        symbol: str,
        start_ms: int,
        end_ms: int,
        now_ms: int,
        shipped_span: tuple[int, int] | None,
    ) -> list[FundingRecord]:
        grid = GRIDS.get(venue)
        if grid is None:
            return []
        step = int(grid.period_h * HOUR_MS)
        newest = previous_funding_ms(now_ms + 1, grid.period_h, grid.offset_h)
        first = max(start_ms, now_ms - SYNTHETIC_DAYS * DAY_MS)
        t = previous_funding_ms(first - 1, grid.period_h, grid.offset_h) + step
        out: list[FundingRecord] = []
        while t <= min(end_ms, newest):
            inside_shipped = shipped_span is not None and shipped_span[0] <= t <= shipped_span[1]
            if not inside_shipped:
                out.append(
                    FundingRecord(t, self._rate(venue, symbol, t, newest, grid), grid.period_h)
                )
            t += step
        return out

    def _rate(self, venue: str, symbol: str, t: int, newest: int, grid: Grid) -> float:
        key = (venue, symbol, t)
        if key in self._published:
            return self._published[key]
        rate = self.current_rate(venue, symbol) if t == newest else None
        if rate is None:
            return synthetic_rate(t, grid.period_h)
        rate = rate * grid.period_h / 8.0  # the scenario's rate is per 8 hours
        self._published[key] = rate
        return rate

    # -- realised payments -------------------------------------------------------------------
    def payments(
        self,
        venue: str,
        symbol: str,
        coin_value: Callable[[], float],
        since_ms: int,
        start_ms: int,
        end_ms: int,
        now_ms: int,
    ) -> list[tuple[FundingRecord, float]]:
        """(record, amount in coin) for each funding time in ``(max(since, start), end]``
        that the position of coin value ``coin_value()`` (signed: a short is negative) paid
        or received: ``-rate x value`` (a positive rate: longs pay, shorts receive)."""
        value = coin_value()
        if value == 0:
            return []
        records = self.records(venue, symbol, max(since_ms, start_ms) + 1, end_ms, now_ms)
        return [(r, -r.rate * value) for r in records]
