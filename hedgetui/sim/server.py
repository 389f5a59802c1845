"""The simulator's facade: one websockets server per venue, started, queried and closed here.

:class:`Simulator` builds each venue (``connections.Venue``: its connections' life and its
stall), starts its server and tick loop and the scenario's fault schedule
(``timeline.py``), the HTTP control channel (``control.py``), and answers for URLs, status,
faults and the connection rules. The venue protocols (``bitmex.py`` ...) only turn messages
and ticks into frames.

Each venue's connection rules (``conn_rules.py``: idle cut-offs, server pings and their pong
deadline, the connection lifetime, Deribit's heartbeat deadline, planned maintenance) are on
by default with the venue's documented values; ``conn_rules="short"`` (or a spec such as
``idle=3,lifetime=10``) shortens them for tests. ``tls=`` serves ``wss://`` (``sim/tls.py``
makes a test CA and certificate).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import ssl
from collections.abc import Coroutine, Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol

from websockets.asyncio.server import serve

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.domain import VENUES
from hedgetui.sim.base import VenueProtocol
from hedgetui.sim.binance import BinanceProtocol
from hedgetui.sim.bitmex import BitmexProtocol
from hedgetui.sim.bybit import BybitProtocol
from hedgetui.sim.conn_rules import ConnRules, RulesError, as_rules, parse_rules_spec
from hedgetui.sim.connections import Venue
from hedgetui.sim.control import start_control_server
from hedgetui.sim.deribit import DeribitProtocol
from hedgetui.sim.errors import SimulatorError
from hedgetui.sim.faults import FAULT_KINDS, Fault, FaultError, parse_fault
from hedgetui.sim.kraken import KrakenProtocol
from hedgetui.sim.market import Market
from hedgetui.sim.okx import OkxProtocol
from hedgetui.sim.rest.http import HttpServer
from hedgetui.sim.ruled import RuleKeeper, serve_options
from hedgetui.sim.scenarios import Scenario, ScenarioError, get_scenario
from hedgetui.sim.timeline import FaultSchedule, apply_fault, tick_loop
from hedgetui.sim.urls import url_host

PROTOCOLS: dict[str, type[VenueProtocol]] = {
    "bitmex": BitmexProtocol,
    "bybit": BybitProtocol,
    "binance": BinanceProtocol,
    "deribit": DeribitProtocol,
    "okx": OkxProtocol,
    "kraken": KrakenProtocol,
}
ALL = ("", "all", "*")  # a fault's venue meaning "every running venue"


class OrderFaultTarget(Protocol):
    """What the simulator needs of the REST side's books (`hedgetui.sim.rest.SimAccounts`)
    to route ``order_*`` faults to it."""

    def inject(self, venue: str, fault: str, count: int = 1, **params: Any) -> None: ...

    def pending_faults(self, venue: str) -> int: ...


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
        self._venues: dict[str, Venue] = {}
        all_rules = as_rules(rules, tuple(venues))
        for name in venues:
            proto = PROTOCOLS[name](self.market, tick_hz=tick_hz)
            proto.rules = all_rules[name]
            keeper = RuleKeeper(name, all_rules[name], clock, self._spawn)
            self._venues[name] = Venue(name, proto, keeper, clock, self._spawn)
        self._rest_urls: dict[str, str] = {}
        self._accounts: OrderFaultTarget | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._control: HttpServer | None = None
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
        base = f"{scheme}://{url_host(self.host)}:{v.port}"
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
            apply_fault(v, f, wall_seconds=f.seconds)

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
                    "reject_upgrade": v.upgrade_status,
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
            v.release()
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
                v.serve,
                self.host,
                port + k if port else 0,
                process_request=v.route,
                ping_interval=None,
                server_header=None,
                **serve_options(v.keeper.rules, self.tls),
            )
            v.port = v.server.sockets[0].getsockname()[1]
            self._tasks.append(asyncio.create_task(tick_loop(v), name=f"sim-tick-{name}"))
        schedule = FaultSchedule(self.market, self._venues, self._inject_order_fault)
        self._tasks.append(asyncio.create_task(schedule.run(), name="sim-scheduler"))
        if control:
            control_port = port + len(self._venues) if port else 0
            self._control, url = await start_control_server(self, self.host, control_port)
            self.control_url = url

    # ------------------------------------------------------------------ faults
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

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a fire-and-forget coroutine, keeping a reference until it is done."""
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _venue(self, venue: str) -> Venue:
        try:
            return self._venues[venue]
        except KeyError:
            raise SimulatorError(
                f"unknown or not-running venue {venue!r}; running: {', '.join(self._venues)}"
            ) from None


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
