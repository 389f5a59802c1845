"""Each venue's connection rules, as the simulator enforces them (pure: rules and checks, no I/O).

A real venue closes a connection that breaks its rules, usually hours into a session; these
rules make the simulator do the same, on by default with each venue's documented value and
shortenable for tests (``--conn-rules short`` or ``idle=3,lifetime=10``, see
:func:`parse_rules_spec`). The servers (``timeline.py``, ``private/server.py``) ask
:meth:`RuleClock.broken` on every tick and closes the connection with the venue's words; a
break caused by the client (idle, unanswered pings, unanswered heartbeat) is logged on
``hedgetui.sim`` and counted in the simulator's status.

Sources (``/work/shared/exchanges/README.md`` sections "Keep-alive" and the venues' pages):

* **OKX**: "the server drops a connection with no subscription or with no data for 30 s; keep
  a timer N < 30 s reset on every message; when it fires send the text ``ping``" (OKX v5 docs,
  Connection). Service upgrades: a ``{"event":"notice","code":"64008","msg":"The connection
  will soon be closed for a service upgrade. Please reconnect."}`` frame 30 s before the close
  (OKX v5 docs, Notice; nautilus ``OKX_SERVICE_UPGRADE_RECONNECT_CODE``).
* **Bybit**: ``{"op":"ping"}`` recommended every 20 s; "without ping-pong and without data the
  server closes the socket after 10 min" (Bybit v5 docs, wss-authentication / connect).
* **Binance COIN-M**: "the websocket server will send a ping frame every 3 minutes. If the
  websocket server does not receive a pong frame back from the connection within a 10 minute
  period, the connection will be disconnected"; "a single connection is only valid for 24
  hours" (developers.binance.com, coin-margined futures, Websocket Market Streams).
* **Deribit**: after ``public/set_heartbeat`` a ``test_request`` must be answered with
  ``public/test`` "or the API server will immediately close the connection" (docs.deribit.com,
  public/set_heartbeat). The deadline is the heartbeat interval the client asked for (>= 10 s).
* **Kraken Futures**: "in order to keep the websocket connection alive, you will need to make a
  ping request at least every 60 seconds" (support.kraken.com 360022635632; docs.kraken.com
  futures websocket, Connection management). Whether a WS ping frame counts is undocumented
  [U]: any frame from the client counts here.
* **BitMEX**: documents no server-side idle cut-off; its advice is for the CLIENT (ping after
  ~5 s of silence, reconnect without a pong within ~5 s) [U]. No idle rule by default.

The idle rule counts frames FROM the client (data or control), which is stricter than a venue
that also counts its own pushes (OKX, Bybit): it proves the client's keep-alive, not the
market's activity. Planned-maintenance closes use 1001 (going away) where the venue documents
no code [U]. permessage-deflate: none of the sources says whether the venue negotiates it [U];
the simulator offers it by default (as the websockets library does) and ``compression=off``
refuses it, so the clients are tested both ways.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

# Rule fields a spec may set, by their short names in ``--conn-rules``.
_SPEC_NAMES = {
    "idle": "idle_s",
    "ping": "ping_every_s",
    "pong": "pong_within_s",
    "lifetime": "lifetime_s",
    "heartbeat": "heartbeat_s",
    "notice": "maintenance_notice_s",
    "compression": "compression",
}
OKX_MAINTENANCE_NOTICE = (
    '{{"event":"notice","code":"64008","msg":"The connection will soon be closed for a '
    'service upgrade. Please reconnect.","connId":"{conn_id}"}}'
)


class RulesError(ValueError):
    """A connection-rules spec that cannot be applied; the message says why."""


@dataclass(frozen=True, slots=True)
class ConnRules:
    """One venue's connection rules. Seconds; None = the rule is off."""

    idle_s: float | None = None  # close when the client sent no frame for this long
    ping_every_s: float | None = None  # the server sends a WS ping this often...
    pong_within_s: float | None = None  # ...and closes when no pong came this long after one
    lifetime_s: float | None = None  # close every connection at this age
    heartbeat_s: float | None = None  # Deribit: cap on the test_request interval asked for
    maintenance_code: int = 1001
    maintenance_reason: str = "going away: planned maintenance"
    maintenance_notice: str | None = None  # a frame sent before a maintenance close
    maintenance_notice_s: float = 0.0  # ...this long before it
    compression: bool = True  # offer permessage-deflate

    def describe(self) -> dict[str, float | str | bool | None]:
        """JSON-ready, for the simulator's status."""
        return {
            "idle_s": self.idle_s,
            "ping_every_s": self.ping_every_s,
            "pong_within_s": self.pong_within_s,
            "lifetime_s": self.lifetime_s,
            "heartbeat_s": self.heartbeat_s,
            "maintenance": f"{self.maintenance_code} {self.maintenance_reason}",
            "maintenance_notice_s": self.maintenance_notice_s,
            "compression": self.compression,
        }


VENUE_RULES: dict[str, ConnRules] = {
    "okx": ConnRules(
        idle_s=30.0,
        maintenance_code=1001,
        maintenance_reason="service upgrade",
        maintenance_notice=OKX_MAINTENANCE_NOTICE,
        maintenance_notice_s=30.0,
    ),
    "bybit": ConnRules(idle_s=600.0),
    "binance": ConnRules(ping_every_s=180.0, pong_within_s=600.0, lifetime_s=24 * 3600.0),
    "deribit": ConnRules(),  # the heartbeat deadline is the interval the client set
    "kraken": ConnRules(idle_s=60.0),
    "bitmex": ConnRules(),
}
NO_RULES = ConnRules()
SHORT = {  # "short": every documented rule shortened so that a test sees it in seconds
    "idle_s": 3.0,
    "ping_every_s": 1.0,
    "pong_within_s": 3.0,
    "lifetime_s": 10.0,
    "heartbeat_s": 1.0,
    "maintenance_notice_s": 1.0,
}


def default_rules(venue: str) -> ConnRules:
    return VENUE_RULES.get(venue, NO_RULES)


def shortened(rules: ConnRules) -> ConnRules:
    """``rules`` with each rule that is on shortened to :data:`SHORT` (off rules stay off),
    and on every venue the lifetime rule (the one rule a client must survive by reconnecting)
    and the heartbeat cap (only Deribit has heartbeats)."""
    changes: dict[str, Any] = {}
    for name, value in SHORT.items():
        always = name in ("lifetime_s", "maintenance_notice_s", "heartbeat_s")
        if always or getattr(rules, name) is not None:
            changes[name] = value
    if rules.ping_every_s is not None:
        changes["pong_within_s"] = SHORT["pong_within_s"]
    return replace(rules, **changes)


def parse_rules_spec(
    spec: str, venues: tuple[str, ...], base: Mapping[str, ConnRules] | None = None
) -> dict[str, ConnRules]:
    """The rules of each of ``venues`` from a spec such as ``short``, ``off``, ``default``,
    ``idle=3,lifetime=10`` or ``default,okx.idle=5,binance.lifetime=off``.

    Items apply left to right: a preset (``default``: the venues' documented values, ``short``,
    ``off``), then ``[venue.]rule=seconds|off`` (rules: idle, ping, pong, lifetime, heartbeat,
    notice; ``compression=on|off``), starting from ``base`` (default: the documented values).
    Raises :class:`RulesError` naming what is wrong.
    """
    rules = {v: default_rules(v) for v in venues}
    if base is not None:
        rules |= {v: base[v] for v in venues if v in base}
    for raw in spec.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        if item == "default":
            rules = {v: default_rules(v) for v in venues}
            continue
        if item == "short":
            rules = {v: shortened(r) for v, r in rules.items()}
            continue
        if item == "off":
            rules = {v: replace(NO_RULES, compression=r.compression) for v, r in rules.items()}
            continue
        key, sep, text = item.partition("=")
        if not sep:
            raise RulesError(
                f"conn rules: {raw.strip()!r} is neither a preset (default, short, off) nor "
                "rule=value"
            )
        venue, dot, name = key.rpartition(".")
        targets = venues if not dot else (venue,)
        if dot and venue not in venues:
            raise RulesError(f"conn rules: unknown or not-running venue {venue!r} in {item!r}")
        field_name = _SPEC_NAMES.get(name)
        if field_name is None:
            raise RulesError(f"conn rules: unknown rule {name!r}; known: {', '.join(_SPEC_NAMES)}")
        change: dict[str, Any] = {field_name: _rule_value(name, text)}
        for v in targets:
            rules[v] = replace(rules[v], **change)
    return rules


def _rule_value(name: str, text: str) -> float | bool | None:
    if name == "compression":
        if text in ("on", "1", "true", "yes"):
            return True
        if text in ("off", "0", "false", "no"):
            return False
        raise RulesError(f"conn rules: compression={text!r} must be on or off")
    if text in ("off", "none"):
        if name == "notice":
            return 0.0
        return None
    try:
        seconds = float(text)
    except ValueError:
        raise RulesError(f"conn rules: {name}={text!r} is not a number of seconds") from None
    if not (math.isfinite(seconds) and seconds > 0) and not (name == "notice" and seconds == 0):
        raise RulesError(f"conn rules: {name} must be a positive number of seconds, got {text}")
    return seconds


def rule_names() -> tuple[str, ...]:
    return tuple(_SPEC_NAMES)


def as_rules(
    value: str | Mapping[str, ConnRules] | None, venues: tuple[str, ...]
) -> dict[str, ConnRules]:
    """Rules for ``venues`` from a spec string, a mapping (missing venues: defaults) or None
    (the defaults)."""
    if value is None:
        return {v: default_rules(v) for v in venues}
    if isinstance(value, str):
        return parse_rules_spec(value, venues)
    return {v: value.get(v, default_rules(v)) for v in venues}


@dataclass(slots=True)
class RuleClock:
    """One connection's timers against its venue's rules (times: the simulator's clock)."""

    rules: ConnRules
    opened_at: float
    last_frame_at: float  # the last frame FROM the client
    last_pong_at: float
    last_ping_at: float
    oldest_unanswered_ping: float | None = None

    @classmethod
    def start(cls, rules: ConnRules, now: float) -> RuleClock:
        return cls(rules, now, now, now, now)

    def frame(self, now: float, pong: bool) -> None:
        """The client sent a frame (``pong``: a pong frame, solicited or not)."""
        self.last_frame_at = now
        if pong:
            self.last_pong_at = now
            self.oldest_unanswered_ping = None

    def ping_due(self, now: float) -> bool:
        """True when the server should send a WS ping now (and records it as sent)."""
        every = self.rules.ping_every_s
        if every is None or now - self.last_ping_at < every:
            return False
        self.last_ping_at = now
        if self.oldest_unanswered_ping is None:
            self.oldest_unanswered_ping = now
        return True

    def resumed(self, now: float) -> None:
        """The server itself stalled: forget what the client could not do meanwhile."""
        self.last_frame_at = now
        self.last_pong_at = now
        self.oldest_unanswered_ping = None

    def broken(self, now: float) -> tuple[str, str] | None:
        """``(rule, reason)`` of the first rule this connection breaks now, else None.

        ``rule`` is one of idle, pong, lifetime. The reason is what the server's close says.
        """
        r = self.rules
        if r.lifetime_s is not None and now - self.opened_at >= r.lifetime_s:
            return "lifetime", f"connection lifetime {_secs(r.lifetime_s)} reached"
        if r.idle_s is not None and now - self.last_frame_at >= r.idle_s:
            return "idle", f"idle: no message for {_secs(r.idle_s)}"
        if (
            r.pong_within_s is not None
            and self.oldest_unanswered_ping is not None
            and now - self.oldest_unanswered_ping >= r.pong_within_s
        ):
            return "pong", f"ping not answered within {_secs(r.pong_within_s)}"
        return None


def _secs(x: float) -> str:
    if x >= 3600 and x % 3600 == 0:
        return f"{x / 3600:g}h"
    if x >= 60 and x % 60 == 0:
        return f"{x / 60:g}min"
    return f"{x:g}s"


RULE_KINDS = ("idle", "pong", "lifetime", "heartbeat", "maintenance")
"""What the status counts: the rules a connection can be closed by."""

__all__ = [
    "NO_RULES",
    "RULE_KINDS",
    "SHORT",
    "VENUE_RULES",
    "ConnRules",
    "RuleClock",
    "RulesError",
    "as_rules",
    "default_rules",
    "parse_rules_spec",
    "rule_names",
    "shortened",
]
