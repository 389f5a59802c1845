"""Fault injection: over the API, over the HTTP control channel, and from the scenario.

Parsing (fault parameters, stdin commands) is tested as pure functions; every fault kind is
then exercised against a live simulator with a plain websockets client.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

from hedgetui.clock import ManualClock
from hedgetui.sim import Simulator, SimulatorError, start_simulator
from hedgetui.sim.console import CommandError, parse_command
from hedgetui.sim.faults import FaultError, parse_fault
from tests.test_sim_protocols import TIMEOUT, recv_json

BYBIT_SUB = '{"req_id":"1","op":"subscribe","args":["tickers.BTCUSD"]}'


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with await start_simulator(scenario="calm", speed=5) as s:
        yield s


@pytest.fixture
async def frozen() -> AsyncIterator[tuple[Simulator, ManualClock]]:
    clock = ManualClock()
    async with await start_simulator(scenario="stall", clock=clock, control=False) as s:
        yield s, clock


async def _wait_for(cond: object, what: str) -> None:
    assert callable(cond)
    deadline = time.monotonic() + TIMEOUT
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


# --------------------------------------------------------------------------- parsing


def test_parse_fault_converts_string_params() -> None:
    f = parse_fault("stall", {"seconds": "2.5"})
    assert f.seconds == 2.5
    assert parse_fault("accept_then_close", {"enabled": "0"}).enabled is False
    assert parse_fault("jump", {"pct": "-10", "coin": "xbt"}).coin == "BTC"
    assert parse_fault("close_code", {"code": "4000", "reason": "bye"}).code == 4000


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("explode", {}, "unknown fault kind 'explode'"),
        ("stall", {"secs": 1}, "unknown parameter 'secs' \\(takes: seconds\\)"),
        ("stall", {"seconds": "-1"}, "seconds must be > 0"),
        ("garbage", {"count": "1.5"}, "whole number"),
        ("close_code", {"code": 1005}, "cannot be sent"),
        ("slow", {"delay": "fast"}, "'fast' is not a number"),
        ("jump", {}, "pct=N is required"),
        ("jump", {"pct": -100}, "must be > -100"),
        ("accept_then_close", {"enabled": "maybe"}, "must be 1/0"),
    ],
)
def test_parse_fault_errors(kind: str, params: dict[str, str | int], message: str) -> None:
    with pytest.raises(FaultError, match=message):
        parse_fault(kind, params)


def test_console_commands() -> None:
    assert parse_command("stall bybit 10").params == {"seconds": "10"}
    cmd = parse_command("jump -10 eth")
    assert (cmd.kind, cmd.venue, cmd.params) == ("jump", "", {"pct": "-10", "coin": "eth"})
    cmd = parse_command("close_code okx 4000 down for maintenance")
    assert cmd.params == {"code": "4000", "reason": "down for maintenance"}
    assert parse_command("garbage kraken count=3").params == {"count": "3"}
    assert parse_command("accept-then-close deribit on").kind == "accept_then_close"
    assert parse_command("help").action == "help"
    assert parse_command("   ").action == "noop"
    with pytest.raises(CommandError, match="unknown command"):
        parse_command("explode bybit")
    with pytest.raises(CommandError, match="which venue"):
        parse_command("drop")
    with pytest.raises(CommandError, match="too many"):
        parse_command("drop okx now")


# --------------------------------------------------------------------------- API faults


async def test_unknown_venue_and_kind_are_clear_errors(sim: Simulator) -> None:
    with pytest.raises(SimulatorError, match="unknown or not-running venue 'ftx'"):
        await sim.fault("ftx", "drop")
    with pytest.raises(SimulatorError, match="unknown fault kind"):
        await sim.fault("okx", "explode")


async def test_drop_closes_abruptly(sim: Simulator) -> None:
    async with connect(sim.ws_url("okx")) as ws:
        await _wait_for(lambda: sim.connections("okx") == 1, "the connection")
        await sim.fault("okx", "drop")
        with pytest.raises(ConnectionClosed) as e:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert e.value.rcvd is None  # no close frame: the TCP connection just went away
    await _wait_for(lambda: sim.connections("okx") == 0, "the server to forget it")


async def test_venue_all_applies_to_every_venue(sim: Simulator) -> None:
    await sim.fault("all", "slow", delay=0.2)
    assert {v["slow_delay"] for v in sim.status()["venues"].values()} == {0.2}
    await sim.fault("all", "slow", delay=0)


async def test_stall_sends_nothing_and_answers_no_ping_until_resume(sim: Simulator) -> None:
    async with connect(sim.ws_url("bybit"), ping_interval=None) as ws:
        await ws.send(BYBIT_SUB)
        await recv_json(ws, lambda m: m.get("type") == "snapshot")
        await sim.fault("bybit", "stall")
        await asyncio.sleep(0.15)  # let frames already in flight arrive
        while True:  # drain them
            try:
                await asyncio.wait_for(ws.recv(), 0.05)
            except TimeoutError:
                break
        pong = asyncio.ensure_future(await ws.ping())
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.recv(), 0.4)
        assert not pong.done()
        assert sim.status()["venues"]["bybit"]["stalled"] is True
        await sim.fault("bybit", "resume")
        await asyncio.wait_for(pong, TIMEOUT)
        delta = await recv_json(ws, lambda m: m.get("type") == "delta")
        assert delta["topic"] == "tickers.BTCUSD"


async def test_stall_with_seconds_ends_on_the_clock(
    frozen: tuple[Simulator, ManualClock],
) -> None:
    sim, clock = frozen
    await sim.fault("kraken", "stall", seconds=5)
    async with connect(sim.ws_url("kraken")) as ws:
        with pytest.raises(TimeoutError):  # even the info frame waits for the stall to end
            await asyncio.wait_for(ws.recv(), 0.3)
        clock.advance(5)
        assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT)) == {
            "event": "info",
            "version": 1,
        }


async def test_garbage_then_carry_on(sim: Simulator) -> None:
    async with connect(sim.ws_url("deribit")) as ws:
        params = {"channels": ["ticker.BTC-PERPETUAL.100ms"]}
        sub = {"jsonrpc": "2.0", "id": 1, "method": "public/subscribe", "params": params}
        await ws.send(json.dumps(sub))
        await recv_json(ws, lambda m: m.get("id") == 1)
        await sim.fault("deribit", "garbage", count=3)
        bad = 0
        while bad < 3:
            raw = await asyncio.wait_for(ws.recv(), TIMEOUT)
            try:
                json.loads(raw)
            except ValueError:
                bad += 1
        note = await recv_json(ws, lambda m: m.get("method") == "subscription")
        assert note["params"]["data"]["instrument_name"] == "BTC-PERPETUAL"


async def test_accept_then_close(sim: Simulator) -> None:
    async with connect(sim.ws_url("kraken")) as old:
        await recv_json(old)
        await sim.fault("kraken", "accept_then_close", enabled=1)
        async with connect(sim.ws_url("kraken")) as new:
            with pytest.raises(ConnectionClosedOK):
                await asyncio.wait_for(new.recv(), TIMEOUT)
        await old.send('{"event":"subscribe","feed":"heartbeat"}')  # old one still works
        assert (await recv_json(old))["event"] == "subscribed"
        await sim.fault("kraken", "accept_then_close", enabled=0)
        async with connect(sim.ws_url("kraken")) as again:
            assert (await recv_json(again))["event"] == "info"


async def test_close_code(sim: Simulator) -> None:
    async with connect(sim.ws_url("bitmex")) as ws:
        await recv_json(ws)
        await sim.fault("bitmex", "close_code", code=4000, reason="maintenance")
        with pytest.raises(ConnectionClosed) as e:
            while True:
                await asyncio.wait_for(ws.recv(), TIMEOUT)
        assert e.value.rcvd is not None
        assert (e.value.rcvd.code, e.value.rcvd.reason) == (4000, "maintenance")


async def test_slow_delays_every_frame(sim: Simulator) -> None:
    async with connect(sim.ws_url("bybit")) as ws:
        await sim.fault("bybit", "slow", delay=0.3)
        sent = time.monotonic()
        await ws.send('{"req_id":"p","op":"ping"}')
        await recv_json(ws, lambda m: m.get("op") == "ping")
        assert time.monotonic() - sent >= 0.3
        await sim.fault("bybit", "slow", delay=0)
        sent = time.monotonic()
        await ws.send('{"req_id":"q","op":"ping"}')
        await recv_json(ws, lambda m: m.get("req_id") == "q")
        assert time.monotonic() - sent < 0.3


async def test_jump_moves_every_venue() -> None:
    clock = ManualClock()
    async with await start_simulator(scenario="calm", clock=clock, control=False) as sim:
        mark, index, _ = sim.price("BTC")
        await sim.fault("okx", "jump", pct=-10)
        mark2, index2, _ = sim.price("BTC")
        assert index2 == pytest.approx(index * 0.9)
        assert mark2 == pytest.approx(mark * 0.9)
        assert sim.price("ETH")[1] == pytest.approx(3_000.0)  # only BTC moved
        async with connect(sim.ws_url("binance") + "/ws/btcusd_perp@markPrice@1s") as ws:
            push = await recv_json(ws)
            assert float(push["i"]) == pytest.approx(index2, abs=1e-6)
        with pytest.raises(SimulatorError, match="DOGE"):
            await sim.fault("all", "jump", pct=5, coin="DOGE")


# --------------------------------------------------------------------------- scheduled


async def test_stall_scenario_stalls_bybit_then_drops_okx(
    frozen: tuple[Simulator, ManualClock],
) -> None:
    sim, clock = frozen
    async with connect(sim.ws_url("okx")) as okx:
        await _wait_for(lambda: sim.connections("okx") == 1, "okx connection")
        clock.advance(20)
        await _wait_for(lambda: sim.status()["venues"]["bybit"]["stalled"], "bybit stall")
        clock.advance(20)
        await _wait_for(lambda: not sim.status()["venues"]["bybit"]["stalled"], "bybit resume")
        clock.advance(10)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(okx.recv(), TIMEOUT)


# --------------------------------------------------------------------------- control channel


async def test_control_channel_status_and_fault(sim: Simulator) -> None:
    assert sim.control_url is not None
    async with httpx.AsyncClient(base_url=sim.control_url) as http:
        status = (await http.get("/status")).json()
        assert set(status["venues"]) == {"bitmex", "bybit", "binance", "deribit", "okx", "kraken"}
        assert status["venues"]["okx"]["ws"] == sim.ws_url("okx")
        assert status["prices"]["BTC"]["index"] > 0
        r = await http.get("/fault", params={"venue": "bybit", "kind": "stall", "seconds": "10"})
        assert r.status_code == 200 and r.json()["ok"] is True
        assert sim.status()["venues"]["bybit"]["stalled"] is True
        r = await http.get("/fault", params={"venue": "bybit", "kind": "resume"})
        assert r.status_code == 200
        assert sim.status()["venues"]["bybit"]["stalled"] is False
        r = await http.get("/fault", params={"venue": "bybit", "kind": "explode"})
        assert r.status_code == 400 and "unknown fault kind" in r.json()["error"]
        r = await http.get("/fault", params={"kind": "drop"})
        assert r.status_code == 400 and "venue=" in r.json()["error"]
        r = await http.get("/fault", params={"kind": "jump", "pct": "5"})
        assert r.status_code == 200
        assert (await http.get("/nope")).status_code == 404
        assert (await http.post("/status")).status_code == 405


async def test_a_server_stall_does_not_count_against_the_deribit_heartbeat(
    frozen: tuple[Simulator, ManualClock],
) -> None:
    sim, clock = frozen
    async with connect(sim.ws_url("deribit")) as ws:
        hb = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "public/set_heartbeat",
            "params": {"interval": 10},
        }
        await ws.send(json.dumps(hb))
        await recv_json(ws, lambda m: m.get("id") == 1)
        await sim.fault("deribit", "stall")
        clock.advance(35)  # three heartbeat intervals pass while the server is stalled
        await asyncio.sleep(0.2)
        await sim.fault("deribit", "resume")
        with pytest.raises(TimeoutError):  # no instant hang-up, no stale test_request
            await asyncio.wait_for(ws.recv(), 0.3)
        clock.advance(10)
        request = await recv_json(ws, lambda m: m.get("method") == "heartbeat")
        assert request["params"]["type"] == "test_request"
