"""Fault injection: over the API, over the HTTP control channel, and from the scenario.

Parsing (fault parameters, stdin commands) is tested as pure functions; every fault kind is
then exercised against a live simulator with a plain websockets client. The REST order faults
(``order_*``) are exercised against real REST servers attached to a real simulator, observed
from a plain httpx client placing signed orders: through the API, the HTTP control channel and
the stdin of a ``hedgetui sim`` subprocess.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

from hedgetui.clock import ManualClock
from hedgetui.sim import (
    ScheduledFault,
    Simulator,
    SimulatorError,
    get_scenario,
    start_simulator,
)
from hedgetui.sim.console import CommandError, parse_command
from hedgetui.sim.faults import FAULT_KINDS, FaultError, parse_fault
from hedgetui.sim.rest import SimAccounts
from hedgetui.sim.rest import accounts as rest_accounts
from hedgetui.sim.rest.attach import RestSide, attach_rest_servers
from tests.commands.test_sim_cli import SimProcess, _start, _stop
from tests.sim.rest.test_simrest_faults import REJECTED, THROTTLED
from tests.sim.rest.test_simrest_venues import (
    COLLATERAL,
    ENTRY,
    VENUES,
    Client,
    filled_qty,
    order_of,
)
from tests.sim.test_sim_protocols import TIMEOUT, recv_json

TIMER_SLACK_S = 0.002
"""uvloop's timers run on a millisecond clock: a sleep may end ~1 ms early by time.monotonic()."""

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
        assert time.monotonic() - sent >= 0.3 - TIMER_SLACK_S
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


# --------------------------------------------------------------------------- REST order faults

ORDER_KINDS = [k for k in FAULT_KINDS if k.startswith("order_")]


def test_order_fault_kinds_are_the_rest_sides_kinds() -> None:
    assert sorted(k.removeprefix("order_") for k in ORDER_KINDS) == sorted(
        rest_accounts.FAULT_KINDS
    )


def test_parse_order_faults() -> None:
    f = parse_fault("order_reject", {"count": "3", "code": "51008", "message": "no money"})
    assert (f.count, f.reject_code, f.message) == (3, 51008, "no money")
    assert f.rest_injection() == ("reject", {"code": 51008, "message": "no money"})
    assert parse_fault("order_reject", {}).rest_injection() == ("reject", {})  # venue defaults
    assert parse_fault("order_reject", {"code": -2019}).reject_code == -2019
    assert parse_fault("order_timeout", {}).rest_injection() == ("timeout", {"delay": 5.0})
    assert parse_fault("order_timeout", {"delay": "0.25"}).delay == 0.25
    assert parse_fault("order_lost_reply", {"count": 2}).rest_injection() == ("lost_reply", {})
    assert parse_fault("order_http_500", {}).count == 1
    assert parse_fault("order_rate_limit", {}).is_order_fault
    assert not parse_fault("drop", {}).is_order_fault


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("order_reject", {"count": "0"}, "order_reject: count must be a whole number 1..10000"),
        ("order_http_500", {"count": "2.5"}, "order_http_500: count must be a whole number"),
        ("order_rate_limit", {"count": "lots"}, "count='lots' is not a number"),
        ("order_reject", {"code": "1.5"}, "code must be a whole number"),
        ("order_reject", {"code": "E42"}, "code='E42' is not a number"),
        ("order_reject", {"message": "  "}, "message must be 1..500 characters"),
        ("order_timeout", {"delay": "0"}, "delay must be > 0 and <= 3600"),
        ("order_timeout", {"delay": "inf"}, "not a finite number"),
        ("order_lost_reply", {"delay": "1"}, "unknown parameter 'delay' \\(takes: count\\)"),
        ("order_timeout", {"code": "1"}, "unknown parameter 'code' \\(takes: count, delay\\)"),
    ],
)
def test_parse_order_fault_errors(kind: str, params: dict[str, str], message: str) -> None:
    with pytest.raises(FaultError, match=message):
        parse_fault(kind, params)


def test_console_order_commands() -> None:
    cmd = parse_command("order_reject okx 2 51008 Insufficient BTC balance")
    assert (cmd.kind, cmd.venue) == ("order_reject", "okx")
    assert cmd.params == {"count": "2", "code": "51008", "message": "Insufficient BTC balance"}
    assert parse_command('order_reject bybit message="not now"').params == {"message": "not now"}
    assert parse_command("order_timeout okx delay=5").params == {"delay": "5"}
    assert parse_command("order_timeout okx 2 0.5").params == {"count": "2", "delay": "0.5"}
    assert parse_command("order-lost-reply kraken").kind == "order_lost_reply"
    assert parse_command("order_http_500 bitmex 3").params == {"count": "3"}
    with pytest.raises(CommandError, match="too many"):
        parse_command("order_rate_limit okx 1 2")
    with pytest.raises(CommandError, match="which venue"):
        parse_command("order_reject")


@dataclass
class Trading:
    """A real simulator with its REST side attached, and a signed httpx client per venue."""

    sim: Simulator
    rest: RestSide
    clock: ManualClock

    @property
    def accounts(self) -> SimAccounts:
        return self.rest.accounts

    async def order(self, venue: str, cid: str, http_timeout: float = TIMEOUT) -> httpx.Response:
        v = VENUES[venue]
        async with httpx.AsyncClient(base_url=self.rest.url(venue), timeout=http_timeout) as http:
            return await Client(venue, http, self.clock).call(
                *v.order(cid, "buy", v.qty, None, True)
            )

    async def lookup(self, venue: str, cid: str) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.rest.url(venue), timeout=TIMEOUT) as http:
            reply = await Client(venue, http, self.clock).call(*VENUES[venue].lookup(cid))
        return order_of(venue, reply.json())

    def executed(self, venue: str) -> int:
        return len(self.accounts.orders(venue))


@asynccontextmanager
async def trading(
    control: bool = False, faults: tuple[ScheduledFault, ...] = ()
) -> AsyncIterator[Trading]:
    clock = ManualClock(1_750_000_000.0)
    scenario = dataclasses.replace(get_scenario("calm"), faults=faults)
    sim = await start_simulator(scenario=scenario, clock=clock, control=control)
    try:
        rest = await attach_rest_servers(sim, clock=clock)
        try:
            for v in VENUES.values():
                rest.accounts.set_position(v.name, v.symbol, v.seed, ENTRY, collateral=COLLATERAL)
            yield Trading(sim, rest, clock)
        finally:
            await rest.close()
    finally:
        await sim.close()


def _status_500(r: httpx.Response, _body: Any) -> bool:
    return r.status_code == 500 and r.headers["content-type"].startswith("text/html")


REFUSALS: dict[str, dict[str, Callable[[httpx.Response, Any], bool]]] = {
    "order_reject": REJECTED,
    "order_rate_limit": THROTTLED,
    "order_http_500": {venue: _status_500 for venue in VENUES},
}


@pytest.mark.parametrize("kind", list(REFUSALS))
async def test_refusing_order_faults_through_the_api(kind: str) -> None:
    """Refused by every venue's own reply, nothing executed, exactly `count` orders hit."""
    async with trading() as t:
        for venue in VENUES:
            await t.sim.fault(venue, kind, count=2)
            assert t.sim.status()["venues"][venue]["order_faults_pending"] == 2
            for n in (1, 2):
                r = await t.order(venue, f"{kind}-{n}")
                body = r.text if kind == "order_http_500" else r.json()
                assert REFUSALS[kind][venue](r, body), (venue, r.status_code, r.text)
            assert t.executed(venue) == 0
            assert (await t.order(venue, f"{kind}-3")).status_code == 200
            assert t.executed(venue) == 1
            assert t.sim.status()["venues"][venue]["order_faults_pending"] == 0


async def test_order_reject_with_the_callers_code_and_message() -> None:
    async with trading() as t:
        await t.sim.fault("bybit", "order_reject", code=10001, message="params error")
        await t.sim.fault("okx", "order_reject", code="51004", message="Order amount exceeds")
        await t.sim.fault("binance", "order_reject", code=-2027, message="Exceeded the max")
        bybit = (await t.order("bybit", "rj-1")).json()
        assert (bybit["retCode"], bybit["retMsg"]) == (10001, "params error")
        okx = (await t.order("okx", "rj-2")).json()["data"][0]
        assert (okx["sCode"], okx["sMsg"]) == ("51004", "Order amount exceeds")
        binance = await t.order("binance", "rj-3")
        assert binance.status_code == 400
        assert binance.json() == {"code": -2027, "msg": "Exceeded the max"}


async def test_order_lost_reply_through_the_api() -> None:
    async with trading() as t:
        for venue in VENUES:
            await t.sim.fault(venue, "order_lost_reply")
            with pytest.raises(httpx.RemoteProtocolError):
                await t.order(venue, "lost-1")
            row = await t.lookup(venue, "lost-1")  # executed all the same
            assert filled_qty(venue, row) == VENUES[venue].qty
            assert t.accounts.position(venue, VENUES[venue].symbol) == (
                VENUES[venue].seed + VENUES[venue].qty
            )


async def test_order_timeout_through_the_api() -> None:
    async with trading() as t:
        await t.sim.fault("okx", "order_timeout", delay=0.5)
        with pytest.raises(httpx.ReadTimeout):
            await t.order("okx", "slow-1", http_timeout=0.05)
        assert filled_qty("okx", await t.lookup("okx", "slow-1")) == VENUES["okx"].qty
        await t.sim.fault("bybit", "order_timeout", delay=0.05)
        started = time.monotonic()
        r = await t.order("bybit", "slow-2")
        assert r.json()["retCode"] == 0 and time.monotonic() - started >= 0.05 - TIMER_SLACK_S


async def test_order_fault_on_every_venue_at_once() -> None:
    async with trading() as t:
        await t.sim.fault("all", "order_http_500", count=3)
        pending = {v: s["order_faults_pending"] for v, s in t.sim.status()["venues"].items()}
        assert pending == dict.fromkeys(VENUES, 3)


async def test_a_scenario_can_schedule_order_faults() -> None:
    scheduled = ScheduledFault(1.0, "kraken", "order_rate_limit", {"count": 2})
    async with trading(faults=(scheduled,)) as t:
        await asyncio.sleep(0.15)  # a few scheduler passes: not due yet
        assert t.sim.status()["venues"]["kraken"]["order_faults_pending"] == 0
        t.clock.advance(1.0)
        await _wait_for(
            lambda: t.sim.status()["venues"]["kraken"]["order_faults_pending"] == 2,
            "the scheduled order fault",
        )
        r = await t.order("kraken", "sched-1")
        assert THROTTLED["kraken"](r, r.json()), r.text


async def test_order_faults_need_a_rest_side(sim: Simulator) -> None:
    with pytest.raises(SimulatorError, match="order_reject: no REST side: started with --no-rest"):
        await sim.fault("bybit", "order_reject")
    with pytest.raises(SimulatorError, match="unknown or not-running venue 'ftx'"):
        await sim.fault("ftx", "order_reject")
    with pytest.raises(SimulatorError, match="order_timeout: delay must be"):
        await sim.fault("bybit", "order_timeout", delay=-1)
    assert sim.status()["venues"]["bybit"]["order_faults_pending"] is None


async def test_order_fault_over_the_control_channel() -> None:
    async with trading(control=True) as t:
        assert t.sim.control_url is not None
        async with httpx.AsyncClient(base_url=t.sim.control_url) as http:
            query = {"venue": "bybit", "kind": "order_lost_reply", "count": "1"}
            r = await http.get("/fault", params=query)
            assert r.status_code == 200 and r.json()["ok"] is True, r.text
            status = (await http.get("/status")).json()
            assert status["venues"]["bybit"]["order_faults_pending"] == 1
            assert status["venues"]["okx"]["order_faults_pending"] == 0
            with pytest.raises(httpx.RemoteProtocolError):
                await t.order("bybit", "ctl-1")
            assert filled_qty("bybit", await t.lookup("bybit", "ctl-1")) == VENUES["bybit"].qty
            status = (await http.get("/status")).json()
            assert status["venues"]["bybit"]["order_faults_pending"] == 0
            bad = {"venue": "okx", "kind": "order_timeout", "delay": "soon"}
            r = await http.get("/fault", params=bad)
            assert r.status_code == 400
            assert r.json()["error"] == "order_timeout: delay='soon' is not a number"


async def _pending(sp: SimProcess, venue: str, want: int) -> None:
    async with httpx.AsyncClient(base_url=sp.control, timeout=TIMEOUT) as http:
        deadline = time.monotonic() + TIMEOUT
        while (await http.get("/status")).json()["venues"][venue]["order_faults_pending"] != want:
            if time.monotonic() > deadline:
                raise AssertionError(f"{venue}: never {want} order faults pending")
            await asyncio.sleep(0.02)


async def test_order_fault_from_stdin_of_hedgetui_sim() -> None:
    sp = _start("--venues", "bybit,okx", "--scenario", "calm")
    try:
        sp.send("order_timeout okx delay=-1")  # refused, the console carries on
        sp.send('order_reject bybit 1 10001 "params error"')
        await _pending(sp, "bybit", 1)
        clock = ManualClock(time.time())  # the subprocess signs against the wall clock
        async with httpx.AsyncClient(base_url=sp.venues["bybit"]["rest"]) as http:
            client = Client("bybit", http, clock)
            reply = (
                await client.call(*VENUES["bybit"].order("in-1", "buy", 1, None, False))
            ).json()
            assert (reply["retCode"], reply["retMsg"]) == (10001, "params error")
            reply = (
                await client.call(*VENUES["bybit"].order("in-2", "buy", 1, None, False))
            ).json()
            assert reply["retCode"] == 0  # count=1: the next order goes through
        sp.send("quit")
        assert sp.proc.wait(timeout=TIMEOUT) == 0
        assert sp.proc.stderr is not None
        err = sp.proc.stderr.read()
        assert "error: order_timeout: delay must be > 0 and <= 3600 seconds, got -1" in err
        assert "ok: order_reject bybit count=1 code=10001 message=params error" in err
    finally:
        _stop(sp)


async def test_order_fault_from_stdin_without_a_rest_side() -> None:
    sp = _start("--venues", "okx", "--scenario", "calm", "--no-rest")
    try:
        sp.send("order_rate_limit okx")
        sp.send("quit")
        assert sp.proc.wait(timeout=TIMEOUT) == 0
        assert sp.proc.stderr is not None
        assert "error: order_rate_limit: no REST side: started with --no-rest" in (
            sp.proc.stderr.read()
        )
    finally:
        _stop(sp)
