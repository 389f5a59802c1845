"""Wiring of the exchange accounts: settings -> signed clients, private streams, REST pollers.

:class:`~hedgetui.runtime.Runtime` uses these to watch every account a hedge reads its
position from; ``hedgetui unwind`` uses :func:`account_client`, :class:`AccountReadings` and
:func:`poller_for` for its own reads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from hedgetui.clock import Clock
from hedgetui.config import HedgeSettings, Settings
from hedgetui.domain import (
    BalanceUpdate,
    FailureKind,
    FeedFailure,
    FeedState,
    FeedStatus,
    PositionUpdate,
)
from hedgetui.store import Store
from hedgetui.trading.account_poller import AccountPoller, PolledInstrument
from hedgetui.trading.credentials import Credentials, load_credentials
from hedgetui.trading.venues import VenueClient, make_client
from hedgetui.venues import get_instrument

if TYPE_CHECKING:
    from hedgetui.account_streams import AccountStream
    from hedgetui.feeds.loop_config import FeedConfig


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
        from hedgetui.feeds.journal import note

        before, self._last_error = self._last_error, None
        ok = await super().poll_once()
        state = FeedState.LIVE if ok else FeedState.DOWN
        error = self._last_error
        failure = None if ok or error is None else FeedFailure(FailureKind.ERROR, error)
        status = FeedStatus(
            self.client.venue,
            state,
            last_error=error,
            reconnects=self.errors,
            failure=failure,
        )
        if error != before:  # the connection log gets changes, not every poll
            name = f"account:{self.client.account or self.client.venue}"
            note(name, f"REST poll failed: {error}" if error else "REST poll ok")
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
