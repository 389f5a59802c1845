"""Live account data end to end: settings -> Runtime -> private stream (simulator) -> store.

The simulator serves OKX's market websocket, its signed REST API and its private stream over the
same books. The hedge's position comes from a demo account whose keys are read from the
environment variables its ``[[accounts]]`` entry names.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hedgetui.cli import main
from hedgetui.clock import ManualClock
from hedgetui.config import (
    AccountSettings,
    ConfigError,
    FreshnessSettings,
    HedgeSettings,
    Settings,
    SpotHolding,
    TradingSettings,
    VenueSettings,
    parse_settings,
)
from hedgetui.config.model import default_venues
from hedgetui.domain import FeedState, FeedStatus, Freshness, HedgeView, PositionUpdate
from hedgetui.feeds.loop_config import FeedConfig
from hedgetui.runtime import Runtime
from hedgetui.runtime.accounts import status_poller
from hedgetui.runtime.unwind import audit_log_for, service_for_store
from hedgetui.sim import Simulator, start_simulator
from hedgetui.sim.private import PrivateSide, attach_private_servers
from hedgetui.sim.rest import DEMO_API_KEY, DEMO_API_SECRET, DEMO_PASSPHRASE
from hedgetui.sim.rest.attach import RestSide, attach_rest_servers
from hedgetui.trading.credentials import Credentials, Secret
from hedgetui.trading.orders import OrderRequest
from hedgetui.trading.planner import UnwindRequest
from hedgetui.trading.venues import make_client

VENUE = "okx"  # its signature check allows +-30 s, so the test's ManualClock may run ahead
SYMBOL = "BTC-USD-SWAP"  # 100 USD per contract
ACCOUNT = "okx-demo"
KEY_ENV, SECRET_ENV, PASS_ENV = "HT_TEST_OKX_KEY", "HT_TEST_OKX_SECRET", "HT_TEST_OKX_PASS"
# After a drop the stream stays down 0.5 s (no jitter): time to see the position go stale.
SLOW_RECONNECT = FeedConfig(
    backoff_initial_s=0.5,
    backoff_max_s=0.5,
    jitter=0.0,
    healthy_after_s=1e9,
    stale_after_s=1e9,
    idle_timeout_s=90.0,
)


async def until(check: Callable[[], bool], limit_s: float = 5.0) -> None:
    """Poll ``check`` every 10 ms; fail the test if it does not hold within ``limit_s``."""
    for _ in range(int(limit_s / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"condition not met within {limit_s}s")


@dataclass
class Exchange:
    sim: Simulator
    rest: RestSide
    private: PrivateSide


@pytest.fixture
async def exchange() -> AsyncIterator[Exchange]:
    sim = await start_simulator(venues=[VENUE], scenario="calm", control=False)
    rest = await attach_rest_servers(sim)
    private = await attach_private_servers(rest, push_interval_s=0.02)
    rest.accounts.set_position(VENUE, SYMBOL, -200, 60_000.0)
    rest.accounts.set_balance(VENUE, "BTC", 0.5)
    try:
        yield Exchange(sim, rest, private)
    finally:
        await private.close()
        await rest.close()
        await sim.close()


def account_settings(ex: Exchange, audit_log: Path) -> Settings:
    venue = VenueSettings(
        VENUE,
        ws_url=ex.sim.ws_url(VENUE),
        rest_url=ex.rest.url(VENUE),
        private_ws_url=ex.private.url(VENUE),
    )
    hedge = HedgeSettings(
        name="okx-btc",
        coin="BTC",
        venue=VENUE,
        symbol=SYMBOL,
        spot=(SpotHolding(0.3, "cold"),),
        account=ACCOUNT,
    )
    account = AccountSettings(
        name=ACCOUNT,
        venue=VENUE,
        api_key_env=KEY_ENV,
        api_secret_env=SECRET_ENV,
        passphrase_env=PASS_ENV,
        permissions="trade",
    )
    return Settings(
        hedges=(hedge,),
        accounts=(account,),
        venues={**default_venues(), VENUE: venue},
        freshness=FreshnessSettings(delayed_after_s=1.0, stale_after_s=2.0),
        trading=TradingSettings(enabled=True, audit_log=str(audit_log)),
    )


def the_hedge(rt: Runtime) -> HedgeView:
    (hedge,) = rt.store.snapshot().hedges
    return hedge


def demo_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, DEMO_API_KEY)
    monkeypatch.setenv(SECRET_ENV, DEMO_API_SECRET)
    monkeypatch.setenv(PASS_ENV, DEMO_PASSPHRASE)


async def test_position_streams_in_shrinks_after_orders_and_goes_stale_when_dropped(
    exchange: Exchange,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    demo_keys(monkeypatch)
    settings = account_settings(exchange, tmp_path / "audit.jsonl")
    clock = ManualClock(time.time())
    async with Runtime(settings, clock=clock, account_config=SLOW_RECONNECT) as rt:
        stream = rt.account_streams[ACCOUNT]
        await until(lambda: the_hedge(rt).report is not None)
        hedge = the_hedge(rt)
        assert (hedge.side, hedge.contracts, hedge.contract_size) == ("short", 200, 100.0)
        assert hedge.position_freshness is Freshness.FRESH
        assert hedge.report is not None and hedge.mark is not None
        assert hedge.report.notional_usd == 20_000
        assert hedge.report.equity_coin == pytest.approx(
            0.5 + 20_000 * (1 / hedge.mark - 1 / 60_000), rel=1e-9
        )  # the wallet balance plus the short's PnL at the live mark
        assert stream.snapshots == 1 and not rt.problems

        # an order over the venue's REST API: the stream pushes the change (no resync)
        client = make_client(
            VENUE,
            Credentials(
                "t", Secret(DEMO_API_KEY), Secret(DEMO_API_SECRET), Secret(DEMO_PASSPHRASE)
            ),
            base_url=exchange.rest.url(VENUE),
        )
        try:
            await client.place_order(OrderRequest(VENUE, SYMBOL, "buy", 50, 100.0, "market", "w1"))
        finally:
            await client.aclose()
        await until(lambda: the_hedge(rt).contracts == 150)
        assert stream.snapshots == 1

        # the unwind service, whose on_executed pokes the runtime: a REST resync on top
        trading = rt.account_clients[ACCOUNT]
        service = service_for_store(
            settings,
            rt.store,
            client=trading,
            audit=audit_log_for(settings, trading, None),
            on_executed=rt.after_order("okx-btc"),
        )
        plan = service.plan("okx-btc", UnwindRequest(fraction=0.5))
        result = await service.execute(plan)
        assert result.status == "filled"
        await until(lambda: the_hedge(rt).contracts == 75 and stream.snapshots == 2)
        assert exchange.rest.accounts.position(VENUE, SYMBOL) == -75

        # a network drop: the position turns stale while the stream is down, then recovers
        exchange.private.servers[VENUE].drop()
        await until(lambda: rt.store.account_views()[0].state is not FeedState.LIVE)
        assert the_hedge(rt).position_freshness is Freshness.FRESH  # down for 0 s so far
        clock.advance(2.5)  # past stale_after_s while the stream waits to reconnect
        hedge = the_hedge(rt)
        assert hedge.position_freshness is Freshness.STALE
        assert hedge.stale and rt.store.snapshot().totals.stale
        assert hedge.contracts == 75  # the last known position, shown as stale
        await until(lambda: the_hedge(rt).position_freshness is Freshness.FRESH)
        assert stream.stats.reconnects >= 1 and stream.snapshots == 3  # resynced on reconnect
        assert rt.store.account_views()[0].state is FeedState.LIVE
    ours = "\n".join(  # everything but the simulator's own server-side frame log
        r.getMessage() for r in caplog.records if not r.name.startswith("websockets.server")
    )
    assert "login" in caplog.text  # DEBUG logging was on: the frames were logged server-side
    for secret in (DEMO_API_KEY, DEMO_API_SECRET, DEMO_PASSPHRASE):
        assert secret not in ours


async def test_missing_credentials_give_one_message_and_position_unknown(
    exchange: Exchange,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(KEY_ENV, "key-that-must-never-be-logged")
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.setenv(PASS_ENV, "passphrase-that-must-never-be-logged")
    settings = account_settings(exchange, tmp_path / "audit.jsonl")
    async with Runtime(settings) as rt:
        await until(lambda: the_hedge(rt).mark is not None)  # the market data still flows
        hedge = the_hedge(rt)
        assert hedge.position_freshness is Freshness.NONE
        assert hedge.contracts is None and hedge.report is None and hedge.stale
        assert rt.account_streams == {} and rt.account_pollers == {}
        assert not rt.poke(ACCOUNT)
    (problem,) = rt.problems
    assert problem.startswith(f"account {ACCOUNT!r}: ")
    assert SECRET_ENV in problem and "position unknown" in problem
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in warnings] == [problem]
    (account,) = rt.store.account_views()
    assert account.source == "none" and account.last_error is not None
    assert SECRET_ENV in account.last_error
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)
    assert "never-be-logged" not in caplog.text and "never-be-logged" not in problem


async def test_rest_poller_reports_its_health(exchange: Exchange) -> None:
    """The fallback when a venue's stream cannot be built: LIVE after a good snapshot, DOWN
    (with the reason) when the REST API is gone."""
    creds = Credentials(
        ACCOUNT, Secret(DEMO_API_KEY), Secret(DEMO_API_SECRET), Secret(DEMO_PASSPHRASE)
    )
    client = make_client(VENUE, creds, base_url=exchange.rest.url(VENUE), timeout_s=1.0)
    hedge = HedgeSettings("h", "BTC", VENUE, SYMBOL, account=ACCOUNT)
    events: list[object] = []
    statuses: list[FeedStatus] = []
    poller = status_poller(client, (hedge, hedge), events.append, statuses.append)
    assert len(poller.instruments) == 1  # two hedges on one instrument: polled once
    assert await poller.poll_once()
    good = statuses[-1]
    assert good.state is FeedState.LIVE and good.last_error is None
    (position,) = [e for e in events if isinstance(e, PositionUpdate)]
    assert (position.contracts, position.account) == (-200, ACCOUNT)
    await exchange.rest.close()
    assert not await poller.poll_once()
    bad = statuses[-1]
    assert bad.state is FeedState.DOWN and bad.last_error
    assert bad.reconnects == poller.errors > 0
    await poller.stop()


def test_private_ws_url_is_validated_and_shown_redacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"  # a listen key
    with pytest.raises(ConfigError) as bad:
        parse_settings(f'[venues.okx]\nprivate_ws_url = "https://x.example/{token}"\n')
    assert str(bad.value) == (
        "line 2: venues.okx.private_ws_url: must start with ws:// or wss:// (value not shown)"
    )
    path = tmp_path / "config.toml"
    path.write_text(f'[venues.binance]\nprivate_ws_url = "wss://dstream.example.com/ws/{token}"\n')
    monkeypatch.setenv("HEDGETUI_VENUES__OKX__PRIVATE_WS_URL", "ws://127.0.0.1:9/ws/v5/private")
    settings = parse_settings(
        path.read_text(),
        path=path,
        env={"HEDGETUI_VENUES__OKX__PRIVATE_WS_URL": "ws://127.0.0.1:9/ws/v5/private"},
    )
    assert settings.venues["binance"].private_ws_url == f"wss://dstream.example.com/ws/{token}"
    assert settings.venues["okx"].private_ws_url == "ws://127.0.0.1:9/ws/v5/private"
    assert main(["check-config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert token not in out + err
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("venues.")}
    assert '"wss://dstream.example.com/ws/***"' in rows["venues.binance.private_ws_url"]
    assert "HEDGETUI_VENUES__OKX__PRIVATE_WS_URL" in rows["venues.okx.private_ws_url"]
    assert "(unset)" in rows["venues.kraken.private_ws_url"]


async def test_hedgetui_sim_prints_a_private_stream_that_logs_in() -> None:
    """``hedgetui sim``'s "private_ws" URL: log in with the demo keys, resync, stay live."""
    import json
    import subprocess
    import sys

    from hedgetui.account_streams import AccountStream, watched_instrument
    from tests.conftest import REPO_DIR

    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "hedgetui", "sim", "--venues", "bybit", "--scenario", "calm"),
        cwd=REPO_DIR,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        venue = json.loads(await asyncio.wait_for(proc.stdout.readline(), 20))
        assert list(venue)[-1] == "private_ws"
        creds = Credentials("sim", Secret(DEMO_API_KEY), Secret(DEMO_API_SECRET))
        client = make_client("bybit", creds, base_url=venue["rest"], timeout_s=2.0)
        statuses: list[FeedStatus] = []
        stream = AccountStream(
            client,
            [watched_instrument("bybit", "BTCUSD")],
            lambda event: None,
            url=venue["private_ws"],
            on_status=statuses.append,
        )
        task = asyncio.create_task(stream.run())
        try:
            await until(lambda: any(s.state is FeedState.LIVE for s in statuses), 10)
            assert stream.logins == 1 and stream.snapshots == 1
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await client.aclose()
    finally:
        proc.terminate()  # SIGTERM: the simulator closes its servers and exits 0
        assert await asyncio.wait_for(proc.wait(), 10) == 0
