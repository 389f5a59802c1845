"""The venues' connection rules in the simulator, and the clients keeping them.

Each venue's rules shortened to seconds (``--conn-rules short``): the real feed stays connected
through the idle rule with no reconnect, and through the lifetime rule with one clean reconnect
and no stale gap; a client that breaks a rule is closed as the venue would close it, the break
is logged and counted, and the client recovers.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from hedgetui.account_streams import AccountStream, watched_instrument
from hedgetui.domain import FeedState
from hedgetui.feeds import Feed, FeedConfig
from hedgetui.sim import Simulator, start_simulator
from hedgetui.sim.conn_rules import (
    NO_RULES,
    VENUE_RULES,
    RuleClock,
    RulesError,
    parse_rules_spec,
    shortened,
)
from hedgetui.sim.private import attach_private_servers
from hedgetui.sim.rest.attach import attach_rest_servers
from hedgetui.trading.venues import make_client
from tests.account_streams.test_account_streams_sim import DEMO
from tests.commands.test_sim_cli import _start, _stop
from tests.conftest import REPO_DIR
from tests.feeds.test_feeds_live import SLOW_MARKET, SYMBOLS, VENUES, Recorder, wait_until

pytestmark = pytest.mark.timeout(40)

# the client's keep-alive scaled to the shortened rules, as its defaults are to the real ones
KEEPING = FeedConfig(
    backoff_initial_s=0.05,
    backoff_max_s=0.5,
    jitter=0.0,
    healthy_after_s=1.0,
    stale_after_s=1.5,
    idle_timeout_s=5.0,
    ping_interval_s=1.0,
    open_timeout_s=2.0,
    close_timeout_s=0.5,
)
LIFETIME_S = 4.0


@contextlib.asynccontextmanager
async def running(
    venue: str, rules: str, config: FeedConfig = KEEPING
) -> AsyncIterator[tuple[Simulator, Feed, Recorder]]:
    sim = await start_simulator(
        venues=[venue],
        scenario="calm",
        speed=SLOW_MARKET,
        tick_hz=10.0,
        control=False,
        conn_rules=rules,
    )
    rec = Recorder()
    feed = Feed(venue, list(SYMBOLS[venue].values()), rec, url=sim.ws_url(venue), config=config)
    task = asyncio.create_task(feed.run())
    try:
        yield sim, feed, rec
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await sim.close()


def closes(sim: Simulator, venue: str) -> dict[str, int]:
    counted: dict[str, int] = sim.status()["venues"][venue]["rule_closes"]
    return counted


@pytest.mark.parametrize("venue", VENUES)
async def test_the_feed_keeps_every_shortened_rule(venue: str) -> None:
    """Idle 3 s, pings every 1 s answered within 3 s, heartbeat 1 s: zero reconnects; then the
    4 s lifetime: exactly one clean reconnect, and the data never stops for the stale time."""
    spec = f"short,idle=3,lifetime={LIFETIME_S}"
    async with running(venue, spec) as (sim, feed, rec):
        await wait_until(lambda: feed.status.state is FeedState.LIVE)
        t_live = time.monotonic()
        await asyncio.sleep(LIFETIME_S + 2.0)
        data = [t for t, e in rec.events if t >= t_live and not hasattr(e, "state")]
        counted = closes(sim, venue)
        assert counted["idle"] == counted["pong"] == counted["heartbeat"] == 0, counted
        assert counted["lifetime"] == 1, counted
        assert feed.stats.sessions == 2, feed.stats.last_error
        assert feed.stats.reconnects == 1
        assert "connection lifetime 4s reached" in (feed.stats.last_error or "")
        gaps = [b - a for a, b in itertools.pairwise(data)]
        assert gaps and max(gaps) < KEEPING.stale_after_s, max(gaps)
        assert feed.status.state is FeedState.LIVE


async def test_a_client_that_does_not_ping_is_cut_off_as_okx_would_and_recovers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="hedgetui.sim")
    breaking = replace(KEEPING, ping_interval_s=60.0)  # breaks OKX's (shortened) idle rule
    async with running("okx", "idle=2", breaking) as (sim, feed, _rec):
        await wait_until(lambda: feed.stats.sessions >= 2, within=6.0)
        assert closes(sim, "okx")["idle"] >= 1
        assert feed.stats.last_error == "closed by the venue (code 1008: idle: no message for 2s)"
        assert any("broke the idle rule" in r.getMessage() for r in caplog.records)
        assert sim.status()["venues"]["okx"]["last_rule_close"] == "idle: no message for 2s"
        await wait_until(lambda: feed.status.state is FeedState.LIVE)


async def test_a_keeping_client_is_not_cut_off_by_the_same_rule() -> None:
    async with running("okx", "idle=2") as (sim, feed, _rec):
        await wait_until(lambda: feed.status.state is FeedState.LIVE)
        await asyncio.sleep(3.0)
        assert closes(sim, "okx")["idle"] == 0
        assert feed.stats.sessions == 1


async def test_unanswered_server_pings_close_the_connection_as_binance_would() -> None:
    sim = await start_simulator(
        venues=["binance"], scenario="calm", control=False, conn_rules="ping=0.3,pong=1"
    )
    try:
        async with connect(sim.ws_url("binance") + "/ws/btcusd_perp@markPrice@1s") as ws:
            ws.transport.pause_reading()  # a hung client: pings are never read nor answered
            await wait_until(lambda: closes(sim, "binance")["pong"] == 1, within=4.0)
            ws.transport.resume_reading()
            with pytest.raises(ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), 3.0)
            assert ws.close_code == 1008
            assert ws.close_reason == "ping not answered within 1s"
    finally:
        await sim.close()


async def test_an_unanswered_deribit_test_request_is_counted_as_a_broken_heartbeat() -> None:
    sim = await start_simulator(
        venues=["deribit"], scenario="calm", control=False, conn_rules="heartbeat=0.5"
    )
    try:
        async with connect(sim.ws_url("deribit")) as ws:
            await ws.send(
                json.dumps({"id": 1, "method": "public/set_heartbeat", "params": {"interval": 10}})
            )
            with pytest.raises(ConnectionClosed):
                while True:  # read everything, answer nothing
                    await asyncio.wait_for(ws.recv(), 3.0)
            assert ws.close_reason == "heartbeat: test_request not answered"
        assert closes(sim, "deribit")["heartbeat"] == 1
    finally:
        await sim.close()


async def test_okx_maintenance_sends_its_notice_then_closes_and_the_feed_reconnects() -> None:
    async with running("okx", "notice=0.3") as (sim, feed, _rec):
        await wait_until(lambda: feed.status.state is FeedState.LIVE)
        async with connect(sim.ws_url("okx")) as ws:
            await asyncio.sleep(0.1)
            await sim.fault("okx", "maintenance")
            notice = json.loads(await asyncio.wait_for(ws.recv(), 2.0))
            assert notice["event"] == "notice" and notice["code"] == "64008"
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 2.0)
            assert (ws.close_code, ws.close_reason) == (1001, "service upgrade")
        await wait_until(lambda: feed.stats.sessions >= 2)
        assert feed.stats.last_error == "closed by the venue (code 1001: service upgrade)"
        assert closes(sim, "okx")["maintenance"] == 2
        await wait_until(lambda: feed.status.state is FeedState.LIVE)


PRIVATE_SYMBOLS = {
    "bitmex": "XBTUSD",
    "bybit": "BTCUSD",
    "binance": "BTCUSD_PERP",
    "deribit": "BTC-PERPETUAL",
    "okx": "BTC-USD-SWAP",
    "kraken": "PI_XBTUSD",
}


@pytest.mark.parametrize("venue", VENUES)
async def test_the_account_stream_keeps_the_private_server_s_shortened_rules(venue: str) -> None:
    sim = await start_simulator(venues=[venue], scenario="calm", control=False)
    rest = await attach_rest_servers(sim)
    private = await attach_private_servers(
        rest, push_interval_s=0.05, conn_rules=f"short,idle=3,lifetime={LIFETIME_S}"
    )
    client = make_client(venue, DEMO, base_url=rest.url(venue), timeout_s=2.0)
    w = watched_instrument(venue, PRIVATE_SYMBOLS[venue])
    stream = AccountStream(
        client,
        [w],
        lambda e: None,
        url=private.url(venue),
        config=replace(KEEPING, stale_after_s=1e9),
    )
    task = asyncio.create_task(stream.run())
    try:
        await wait_until(lambda: stream.logins == 1)
        await asyncio.sleep(LIFETIME_S + 1.5)
        keeper = private.servers[venue].keeper
        assert keeper.closes["idle"] == keeper.closes["pong"] == 0, keeper.closes
        assert keeper.closes["lifetime"] == 1, keeper.closes
        await wait_until(lambda: stream.logins == 2 and stream.state is FeedState.LIVE)
        assert stream.stats.reconnects == 1, stream.stats.last_error
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.aclose()
        await private.close()
        await rest.close()
        await sim.close()


# --------------------------------------------------------------------------- the rules themselves


def test_the_documented_defaults() -> None:
    assert VENUE_RULES["okx"].idle_s == 30.0
    assert VENUE_RULES["bybit"].idle_s == 600.0
    assert VENUE_RULES["kraken"].idle_s == 60.0
    binance = VENUE_RULES["binance"]
    assert (binance.ping_every_s, binance.pong_within_s, binance.lifetime_s) == (
        180.0,
        600.0,
        86_400.0,
    )
    assert VENUE_RULES["bitmex"].idle_s is None


def test_specs_shorten_override_and_refuse_with_one_clear_line() -> None:
    venues = ("okx", "binance", "bitmex")
    short = parse_rules_spec("short", venues)
    assert short["okx"].idle_s == 3.0 and short["bitmex"].idle_s is None
    assert short["binance"].ping_every_s == 1.0 and short["binance"].lifetime_s == 10.0
    mixed = parse_rules_spec("default,okx.idle=5,lifetime=off,compression=off", venues)
    assert mixed["okx"].idle_s == 5.0 and mixed["binance"].lifetime_s is None
    assert not mixed["bitmex"].compression
    assert parse_rules_spec("off", venues)["okx"] == NO_RULES
    for bad, words in [
        ("idle=-1", "positive number"),
        ("idle=soon", "not a number"),
        ("nap=3", "unknown rule"),
        ("kraken.idle=3", "not-running venue"),
        ("sometimes", "neither a preset"),
    ]:
        with pytest.raises(RulesError, match=words):
            parse_rules_spec(bad, venues)
    assert shortened(NO_RULES).lifetime_s == 10.0


def test_rule_clock_breaks_in_order_and_resets_on_frames() -> None:
    rc = RuleClock.start(replace(NO_RULES, idle_s=3.0, ping_every_s=1.0, pong_within_s=2.0), 0.0)
    assert rc.broken(2.9) is None
    rc.frame(2.9, pong=False)
    assert rc.ping_due(3.0) and not rc.ping_due(3.5)
    assert rc.broken(4.9) is None
    assert rc.broken(5.0) == ("pong", "ping not answered within 2s")
    rc.frame(5.0, pong=True)
    assert rc.broken(7.9) is None
    assert rc.broken(8.0) == ("idle", "idle: no message for 3s")


# --------------------------------------------------------------------------- hedgetui sim


def test_sim_cli_refuses_a_bad_rules_spec_in_one_line() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "hedgetui", "sim", "--conn-rules", "okx.nap=3"],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "hedgetui sim: error: conn rules: unknown rule 'nap'; known: idle, ping, pong, "
        "lifetime, heartbeat, notice, compression"
    ]


async def test_sim_cli_serves_wss_with_its_test_ca_and_reports_the_rules(tmp_path: Path) -> None:
    sp = _start("--venues", "okx", "--conn-rules", "short", "--tls", str(tmp_path), "--no-rest")
    try:
        url = sp.venues["okx"]["ws"]
        assert url.startswith("wss://127.0.0.1:")
        ca = tmp_path / "ca.pem"
        async with connect(url, ssl=ssl.create_default_context(cafile=str(ca))) as ws:
            await ws.send(
                '{"op":"subscribe","args":[{"channel":"mark-price","instId":"BTC-USD-SWAP"}]}'
            )
            assert json.loads(await asyncio.wait_for(ws.recv(), 5.0))["event"] == "subscribe"
        async with httpx.AsyncClient() as http:
            status = (await http.get(sp.control + "/status")).json()
        assert status["tls"] is True
        assert status["venues"]["okx"]["rules"]["idle_s"] == 3.0
    finally:
        _stop(sp)
