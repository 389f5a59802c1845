"""A funding-history client against one simulated venue over loopback (the tests' rig)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hedgetui.clock import ManualClock
from hedgetui.history.funding.base import FundingHistoryClient
from hedgetui.history.funding.cache import FundingCache
from hedgetui.history.funding.service import FundingHistoryService, PaymentsSpec, RatesSpec
from hedgetui.history.model import FundingRecord
from hedgetui.sim.rest import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_PASSPHRASE,
    RestServer,
    SimAccounts,
    start_rest_server,
)
from hedgetui.trading.credentials import Credentials, Secret

MARK = 50_000.0
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def demo_credentials() -> Credentials:
    return Credentials(
        "demo", Secret(DEMO_API_KEY), Secret(DEMO_API_SECRET), Secret(DEMO_PASSPHRASE)
    )


@dataclass
class Rig:
    clock: ManualClock
    accounts: SimAccounts
    server: RestServer
    client: FundingHistoryClient
    sleeps: list[float] = field(default_factory=list)

    @property
    def venue(self) -> str:
        return self.server.venue

    def requests(self) -> int:
        """History requests the simulator has answered (rate-limit answers included)."""
        return self.accounts.funding.requests.get(self.venue, 0)

    def simulated(self, symbol: str, start_ms: int, end_ms: int) -> list[FundingRecord]:
        """The records the simulator holds for ``(start_ms, end_ms]`` (``end_ms``: its now)."""
        return self.accounts.funding.records(self.venue, symbol, start_ms + 1, end_ms, end_ms)

    async def restart(
        self, cache_dir: Path, symbol: str, after_s: float
    ) -> tuple[list[FundingRecord], list[FundingRecord], int]:
        """A service fills ``symbol`` from nothing; ``after_s`` later a second one starts on
        the same cache: (the first's records, the second's, the second's requests)."""
        first = self.service(cache_dir, symbol)
        await first.refresh()
        known = first.series(self.venue, symbol).records
        before = self.requests()
        self.clock.advance(after_s)
        second = self.service(cache_dir, symbol)
        await second.refresh()
        return known, second.series(self.venue, symbol).records, self.requests() - before

    async def raw(self, path: str, params: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient() as http:
            return await http.get(self.server.url + path, params=params)

    def service(
        self, cache_dir: Path, symbol: str, *, since_ms: int | None = None, payments: bool = False
    ) -> FundingHistoryService:
        """A service tracking ``symbol``'s rates (and the demo account's payments) through
        this rig's client, caching under ``cache_dir``."""

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            self.clock.advance(seconds)

        return FundingHistoryService(
            {self.venue: self.client},
            [RatesSpec(self.venue, symbol, since_ms)],
            payment_clients={"demo": self.client} if payments else None,
            payments=[PaymentsSpec("demo", symbol, since_ms)] if payments else (),
            cache=FundingCache(cache_dir),
            clock=self.clock,
            sleep=sleep,
        )


@asynccontextmanager
async def served(
    venue: str, client_class: type[FundingHistoryClient], now_s: float
) -> AsyncIterator[Rig]:
    """``venue``'s simulated REST API at ``now_s`` and a history client with the demo keys;
    sleeping advances the clock (nothing waits for real)."""
    clock = ManualClock(now_s)
    accounts = SimAccounts(clock)
    server = await start_rest_server(venue, accounts=accounts, mark=lambda _s: MARK, clock=clock)
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)

    client = client_class(
        base_url=server.url, credentials=demo_credentials(), clock=clock, sleep=sleep
    )
    try:
        yield Rig(clock, accounts, server, client, sleeps)
    finally:
        await client.aclose()
        await server.close()
