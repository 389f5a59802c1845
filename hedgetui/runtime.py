"""Wiring: settings -> one feed per venue in use -> the store (and any extra sinks).

Used by the dashboard, ``demo``, ``watch``, ``status`` and ``unwind``::

    async with Runtime(settings) as rt:
        view = rt.store.snapshot()

``demo_environment`` starts the simulator on loopback and yields settings whose hedges are the
demo portfolio and whose venue URLs point at the simulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from hedgetui.clock import Clock
from hedgetui.config import Settings
from hedgetui.domain import VENUES, Event
from hedgetui.store import Store
from hedgetui.venues import default_symbol

if TYPE_CHECKING:
    from hedgetui.feeds import Feed, FeedConfig
    from hedgetui.sim import Simulator

log = logging.getLogger(__name__)

Sink = Callable[[Event], None]


def feed_plan(settings: Settings, extra_venues: Sequence[str] = ()) -> dict[str, tuple[str, ...]]:
    """Venue -> symbols to subscribe: every enabled venue a hedge uses, plus ``extra_venues``.

    An extra venue without a hedge streams its default BTC perpetual (the demo shows all six).
    """
    plan: dict[str, list[str]] = {}
    for hedge in settings.hedges:
        venue = settings.venues.get(hedge.venue)
        if venue is not None and not venue.enabled:
            continue
        symbols = plan.setdefault(hedge.venue, [])
        if hedge.symbol not in symbols:
            symbols.append(hedge.symbol)
    for name in extra_venues:
        if name not in plan:
            plan[name] = [default_symbol(name, "BTC")]
    return {venue: tuple(symbols) for venue, symbols in plan.items()}


class Runtime:
    """Settings -> feeds -> :class:`Store`. Start once, stop once (or use ``async with``)."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        url_overrides: Mapping[str, str] | None = None,
        feed_config: FeedConfig | None = None,
        extra_venues: Sequence[str] = (),
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.plan = feed_plan(settings, extra_venues)
        self.store = Store(settings, clock=clock, extra_venues=tuple(self.plan))
        self._sinks: list[Sink] = [self.store.apply]
        self._url_overrides = dict(url_overrides or {})
        self._feed_config = feed_config
        self.feeds: dict[str, Feed] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def add_sink(self, fn: Sink) -> None:
        """Also send every event to ``fn`` (recorder, alert engine). Errors in it are logged."""
        self._sinks.append(fn)

    def _dispatch(self, event: Event) -> None:
        for sink in self._sinks:
            try:
                sink(event)
            except Exception:  # one broken listener must not stop the market data
                log.exception("event sink %r failed on %r", sink, event)

    def url_for(self, venue: str) -> str | None:
        """``url_overrides`` > ``venues.<name>.ws_url`` > the adapter's default."""
        if venue in self._url_overrides:
            return self._url_overrides[venue]
        configured = self.settings.venues.get(venue)
        return configured.ws_url if configured is not None else None

    async def start(self) -> None:
        if self._tasks:
            return
        from hedgetui.feeds import Feed  # websockets only when something really connects

        for venue, symbols in self.plan.items():
            configured = self.settings.venues.get(venue)
            feed = Feed(
                venue,
                symbols,
                self._dispatch,
                url=self.url_for(venue),
                testnet=configured.testnet if configured is not None else False,
                config=self._feed_config,
                clock=self.clock,
            )
            self.feeds[venue] = feed
            self._tasks.append(asyncio.create_task(feed.run(), name=f"feed-{venue}"))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def __aenter__(self) -> Runtime:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


@contextlib.asynccontextmanager
async def demo_environment(
    scenario: str = "crash",
    speed: float = 1.0,
    *,
    clock: Clock | None = None,
    tick_hz: float | None = None,
) -> AsyncIterator[tuple[Simulator, Settings]]:
    """Start the simulator for all six venues and build the demo settings pointing at it.

    Raises ``ValueError`` (a ``ScenarioError``) for an unknown scenario or a bad speed.
    """
    from hedgetui.demo_portfolio import demo_settings
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
