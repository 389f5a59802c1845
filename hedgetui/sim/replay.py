"""The simulator playing a recording back (``hedgetui sim --replay``, ``demo --replay``).

One websockets server per recorded venue, on the venue's own paths (the live simulator's
``paths``; any other path is a 404, as there). Playback starts once every venue has a client
(the first whenever it comes, the others within ``wait_for_clients_s``), then follows the
recording at ``speed`` on a :class:`~hedgetui.history.replay.ReplayClock`:

* a frame is sent, byte for byte, to every client of its venue at its recorded moment;
* a gap between frames is a gap (a stall replays as a stall);
* a connection the venue closed (a drop, a close code) closes the clients of that venue the
  same way: code 1006 or none by aborting the TCP connection, any other code with a close
  frame; a client reconnects by itself and gets the frames that follow;
* what clients send (subscriptions, pings) is read and ignored: the recorded answers are in
  the recording already.

At the end playback stops (no loop: the recording's exchange times cannot run twice on one
clock): ``ended`` is set, the connections stay open and silent, so a consumer goes STALE.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from hedgetui.history.recording import (
    Closed,
    Frame,
    Header,
    RecordingError,
    read_entries,
    read_header,
)
from hedgetui.history.replay import ReplayClock
from hedgetui.sim.server import PROTOCOLS
from hedgetui.sim.urls import url_host

log = logging.getLogger("hedgetui.sim.replay")

_BATCH_S = 0.01  # frames due within this many real seconds are sent without sleeping


class ReplayServer:
    """Serves one recording set (see the module doc). ``start``, then ``play``, then ``close``."""

    def __init__(
        self,
        path: Path,
        *,
        speed: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.header: Header = read_header(self.path)  # RecordingError: not a recording
        unknown = [v for v in self.header.venues if v not in PROTOCOLS]
        if unknown:
            raise RecordingError(f"{self.path}: unknown venue {unknown[0]!r} in the header")
        self.clock = ReplayClock(self.header.start_ms / 1000.0, speed)
        self.host = host
        self._port = port
        self._warn = warn
        self._servers: dict[str, Server] = {}
        self._clients: dict[str, set[ServerConnection]] = {v: set() for v in self.header.venues}
        self._someone: dict[str, asyncio.Event] = {}
        self.ended = asyncio.Event()
        self._closing: set[asyncio.Future[None]] = set()
        self.frames_sent = 0
        self.entries = 0

    @property
    def venues(self) -> tuple[str, ...]:
        return self.header.venues

    def symbols(self, venue: str) -> tuple[str, ...]:
        return self.header.symbols.get(venue, ())

    def ws_url(self, venue: str) -> str:
        """The URL a feed of ``venue`` is given (as ``Simulator.ws_url``)."""
        port = self._servers[venue].sockets[0].getsockname()[1]
        base = f"ws://{url_host(self.host)}:{port}"
        return base if venue == "binance" else base + PROTOCOLS[venue].paths[0]

    async def start(self) -> None:
        for k, venue in enumerate(self.venues):
            self._someone[venue] = asyncio.Event()
            self._servers[venue] = await serve(
                self._handler(venue),
                self.host,
                self._port + k if self._port else 0,
                process_request=self._route(venue),
                ping_interval=None,
                server_header=None,
            )

    def _route(self, venue: str) -> Callable[[ServerConnection, Request], Response | None]:
        paths = PROTOCOLS[venue].paths

        def route(conn: ServerConnection, request: Request) -> Response | None:
            if urlsplit(request.path).path in paths:
                return None
            return conn.respond(HTTPStatus.NOT_FOUND, "Not Found\n")

        return route

    def _handler(self, venue: str) -> Callable[[ServerConnection], Awaitable[None]]:
        clients = self._clients[venue]

        async def handler(ws: ServerConnection) -> None:
            clients.add(ws)
            self._someone[venue].set()
            try:
                async for _ in ws:  # subscriptions and pings: answered by the recording
                    pass
            except ConnectionClosed:
                pass
            finally:
                clients.discard(ws)

        return handler

    async def play(self, *, wait_for_clients_s: float = 5.0) -> None:
        """Wait for a first client (as long as it takes), then up to ``wait_for_clients_s``
        for a client of every other venue, then play the recording to its end; sets
        ``ended``."""
        events = list(self._someone.values())
        waits = [asyncio.ensure_future(e.wait()) for e in events]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            await asyncio.wait(waits, timeout=wait_for_clients_s)
        finally:
            for w in waits:
                w.cancel()
        clock = self.clock
        clock.start()
        clients = self._clients
        try:
            for entry in read_entries(self.path, self._warn):
                self.entries += 1
                delay = clock.real_delay(entry.mono)
                if delay > _BATCH_S:
                    await asyncio.sleep(delay)
                targets = clients.get(entry.venue)
                if not targets:
                    continue
                if isinstance(entry, Frame):
                    data = entry.data
                    for ws in list(targets):
                        with contextlib.suppress(ConnectionClosed):
                            await ws.send(data)
                            self.frames_sent += 1
                elif isinstance(entry, Closed) and not entry.stop:
                    for ws in list(targets):
                        self._close(ws, entry.code, entry.reason)
        finally:
            self.ended.set()

    async def close(self) -> None:
        for server in self._servers.values():
            server.close()
        for server in self._servers.values():
            with contextlib.suppress(Exception):
                await server.wait_closed()

    def _close(self, ws: ServerConnection, code: int | None, reason: str) -> None:
        """Close one client as the venue closed the recorded connection."""
        if code is None or code in (1005, 1006, 1015) or not 1000 <= code <= 4999:
            ws.transport.abort()
            return
        task = asyncio.ensure_future(ws.close(code, reason[:120]))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
