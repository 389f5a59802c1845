"""The Deribit, OKX and Kraken loopback tests' rig: fhA's ``sim_venue`` (a venue's REST
simulator on a manual clock, sleeps that advance it) with a keyed history client, and the
few steps those tests repeat (the simulator's own records, a raw request, a restart)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from hedgetui.clock import ManualClock
from hedgetui.history.funding.base import FundingHistoryClient
from hedgetui.history.funding.cache import FundingCache
from hedgetui.history.funding.clients import make_history_client
from hedgetui.history.funding.service import FundingHistoryService, RatesSpec
from hedgetui.history.model import FundingRecord
from hedgetui.sim.rest import DEMO_PASSPHRASE, SimAccounts
from hedgetui.trading.credentials import Secret
from tests.history.funding_helpers import DAY_MS, DEMO, HOUR_MS, MARK, SimVenue, sim_venue

__all__ = ["DAY_MS", "HOUR_MS", "MARK", "Rig", "served"]

KEYS = replace(DEMO, passphrase=Secret(DEMO_PASSPHRASE))  # OKX signs with a passphrase too


@dataclass
class Rig:
    sim: SimVenue
    client: FundingHistoryClient

    @property
    def venue(self) -> str:
        return self.sim.venue

    @property
    def clock(self) -> ManualClock:
        return self.sim.clock

    @property
    def accounts(self) -> SimAccounts:
        return self.sim.accounts

    @property
    def sleeps(self) -> list[float]:
        return self.sim.sleeps.waits

    def requests(self) -> int:
        """History requests the simulator has answered (rate-limit answers included)."""
        return self.sim.requests

    def simulated(self, symbol: str, start_ms: int, end_ms: int) -> list[FundingRecord]:
        """The records the simulator holds for ``(start_ms, end_ms]`` (``end_ms``: its now)."""
        return self.accounts.funding.records(self.venue, symbol, start_ms + 1, end_ms, end_ms)

    async def raw(self, path: str, params: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient() as http:
            return await http.get(self.sim.url + path, params=params)

    def service(self, cache_dir: Path, symbol: str) -> FundingHistoryService:
        return FundingHistoryService(
            {self.venue: self.client},
            [RatesSpec(self.venue, symbol)],
            cache=FundingCache(cache_dir),
            clock=self.clock,
            sleep=self.sim.sleeps,
        )

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


@asynccontextmanager
async def served(venue: str, now_s: float) -> AsyncIterator[Rig]:
    """``venue``'s simulated REST API at ``now_s`` and its history client with the demo keys."""
    async with sim_venue(venue, now_s) as sim:
        client = make_history_client(
            venue, base_url=sim.url, clock=sim.clock, sleep=sim.sleeps, credentials=KEYS
        )
        assert client is not None
        try:
            yield Rig(sim, client)
        finally:
            await client.aclose()
