"""Glue: serve the REST side of every venue of a running websocket `Simulator`.

Market orders fill at the simulator's current mark of the instrument's coin, and the
simulator learns each REST URL (`sim.rest_url(venue)`) through `sim.attach_rest`, and the
books through `sim.attach_accounts`, which routes its `order_*` faults to them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from hedgetui.clock import Clock
from hedgetui.sim.rest import RestServer, SimAccounts, start_rest_server
from hedgetui.sim.rest.listing import VENUES, instrument


class SimulatorLike(Protocol):
    """What this module needs of `hedgetui.sim.Simulator`."""

    @property
    def venues(self) -> tuple[str, ...]: ...

    def price(self, coin: str) -> tuple[float, float, float]: ...

    def attach_rest(self, venue: str, url: str) -> None: ...

    def attach_accounts(self, accounts: SimAccounts) -> None: ...


@dataclass
class RestSide:
    accounts: SimAccounts
    servers: dict[str, RestServer] = field(default_factory=dict)

    def url(self, venue: str) -> str:
        return self.servers[venue].url

    async def close(self) -> None:
        for server in self.servers.values():
            with contextlib.suppress(Exception):
                await server.close()
        self.servers.clear()


def mark_from_simulator(sim: SimulatorLike, venue: str) -> Callable[[str], float]:
    """`mark(symbol)` for `venue`: the simulator's current mark of the symbol's coin."""

    def mark(symbol: str) -> float:
        spec = instrument(venue, symbol)
        if spec is None:
            raise ValueError(f"{venue} does not list {symbol!r}")
        return sim.price(spec.coin)[0]

    return mark


def rate_from_simulator(sim: SimulatorLike) -> Callable[[str, str], float | None]:
    """``rate(venue, symbol)``: the running scenario's funding rate (per 8 h) of the symbol's
    coin, None for an instrument the venue does not list."""

    def rate(venue: str, symbol: str) -> float | None:
        spec = instrument(venue, symbol)
        return sim.price(spec.coin)[2] if spec is not None else None

    return rate


async def attach_rest_servers(
    sim: SimulatorLike,
    *,
    accounts: SimAccounts | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock | None = None,
) -> RestSide:
    """Start one REST server per simulated venue (port 0 = ephemeral; with `port=N`, venue k of
    `sim.venues` listens on N+k) and register their URLs and books with the simulator (so
    that `sim.fault(venue, "order_reject")` & co. reach the books)."""
    side = RestSide(accounts if accounts is not None else SimAccounts(clock))
    try:
        for k, venue in enumerate(sim.venues):
            if venue not in VENUES:
                continue
            server = await start_rest_server(
                venue,
                accounts=side.accounts,
                mark=mark_from_simulator(sim, venue),
                host=host,
                port=port + k if port else 0,
                clock=clock,
            )
            side.servers[venue] = server
            sim.attach_rest(venue, server.url)
        sim.attach_accounts(side.accounts)
        side.accounts.funding.current_rate = rate_from_simulator(sim)
    except BaseException:
        await side.close()
        raise
    return side
