"""The simulator's signed REST side: each venue's order, position and balance endpoints.

accounts = SimAccounts()
accounts.set_position("bybit", "BTCUSD", -30_000, 60_000.0)
server = await start_rest_server("bybit", accounts=accounts, mark=lambda symbol: 48_000.0)
...  # point a client at server.url with DEMO_API_KEY / DEMO_API_SECRET
await server.close()

Next to a websocket `Simulator`, `hedgetui.sim.rest.attach.attach_rest_servers(sim)` serves every
venue at once, fills at the simulator's mark, and registers the URLs (`sim.rest_url(venue)`).
"""

from __future__ import annotations

from collections.abc import Callable

from hedgetui.clock import Clock
from hedgetui.sim.rest.accounts import DEMO_API_KEY, DEMO_API_SECRET, DEMO_PASSPHRASE, SimAccounts
from hedgetui.sim.rest.auth import Credentials
from hedgetui.sim.rest.base import VenueApi
from hedgetui.sim.rest.http import HttpServer
from hedgetui.sim.rest.listing import CLIENT_ID_SCOPE, INSTRUMENTS, VENUES, InstrumentSpec
from hedgetui.sim.rest.records import FAULT_KINDS

__all__ = [
    "CLIENT_ID_SCOPE",
    "DEMO_API_KEY",
    "DEMO_API_SECRET",
    "DEMO_PASSPHRASE",
    "FAULT_KINDS",
    "INSTRUMENTS",
    "VENUES",
    "InstrumentSpec",
    "RestServer",
    "SimAccounts",
    "start_rest_server",
]


def _api_class(venue: str) -> type[VenueApi]:
    from hedgetui.sim.rest.binance import BinanceApi
    from hedgetui.sim.rest.bitmex import BitmexApi
    from hedgetui.sim.rest.bybit import BybitApi
    from hedgetui.sim.rest.deribit import DeribitApi
    from hedgetui.sim.rest.kraken import KrakenApi
    from hedgetui.sim.rest.okx import OkxApi

    classes: dict[str, type[VenueApi]] = {
        "bitmex": BitmexApi,
        "bybit": BybitApi,
        "binance": BinanceApi,
        "deribit": DeribitApi,
        "okx": OkxApi,
        "kraken": KrakenApi,
    }
    if venue not in classes:
        raise ValueError(f"unknown venue {venue!r}; expected one of {', '.join(VENUES)}")
    return classes[venue]


class RestServer:
    """One venue's REST endpoints on loopback. `url` replaces the real host."""

    def __init__(self, venue: str, api: VenueApi, server: HttpServer) -> None:
        self.venue = venue
        self.api = api
        self._server = server
        self.host = server.host
        self.port = server.port
        shown = f"[{server.host}]" if ":" in server.host else server.host
        self.url = f"http://{shown}:{server.port}"

    @property
    def connections(self) -> int:
        return self._server.connections

    async def close(self) -> None:
        await self._server.close()

    async def __aenter__(self) -> RestServer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def start_rest_server(
    venue: str,
    *,
    accounts: SimAccounts,
    mark: Callable[[str], float],
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock | None = None,
    api_key: str = DEMO_API_KEY,
    api_secret: str = DEMO_API_SECRET,
    passphrase: str = DEMO_PASSPHRASE,
) -> RestServer:
    """Serve `venue`'s REST API over `accounts`; `mark(symbol)` prices market fills."""
    api = _api_class(venue)(
        accounts, mark, Credentials(api_key, api_secret, passphrase), clock or accounts.clock
    )
    server = HttpServer(api.handle)
    await server.start(host, port)
    return RestServer(venue, api, server)
