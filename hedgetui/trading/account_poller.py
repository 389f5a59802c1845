"""Poll an account's position and balance over REST and emit PositionUpdate/BalanceUpdate.

Snapshot at start, then every ``interval_s``, and at once when :meth:`poke` is called
(right after an order). Errors never stop the loop: they are reported through
``on_error`` (already redacted by the client) and retried at the next tick. Read-only API
keys are enough. The runtime prefers each venue's private websocket stream
(:mod:`hedgetui.account_streams`) and falls back to this poller when a stream cannot be built.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from hedgetui.domain import BalanceUpdate, PositionUpdate
from hedgetui.trading.orders import TradingError
from hedgetui.trading.venues.base import VenueClient

Sink = Callable[[PositionUpdate | BalanceUpdate], None]


@dataclass(frozen=True, slots=True)
class PolledInstrument:
    symbol: str
    coin: str
    contract_size: float


class AccountPoller:
    def __init__(
        self,
        client: VenueClient,
        instruments: tuple[PolledInstrument, ...],
        sink: Sink,
        *,
        interval_s: float = 5.0,
        on_error: Callable[[str], None] | None = None,
        owns_client: bool = False,
    ) -> None:
        self.client = client
        self.instruments = instruments
        self.sink = sink
        self.interval_s = interval_s
        self.on_error = on_error or (lambda message: None)
        self.errors = 0
        self.owns_client = owns_client  # stop() closes the client too
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def poll_once(self) -> bool:
        """One snapshot of every instrument's position and each coin's balance."""
        ok = True
        coins: list[str] = []
        for inst in self.instruments:
            try:
                pos = await self.client.position(inst.symbol, inst.contract_size)
                self.sink(replace(pos, account=self.client.account))
            except TradingError as exc:
                ok = False
                self.errors += 1
                self.on_error(str(exc))
            if inst.coin not in coins:
                coins.append(inst.coin)
        for coin in coins:
            try:
                bal = await self.client.balance(coin)
                self.sink(replace(bal, account=self.client.account))
            except TradingError as exc:
                ok = False
                self.errors += 1
                self.on_error(str(exc))
        return ok

    def poke(self) -> None:
        """Poll now (e.g. right after an order) instead of waiting for the next tick."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            await self.poll_once()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval_s)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name=f"poll-{self.client.venue}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.owns_client:
            await self.client.aclose()
