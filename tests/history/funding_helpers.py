"""What the funding-history tests share: a venue's REST simulator on a manual clock, and a
history client pointed at it whose sleeps advance that clock (nothing waits for real)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from hedgetui.clock import ManualClock
from hedgetui.history.funding.base import FundingHistoryClient
from hedgetui.history.funding.clients import make_history_client
from hedgetui.sim.rest import DEMO_API_KEY, DEMO_API_SECRET, SimAccounts, start_rest_server
from hedgetui.sim.rest.base import VenueApi
from hedgetui.trading.credentials import Credentials, Secret

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
# 2026-12-01T01:30:00Z: between funding times on every venue's grid
NOW_S = 1_796_088_600.0
MARK = 50_000.0
DEMO = Credentials("demo", Secret(DEMO_API_KEY), Secret(DEMO_API_SECRET))


@dataclass
class Sleeps:
    """An injected sleep: records each wait and moves the clock by it."""

    clock: ManualClock
    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(max(0.0, seconds))


@dataclass
class SimVenue:
    venue: str
    clock: ManualClock
    accounts: SimAccounts
    api: VenueApi
    url: str
    sleeps: Sleeps

    def client(self, *, keys: bool = False) -> FundingHistoryClient:
        client = make_history_client(
            self.venue,
            base_url=self.url,
            clock=self.clock,
            sleep=self.sleeps,
            credentials=DEMO if keys else None,
        )
        assert client is not None
        return client

    @property
    def requests(self) -> int:
        return self.accounts.funding.requests.get(self.venue, 0)

    def now_ms(self) -> int:
        return int(self.clock.time() * 1000)


@asynccontextmanager
async def sim_venue(venue: str, now_s: float = NOW_S) -> AsyncIterator[SimVenue]:
    clock = ManualClock(now_s)
    accounts = SimAccounts(clock)
    server = await start_rest_server(venue, accounts=accounts, mark=lambda _: MARK, clock=clock)
    try:
        yield SimVenue(venue, clock, accounts, server.api, server.url, Sleeps(clock))
    finally:
        await server.close()
