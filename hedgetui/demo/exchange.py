"""The simulator the demo starts, and the demo settings pointing at it.

``demo_environment`` starts the simulator on loopback and yields settings whose hedges are the
demo portfolio and whose venue URLs point at the simulator; ``demo_exchange`` does the same with
the simulator's REST side and private streams on, each demo hedge's position in a demo account.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hedgetui.clock import Clock
from hedgetui.config import Settings
from hedgetui.domain import VENUES
from hedgetui.runtime import Runtime

if TYPE_CHECKING:
    from hedgetui.sim import Simulator
    from hedgetui.sim.rest import SimAccounts


@contextlib.asynccontextmanager
async def demo_environment(
    scenario: str = "crash",
    speed: float = 1.0,
    *,
    clock: Clock | None = None,
    tick_hz: float | None = None,
) -> AsyncIterator[tuple[Simulator, Settings]]:
    """Start the simulator for all six venues and build the demo settings pointing at it.

    The positions are hand-entered (no accounts): what ``watch --demo`` and ``status --demo``
    use. Raises ``ValueError`` (a ``ScenarioError``) for an unknown scenario or a bad speed.
    """
    async with _demo_simulator(scenario, speed, clock=clock, tick_hz=tick_hz) as (sim, settings):
        yield sim, settings


@dataclass
class DemoExchange:
    """The demo with its accounts on the simulator (see :func:`demo_exchange`)."""

    sim: Simulator
    settings: Settings  # every hedge's position comes from a demo account; trading enabled
    books: SimAccounts  # the simulator's books: positions, balances, the order log
    env: Mapping[str, str]  # the demo accounts' keys: pass as ``Runtime(env=...)``

    def runtime(self, **options: Any) -> Runtime:
        """The :class:`Runtime` over this exchange: its settings, the demo accounts' keys, and
        ``simulated`` (the unwind dialog says its orders go to the simulator). ``options``:
        more ``Runtime`` arguments (``extra_venues``, ``clock``, ...)."""
        return Runtime(self.settings, env=self.env, simulated=True, **options)


@contextlib.asynccontextmanager
async def demo_exchange(
    scenario: str = "crash",
    speed: float = 1.0,
    *,
    clock: Clock | None = None,
    tick_hz: float | None = None,
    audit_log: str | None = None,
    push_interval_s: float = 0.05,
) -> AsyncIterator[DemoExchange]:
    """The simulator with its REST side and private streams, its books seeded with the demo
    portfolio, and settings whose hedges read their positions from the demo accounts.

    A :class:`Runtime` built as ``ex.runtime()`` streams the positions and balances into its
    store, and an unwind (``Runtime.unwind_service``) sends a signed reduce-only order to the
    simulator. No keys, no network: the demo
    credentials are the simulator's public ones. ``audit_log``: where unwinds are recorded
    (None: the default audit log).
    """
    from hedgetui.demo.accounts import account_backed, demo_account_env, seed_demo_books
    from hedgetui.sim.private import attach_private_servers
    from hedgetui.sim.rest.attach import attach_rest_servers

    async with _demo_simulator(scenario, speed, clock=clock, tick_hz=tick_hz) as (sim, manual):
        rest = await attach_rest_servers(sim)
        try:
            private = await attach_private_servers(rest, push_interval_s=push_interval_s)
        except BaseException:
            await rest.close()
            raise
        try:
            seed_demo_books(rest.accounts, manual)
            settings = account_backed(manual, audit_log)
            venues = {
                name: dataclasses.replace(
                    venue,
                    rest_url=rest.url(name),
                    private_ws_url=private.url(name),
                )
                if name in rest.servers and name in private.servers
                else venue
                for name, venue in settings.venues.items()
            }
            settings = dataclasses.replace(settings, venues=venues)
            yield DemoExchange(sim, settings, rest.accounts, demo_account_env())
        finally:
            await private.close()
            await rest.close()


@contextlib.asynccontextmanager
async def _demo_simulator(
    scenario: str, speed: float, *, clock: Clock | None, tick_hz: float | None
) -> AsyncIterator[tuple[Simulator, Settings]]:
    from hedgetui.demo.portfolio import demo_settings
    from hedgetui.sim import start_simulator

    if not speed > 0:
        raise ValueError(f"speed must be > 0, got {speed}")
    sim = await start_simulator(
        venues=VENUES, scenario=scenario, speed=speed, clock=clock, tick_hz=tick_hz
    )
    try:
        btc = sim.scenario.initial("BTC").mark
        eth = sim.scenario.initial("ETH").mark
        urls: dict[str, str] = {venue: sim.ws_url(venue) for venue in VENUES}
        yield sim, demo_settings(btc, eth, urls)
    finally:
        await sim.close()
