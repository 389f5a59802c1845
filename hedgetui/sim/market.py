"""The simulated market: scenario time from an injected clock, plus price jumps.

Scenario time = (clock.monotonic() - start) * speed. ``jump`` multiplies a coin's mark and
index by (1 + pct/100) from now on (all venues see it). Funding-time grids live here too
because every venue module needs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hedgetui.clock import Clock
from hedgetui.sim.scenarios import Scenario

HOUR_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class Quote:
    """What every venue shows for one coin at one instant."""

    coin: str
    mark: float
    index: float
    funding_rate: float  # per 8 hours
    now_ms: int  # exchange timestamp (clock.time() in ms)


def next_funding_ms(now_ms: int, period_h: float, offset_h: float = 0.0) -> int:
    """First funding time strictly after ``now_ms`` on the grid offset + k * period (UTC)."""
    period = int(period_h * HOUR_MS)
    offset = int(offset_h * HOUR_MS)
    k = (now_ms - offset) // period + 1
    return k * period + offset


def previous_funding_ms(now_ms: int, period_h: float, offset_h: float = 0.0) -> int:
    return next_funding_ms(now_ms, period_h, offset_h) - int(period_h * HOUR_MS)


class Market:
    def __init__(self, scenario: Scenario, clock: Clock, speed: float) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.scenario = scenario
        self.clock = clock
        self.speed = speed
        self._start = clock.monotonic()
        self._jump: dict[str, float] = {}

    def scenario_time(self) -> float:
        return (self.clock.monotonic() - self._start) * self.speed

    def now_ms(self) -> int:
        return int(self.clock.time() * 1000)

    def quote(self, coin: str) -> Quote:
        coin = coin.upper()
        p = self.scenario.at(coin, self.scenario_time())
        k = self._jump.get(coin, 1.0)
        return Quote(coin, p.mark * k, p.index * k, p.funding_rate, self.now_ms())

    def jump(self, coin: str, pct: float) -> None:
        coin = coin.upper()
        self.scenario.initial(coin)  # raises a clear error for an unknown coin
        factor = 1.0 + pct / 100.0
        if factor <= 0:
            raise ValueError(f"a jump of {pct}% would make the price <= 0")
        self._jump[coin] = self._jump.get(coin, 1.0) * factor
