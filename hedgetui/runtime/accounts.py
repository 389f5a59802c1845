"""Wiring: settings (+ store) -> client, audit log and UnwindService; and the demo accounts.

``demo_trading`` runs the unwind against the simulator's signed REST endpoints: it seeds
the simulator's books with the demo portfolio (``hedgetui.demo_portfolio``) so that each
demo hedge's position lives in a demo account, and points the clients at loopback with the
simulator's public demo credentials. No keys, no network.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.config import AccountSettings, HedgeSettings, Settings, TradingSettings
from hedgetui.domain import (
    BalanceUpdate,
    FeedState,
    FeedStatus,
    HedgeView,
    MarkPrice,
    PositionUpdate,
)
from hedgetui.store import Store
from hedgetui.trading.account_poller import AccountPoller, PolledInstrument
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.credentials import Credentials, Secret, load_credentials
from hedgetui.trading.service import UnwindService
from hedgetui.trading.venues import VenueClient, make_client
from hedgetui.venues import get_instrument

if TYPE_CHECKING:
    from hedgetui.account_streams import AccountStream
    from hedgetui.feeds.base import FeedConfig
    from hedgetui.sim.rest import SimAccounts

DEMO_SCENARIO = "calm"

AccountSink = Callable[[PositionUpdate | BalanceUpdate], None]
StatusFn = Callable[[FeedStatus], None]


def account_client(
    settings: Settings,
    hedge: HedgeSettings,
    *,
    env: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    credentials: Credentials | None = None,
) -> VenueClient | None:
    """The signed client for the hedge's account (None for a hand-entered position).

    Raises ``CredentialsError`` when the account's keys cannot be found.
    """
    if hedge.account is None:
        return None
    account = settings.account(hedge.account)
    creds = credentials or load_credentials(account, os.environ if env is None else env)
    venue = settings.venues.get(hedge.venue)
    base_url = venue.rest_url if venue is not None else None
    return make_client(
        hedge.venue,
        creds,
        base_url=base_url,
        clock=clock,
        account=account.name,
        permissions=account.permissions,
    )


def account_hedges(settings: Settings) -> dict[str, tuple[HedgeSettings, ...]]:
    """Account name -> the hedges (on enabled venues) whose position comes from it, in order."""
    grouped: dict[str, list[HedgeSettings]] = {}
    for hedge in settings.hedges:
        venue = settings.venues.get(hedge.venue)
        if hedge.account is None or (venue is not None and not venue.enabled):
            continue
        grouped.setdefault(hedge.account, []).append(hedge)
    return {name: tuple(hedges) for name, hedges in grouped.items()}


def account_stream(
    settings: Settings,
    client: VenueClient,
    hedges: tuple[HedgeSettings, ...],
    sink: AccountSink,
    *,
    on_status: StatusFn | None = None,
    config: FeedConfig | None = None,
    clock: Clock | None = None,
) -> AccountStream:
    """The private websocket stream of ``client``'s account, watching every hedge's instrument.

    The URL is ``venues.<venue>.private_ws_url`` (None: the venue's own, testnet when the venue
    or the account says so). Raises (``ValueError``, ``UnknownInstrumentError``, ``ImportError``)
    when no stream can be built for it; the caller then polls over REST instead.
    """
    from hedgetui.account_streams import AccountStream, watched_instrument

    watched = tuple(dict.fromkeys(watched_instrument(h.venue, h.symbol) for h in hedges))
    venue = settings.venues.get(client.venue)
    account = settings.account(client.account) if client.account else None
    testnet = (venue is not None and venue.testnet) or (account is not None and account.testnet)
    return AccountStream(
        client,
        watched,
        sink,
        url=venue.private_ws_url if venue is not None else None,
        testnet=testnet,
        config=config,
        clock=clock,
        on_status=on_status,
    )


class StatusPoller(AccountPoller):
    """An :class:`AccountPoller` that reports its health like a stream: LIVE after a snapshot
    that worked, DOWN (with the error) after one that did not."""

    def __init__(
        self,
        client: VenueClient,
        instruments: tuple[PolledInstrument, ...],
        sink: AccountSink,
        on_status: StatusFn,
        *,
        interval_s: float = 5.0,
    ) -> None:
        super().__init__(client, instruments, sink, interval_s=interval_s, owns_client=True)
        self.on_status = on_status
        self.on_error = self._note_error
        self._last_error: str | None = None

    def _note_error(self, message: str) -> None:
        self._last_error = message

    async def poll_once(self) -> bool:
        self._last_error = None
        ok = await super().poll_once()
        state = FeedState.LIVE if ok else FeedState.DOWN
        status = FeedStatus(
            self.client.venue, state, last_error=self._last_error, reconnects=self.errors
        )
        self.on_status(status)
        return ok


def status_poller(
    client: VenueClient,
    hedges: tuple[HedgeSettings, ...],
    sink: AccountSink,
    on_status: StatusFn,
    *,
    interval_s: float = 5.0,
) -> StatusPoller:
    """REST polling of every hedge's instrument of one account (the stream's fallback)."""
    instruments: dict[PolledInstrument, None] = {}
    for hedge in hedges:
        profile = get_instrument(hedge.venue, hedge.symbol)
        instruments[PolledInstrument(profile.symbol, profile.coin, profile.contract_size)] = None
    return StatusPoller(client, tuple(instruments), sink, on_status, interval_s=interval_s)


def audit_log_for(settings: Settings, client: VenueClient | None, clock: Clock | None) -> AuditLog:
    secrets = client.credentials.secrets() if client is not None else ()
    return AuditLog(settings.trading.audit_log, clock=clock, secrets=secrets)


def hedge_view_of(store: Store, name: str) -> HedgeView | None:
    for view in store.snapshot().hedges:
        if view.name == name:
            return view
    return None


def service_for_store(
    settings: Settings,
    store: Store,
    *,
    client: VenueClient | None,
    audit: AuditLog,
    clock: Clock | None = None,
    demo: bool = False,
    on_executed: Callable[[], None] | None = None,
    no_client_reason: str | None = None,
    readings: AccountReadings | None = None,
) -> UnwindService:
    """``on_executed``: called after an order went out, e.g. ``lambda: runtime.poke(account)``;
    ``no_client_reason``: the dry-run reason shown when ``client`` is None (keys not loaded);
    ``readings``: what the command's own position reads said (flat positions, read errors)."""

    def account_position(name: str) -> PositionUpdate | None:
        return readings.position_of(settings.hedge(name)) if readings is not None else None

    def account_error(name: str) -> str | None:
        said = readings.error if readings is not None else None
        return said or account_error_of(store, settings, name)

    return UnwindService(
        settings=settings,
        view=lambda name: hedge_view_of(store, name),
        audit=audit,
        client=client,
        risk_position=store.position,
        clock=clock or SYSTEM_CLOCK,
        demo=demo,
        on_executed=on_executed,
        no_client_reason=no_client_reason,
        account_position=account_position,
        account_error=account_error,
    )


def account_error_of(store: Store, settings: Settings, name: str) -> str | None:
    """Why hedge ``name``'s account gives no position, as its data source last said it
    (None while it is live or has said nothing)."""
    account = settings.hedge(name).account
    for view in store.account_views():
        if view.name == account and view.state is not FeedState.LIVE and view.last_error:
            return f"account {account!r} is {view.state}: {view.last_error}"
    return None


class AccountReadings:
    """A poller's sink that remembers what the reads said: the last position of each symbol
    (a flat one too, which the store shows as no position) and why the last read failed."""

    def __init__(self, sink: AccountSink, source: str) -> None:
        self.sink = sink
        self.source = source  # where the reads go, named in the error
        self.positions: dict[str, PositionUpdate] = {}
        self.error: str | None = None

    def __call__(self, event: PositionUpdate | BalanceUpdate) -> None:
        if isinstance(event, PositionUpdate):
            self.positions[event.symbol] = event
            self.error = None
        self.sink(event)

    def position_of(self, hedge: HedgeSettings) -> PositionUpdate | None:
        return self.positions.get(get_instrument(hedge.venue, hedge.symbol).symbol)

    def failed(self, message: str) -> None:
        """A read failed; the first failure since the last position is kept (the position's
        own read comes first in a poll, the balance's second)."""
        if self.error is None:
            self.error = f"reading it from {self.source} failed: {message}"


def poller_for(
    client: VenueClient, hedge: HedgeSettings, store: Store, readings: AccountReadings | None = None
) -> AccountPoller:
    """The REST poller of ``hedge``'s position into ``store`` (through ``readings`` if given)."""
    profile = get_instrument(hedge.venue, hedge.symbol)
    inst = PolledInstrument(profile.symbol, profile.coin, profile.contract_size)
    if readings is None:
        return AccountPoller(client, (inst,), store.apply)
    return AccountPoller(client, (inst,), readings, on_error=readings.failed)


def account_pollers(
    settings: Settings,
    store: Store,
    *,
    env: Mapping[str, str] | None = None,
    interval_s: float = 5.0,
    on_error: Callable[[str], None] | None = None,
) -> tuple[list[AccountPoller], list[str]]:
    """One poller per hedge whose position comes from an account (for the dashboard/watch).

    Returns (pollers, problems): a hedge whose keys cannot be loaded is skipped and its
    reason (never a secret) is listed, so the rest keeps running.
    """
    from hedgetui.trading.credentials import CredentialsError

    pollers: list[AccountPoller] = []
    problems: list[str] = []
    for hedge in settings.hedges:
        if hedge.account is None:
            continue
        try:
            client = account_client(settings, hedge, env=env)
        except (CredentialsError, KeyError) as exc:
            problems.append(f"hedge {hedge.name!r}: {str(exc).strip(chr(34) + chr(39))}")
            continue
        assert client is not None
        poller = poller_for(client, hedge, store)
        poller.interval_s = interval_s
        poller.owns_client = True
        if on_error is not None:
            poller.on_error = on_error
        pollers.append(poller)
    return pollers, problems


# --------------------------------------------------------------------------- demo


def demo_account_name(venue: str) -> str:
    return f"demo-{venue}"


def demo_credentials(account: str) -> Credentials:
    from hedgetui.sim.rest import DEMO_API_KEY, DEMO_API_SECRET, DEMO_PASSPHRASE

    return Credentials(
        account, Secret(DEMO_API_KEY), Secret(DEMO_API_SECRET), Secret(DEMO_PASSPHRASE), "demo"
    )


DEMO_KEY_ENV = "HEDGETUI_DEMO_API_KEY"
DEMO_SECRET_ENV = "HEDGETUI_DEMO_API_SECRET"
DEMO_PASSPHRASE_ENV = "HEDGETUI_DEMO_PASSPHRASE"


def demo_account_env() -> dict[str, str]:
    """The environment the demo accounts read their keys from: the simulator's public demo
    credentials (they open nothing but the loopback simulator). Pass it as ``Runtime(env=...)``."""
    from hedgetui.sim.rest import DEMO_API_KEY, DEMO_API_SECRET, DEMO_PASSPHRASE

    return {
        DEMO_KEY_ENV: DEMO_API_KEY,
        DEMO_SECRET_ENV: DEMO_API_SECRET,
        DEMO_PASSPHRASE_ENV: DEMO_PASSPHRASE,
    }


def account_backed(settings: Settings, audit_log: str | None) -> Settings:
    """The demo portfolio with each hand-entered position moved into a demo account.

    The accounts read their keys from the variables :func:`demo_account_env` fills in.
    """
    hedges = tuple(
        dataclasses.replace(h, position=None, account=demo_account_name(h.venue))
        for h in settings.hedges
    )
    accounts = tuple(
        AccountSettings(
            name=demo_account_name(v),
            venue=v,
            api_key_env=DEMO_KEY_ENV,
            api_secret_env=DEMO_SECRET_ENV,
            passphrase_env=DEMO_PASSPHRASE_ENV,
            permissions="trade",
        )
        for v in dict.fromkeys(h.venue for h in settings.hedges)
    )
    trading = TradingSettings(enabled=True, audit_log=audit_log)
    return dataclasses.replace(settings, hedges=hedges, accounts=accounts, trading=trading)


def seed_demo_books(books: SimAccounts, manual: Settings) -> None:
    """Put every hand-entered position of ``manual`` (and its collateral as the wallet
    balance) into the simulator's books, under the hedge's venue."""
    for h in manual.hedges:
        pos = h.position
        if pos is None:
            continue
        signed = -pos.contracts if pos.side == "short" else pos.contracts
        books.set_position(h.venue, h.symbol, signed, pos.entry, collateral=pos.collateral)


DEMO_REPLY_DELAY_ENV = "HEDGETUI_DEMO_ORDER_REPLY_DELAY_S"


def demo_reply_delay(env: Mapping[str, str]) -> float:
    """Seconds the demo simulator holds its reply to the first order (it executes the order
    at once), from ``HEDGETUI_DEMO_ORDER_REPLY_DELAY_S``: a way to try Ctrl-C while an order
    is in flight. 0 when unset; ValueError (saying why) unless a number from 0 to 3600."""
    raw = env.get(DEMO_REPLY_DELAY_ENV, "").strip()
    try:
        delay = float(raw or 0)
    except ValueError:
        delay = math.nan
    if not 0 <= delay <= 3600:
        raise ValueError(
            f"{DEMO_REPLY_DELAY_ENV}: must be seconds from 0 to 3600, got {raw[:20]!r}"
        )
    return delay


@dataclass
class DemoTrading:
    settings: Settings  # account-backed demo settings
    store: Store
    service: UnwindService
    poller: AccountPoller
    accounts: object  # hedgetui.sim.rest.SimAccounts (the simulator's books)
    prices: Mapping[str, float]


@asynccontextmanager
async def demo_trading(
    hedge_name: str,
    *,
    accounts: object | None = None,
    audit_log: str | Path | None = None,
    clock: Clock | None = None,
    scenario: str = DEMO_SCENARIO,
    reply_delay_s: float = 0.0,
) -> AsyncIterator[DemoTrading]:
    """The simulator's REST side for ``hedge_name``'s venue, seeded with the demo portfolio.

    ``reply_delay_s``: the simulator executes the first order at once but replies that late.

    ``accounts`` may pass a ``SimAccounts`` in (tests inspect the order list afterwards).
    Raises ``KeyError`` for an unknown demo hedge.
    """
    from hedgetui.demo_portfolio import demo_settings
    from hedgetui.sim.rest import SimAccounts, start_rest_server
    from hedgetui.sim.scenarios import get_scenario

    clock = clock or SYSTEM_CLOCK
    scen = get_scenario(scenario)
    prices = {coin: scen.initial(coin).mark for coin in ("BTC", "ETH")}
    manual = demo_settings(prices["BTC"], prices["ETH"], {})
    manual.hedge(hedge_name)  # KeyError naming the demo hedges
    books = accounts if isinstance(accounts, SimAccounts) else SimAccounts(clock)
    seed_demo_books(books, manual)
    if reply_delay_s > 0:
        books.inject(manual.hedge(hedge_name).venue, "timeout", delay=reply_delay_s)
    settings = account_backed(manual, str(audit_log) if audit_log else None)
    hedge = settings.hedge(hedge_name)
    coin_of = {h.symbol: h.coin for h in settings.hedges}
    server = await start_rest_server(
        hedge.venue, accounts=books, mark=lambda symbol: prices[coin_of.get(symbol, "BTC")]
    )
    settings = dataclasses.replace(
        settings,
        venues={
            **settings.venues,
            hedge.venue: dataclasses.replace(settings.venues[hedge.venue], rest_url=server.url),
        },
    )
    store = Store(settings, clock=clock)
    creds = demo_credentials(demo_account_name(hedge.venue))
    client = account_client(settings, hedge, clock=clock, credentials=creds)
    assert client is not None
    try:
        store.apply(
            MarkPrice(hedge.venue, hedge.symbol, prices[hedge.coin], int(clock.time() * 1000))
        )
        readings = AccountReadings(store.apply, client.base_url)
        poller = poller_for(client, hedge, store, readings)
        audit = audit_log_for(settings, client, clock)
        service = service_for_store(
            settings, store, client=client, audit=audit, demo=True, readings=readings
        )
        yield DemoTrading(settings, store, service, poller, books, prices)
    finally:
        await client.aclose()
        await server.close()
        await asyncio.sleep(0.01)  # let the server's aborted connections finish before exit
