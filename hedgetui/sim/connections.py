"""One venue's websocket server side: each connection's life, and the venue's stall.

Connections are owned here; the venue protocols (``bitmex.py`` ...) only turn messages and
ticks into frames. Every connection has an outbox and a sender task, so that ``slow`` (a
delay before each frame) and ``stall`` (nothing sent, reading paused so that not even WS
pings are answered) apply to every frame the same way. The venue's connection rules
(``ruled.RuleKeeper``) hear of every connection opened, every resume and every broken rule.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from hedgetui.clock import Clock
from hedgetui.sim.base import Frame, Session, VenueProtocol
from hedgetui.sim.ruled import RuleKeeper

log = logging.getLogger("hedgetui.sim")

MAX_OUTBOX = 2_000  # frames queued for one slow client before ticks are skipped for it

Spawn = Callable[[Coroutine[Any, Any, Any]], None]  # run fire-and-forget, keeping a reference


@dataclass(eq=False)
class Conn:
    """One open websocket connection: its protocol session and its outbox."""

    ws: ServerConnection
    session: Session
    outbox: asyncio.Queue[Frame] = field(default_factory=asyncio.Queue)
    skipped: int = 0

    def put(self, frame: Frame) -> None:
        if self.outbox.qsize() >= MAX_OUTBOX:
            self.skipped += 1
            return
        self.outbox.put_nowait(frame)


@dataclass(eq=False)
class Venue:
    """One venue's server: its open connections, how they are served, and its fault state."""

    name: str
    protocol: VenueProtocol
    keeper: RuleKeeper
    clock: Clock
    spawn: Spawn
    conns: set[Conn] = field(default_factory=set)
    server: Server | None = None
    port: int = 0
    resumed: asyncio.Event = field(default_factory=asyncio.Event)
    stalled_until: float | None = None  # clock.monotonic(); inf = until resume
    slow_delay: float = 0.0
    accept_then_close: bool = False
    close_new_with: tuple[int, str] = (1000, "")  # accept_then_close: the close code, reason
    upgrade_status: int = 0  # reject_upgrade: answer the upgrade with this HTTP status
    frames_sent: int = 0

    def __post_init__(self) -> None:
        self.resumed.set()

    @property
    def stalled(self) -> bool:
        return not self.resumed.is_set()

    # ------------------------------------------------------------------ one connection's life
    def route(self, conn: ServerConnection, request: Request) -> Response | None:
        """The HTTP handshake's gate: 404 for a path the venue does not serve, the status of a
        ``reject_upgrade`` fault for every upgrade while it is on."""
        if self.upgrade_status:
            status = HTTPStatus(self.upgrade_status)
            return _plain_response(status, f"{status.phrase}\n")
        if self.protocol.accepts_path(request.path):
            return None
        return _plain_response(HTTPStatus.NOT_FOUND, f"Not Found: {request.path.split('?')[0]}\n")

    async def serve(self, ws: ServerConnection) -> None:
        """Serve one connection until it closes (the websockets server's handler)."""
        if self.accept_then_close:
            await ws.close(*self.close_new_with)
            return
        path = ws.request.path if ws.request is not None else "/"
        conn = Conn(ws, Session(path))
        self.conns.add(conn)
        self.keeper.opened(ws)
        if self.stalled:
            pause_reading(ws)
        sender = asyncio.create_task(self._send(conn), name=f"sim-send-{self.name}")
        try:
            try:
                opening = self.protocol.open(conn.session)
            except Exception:  # a protocol bug must not kill the server
                log.exception("%s: error opening a session", self.name)
                await ws.close(1011, "internal error")
                return
            for frame in opening:
                conn.put(frame)
            async for message in ws:
                if self.stalled:
                    await self.resumed.wait()
                try:
                    replies = self.protocol.receive(conn.session, message)
                except Exception:  # a protocol bug must not kill the server
                    log.exception("%s: error handling %r", self.name, message[:200])
                    continue
                for frame in replies:
                    conn.put(frame)
                self.after(conn)
        except ConnectionClosed:
            pass
        finally:
            self.conns.discard(conn)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    async def _send(self, conn: Conn) -> None:
        while True:
            frame = await conn.outbox.get()
            if self.slow_delay > 0:
                await asyncio.sleep(self.slow_delay)
            if self.stalled:
                await self.resumed.wait()
            try:
                await conn.ws.send(frame)
            except ConnectionClosed:
                return
            self.frames_sent += 1

    def after(self, conn: Conn) -> None:
        """Carry out what the protocol asked for: a close (counted when a rule was broken)."""
        s = conn.session
        if s.close_with is not None:
            code, reason = s.close_with
            s.close_with = None
            if s.broke is not None:
                self.keeper.record(s.broke, s.conn_id, reason)
                s.broke = None
            self.spawn(conn.ws.close(code, reason))

    # ------------------------------------------------------------------ stall and resume
    def stall(self, wall_seconds: float | None) -> None:
        """Send nothing and read nothing for ``wall_seconds`` (None: until resumed)."""
        now = self.clock.monotonic()
        self.stalled_until = now + wall_seconds if wall_seconds is not None else math.inf
        self.resumed.clear()
        for c in self.conns:
            pause_reading(c.ws)

    def expire_stall(self) -> None:
        if self.stalled_until is not None and self.clock.monotonic() >= self.stalled_until:
            self.resume()

    def resume(self) -> None:
        self.stalled_until = None
        for c in self.conns:
            if c.session.state is not None:
                self.protocol.resumed(c.session)
            self.keeper.resumed(c.ws)
            resume_reading(c.ws)
        self.resumed.set()

    def release(self) -> None:
        """Closing: wake every stalled connection and stop accepting new ones."""
        self.resumed.set()
        for c in list(self.conns):
            resume_reading(c.ws)
        if self.server is not None:
            self.server.close()


def _plain_response(status: HTTPStatus, text: str) -> Response:
    body = text.encode()
    headers = Headers({"Content-Type": "text/plain; charset=utf-8"})
    headers["Content-Length"] = str(len(body))
    return Response(status.value, status.phrase, headers, body)


def pause_reading(ws: ServerConnection) -> None:
    with contextlib.suppress(Exception):
        ws.transport.pause_reading()


def resume_reading(ws: ServerConnection) -> None:
    with contextlib.suppress(Exception):
        ws.transport.resume_reading()
