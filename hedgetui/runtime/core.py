"""Wiring: settings -> one feed per venue in use -> the store (and any extra sinks).

Used by the dashboard, ``demo``, ``watch``, ``status`` and ``unwind``::

    async with Runtime(settings) as rt:
        view = rt.store.snapshot()

Hedges whose position comes from an exchange account (``account = ...``) get one private
websocket stream per account (:class:`~hedgetui.account_streams.AccountStream`, all of that
account's instruments), whose health the store follows (``Store.account_status``). When no
stream can be built for a venue the account is polled over REST instead (logged). An account
whose keys cannot be loaded gets one clear message (``Runtime.problems``, the log, and the
store's ``account_views()``); its hedges show "position unknown" and the rest keeps running.

``demo_environment`` starts the simulator on loopback and yields settings whose hedges are the
demo portfolio and whose venue URLs point at the simulator; ``demo_exchange`` does the same with
the simulator's REST side and private streams on, each demo hedge's position in a demo account.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from hedgetui.clock import Clock
from hedgetui.config import HedgeSettings, Settings
from hedgetui.domain import VENUES, Event, FeedStatus
from hedgetui.store import Store
from hedgetui.venues import default_symbol

if TYPE_CHECKING:
    from hedgetui.account_streams import AccountStream
    from hedgetui.feeds import Feed, FeedConfig
    from hedgetui.feeds.read_gate import ReadGate
    from hedgetui.sim import Simulator
    from hedgetui.sim.rest import SimAccounts
    from hedgetui.trading.session import StatusPoller
    from hedgetui.trading.venues import VenueClient

log = logging.getLogger(__name__)

FRAME_LOGGER = "websockets.client"
"""At DEBUG, websockets logs the start of every frame sent, which for a private stream is the
login carrying the API key and its signature: the runtime never lets it log below INFO."""

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
        env: Mapping[str, str] | None = None,
        account_config: FeedConfig | None = None,
        poll_interval_s: float = 5.0,
    ) -> None:
        """``env``: where account keys named by ``api_key_env`` are read (default
        ``os.environ``); ``account_config``: the private streams' timing (default
        ``ACCOUNT_FEED_CONFIG``); ``poll_interval_s``: the REST fallback's period."""
        self.settings = settings
        self.clock = clock
        self.plan = feed_plan(settings, extra_venues)
        self.store = Store(settings, clock=clock, extra_venues=tuple(self.plan))
        self._sinks: list[Sink] = [self.store.apply]
        self._url_overrides = dict(url_overrides or {})
        self._feed_config = feed_config
        self._env = env
        self._account_config = account_config
        self._poll_interval_s = poll_interval_s
        self.feeds: dict[str, Feed] = {}
        self.account_streams: dict[str, AccountStream] = {}
        self.account_pollers: dict[str, StatusPoller] = {}
        self.problems: list[str] = []  # one line per account that could not start
        self.account_clients: dict[str, VenueClient] = {}  # the signed REST client per account
        self._tasks: list[asyncio.Task[None]] = []
        self._resyncs: set[asyncio.Task[bool]] = set()
        self.read_gate: ReadGate | None = None

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

    def read_in_passes(self, period_s: float) -> ReadGate:
        """Read the market feeds' sockets once every ``period_s`` (``feeds.read_gate``), as the
        dashboard does at its refresh rate; call before :meth:`start`. The private account
        streams still read as frames arrive (they carry few)."""
        if self._tasks:
            raise RuntimeError("read_in_passes() must be called before start()")
        from hedgetui.feeds.read_gate import ReadGate

        self.read_gate = ReadGate(period_s)
        return self.read_gate

    async def start(self) -> None:
        if self._tasks:
            return
        from hedgetui.feeds import Feed  # websockets only when something really connects

        gate = self.read_gate
        if gate is not None:
            self._tasks.append(asyncio.create_task(gate.run(), name="feeds-read-gate"))

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
                read_gate=gate,
            )
            self.feeds[venue] = feed
            self._tasks.append(asyncio.create_task(feed.run(), name=f"feed-{venue}"))
        from hedgetui.trading.session import account_hedges

        accounts = account_hedges(self.settings)
        if accounts:
            frames = logging.getLogger(FRAME_LOGGER)
            if frames.getEffectiveLevel() < logging.INFO:
                frames.setLevel(logging.INFO)
        for account, hedges in accounts.items():
            self._start_account(account, hedges)

    # ------------------------------------------------------------------ accounts

    def _start_account(self, account: str, hedges: tuple[HedgeSettings, ...]) -> None:
        """One stream (or, failing that, a REST poller) for ``account``; never raises."""
        from hedgetui.trading.credentials import CredentialsError
        from hedgetui.trading.session import account_client, account_stream, status_poller

        venue = hedges[0].venue
        try:
            client = account_client(self.settings, hedges[0], env=self._env, clock=self.clock)
        except (CredentialsError, KeyError, ValueError) as exc:
            reason = str(exc).strip("'\"")
            if not reason.startswith(f"account {account!r}"):
                reason = f"account {account!r}: {reason}"
            names = ", ".join(repr(h.name) for h in hedges)
            which = "hedge" if len(hedges) == 1 else "hedges"
            message = f"{reason} -- {which} {names}: position unknown"
            log.warning("%s", message)
            self.problems.append(message)
            self.store.account_problem(account, venue, reason)
            return
        assert client is not None  # the hedge names an account
        self.account_clients[account] = client

        def on_status(status: FeedStatus) -> None:
            self.store.account_status(account, status)

        try:
            stream = account_stream(
                self.settings,
                client,
                hedges,
                self._dispatch,
                on_status=on_status,
                config=self._account_config,
                clock=self.clock,
            )
        except Exception as exc:  # no private stream for this venue: poll its REST instead
            log.warning(
                "account %r (%s): no private stream (%s); polling REST every %gs instead",
                account,
                venue,
                exc,
                self._poll_interval_s,
            )
        else:
            self.account_streams[account] = stream
            self._tasks.append(asyncio.create_task(stream.run(), name=f"account-{account}"))
            return

        def on_poll_status(status: FeedStatus) -> None:
            self.store.account_status(account, status, source="poll")

        try:
            poller = status_poller(
                client,
                hedges,
                self._dispatch,
                on_poll_status,
                interval_s=self._poll_interval_s,
            )
        except Exception as exc:  # e.g. an instrument no venue profile lists
            message = f"account {account!r}: cannot read positions: {exc}"
            log.warning("%s", message)
            self.problems.append(message)
            self.store.account_problem(account, venue, str(exc))
            return
        poller.owns_client = False  # stop() closes every client once
        self.account_pollers[account] = poller
        poller.start()

    def poke(self, account: str) -> bool:
        """Re-read ``account``'s position and balance now (right after an order).

        A stream resyncs over REST (its pushes would follow anyway); a poller polls at once.
        Returns False when nothing watches that account.
        """
        stream = self.account_streams.get(account)
        if stream is not None:
            task = asyncio.get_running_loop().create_task(stream.resync())
            self._resyncs.add(task)
            task.add_done_callback(self._resyncs.discard)
            return True
        poller = self.account_pollers.get(account)
        if poller is not None:
            poller.poke()
            return True
        return False

    def after_order(self, hedge: str) -> Callable[[], None]:
        """The ``UnwindService(on_executed=...)`` callback of ``hedge``: poke its account."""
        account = self.settings.hedge(hedge).account

        def resync() -> None:
            if account is not None:
                self.poke(account)

        return resync

    async def stop(self) -> None:
        tasks: list[asyncio.Task[Any]] = [*self._tasks, *self._resyncs]
        self._tasks, self._resyncs = [], set()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        pollers, self.account_pollers = self.account_pollers, {}
        for poller in pollers.values():
            with contextlib.suppress(Exception):
                await poller.stop()
        clients, self.account_clients = self.account_clients, {}
        for client in clients.values():
            with contextlib.suppress(Exception):
                await client.aclose()
        self.account_streams = {}

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

    A :class:`Runtime` built as ``Runtime(ex.settings, env=ex.env)`` streams the positions and
    balances into its store, and an unwind sends a signed reduce-only order to the simulator
    (see ``hedgetui.ui.unwind_screen.unwind_factory_for``). No keys, no network: the demo
    credentials are the simulator's public ones. ``audit_log``: where unwinds are recorded
    (None: the default audit log).
    """
    from hedgetui.sim.private import attach_private_servers
    from hedgetui.sim.rest.attach import attach_rest_servers
    from hedgetui.trading.session import account_backed, demo_account_env, seed_demo_books

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
