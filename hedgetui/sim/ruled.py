"""The socket side of the connection rules, shared by the public and the private servers.

:class:`RuledConnection` is the websockets server connection with a :class:`RuleClock`: every
frame the client sends (pongs included) is recorded as it is parsed. :class:`RuleKeeper`
holds a server's rules and counters and, on each of the server's ticks, pings and closes
the connections that break a rule (``check``), logging each break on ``hedgetui.sim``.
:func:`serve_options` gives ``serve()`` the connection class, TLS and compression.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.protocol import Event

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.sim.conn_rules import RULE_KINDS, ConnRules, RuleClock

log = logging.getLogger("hedgetui.sim")


class RuledConnection(ServerConnection):
    """A server connection that records when the client last sent a frame, and a pong."""

    rule_clock: RuleClock | None = None
    clock: Clock = SYSTEM_CLOCK

    def process_event(self, event: Event) -> None:
        rc = self.rule_clock
        if rc is not None and isinstance(event, Frame):
            rc.frame(self.clock.monotonic(), event.opcode is Opcode.PONG)
        super().process_event(event)


def serve_options(rules: ConnRules, tls: ssl.SSLContext | None) -> dict[str, Any]:
    """Keyword arguments of ``websockets.serve`` for a server with these rules."""
    return {
        "create_connection": RuledConnection,
        "compression": "deflate" if rules.compression else None,
        "ssl": tls,
    }


@dataclass(eq=False)
class RuleKeeper:
    """One venue server's rules, its connections' timers, and what broke."""

    venue: str
    rules: ConnRules
    clock: Clock
    spawn: Callable[[Coroutine[Any, Any, Any]], None]
    closes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULE_KINDS, 0))
    last_break: str | None = None

    def opened(self, ws: ServerConnection) -> None:
        """Start ``ws``'s timers (call once the handshake is done)."""
        if isinstance(ws, RuledConnection):
            ws.clock = self.clock
            ws.rule_clock = RuleClock.start(self.rules, self.clock.monotonic())

    def change(self, rules: ConnRules, conns: Iterable[ServerConnection]) -> None:
        """New rules, for the open connections ``conns`` too (their timers carry on)."""
        self.rules = rules
        for ws in conns:
            rc = _rule_clock(ws)
            if rc is not None:
                rc.rules = rules

    def resumed(self, ws: ServerConnection) -> None:
        """The server stalled ``ws`` (a fault): the client could not be heard meanwhile."""
        rc = _rule_clock(ws)
        if rc is not None:
            rc.resumed(self.clock.monotonic())

    def check(self, ws: ServerConnection, conn_id: object) -> bool:
        """Ping ``ws`` if due; close it if it broke a rule. True when it is being closed."""
        if not isinstance(ws, RuledConnection) or ws.rule_clock is None:
            return False
        rc = ws.rule_clock
        now = self.clock.monotonic()
        broken = rc.broken(now)
        if broken is not None:
            rule, reason = broken
            ws.rule_clock = None  # closing: no rule applies any more
            self.record(rule, conn_id, reason)
            self.spawn(ws.close(1000 if rule == "lifetime" else 1008, reason))
            return True
        if rc.ping_due(now):
            self.spawn(_ping(ws))
        return False

    def record(self, rule: str, conn_id: object, reason: str) -> None:
        """Count and log a connection closed by ``rule``."""
        self.closes[rule] = self.closes.get(rule, 0) + 1
        self.last_break = reason if reason.startswith(rule) else f"{rule}: {reason}"
        if rule in ("lifetime", "maintenance"):
            log.info("%s: connection %s closed by the venue: %s", self.venue, conn_id, reason)
        else:
            log.warning(
                "%s: connection %s broke the %s rule, closed: %s", self.venue, conn_id, rule, reason
            )

    def maintenance(self, ws: ServerConnection, conn_id: object, notice: str | None) -> None:
        """Close ``ws`` for planned maintenance: the venue's notice, then its close."""
        if isinstance(ws, RuledConnection):
            ws.rule_clock = None
        self.spawn(self._maintenance(ws, conn_id, notice))

    async def _maintenance(self, ws: ServerConnection, conn_id: object, notice: str | None) -> None:
        r = self.rules
        with contextlib.suppress(ConnectionClosed):
            if notice is not None:
                await ws.send(notice)
                await asyncio.sleep(r.maintenance_notice_s)
            self.record("maintenance", conn_id, f"{r.maintenance_code} {r.maintenance_reason}")
            await ws.close(r.maintenance_code, r.maintenance_reason)

    def status(self) -> dict[str, Any]:
        return {"rules": self.rules.describe(), "rule_closes": dict(self.closes)} | {
            "last_rule_close": self.last_break
        }


def _rule_clock(ws: ServerConnection) -> RuleClock | None:
    return ws.rule_clock if isinstance(ws, RuledConnection) else None


async def _ping(ws: ServerConnection) -> None:
    with contextlib.suppress(ConnectionClosed, RuntimeError):
        await ws.ping()
