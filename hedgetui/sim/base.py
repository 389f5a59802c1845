"""What every simulated venue protocol shares: the session, the protocol interface, templates.

A venue protocol is pure bookkeeping: it turns client messages and market ticks into the
frames the real venue would send. It never touches a socket; the server side
(``connections.py``, ``timeline.py``) owns connections, queues and faults. Frames are built
from the venues' real sample messages (``templates/*.json``), never from ``hedgetui.feeds``.
"""

from __future__ import annotations

import copy
import itertools
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from hedgetui.sim.conn_rules import NO_RULES
from hedgetui.sim.market import Market, Quote

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
Frame = str | bytes
_conn_ids = itertools.count(1)


@cache
def _template_text(name: str) -> bytes:
    return (TEMPLATES_DIR / name).read_bytes()


def template(name: str) -> Any:
    """A fresh, mutable copy of a real sample message (key order preserved)."""
    return copy.deepcopy(orjson.loads(_template_text(name)))


def dumps(obj: Any) -> str:
    return orjson.dumps(obj).decode()


def iso_ms(ms: int) -> str:
    """BitMEX-style ISO-8601 with milliseconds and Z."""
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def round_tick(x: float, tick: float) -> float:
    return round(round(x / tick) * tick, 10)


def js_number(x: float) -> float | int:
    """A JSON number as a JavaScript server prints it (46704, not 46704.0)."""
    return int(x) if float(x).is_integer() else x


def fmt_rate(x: float) -> str:
    """A funding rate as a decimal string without exponent ("-0.00375", "0.0001")."""
    s = f"{x:.10f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


class Session:
    """One client connection, as its venue protocol sees it."""

    def __init__(self, path: str) -> None:
        self.conn_id = next(_conn_ids)
        split = urlsplit(path)
        self.path = split.path
        self.query: dict[str, list[str]] = parse_qs(split.query)
        self.state: Any = None  # owned by the venue protocol
        self.close_with: tuple[int, str] | None = None  # the protocol asks the server to close
        self.broke: str | None = None  # the rule the client broke, when close_with says why


class VenueProtocol(ABC):
    """One venue's public market-data websocket protocol."""

    name: str
    paths: tuple[str, ...]
    symbols: tuple[str, ...]
    base_hz: float = 1.0
    """How often the venue pushes its fastest channel (frames per second)."""

    def __init__(self, market: Market, *, tick_hz: float | None = None) -> None:
        self.market = market
        self.rules = NO_RULES  # the venue's connection rules (the server sets them)
        self.override = tick_hz is not None
        self.hz = tick_hz if tick_hz is not None else self.base_hz
        self.delisted: set[str] = set()  # the ``delist`` fault: answered as unknown symbols

    def listed(self, symbol: str) -> bool:
        """A symbol this venue serves now (not delisted)."""
        return symbol in self.symbols and symbol not in self.delisted

    # --- routing
    def accepts_path(self, path: str) -> bool:
        return urlsplit(path).path in self.paths

    # --- lifecycle
    @abstractmethod
    def open(self, session: Session) -> list[Frame]:
        """Frames sent right after the handshake (welcome, URL subscriptions)."""

    @abstractmethod
    def receive(self, session: Session, message: Frame) -> list[Frame]:
        """Replies to one client message."""

    @abstractmethod
    def tick(self, session: Session, quotes: Mapping[str, Quote], n: int) -> list[Frame]:
        """Frames for tick number ``n`` (the server calls this ``hz`` times a second)."""

    def garbage(self, session: Session, count: int) -> list[Frame]:
        """Malformed frames: a truncated copy of a real frame, then non-JSON text."""
        real = self.sample_frame()
        out: list[Frame] = []
        for k in range(count):
            out.append(real[: max(1, len(real) // 2)] if k % 2 == 0 else "\x00garbage}{")
        return out

    def resumed(self, session: Session) -> None:
        """The venue's stall ended: forget deadlines the client could not meet meanwhile."""
        return None  # most venues keep no deadlines

    @abstractmethod
    def sample_frame(self) -> str:
        """One representative data frame (used to build garbage)."""

    # --- helpers
    def due(self, n: int, channel_hz: float) -> bool:
        """True when a channel pushing ``channel_hz`` times a second sends at tick ``n``."""
        if self.override or channel_hz >= self.hz:
            return True
        return n % max(1, round(self.hz / channel_hz)) == 0

    def quotes_now(self) -> dict[str, Quote]:
        return {coin: self.market.quote(coin) for coin in self.market.scenario.coins}

    def coin_of(self, symbol: str) -> str:
        s = symbol.upper()
        return "BTC" if ("XBT" in s or s.startswith("BTC")) else "ETH"

    def decode(self, message: Frame) -> Any:
        """Parse JSON; raises ValueError (orjson.JSONDecodeError) on garbage."""
        return orjson.loads(message)


def as_list(value: Any) -> Sequence[Any]:
    if isinstance(value, list):
        return value
    return [value]
