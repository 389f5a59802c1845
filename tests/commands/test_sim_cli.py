"""`hedgetui sim` as a subprocess: printed URLs, every venue with real subscribe messages,
faults from stdin and over HTTP, clean exit on SIGTERM, one-line errors for bad flags."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import REPO_DIR
from tests.sim.test_sim_protocols import TIMEOUT, assert_like, recv_json, sample

VENUES = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")


@dataclass
class SimProcess:
    proc: subprocess.Popen[str]
    venues: dict[str, dict[str, Any]]
    control: str

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()


def _start(*args: str, stdin: Any = subprocess.PIPE) -> SimProcess:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hedgetui", "sim", *args],
        cwd=REPO_DIR,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    venues: dict[str, dict[str, Any]] = {}
    while True:
        line = proc.stdout.readline()
        if not line:
            _, err = proc.communicate(timeout=TIMEOUT)
            raise AssertionError(f"hedgetui sim exited early: {err}")
        msg = json.loads(line)
        if "control" in msg:
            return SimProcess(proc, venues, msg["control"])
        venues[msg["venue"]] = msg


def _stop(sp: SimProcess) -> int:
    if sp.proc.poll() is None:
        sp.proc.send_signal(signal.SIGTERM)
    try:
        return sp.proc.wait(timeout=TIMEOUT)
    finally:
        for stream in (sp.proc.stdin, sp.proc.stdout, sp.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def running() -> Iterator[SimProcess]:
    sp = _start("--speed", "50")
    yield sp
    _stop(sp)


def test_prints_one_line_per_venue_then_control(running: SimProcess) -> None:
    assert tuple(running.venues) == VENUES
    for line in running.venues.values():
        assert list(line) == ["venue", "ws", "rest", "symbols", "private_ws"]
        assert line["private_ws"].startswith("ws://127.0.0.1:")
        assert line["ws"].startswith("ws://127.0.0.1:")
        assert line["rest"].startswith("http://127.0.0.1:")
        assert line["symbols"]
    assert running.venues["binance"]["ws"].count("/") == 2  # the base, as the contract says
    assert running.venues["bitmex"]["ws"].endswith("/realtime")
    assert running.control.startswith("http://127.0.0.1:")


async def test_every_venue_with_its_real_subscribe_message(running: SimProcess) -> None:
    v = running.venues

    bitmex = sample("bitmex", "subscribe_request_recorded.json")
    bitmex["args"] = ["instrument:XBTUSD"]
    async with connect(v["bitmex"]["ws"]) as ws:
        await ws.send(json.dumps(bitmex))
        partial = await recv_json(ws, lambda m: m.get("action") == "partial")
        real = sample("bitmex", "instrument_partial_XBTUSD_testnet_2021.json")["data"][0]
        assert list(partial["data"][0]) == list(real)
        update = await recv_json(ws, lambda m: m.get("action") == "update")
        assert isinstance(update["data"][0]["timestamp"], str)

    async with connect(v["bybit"]["ws"]) as ws:
        await ws.send(json.dumps({"req_id": "x", "op": "subscribe", "args": ["tickers.BTCUSD"]}))
        snap = await recv_json(ws, lambda m: m.get("type") == "snapshot")
        assert_like(snap, sample("bybit", "tickers_inverse_snapshot_recorded.json"))

    async with connect(v["binance"]["ws"] + "/stream?streams=btcusd_perp@markPrice@1s") as ws:
        msg = await recv_json(ws)
        assert_like(msg["data"], sample("binance_coinm", "markPrice_pair_array_docs.json")[1])

    async with connect(v["deribit"]["ws"]) as ws:
        await ws.send(json.dumps(sample("deribit", "ticker_subscribe_request_docs.json")))
        note = await recv_json(ws, lambda m: m.get("method") == "subscription")
        assert_like(note["params"]["data"], sample("deribit", "ticker_data_payload_docs.json"))

    okx = sample("okx", "mark-price_subscribe_request_docs.json")
    okx["args"][0]["instId"] = "BTC-USD-SWAP"
    async with connect(v["okx"]["ws"]) as ws:
        await ws.send(json.dumps(okx))
        push = await recv_json(ws, lambda m: "data" in m)
        assert_like(push, sample("okx", "mark-price_push_docs.json"))

    kraken = sample("kraken_futures", "subscribe_request_recorded.json")
    kraken.update({"feed": "ticker", "product_ids": ["PI_XBTUSD"]})
    async with connect(v["kraken"]["ws"]) as ws:
        await ws.send(json.dumps(kraken))
        ticker = await recv_json(ws, lambda m: m.get("feed") == "ticker" and "event" not in m)
        assert_like(ticker, sample("kraken_futures", "ticker_PI_XBTUSD_recorded_2022.json"))


async def test_rest_side_answers_like_the_venue(running: SimProcess) -> None:
    url = running.venues["bybit"]["rest"] + "/v5/position/list?category=inverse&symbol=BTCUSD"
    async with httpx.AsyncClient() as http:
        reply = (await http.get(url)).json()
    assert reply["retCode"] == 10004  # unsigned request: Bybit's own "sign" error


async def test_stdin_command_drops_a_venue(running: SimProcess) -> None:
    async with connect(running.venues["okx"]["ws"]) as ws:
        await ws.send("ping")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "pong"
        running.send("drop okx")
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), TIMEOUT)


async def test_http_control_stalls_a_venue(running: SimProcess) -> None:
    async with httpx.AsyncClient(base_url=running.control) as http:
        r = await http.get("/fault", params={"venue": "kraken", "kind": "stall", "seconds": "30"})
        assert r.status_code == 200
        async with connect(running.venues["kraken"]["ws"]) as ws:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.5)
            await http.get("/fault", params={"venue": "kraken", "kind": "resume"})
            assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))["event"] == "info"
        status = (await http.get("/status")).json()
        assert status["scenario"] == "crash" and status["speed"] == 50


def test_sigterm_ends_cleanly_with_exit_0() -> None:
    sp = _start("--venues", "okx", "--scenario", "calm", "--no-rest")
    assert sp.venues["okx"]["rest"] is None
    assert sp.venues["okx"]["private_ws"] is None
    time.sleep(0.2)
    assert _stop(sp) == 0


@pytest.mark.parametrize("kind", ["devnull", "file"])
def test_stdin_neither_pipe_nor_terminal_serves_without_a_console(kind: str, tmp_path: Any) -> None:
    """No console on /dev/null or a file (uvloop aborts the process if asked to read them)."""
    path = os.devnull if kind == "devnull" else tmp_path / "commands.txt"
    if kind == "file":
        path.write_text("quit\n")  # a file is not read as a console: this must not stop it
    with open(path) as stdin:
        sp = _start("--venues", "okx", "--scenario", "calm", "--no-rest", stdin=stdin)
    try:
        time.sleep(0.5)  # the console has started (and given up) by now
        assert sp.proc.poll() is None
        status = httpx.get(sp.control + "/status", timeout=TIMEOUT).json()
        assert status["scenario"] == "calm"
    finally:
        assert _stop(sp) == 0


def test_quit_on_stdin_ends_with_exit_0() -> None:
    sp = _start("--venues", "kraken,okx", "--scenario", "stall")
    assert list(sp.venues) == ["kraken", "okx"]
    sp.send("help")
    sp.send("quit")
    assert sp.proc.wait(timeout=TIMEOUT) == 0
    assert sp.proc.stderr is not None
    assert "stall VENUE" in sp.proc.stderr.read()
    _stop(sp)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speed", "0"], "--speed: must be a positive number"),
        (["--venues", "bitmex,ftx"], "unknown venue 'ftx'"),
        (["--scenario", "nope"], "unknown scenario 'nope'"),
        (["--port", "70000"], "port must be 0..65535"),
        (["--path", "/nonexistent.csv"], "cannot read scenario file"),
        (["--tick-hz", "fast"], "--tick-hz: 'fast' is not a number"),
    ],
)
def test_bad_flags_one_line_exit_2(args: list[str], message: str) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "hedgetui", "sim", *args],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 2,
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert message in lines[0]
    assert r.stdout == ""
