"""The simulator: one websockets server per venue, a tick loop each, faults, scheduled faults.

Connections are owned here; the venue protocols (``bitmex.py`` ...) only turn messages and
ticks into frames. Every connection has an outbox and a sender task, so that ``slow`` (a
delay before each frame) and ``stall`` (nothing sent, reading paused so that not even WS
pings are answered) apply to every frame the same way.

Each venue's connection rules (``conn_rules.py``: idle cut-offs, server pings and their pong
deadline, the connection lifetime, Deribit's heartbeat deadline, planned maintenance) are on
by default with the venue's documented values; ``conn_rules="short"`` (or a spec such as
``idle=3,lifetime=10``) shortens them for tests. ``tls=`` serves ``wss://`` (``sim/tls.py``
makes a test CA and certificate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import ssl
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, Protocol

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.domain import VENUES
from hedgetui.sim.base import Frame, Session, VenueProtocol
from hedgetui.sim.binance import BinanceProtocol
from hedgetui.sim.bitmex import BitmexProtocol
from hedgetui.sim.bybit import BybitProtocol
from hedgetui.sim.conn_rules import ConnRules, RulesError, as_rules, parse_rules_spec
from hedgetui.sim.deribit import DeribitProtocol
from hedgetui.sim.faults import FAULT_KINDS, Fault, FaultError, parse_fault
from hedgetui.sim.kraken import KrakenProtocol
from hedgetui.sim.market import Market
from hedgetui.sim.okx import OkxProtocol
from hedgetui.sim.rest.http import HttpServer
from hedgetui.sim.ruled import RuleKeeper, serve_options
from hedgetui.sim.scenarios import Scenario, ScenarioError, get_scenario

log = logging.getLogger("hedgetui.sim")

PROTOCOLS: dict[str, type[VenueProtocol]] = {
    "bitmex": BitmexProtocol,
    "bybit": BybitProtocol,
    "binance": BinanceProtocol,
    "deribit": DeribitProtocol,
    "okx": OkxProtocol,
    "kraken": KrakenProtocol,
}
MAX_OUTBOX = 2_000  # frames queued for one slow client before ticks are skipped for it
SCHEDULER_PERIOD_S = 0.05
ALL = ("", "all", "*")  # a fault's venue meaning "every running venue"


class SimulatorError(ValueError):
    """Bad arguments to the simulator (unknown venue, scenario, fault...)."""


class OrderFaultTarget(Protocol):
    """What the simulator needs of the REST side's books (`hedgetui.sim.rest.SimAccounts`)
    to route ``order_*`` faults to it."""

    def inject(self, venue: str, fault: str, count: int = 1, **params: Any) -> None: ...

    def pending_faults(self, venue: str) -> int: ...


@dataclass(eq=False)
class _Conn:
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
class _Venue:
    name: str
    protocol: VenueProtocol
    keeper: RuleKeeper
    conns: set[_Conn] = field(default_factory=set)
    server: Server | None = None
    port: int = 0
    resumed: asyncio.Event = field(default_factory=asyncio.Event)
    stalled_until: float | None = None  # clock.monotonic(); inf = until resume
    slow_delay: float = 0.0
    accept_then_close: bool = False
    frames_sent: int = 0

    @property
    def stalled(self) -> bool:
        return not self.resumed.is_set()


class Simulator:
    """Local exchange servers speaking each venue's real websocket protocol."""

    def __init__(
        self,
        *,
        venues: Sequence[str],
        scenario: Scenario,
        speed: float,
        host: str,
        clock: Clock,
        tick_hz: float | None,
        rules: Mapping[str, ConnRules] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.scenario = scenario
        self.clock = clock
        self.host = host
        self.market = Market(scenario, clock, speed)
        self.control_url: str | None = None
        self.tls = tls
        self._venues: dict[str, _Venue] = {}
        all_rules = as_rules(rules, tuple(venues))
        for name in venues:
            proto = PROTOCOLS[name](self.market, tick_hz=tick_hz)
            proto.rules = all_rules[name]
            v = _Venue(name, proto, RuleKeeper(name, all_rules[name], clock, self._spawn))
            v.resumed.set()
            self._venues[name] = v
        self._rest_urls: dict[str, str] = {}
        self._accounts: OrderFaultTarget | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._control: HttpServer | None = None
        self._fired: dict[int, int] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._closed = False

    # ------------------------------------------------------------------ public API
    @property
    def venues(self) -> tuple[str, ...]:
        return tuple(self._venues)

    @property
    def protocols(self) -> dict[str, VenueProtocol]:
        """The protocol object of each venue (its rules: :attr:`rules`, :meth:`set_rules`)."""
        return {name: v.protocol for name, v in self._venues.items()}

    @property
    def rules(self) -> dict[str, ConnRules]:
        """Each venue's connection rules (``conn_rules.py``)."""
        return {name: v.keeper.rules for name, v in self._venues.items()}

    def set_rules(self, venue: str, spec: str) -> None:
        """Change ``venue``'s (``all``: every venue's) connection rules by a spec such as
        ``idle=3`` or ``short`` (``conn_rules.parse_rules_spec``), open connections included.
        Raises SimulatorError for a bad spec."""
        targets = self._venues.values() if venue in ALL else (self._venue(venue),)
        try:
            changed = parse_rules_spec(spec, tuple(v.name for v in targets), self.rules)
        except RulesError as e:
            raise SimulatorError(str(e)) from None
        for v in targets:
            v.protocol.rules = changed[v.name]
            v.keeper.change(changed[v.name], [c.ws for c in v.conns])

    def ws_url(self, venue: str) -> str:
        v = self._venue(venue)
        scheme = "wss" if self.tls is not None else "ws"
        base = f"{scheme}://{_url_host(self.host)}:{v.port}"
        return base if venue == "binance" else base + v.protocol.paths[0]

    def rest_url(self, venue: str) -> str | None:
        self._venue(venue)
        return self._rest_urls.get(venue)

    def attach_rest(self, venue: str, url: str) -> None:
        """Record the REST endpoint another component serves for ``venue``."""
        self._venue(venue)
        self._rest_urls[venue] = url

    def attach_accounts(self, accounts: OrderFaultTarget) -> None:
        """Record the books the REST side serves, so that ``order_*`` faults reach them."""
        self._accounts = accounts

    def symbols(self, venue: str) -> tuple[str, ...]:
        return self._venue(venue).protocol.symbols

    def price(self, coin: str) -> tuple[float, float, float]:
        try:
            q = self.market.quote(coin)
        except ScenarioError as e:
            raise SimulatorError(str(e)) from None
        return q.mark, q.index, q.funding_rate

    def connections(self, venue: str) -> int:
        return len(self._venue(venue).conns)

    def scenario_time(self) -> float:
        return self.market.scenario_time()

    async def fault(self, venue: str, kind: str, **params: float | int | str) -> None:
        """Apply a fault now (see ``hedgetui.sim.faults.FAULT_KINDS``).

        ``venue="all"`` applies it to every running venue; ``jump`` always moves the price
        every venue shows, whatever ``venue`` says. ``order_*`` faults go to the REST side's
        books (next order requests of the venue) and need one attached. Raises SimulatorError
        for bad input.
        """
        try:
            f = parse_fault(kind, params)
        except FaultError as e:
            raise SimulatorError(str(e)) from None
        if f.is_order_fault:
            names = self.venues if venue in ALL else (self._venue(venue).name,)
            self._inject_order_fault(names, f)
            return
        if f.kind == "jump":
            if venue not in ALL and venue not in self._venues:
                self._venue(venue)
            try:
                self.market.jump(f.coin, f.pct)
            except (ScenarioError, ValueError) as e:
                raise SimulatorError(f"jump: {e}") from None
            return
        targets = self._venues.values() if venue in ALL else (self._venue(venue),)
        for v in targets:
            self._apply(v, f, wall_seconds=f.seconds)

    def status(self) -> dict[str, Any]:
        """Everything the control channel's ``GET /status`` reports (JSON-ready)."""
        prices = {}
        for coin in self.scenario.coins:
            mark, index, rate = self.price(coin)
            prices[coin] = {"mark": mark, "index": index, "funding_rate": rate}
        return {
            "scenario": self.scenario.name,
            "scenario_time": round(self.scenario_time(), 3),
            "duration_s": self.scenario.duration_s,
            "speed": self.market.speed,
            "control": self.control_url,
            "tls": self.tls is not None,
            "venues": {
                name: {
                    "ws": self.ws_url(name),
                    "rest": self.rest_url(name),
                    "symbols": list(v.protocol.symbols),
                    "connections": len(v.conns),
                    "stalled": v.stalled,
                    "slow_delay": v.slow_delay,
                    "accept_then_close": v.accept_then_close,
                    "frames_sent": v.frames_sent,
                    "order_faults_pending": self._pending_order_faults(name),
                }
                | v.keeper.status()
                for name, v in self._venues.items()
            },
            "prices": prices,
        }

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        for v in self._venues.values():
            v.resumed.set()
            for c in list(v.conns):
                _resume_reading(c.ws)
            if v.server is not None:
                v.server.close()
        for v in self._venues.values():
            if v.server is not None:
                await v.server.wait_closed()
        if self._control is not None:
            await self._control.close()

    async def __aenter__(self) -> Simulator:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ start-up
    async def _start(self, port: int, control: bool) -> None:
        for k, (name, v) in enumerate(self._venues.items()):
            v.server = await serve(
                self._handler_for(v),
                self.host,
                port + k if port else 0,
                process_request=self._router_for(v),
                ping_interval=None,
                server_header=None,
                **serve_options(v.keeper.rules, self.tls),
            )
            v.port = v.server.sockets[0].getsockname()[1]
            self._tasks.append(asyncio.create_task(self._tick_loop(v), name=f"sim-tick-{name}"))
        self._tasks.append(asyncio.create_task(self._scheduler(), name="sim-scheduler"))
        if control:
            from hedgetui.sim.control import start_control_server

            control_port = port + len(self._venues) if port else 0
            self._control, url = await start_control_server(self, self.host, control_port)
            self.control_url = url

    def _router_for(self, v: _Venue) -> Any:
        def route(conn: ServerConnection, request: Request) -> Response | None:
            if v.protocol.accepts_path(request.path):
                return None
            body = f"Not Found: {request.path.split('?')[0]}\n".encode()
            headers = Headers({"Content-Type": "text/plain; charset=utf-8"})
            headers["Content-Length"] = str(len(body))
            return Response(HTTPStatus.NOT_FOUND.value, "Not Found", headers, body)

        return route

    def _handler_for(self, v: _Venue) -> Any:
        async def handler(ws: ServerConnection) -> None:
            await self._serve_connection(v, ws)

        return handler

    # ------------------------------------------------------------------ connections
    async def _serve_connection(self, v: _Venue, ws: ServerConnection) -> None:
        if v.accept_then_close:
            await ws.close(1000, "")
            return
        path = ws.request.path if ws.request is not None else "/"
        conn = _Conn(ws, Session(path))
        v.conns.add(conn)
        v.keeper.opened(ws)
        if v.stalled:
            _pause_reading(ws)
        sender = asyncio.create_task(self._sender(v, conn), name=f"sim-send-{v.name}")
        try:
            try:
                opening = v.protocol.open(conn.session)
            except Exception:  # a protocol bug must not kill the server
                log.exception("%s: error opening a session", v.name)
                await ws.close(1011, "internal error")
                return
            for frame in opening:
                conn.put(frame)
            async for message in ws:
                if v.stalled:
                    await v.resumed.wait()
                try:
                    replies = v.protocol.receive(conn.session, message)
                except Exception:  # a protocol bug must not kill the server
                    log.exception("%s: error handling %r", v.name, message[:200])
                    continue
                for frame in replies:
                    conn.put(frame)
                self._after(v, conn)
        except ConnectionClosed:
            pass
        finally:
            v.conns.discard(conn)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    async def _sender(self, v: _Venue, conn: _Conn) -> None:
        while True:
            frame = await conn.outbox.get()
            if v.slow_delay > 0:
                await asyncio.sleep(v.slow_delay)
            if v.stalled:
                await v.resumed.wait()
            try:
                await conn.ws.send(frame)
            except ConnectionClosed:
                return
            v.frames_sent += 1

    def _after(self, v: _Venue, conn: _Conn) -> None:
        """Carry out what the protocol asked for: a close (counted when a rule was broken)."""
        s = conn.session
        if s.close_with is not None:
            code, reason = s.close_with
            s.close_with = None
            if s.broke is not None:
                v.keeper.record(s.broke, s.conn_id, reason)
                s.broke = None
            self._spawn(conn.ws.close(code, reason))

    async def _tick_loop(self, v: _Venue) -> None:
        loop = asyncio.get_running_loop()
        period = 1.0 / v.protocol.hz
        n = 0
        due = loop.time()
        while True:
            due += period
            delay = due - loop.time()
            if delay < -period:  # fell behind (busy machine): skip, do not burst
                due = loop.time()
                delay = 0.0
            await asyncio.sleep(max(0.0, delay))
            n += 1
            self._expire_stall(v)
            if v.stalled or not v.conns:
                continue
            try:
                quotes = v.protocol.quotes_now()
                for conn in list(v.conns):
                    if v.keeper.check(conn.ws, conn.session.conn_id):
                        continue  # closing: it broke a rule (or reached its lifetime)
                    for frame in v.protocol.tick(conn.session, quotes, n):
                        conn.put(frame)
                    self._after(v, conn)
            except Exception:
                log.exception("%s: tick failed", v.name)

    async def _scheduler(self) -> None:
        """Fire the scenario's scheduled faults (once per pass when the scenario loops)."""
        duration = self.scenario.duration_s
        while True:
            await asyncio.sleep(SCHEDULER_PERIOD_S)
            for v in self._venues.values():
                self._expire_stall(v)
            t = self.scenario_time()
            for i, sf in enumerate(self.scenario.faults):
                if t < sf.at_s:
                    continue
                passes = 1
                if self.scenario.loop and duration > 0:
                    passes = math.floor((t - sf.at_s) / duration) + 1
                if self._fired.get(i, 0) >= passes:
                    continue
                self._fired[i] = passes
                if sf.venue not in self._venues and sf.kind != "jump":
                    continue
                try:
                    f = parse_fault(sf.kind, sf.params)
                except FaultError as e:
                    log.error("scenario %s: bad scheduled fault: %s", self.scenario.name, e)
                    continue
                if f.kind == "jump":
                    self.market.jump(f.coin, f.pct)
                    continue
                if f.is_order_fault:
                    try:
                        self._inject_order_fault((sf.venue,), f)
                    except SimulatorError as e:
                        log.error("scenario %s: scheduled fault skipped: %s", self.scenario.name, e)
                    continue
                wall = f.seconds / self.market.speed if f.seconds is not None else None
                self._apply(self._venues[sf.venue], f, wall_seconds=wall)

    # ------------------------------------------------------------------ faults
    def _apply(self, v: _Venue, f: Fault, *, wall_seconds: float | None) -> None:
        if f.kind == "drop":
            for c in list(v.conns):
                c.ws.transport.abort()
        elif f.kind == "stall":
            now = self.clock.monotonic()
            v.stalled_until = now + wall_seconds if wall_seconds is not None else math.inf
            v.resumed.clear()
            for c in v.conns:
                _pause_reading(c.ws)
        elif f.kind == "resume":
            self._resume(v)
        elif f.kind == "garbage":
            for c in v.conns:
                for frame in v.protocol.garbage(c.session, f.count):
                    c.put(frame)
        elif f.kind == "accept_then_close":
            v.accept_then_close = f.enabled
        elif f.kind == "close_code":
            for c in list(v.conns):
                self._spawn(c.ws.close(f.code, f.reason))
        elif f.kind == "slow":
            v.slow_delay = f.delay
        elif f.kind == "maintenance":
            notice = v.keeper.rules.maintenance_notice
            for c in list(v.conns):
                text = None if notice is None else notice.format(conn_id=c.session.conn_id)
                v.keeper.maintenance(c.ws, c.session.conn_id, text)

    def _inject_order_fault(self, venues: Sequence[str], f: Fault) -> None:
        """Queue ``f`` for the next ``f.count`` order requests of each of ``venues``."""
        if self._accounts is None:
            raise SimulatorError(
                f"{f.kind}: no REST side: started with --no-rest "
                "(from Python: call attach_rest_servers(sim) first)"
            )
        missing = [name for name in venues if name not in self._rest_urls]
        if missing:
            raise SimulatorError(f"{f.kind}: {missing[0]} has no REST side attached")
        fault, params = f.rest_injection()
        for name in venues:
            try:
                self._accounts.inject(name, fault, f.count, **params)
            except ValueError as e:
                raise SimulatorError(f"{f.kind}: {e}") from None

    def _pending_order_faults(self, venue: str) -> int | None:
        """Order faults still queued for ``venue`` (None without a REST side)."""
        if self._accounts is None or venue not in self._rest_urls:
            return None
        return self._accounts.pending_faults(venue)

    def _expire_stall(self, v: _Venue) -> None:
        if v.stalled_until is not None and self.clock.monotonic() >= v.stalled_until:
            self._resume(v)

    def _resume(self, v: _Venue) -> None:
        v.stalled_until = None
        for c in v.conns:
            if c.session.state is not None:
                v.protocol.resumed(c.session)
            v.keeper.resumed(c.ws)
            _resume_reading(c.ws)
        v.resumed.set()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a fire-and-forget coroutine, keeping a reference until it is done."""
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _venue(self, venue: str) -> _Venue:
        try:
            return self._venues[venue]
        except KeyError:
            raise SimulatorError(
                f"unknown or not-running venue {venue!r}; running: {', '.join(self._venues)}"
            ) from None


def _pause_reading(ws: ServerConnection) -> None:
    with contextlib.suppress(Exception):
        ws.transport.pause_reading()


def _resume_reading(ws: ServerConnection) -> None:
    with contextlib.suppress(Exception):
        ws.transport.resume_reading()


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def parse_venues(venues: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in venues:
        v = name.strip().lower()
        if v not in PROTOCOLS:
            raise SimulatorError(f"unknown venue {name!r}; known: {', '.join(PROTOCOLS)}")
        if v not in out:
            out.append(v)
    if not out:
        raise SimulatorError("no venue to simulate")
    return tuple(out)


async def start_simulator(
    *,
    venues: Sequence[str] = VENUES,
    scenario: str | Scenario = "crash",
    speed: float = 1.0,
    host: str = "127.0.0.1",
    port: int = 0,
    clock: Clock | None = None,
    control: bool = True,
    tick_hz: float | None = None,
    conn_rules: str | Mapping[str, ConnRules] | None = None,
    tls: ssl.SSLContext | None = None,
) -> Simulator:
    """Start every venue's server (and the HTTP control channel) and return the simulator.

    With ``port=0`` every server gets an ephemeral port; with ``port=N`` venue k of
    ``venues`` listens on N+k and the control channel on N+len(venues). ``conn_rules``: the
    venues' connection rules (None: each venue's documented values; a spec such as ``short``
    or ``idle=3,lifetime=10``; or a mapping venue -> ConnRules). ``tls``: serve ``wss://``
    with this server context (``sim.tls.TestCA.server_context()``).
    """
    names = parse_venues(venues)
    if not (speed > 0 and math.isfinite(speed)):
        raise SimulatorError(f"speed must be a positive number, got {speed}")
    if tick_hz is not None and not (0 < tick_hz <= 1000):
        raise SimulatorError(f"tick_hz must be in (0, 1000], got {tick_hz}")
    if not 0 <= port <= 65535 - len(names):
        raise SimulatorError(f"port must be 0 or 1..{65535 - len(names)}, got {port}")
    if isinstance(scenario, str):
        try:
            scenario = get_scenario(scenario)
        except ScenarioError as e:
            raise SimulatorError(str(e)) from None
    try:
        rules = as_rules(conn_rules, names)
    except RulesError as e:
        raise SimulatorError(str(e)) from None
    sim = Simulator(
        venues=names,
        scenario=scenario,
        speed=speed,
        host=host,
        clock=clock or SYSTEM_CLOCK,
        tick_hz=tick_hz,
        rules=rules,
        tls=tls,
    )
    try:
        await sim._start(port, control)
    except BaseException:
        await sim.close()
        raise
    return sim


__all__ = ["FAULT_KINDS", "PROTOCOLS", "Simulator", "SimulatorError", "start_simulator"]
