"""Private streams next to the full simulator, expired logins, and the server's own refusals."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import replace

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from hedgetui.account_streams import AccountStream, watched_instrument
from hedgetui.clock import ManualClock
from hedgetui.domain import BalanceUpdate, PositionUpdate
from hedgetui.feeds.loop_config import FeedConfig
from hedgetui.sim import start_simulator
from hedgetui.sim.private import (
    ListenKeys,
    PrivateSide,
    add_listen_key_routes,
    attach_private_servers,
    start_private_server,
)
from hedgetui.sim.rest import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_PASSPHRASE,
    SimAccounts,
    start_rest_server,
)
from hedgetui.sim.rest.attach import RestSide, attach_rest_servers
from hedgetui.trading.credentials import Credentials, Secret
from hedgetui.trading.orders import OrderRequest
from hedgetui.trading.venues import make_client

FAST = FeedConfig(
    backoff_initial_s=0.02, backoff_max_s=0.1, healthy_after_s=0.05, stale_after_s=1e9
)
DEMO = Credentials("demo", Secret(DEMO_API_KEY), Secret(DEMO_API_SECRET), Secret(DEMO_PASSPHRASE))


async def until(check: Callable[[], bool], limit_s: float = 5.0) -> None:
    """Poll ``check`` every 10 ms; fail the test if it does not hold within ``limit_s``."""
    for _ in range(int(limit_s / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"condition not met within {limit_s}s")


async def _order_shows_on_the_stream(rest: RestSide, private: PrivateSide, venue: str) -> None:
    w = watched_instrument(venue, "BTC-USD-SWAP" if venue == "okx" else "BTCUSD_PERP")
    rest.accounts.set_position(venue, w.symbol, -20, 60_000.0)
    client = make_client(venue, DEMO, base_url=rest.url(venue), timeout_s=2.0)
    got: list[PositionUpdate | BalanceUpdate] = []
    stream = AccountStream(client, [w], got.append, url=private.url(venue), config=FAST)
    task = asyncio.create_task(stream.run())
    try:
        await until(lambda: stream.snapshots == 1)
        order = OrderRequest(venue, w.symbol, "buy", 5, w.contract_size, "market", "acct2")
        await client.place_order(order)
        await until(lambda: any(isinstance(e, PositionUpdate) and e.contracts == -15 for e in got))
        assert stream.snapshots == 1  # pushed by the stream, not a REST resync
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.aclose()


async def test_private_streams_share_the_simulator_rest_books() -> None:
    sim = await start_simulator(venues=["okx", "binance"], scenario="calm", control=False)
    rest = await attach_rest_servers(sim)
    private = await attach_private_servers(rest, push_interval_s=0.02)
    try:
        assert set(private.servers) == {"okx", "binance"}
        for venue in ("okx", "binance"):
            await _order_shows_on_the_stream(rest, private, venue)
    finally:
        await private.close()
        await rest.close()
        await sim.close()


@pytest.mark.parametrize(
    ("venue", "symbol", "expected"),
    [
        ("bitmex", "XBTUSD", "Expired"),
        ("bybit", "BTCUSD", "Params Error"),
        ("okx", "BTC-USD-SWAP", "60006"),
        ("deribit", "BTC-PERPETUAL", "unauthorized"),
    ],
)
async def test_a_login_with_a_stale_clock_is_refused(
    venue: str, symbol: str, expected: str
) -> None:
    accounts = SimAccounts()
    server = await start_private_server(venue, accounts=accounts, mark=lambda s: 50_000.0)
    late = ManualClock(time.time() - 600)  # the client's clock is 10 minutes behind
    client = make_client(venue, DEMO, base_url="http://127.0.0.1:9", clock=late)
    stream = AccountStream(
        client,
        [watched_instrument(venue, symbol)],
        lambda e: None,
        url=server.url,
        config=FAST,
        clock=late,
        rng=random.Random(2),
    )
    task = asyncio.create_task(stream.run())
    try:
        await until(lambda: stream.stats.reconnects >= 1)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.aclose()
        await server.close()
    assert expected in (stream.stats.last_error or "")
    assert stream.logins == 0 and server.logins == 0


async def test_subscribing_without_login_is_refused() -> None:
    accounts = SimAccounts()
    server = await start_private_server("bybit", accounts=accounts, mark=lambda s: 50_000.0)
    try:
        async with connect(server.url) as ws:
            await ws.send('{"op":"subscribe","args":["position.inverse"]}')
            reply = orjson.loads(await ws.recv())
        assert reply["success"] is False and "not authorized" in reply["ret_msg"]
    finally:
        await server.close()


async def test_binance_unknown_listen_key_is_rejected_at_the_handshake() -> None:
    server = await start_private_server("binance", accounts=SimAccounts(), mark=lambda s: 1.0)
    try:
        with pytest.raises(InvalidStatus) as info:
            async with connect(server.url + "/not-a-key"):
                pass
        assert info.value.response.status_code == 400
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("venue", "symbol"),
    [
        ("kraken", "PI_XBTUSD"),
        ("binance", "BTCUSD_PERP"),
        ("bybit", "BTCUSD"),
        ("okx", "BTC-USD-SWAP"),
    ],
)
async def test_a_hung_connection_is_detected_and_replaced(venue: str, symbol: str) -> None:
    """Kraken/Binance: unanswered websocket pings; Bybit/OKX: no pong to the app ping."""
    accounts = SimAccounts()
    w = watched_instrument(venue, symbol)
    accounts.set_position(venue, w.symbol, -3, 60_000.0)
    rest = await start_rest_server(venue, accounts=accounts, mark=lambda s: 50_000.0)
    keys = ListenKeys()
    if venue == "binance":
        add_listen_key_routes(rest.api, keys)
    server = await start_private_server(
        venue, accounts=accounts, mark=lambda s: 50_000.0, listen_keys=keys
    )
    client = make_client(venue, DEMO, base_url=rest.url, timeout_s=2.0)
    quick = replace(FAST, ping_interval_s=0.05, idle_timeout_s=0.3, close_timeout_s=0.1)
    stream = AccountStream(client, [w], lambda e: None, url=server.url, config=quick)
    task = asyncio.create_task(stream.run())
    try:
        await until(lambda: stream.snapshots == 1)
        server.stall()
        await until(lambda: stream.snapshots == 2 and stream.logins == 2)
        assert stream.stats.reconnects >= 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.aclose()
        await server.close()
        await rest.close()


async def test_a_failed_rest_snapshot_is_reported_and_the_stream_carries_on() -> None:
    accounts = SimAccounts()
    accounts.set_position("okx", "BTC-USD-SWAP", -12, 60_000.0)
    server = await start_private_server("okx", accounts=accounts, mark=lambda s: 50_000.0)
    client = make_client("okx", DEMO, base_url="http://127.0.0.1:9", timeout_s=0.5)  # nothing there
    got: list[PositionUpdate | BalanceUpdate] = []
    w = watched_instrument("okx", "BTC-USD-SWAP")
    stream = AccountStream(client, [w], got.append, url=server.url, config=FAST)
    task = asyncio.create_task(stream.run())
    try:
        # OKX's own subscription snapshot still brings the position in
        await until(lambda: any(isinstance(e, PositionUpdate) and e.contracts == -12 for e in got))
        assert stream.snapshots == 0 and stream.logins == 1
        assert "REST balance snapshot failed: okx: no reply" in (stream.stats.last_error or "")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.aclose()
        await server.close()
