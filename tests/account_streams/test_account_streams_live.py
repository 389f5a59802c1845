"""Each venue's private stream over loopback against the simulator, with the demo keys.

Login succeeds (and bad keys are refused the venue's way), the seeded position arrives, an
order placed over the simulator's REST changes the position and the STREAM pushes the new
size, and a dropped connection reconnects, logs in again, resubscribes and resyncs.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from hedgetui.account_streams import AccountStream, Watched
from hedgetui.domain import BalanceUpdate, FeedState, FeedStatus, PositionUpdate
from hedgetui.feeds.loop_config import FeedConfig
from hedgetui.sim.private import (
    ListenKeys,
    PrivateServer,
    add_listen_key_routes,
    start_private_server,
)
from hedgetui.sim.rest import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_PASSPHRASE,
    RestServer,
    SimAccounts,
    start_rest_server,
)
from hedgetui.trading.credentials import Credentials, Secret
from hedgetui.trading.orders import OrderRequest
from hedgetui.trading.venues import VenueClient, make_client
from hedgetui.venues import default_symbol, get_instrument

VENUES = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")
MARK = 50_000.0
ENTRY = 60_000.0
WRONG_SECRET = "d3Jvbmctc2VjcmV0LXZhbHVlLWZvci10ZXN0cw=="  # valid base64, not the demo secret
FAST = FeedConfig(
    backoff_initial_s=0.02,
    backoff_max_s=0.1,
    healthy_after_s=0.05,
    stale_after_s=1e9,
    idle_timeout_s=30.0,
    open_timeout_s=2.0,
)


def creds(secret: str = DEMO_API_SECRET, key: str = DEMO_API_KEY) -> Credentials:
    return Credentials("demo-acct", Secret(key), Secret(secret), Secret(DEMO_PASSPHRASE))


@dataclass
class Rig:
    venue: str
    watched: Watched
    lot: float
    accounts: SimAccounts
    rest: RestServer
    private: PrivateServer
    listen_keys: ListenKeys
    clients: list[VenueClient] = field(default_factory=list)

    def client(self, credentials: Credentials | None = None) -> VenueClient:
        c = make_client(self.venue, credentials or creds(), base_url=self.rest.url, timeout_s=2.0)
        self.clients.append(c)
        return c

    def stream(
        self,
        sink: Callable[[PositionUpdate | BalanceUpdate], None],
        *,
        credentials: Credentials | None = None,
        on_status: Callable[[FeedStatus], None] | None = None,
    ) -> AccountStream:
        return AccountStream(
            self.client(credentials),
            [self.watched],
            sink,
            url=self.private.url,
            config=FAST,
            rng=random.Random(1),
            login_timeout_s=2.0,
            on_status=on_status,
        )


@asynccontextmanager
async def make_rig(venue: str) -> AsyncIterator[Rig]:
    """The venue's REST and private servers over one set of books, seeded with a short."""
    profile = get_instrument(venue, default_symbol(venue, "BTC"))
    watched = Watched(profile.symbol, profile.coin, profile.contract_size)
    lot = profile.lot_size
    accounts = SimAccounts()
    accounts.set_position(venue, profile.symbol, -40 * lot, ENTRY, collateral=1.0)
    rest = await start_rest_server(venue, accounts=accounts, mark=lambda s: MARK)
    keys = ListenKeys()
    if venue == "binance":
        add_listen_key_routes(rest.api, keys)
    private = await start_private_server(
        venue, accounts=accounts, mark=lambda s: MARK, listen_keys=keys, push_interval_s=0.02
    )
    r = Rig(venue, watched, lot, accounts, rest, private, keys)
    try:
        yield r
    finally:
        for c in r.clients:
            await c.aclose()
        await private.close()
        await rest.close()


@pytest.fixture(params=VENUES)
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    async with make_rig(request.param) as r:
        yield r


async def until(check: Callable[[], bool], limit_s: float = 5.0) -> None:
    """Poll ``check`` every 10 ms; fail the test if it does not hold within ``limit_s``."""
    for _ in range(int(limit_s / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"condition not met within {limit_s}s")


def positions(events: list[PositionUpdate | BalanceUpdate]) -> list[PositionUpdate]:
    return [e for e in events if isinstance(e, PositionUpdate)]


async def running(stream: AccountStream) -> asyncio.Task[None]:
    return asyncio.create_task(stream.run())


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_login_snapshot_order_push_and_reconnect(rig: Rig) -> None:
    events: list[PositionUpdate | BalanceUpdate] = []
    statuses: list[FeedStatus] = []
    stream = rig.stream(events.append, on_status=statuses.append)
    task = await running(stream)
    try:
        seeded = -40 * rig.lot
        await until(lambda: any(p.contracts == seeded for p in positions(events)))
        await until(lambda: stream.snapshots == 1)
        assert stream.logins == 1 and rig.private.logins >= 1
        assert stream.state is FeedState.LIVE
        first = next(p for p in positions(events) if p.contracts == seeded)
        assert first.venue == rig.venue and first.account == "demo-acct"
        assert first.entry_price == pytest.approx(ENTRY)
        assert any(isinstance(e, BalanceUpdate) and e.coin == "BTC" for e in events)

        # an order over the simulator's REST: the STREAM (no new REST snapshot) pushes it
        before_frames = stream.stats.events
        order = OrderRequest(
            venue=rig.venue,
            symbol=rig.watched.symbol,
            side="buy",
            contracts=10 * rig.lot,
            contract_size=rig.watched.contract_size,
            order_type="market",
            client_order_id="hedgetuiacct1",
            coin="BTC",
            margin_mode="cross",
        )
        result = await rig.client().place_order(order)
        assert result.status in ("filled", "new"), result
        after = -30 * rig.lot
        await until(lambda: any(p.contracts == after for p in positions(events)))
        assert stream.snapshots == 1  # it came over the websocket, not from a resync
        assert stream.stats.events > before_frames
        pushed = next(p for p in positions(events) if p.contracts == after)
        assert pushed.contract_size == rig.watched.contract_size

        # a dropped connection: reconnect, log in again, resubscribe and resync over REST
        rig.accounts.set_position(rig.venue, rig.watched.symbol, -20 * rig.lot, ENTRY)
        rig.private.drop()
        await until(lambda: stream.snapshots == 2 and stream.logins == 2)
        await until(lambda: any(p.contracts == -20 * rig.lot for p in positions(events)))
        assert stream.stats.reconnects >= 1
        states = [s.state for s in statuses]
        assert FeedState.DOWN in states[states.index(FeedState.LIVE) :]  # the drop was reported
        assert stream.state is FeedState.LIVE
        # and the new session streams again
        rig.accounts.set_position(rig.venue, rig.watched.symbol, -5 * rig.lot, ENTRY)
        await until(lambda: any(p.contracts == -5 * rig.lot for p in positions(events)))
        assert stream.snapshots == 2
    finally:
        await stop(task)
    assert statuses and all(s.venue == rig.venue for s in statuses)
    assert not any(isinstance(e, FeedStatus) for e in events)  # status never reaches the sink


async def test_bad_credentials_are_refused_the_venue_way(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[PositionUpdate | BalanceUpdate] = []
    bad = creds(key="not-the-demo-key") if rig.venue == "binance" else creds(WRONG_SECRET)
    stream = rig.stream(events.append, credentials=bad)
    task = await running(stream)
    try:
        await until(lambda: stream.stats.reconnects >= 2)
    finally:
        await stop(task)
    expected = {
        "bitmex": "Signature not valid.",
        "bybit": "Invalid sign",
        "binance": "-2015",
        "deribit": "invalid_credentials",
        "okx": "60007",
        "kraken": "Invalid challenge",
    }[rig.venue]
    assert expected in (stream.stats.last_error or "")
    assert stream.logins == 0 and rig.private.logins == 0
    assert not positions(events)  # nothing was reported from a refused session
    assert stream.state is FeedState.DOWN
    logged = caplog.text + (stream.stats.last_error or "")
    assert WRONG_SECRET not in logged and DEMO_API_SECRET not in logged


async def test_binance_expired_listen_key_reconnects_with_a_new_one() -> None:
    async with make_rig("binance") as rig:
        await _expire_and_recover(rig)


async def _expire_and_recover(rig: Rig) -> None:
    events: list[PositionUpdate | BalanceUpdate] = []
    stream = rig.stream(events.append)
    task = await running(stream)
    try:
        await until(lambda: stream.snapshots == 1)
        (first_key,) = rig.listen_keys.keys
        rig.listen_keys.keys.clear()  # the venue forgets the key -> listenKeyExpired
        await until(lambda: stream.snapshots == 2 and stream.logins == 2)
        (second_key,) = rig.listen_keys.keys
        assert second_key != first_key
        rig.accounts.set_position(rig.venue, rig.watched.symbol, -7, ENTRY)
        await until(lambda: any(p.contracts == -7 for p in positions(events)))
    finally:
        await stop(task)
