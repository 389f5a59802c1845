"""The private streams' websocket servers: one per venue, and all of them over a REST side."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from hedgetui.clock import Clock
from hedgetui.sim.conn_rules import ConnRules, as_rules
from hedgetui.sim.private.base import MarkFn, PrivateProtocol, PrivateSession, SimCredentials
from hedgetui.sim.private.binance import BinancePrivate, ListenKeys, add_listen_key_routes
from hedgetui.sim.private.bitmex import BitmexPrivate
from hedgetui.sim.private.bybit import BybitPrivate
from hedgetui.sim.private.deribit import DeribitPrivate
from hedgetui.sim.private.kraken import KrakenPrivate
from hedgetui.sim.private.okx import OkxPrivate
from hedgetui.sim.rest.accounts import SimAccounts
from hedgetui.sim.rest.attach import RestSide
from hedgetui.sim.ruled import RuleKeeper, serve_options

PRIVATE_PROTOCOLS: dict[str, type[PrivateProtocol]] = {
    cls.venue: cls
    for cls in (
        BitmexPrivate,
        BybitPrivate,
        BinancePrivate,
        DeribitPrivate,
        OkxPrivate,
        KrakenPrivate,
    )
}


class PrivateServer:
    """One venue's private websocket endpoint on loopback, keeping the venue's connection
    rules (``sim/conn_rules.py``; checked on every push interval)."""

    def __init__(
        self,
        protocol: PrivateProtocol,
        push_interval_s: float,
        rules: ConnRules | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.protocol = protocol
        self.venue = protocol.venue
        self.push_interval_s = push_interval_s
        self.tls = tls
        self._server: Server | None = None
        self._conns: set[ServerConnection] = set()
        self._background: set[asyncio.Task[Any]] = set()
        venue_rules = rules if rules is not None else as_rules(None, (self.venue,))[self.venue]
        self.keeper = RuleKeeper(self.venue, venue_rules, protocol.clock, self._spawn)
        self.url = ""
        self.logins = 0  # successful logins, for tests and the status page

    @property
    def connections(self) -> int:
        return len(self._conns)

    async def start(self, host: str, port: int) -> None:
        self._server = await serve(
            self._handle,
            host,
            port,
            process_request=self._route,
            ping_interval=None,
            server_header=None,
            **serve_options(self.keeper.rules, self.tls),
        )
        bound = self._server.sockets[0].getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        path = "/ws" if self.venue == "binance" else self.protocol.path
        scheme = "wss" if self.tls is not None else "ws"
        self.url = f"{scheme}://{shown}:{bound}{path}"

    def _route(self, conn: ServerConnection, request: Request) -> Response | None:
        if self.protocol.accepts(request.path):
            return None
        if self.venue == "binance" and request.path.startswith("/ws/"):
            return _plain(HTTPStatus.BAD_REQUEST, "Invalid listen key\n")
        return _plain(HTTPStatus.NOT_FOUND, f"Not Found: {request.path.split('?')[0]}\n")

    async def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else "/"
        session = PrivateSession(path)
        self._conns.add(ws)
        self.keeper.opened(ws)
        pusher = asyncio.create_task(self._push_forever(ws, session))
        try:
            for frame in self.protocol.open(session):
                await ws.send(frame)
            if session.authed:  # Binance: the listen key in the URL was the login
                self.logins += 1
            async for message in ws:
                text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                was_authed = session.authed
                for frame in self.protocol.receive(session, text):
                    await ws.send(frame)
                if session.authed and not was_authed:
                    self.logins += 1
        except ConnectionClosed:
            pass
        finally:
            self._conns.discard(ws)
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher

    async def _push_forever(self, ws: ServerConnection, session: PrivateSession) -> None:
        while True:
            await asyncio.sleep(self.push_interval_s)
            if self.keeper.check(ws, session.conn_id):
                return  # closing: it broke a rule (or reached its lifetime)
            if not session.topics:
                continue
            try:
                for frame in self.protocol.push(session):
                    await ws.send(frame)
            except ConnectionClosed:
                return

    def maintenance(self) -> None:
        """Planned maintenance: every connection gets the venue's notice, then its close."""
        notice = self.keeper.rules.maintenance_notice
        for ws in list(self._conns):
            conn_id = id(ws)
            text = None if notice is None else notice.format(conn_id=f"{conn_id:x}")
            self.keeper.maintenance(ws, conn_id, text)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def drop(self) -> None:
        """Abort every connection without a close frame (a network drop)."""
        for ws in list(self._conns):
            ws.transport.abort()

    def stall(self) -> None:
        """Stop reading every open connection: pings go unanswered, as with a hung peer.

        New connections are served normally (the reconnect finds a healthy server).
        """
        for ws in list(self._conns):
            with contextlib.suppress(Exception):
                ws.transport.pause_reading()

    async def close(self) -> None:
        self.drop()  # a stalled connection would hold a polite close for its full timeout
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None


def _plain(status: HTTPStatus, text: str) -> Response:
    body = text.encode()
    headers = Headers({"Content-Type": "text/plain; charset=utf-8"})
    headers["Content-Length"] = str(len(body))
    return Response(status.value, status.phrase, headers, body)


async def start_private_server(
    venue: str,
    *,
    accounts: SimAccounts,
    mark: MarkFn,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock | None = None,
    credentials: SimCredentials | None = None,
    listen_keys: ListenKeys | None = None,
    push_interval_s: float = 0.05,
    rules: ConnRules | None = None,
    tls: ssl.SSLContext | None = None,
) -> PrivateServer:
    """Serve ``venue``'s private stream over ``accounts`` (Binance: keys from ``listen_keys``),
    with the venue's connection rules (None: its documented values) and TLS if given."""
    try:
        cls = PRIVATE_PROTOCOLS[venue]
    except KeyError:
        raise ValueError(
            f"unknown venue {venue!r}; known: {', '.join(PRIVATE_PROTOCOLS)}"
        ) from None
    protocol = cls(accounts, mark, credentials or SimCredentials(), clock or accounts.clock)
    if isinstance(protocol, BinancePrivate):
        protocol.listen_keys = listen_keys if listen_keys is not None else ListenKeys()
    server = PrivateServer(protocol, push_interval_s, rules, tls)
    await server.start(host, port)
    return server


@dataclass
class PrivateSide:
    """The private streams of every simulated venue, over the REST side's books."""

    servers: dict[str, PrivateServer] = field(default_factory=dict)
    listen_keys: ListenKeys = field(default_factory=ListenKeys)

    def url(self, venue: str) -> str:
        return self.servers[venue].url

    async def close(self) -> None:
        for server in self.servers.values():
            with contextlib.suppress(Exception):
                await server.close()
        self.servers.clear()


async def attach_private_servers(
    rest_side: RestSide,
    *,
    host: str = "127.0.0.1",
    push_interval_s: float = 0.05,
    conn_rules: str | Mapping[str, ConnRules] | None = None,
    tls: ssl.SSLContext | None = None,
) -> PrivateSide:
    """One private stream per venue the REST side serves, pushing from ITS books (so orders
    placed over that REST show up), with Binance's listen-key routes added to its REST API.
    ``conn_rules`` and ``tls`` as for ``start_simulator`` (pass ``sim.rules``, ``sim.tls``)."""
    side = PrivateSide()
    rules = as_rules(conn_rules, tuple(rest_side.servers))
    try:
        for venue, rest in rest_side.servers.items():
            if venue == "binance":
                add_listen_key_routes(rest.api, side.listen_keys)
            side.servers[venue] = await start_private_server(
                venue,
                accounts=rest_side.accounts,
                mark=rest.api.mark,
                host=host,
                listen_keys=side.listen_keys,
                push_interval_s=push_interval_s,
                rules=rules[venue],
                tls=tls,
            )
    except BaseException:
        await side.close()
        raise
    return side
