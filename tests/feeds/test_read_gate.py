"""The read gate (``hedgetui.feeds.read_gate``) over real loopback websockets.

A frame sent between two passes must wait in its socket (the process is not woken for it) and
be read, parsed and applied by the end of the next pass; closing, back-pressure and a feed run
by the runtime must still work.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve

from hedgetui.demo.portfolio import demo_settings
from hedgetui.domain import VENUES, Event, MarkPrice
from hedgetui.feeds.read_gate import ReadGate
from hedgetui.runtime import Runtime
from hedgetui.sim import start_simulator

# Long enough for loopback data to reach a socket that is being read (well under 1 ms here), so
# a frame not received after it was held back by the gate, not by the network.
DELIVERY_S = 0.05


@dataclass
class Peer:
    """The server side of one connection: ``send`` frames to the client on demand."""

    outbox: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    sent: asyncio.Event = field(default_factory=asyncio.Event)

    async def handler(self, ws: ServerConnection) -> None:
        sender = asyncio.create_task(self._send_all(ws))
        await ws.wait_closed()
        sender.cancel()

    async def _send_all(self, ws: ServerConnection) -> None:
        while True:
            frame = await self.outbox.get()
            await ws.send(frame)
            if self.outbox.empty():
                self.sent.set()

    async def send(self, *frames: str) -> None:
        self.sent.clear()
        for frame in frames:
            self.outbox.put_nowait(frame)
        await self.sent.wait()


@pytest.fixture
async def peer() -> AsyncIterator[tuple[Peer, str]]:
    p = Peer()
    async with serve(p.handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        yield p, f"ws://127.0.0.1:{port}"


async def reader(ws: ClientConnection, into: list[str]) -> None:
    async for frame in ws:
        assert isinstance(frame, str)
        into.append(frame)


@contextlib.asynccontextmanager
async def gated(url: str, gate: ReadGate) -> AsyncIterator[tuple[ClientConnection, list[str]]]:
    """A connection to ``url`` whose frames a task collects, read in ``gate``'s passes from
    the end of a first pass on; detached before it closes, as ``Feed`` does."""
    got: list[str] = []
    async with connect(url) as ws:
        task = asyncio.create_task(reader(ws, got))
        gate.attach(ws)
        await gate.read_once()
        try:
            yield ws, got
        finally:
            task.cancel()
            gate.detach(ws)


async def test_a_frame_waits_in_its_socket_until_the_next_pass(peer: tuple[Peer, str]) -> None:
    server, url = peer
    gate = ReadGate(0.1)
    async with gated(url, gate) as (ws, got):
        assert not ws.transport.is_reading()  # type: ignore[attr-defined]
        await server.send("a", "b", "c")
        await asyncio.sleep(DELIVERY_S)
        assert got == []  # sent and delivered to the socket, not read
        await gate.read_once()
        assert got == ["a", "b", "c"]  # read AND handed on by the time the pass returns
        assert gate.passes == 2
        await server.send("d")
        await asyncio.sleep(DELIVERY_S)
        assert got == ["a", "b", "c"]
        gate.detach(ws)  # a detached connection reads as frames arrive, no pass needed
        await asyncio.sleep(DELIVERY_S)
        assert got == ["a", "b", "c", "d"]


async def test_listeners_wake_after_the_pass_that_read_the_frames(
    peer: tuple[Peer, str],
) -> None:
    server, url = peer
    gate = ReadGate(0.1)
    async with gated(url, gate) as (_ws, got):
        await server.send("x", "y")
        await asyncio.sleep(DELIVERY_S)
        seen: list[list[str]] = []

        async def listener() -> None:
            await gate.passed()
            seen.append(list(got))

        waiting = asyncio.create_task(listener())
        await asyncio.sleep(0)
        assert not waiting.done()
        await gate.read_once()
        await waiting
        assert seen == [["x", "y"]]


async def test_passes_run_on_the_loop_clock_grid_and_a_cancelled_listener_is_dropped() -> None:
    period = 0.1
    gate = ReadGate(period)
    loop = asyncio.get_running_loop()
    runner = asyncio.create_task(gate.run())
    try:
        times = []
        for _ in range(3):
            await gate.passed()
            times.append(loop.time())
        # each pass ends just after a multiple of the period (later on a busy machine)
        late = [t - round(t / period) * period for t in times]
        assert all(-0.002 <= x < period / 2 for x in late), late
        left = asyncio.create_task(gate.passed())
        await asyncio.sleep(0)
        left.cancel()
        with pytest.raises(asyncio.CancelledError):
            await left
        assert gate._waiters == []
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner


async def test_closing_a_detached_connection_does_not_wait_for_a_pass(
    peer: tuple[Peer, str],
) -> None:
    _, url = peer
    gate = ReadGate(60.0)  # no pass would come in this test's lifetime
    ws = await connect(url, close_timeout=5)
    gate.attach(ws)
    await gate.read_once()
    assert not ws.transport.is_reading()  # type: ignore[attr-defined]
    gate.detach(ws)  # as Feed does before the connection closes
    await asyncio.wait_for(ws.close(), timeout=1.0)  # the close frame's answer is read at once
    assert gate.attached == 0


async def test_websockets_back_pressure_is_not_overridden(peer: tuple[Peer, str]) -> None:
    server, url = peer
    gate = ReadGate(0.1)
    async with connect(url, max_queue=4) as ws:  # nothing reads: the queue fills up
        await server.send(*(f"f{i}" for i in range(40)))
        await asyncio.sleep(DELIVERY_S)
        assert ws.recv_messages.paused  # websockets paused reading itself
        gate.attach(ws)
        await gate.read_once()
        assert ws.recv_messages.paused
        assert not ws.transport.is_reading()  # type: ignore[attr-defined]
        received = [await ws.recv() for _ in range(40)]  # websockets resumes as it drains
        assert received == [f"f{i}" for i in range(40)]
        gate.detach(ws)


async def test_a_runtime_reading_in_passes_applies_market_data_only_during_passes() -> None:
    sim = await start_simulator(scenario="calm", tick_hz=40, control=False)
    try:
        settings = demo_settings(60_000.0, 3_000.0, {v: sim.ws_url(v) for v in VENUES})
        runtime = Runtime(settings, extra_venues=VENUES)
        gate = runtime.read_in_passes(0.05)
        outside: list[Event] = []
        marks = 0

        def watch(event: Event) -> None:
            nonlocal marks
            if isinstance(event, MarkPrice):
                marks += 1
                if gate.passes >= 2 and not gate.in_pass:  # attached and paused since
                    outside.append(event)

        runtime.add_sink(watch)
        async with runtime:
            while gate.passes < 12:
                await gate.passed()
        assert marks >= 10  # 40 ticks a second for ~0.5 s, read 20 times a second
        assert outside == []
        assert runtime.store.snapshot().hedges  # the data reached the store
    finally:
        await sim.close()
