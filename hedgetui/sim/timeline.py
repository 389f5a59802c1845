"""What happens to the venues over time: each venue's tick loop, the scenario's scheduled
faults, and a fault applied to one venue's connections (``faults.FAULT_KINDS``)."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Mapping, Sequence

from hedgetui.sim.connections import Venue
from hedgetui.sim.errors import SimulatorError
from hedgetui.sim.faults import Fault, FaultError, parse_fault
from hedgetui.sim.market import Market

log = logging.getLogger("hedgetui.sim")

SCHEDULER_PERIOD_S = 0.05

InjectOrderFault = Callable[[Sequence[str], Fault], None]  # raises SimulatorError


async def tick_loop(v: Venue) -> None:
    """Tick ``v``'s protocol at its rate, pushing each tick's frames to every connection and
    checking the connection rules; a late tick is skipped, not burst."""
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
        v.expire_stall()
        if v.stalled or not v.conns:
            continue
        try:
            quotes = v.protocol.quotes_now()
            for conn in list(v.conns):
                if v.keeper.check(conn.ws, conn.session.conn_id):
                    continue  # closing: it broke a rule (or reached its lifetime)
                for frame in v.protocol.tick(conn.session, quotes, n):
                    conn.put(frame)
                v.after(conn)
        except Exception:
            log.exception("%s: tick failed", v.name)


class FaultSchedule:
    """Fires the scenario's scheduled faults (once per pass when the scenario loops)."""

    def __init__(
        self, market: Market, venues: Mapping[str, Venue], inject_order_fault: InjectOrderFault
    ) -> None:
        self.market = market
        self.venues = venues
        self.inject_order_fault = inject_order_fault
        self._fired: dict[int, int] = {}

    async def run(self) -> None:
        scenario = self.market.scenario
        duration = scenario.duration_s
        while True:
            await asyncio.sleep(SCHEDULER_PERIOD_S)
            for v in self.venues.values():
                v.expire_stall()
            t = self.market.scenario_time()
            for i, sf in enumerate(scenario.faults):
                if t < sf.at_s:
                    continue
                passes = 1
                if scenario.loop and duration > 0:
                    passes = math.floor((t - sf.at_s) / duration) + 1
                if self._fired.get(i, 0) >= passes:
                    continue
                self._fired[i] = passes
                if sf.venue not in self.venues and sf.kind != "jump":
                    continue
                try:
                    f = parse_fault(sf.kind, sf.params)
                except FaultError as e:
                    log.error("scenario %s: bad scheduled fault: %s", scenario.name, e)
                    continue
                if f.kind == "jump":
                    self.market.jump(f.coin, f.pct)
                    continue
                if f.is_order_fault:
                    try:
                        self.inject_order_fault((sf.venue,), f)
                    except SimulatorError as e:
                        log.error("scenario %s: scheduled fault skipped: %s", scenario.name, e)
                    continue
                wall = f.seconds / self.market.speed if f.seconds is not None else None
                apply_fault(self.venues[sf.venue], f, wall_seconds=wall)


def apply_fault(v: Venue, f: Fault, *, wall_seconds: float | None) -> None:
    """Apply a connection fault (not ``jump``, not ``order_*``) to ``v`` now."""
    if f.kind == "drop":
        for c in list(v.conns):
            c.ws.transport.abort()
    elif f.kind == "stall":
        v.stall(wall_seconds)
    elif f.kind == "resume":
        v.resume()
    elif f.kind == "garbage":
        for c in v.conns:
            for frame in v.protocol.garbage(c.session, f.count):
                c.put(frame)
    elif f.kind == "accept_then_close":
        v.accept_then_close = f.enabled
        v.close_new_with = (f.code, f.reason)
    elif f.kind == "delist":
        if f.enabled:
            v.protocol.delisted.add(f.symbol)
        else:
            v.protocol.delisted.discard(f.symbol)
    elif f.kind == "reject_upgrade":
        v.upgrade_status = f.status
    elif f.kind == "close_code":
        for c in list(v.conns):
            v.spawn(c.ws.close(f.code, f.reason))
    elif f.kind == "slow":
        v.slow_delay = f.delay
    elif f.kind == "maintenance":
        notice = v.keeper.rules.maintenance_notice
        for c in list(v.conns):
            text = None if notice is None else notice.format(conn_id=c.session.conn_id)
            v.keeper.maintenance(c.ws, c.session.conn_id, text)
