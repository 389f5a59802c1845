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

The runtime is the composition root: the UI and the commands take what they need from it
(``rt.store``, ``rt.unwind_service(hedge)``, ``rt.alert_engine()``, ``rt.alert_dispatcher()``)
and construct none of it themselves. The demo (``hedgetui.demo``) builds one over the simulator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from hedgetui.clock import Clock
from hedgetui.config import HedgeSettings, Settings
from hedgetui.domain import Event, FeedStatus
from hedgetui.store import Store
from hedgetui.venues import default_symbol

if TYPE_CHECKING:
    from hedgetui.account_streams import AccountStream
    from hedgetui.alerts import AlertDispatcher, AlertEngine
    from hedgetui.alerts.sinks.base import TextStream
    from hedgetui.feeds import Feed, FeedConfig
    from hedgetui.feeds.read_gate import ReadGate
    from hedgetui.history.funding.service import FundingHistoryService
    from hedgetui.runtime.accounts import StatusPoller
    from hedgetui.trading.adjust_service import AdjustService
    from hedgetui.trading.service import UnwindService
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


def _journal_account(account: str, message: str) -> None:
    """An account whose data source could not start, in the connection log."""
    from hedgetui.feeds.journal import note  # the feeds package only once something runs

    note(f"account:{account}", f"not started: {message}")


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
        simulated: bool = False,
        funding_history: bool = False,
    ) -> None:
        """``env``: where account keys named by ``api_key_env`` are read (default
        ``os.environ``); ``account_config``: the private streams' timing (default
        ``ACCOUNT_FEED_CONFIG``); ``poll_interval_s``: the REST fallback's period;
        ``simulated``: the venues are the built-in simulator (the demo), so its accounts count
        as trading enabled and the unwind dialog says where its orders go;
        ``funding_history``: also keep the hedges' funding history (and the accounts' realised
        payments) current, when ``funding_history.enabled`` (the dashboard and the demo ask
        for it; off by default so that nothing else fetches it)."""
        self.settings = settings
        self.simulated = simulated
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
        self._files = contextlib.ExitStack()  # the connection log, open while started
        self._resyncs: set[asyncio.Task[bool]] = set()
        self.read_gate: ReadGate | None = None
        self._want_funding_history = funding_history
        # the funding-history service, once started (None: not asked for, or turned off)
        self.funding_history: FundingHistoryService | None = None

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
        from hedgetui.runtime.connection_log import connection_log, connection_log_path

        self._files.enter_context(connection_log(connection_log_path(self.settings)))

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
        from hedgetui.runtime.accounts import account_hedges

        accounts = account_hedges(self.settings)
        if accounts:
            frames = logging.getLogger(FRAME_LOGGER)
            if frames.getEffectiveLevel() < logging.INFO:
                frames.setLevel(logging.INFO)
        for account, hedges in accounts.items():
            self._start_account(account, hedges)
        if self._want_funding_history:
            self._start_funding_history()

    def _start_funding_history(self) -> None:
        """The funding-history service over the hedges' venues and the accounts whose keys
        loaded, running until :meth:`stop`; never raises."""
        from hedgetui.history.store_link import carry_starts, link
        from hedgetui.runtime.funding import funding_service

        keys = {name: client.credentials for name, client in self.account_clients.items()}
        try:
            service = funding_service(
                self.settings,
                credentials=keys,
                clock=self.clock,
                since_ms=carry_starts(self.settings),
            )
        except Exception as exc:  # a bad cache dir, say: the dashboard runs on without it
            log.warning("funding history not started: %s", exc)
            return
        if service is None:
            return
        self.funding_history = service
        link(service, self.store)  # each series it fetches: the hedges' carry figures

        async def run() -> None:
            try:
                await service.run()
            except asyncio.CancelledError:
                raise
            except Exception:  # the market data must go on without the history
                log.exception("the funding history stopped")

        self._tasks.append(asyncio.create_task(run(), name="funding-history"))

    # ------------------------------------------------------------------ accounts

    def _start_account(self, account: str, hedges: tuple[HedgeSettings, ...]) -> None:
        """One stream (or, failing that, a REST poller) for ``account``; never raises."""
        from hedgetui.runtime.accounts import account_client, account_stream, status_poller
        from hedgetui.trading.credentials import CredentialsError

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
            _journal_account(account, message)
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
            _journal_account(account, message)
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

    # ------------------------------------------------------------------ what it hands out

    def unwind_service(self, hedge: str) -> UnwindService:
        """The unwind service of ``hedge`` over this runtime: its account's signed client (or a
        dry run saying why there is none), the audit log, a re-read of the account after an
        order. Look it up when the dialog opens: the clients appear when the runtime starts."""
        from hedgetui.runtime.unwind import service_for_runtime

        return service_for_runtime(self, hedge)

    def adjust_service(self, hedge: str) -> AdjustService:
        """The adjust service of ``hedge`` (the ``r`` dialog): :meth:`unwind_service`'s client,
        audit log and broker, planning orders in either direction within the hedge's limits."""
        from hedgetui.trading.adjust_service import AdjustService

        return AdjustService(self.unwind_service(hedge))

    def alert_engine(self, *, pending_override_s: float | None = None) -> AlertEngine:
        """The alert rules of the settings, over the store's clock (``pending_override_s``:
        how long a condition must hold before it fires, instead of each rule's own)."""
        from hedgetui.alerts import AlertEngine

        return AlertEngine.from_settings(
            self.settings, clock=self.store.clock, pending_override_s=pending_override_s
        )

    def alert_dispatcher(
        self,
        on_problem: Callable[[str], None] | None = None,
        *,
        terminal: TextStream | None = None,
        terminal_sinks: bool = False,
    ) -> tuple[AlertDispatcher, list[str]]:
        """A dispatcher to the configured alert sinks, and notes about the sinks it skipped.

        ``terminal_sinks``: also the ones that write escape sequences to ``terminal`` (desktop
        OSC), which only the headless watcher may use: under the dashboard they would write
        into Textual's screen. The caller starts (if it wants) and closes the dispatcher.
        """
        from hedgetui.alerts import AlertDispatcher, build_sinks

        sinks, notes = build_sinks(
            self.settings.alerts, terminal=terminal, terminal_sinks=terminal_sinks
        )
        return AlertDispatcher(sinks, on_problem=on_problem), notes

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
        if self.funding_history is not None:
            with contextlib.suppress(Exception):
                await self.funding_history.aclose()
        clients, self.account_clients = self.account_clients, {}
        for client in clients.values():
            with contextlib.suppress(Exception):
                await client.aclose()
        self.account_streams = {}
        self._files.close()

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
