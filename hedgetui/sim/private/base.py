"""What every simulated private stream shares: the session, the protocol base, helpers."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from hedgetui.clock import Clock
from hedgetui.sim.rest.accounts import DEMO_API_KEY, DEMO_API_SECRET, DEMO_PASSPHRASE, SimAccounts
from hedgetui.sim.rest.listing import INSTRUMENTS

MarkFn = Callable[[str], float]
SATS = 100_000_000
BITMEX_ACCOUNT = 299045
_conn_ids = itertools.count(1)


def dumps(obj: Any) -> str:
    return orjson.dumps(obj).decode()


def hmac_hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def dec(x: float) -> str:
    text = f"{x:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def iso_ms(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class SimCredentials:
    api_key: str = DEMO_API_KEY
    api_secret: str = DEMO_API_SECRET
    passphrase: str = DEMO_PASSPHRASE

    def __repr__(self) -> str:  # never show the secret
        return f"SimCredentials(api_key={self.api_key!r}, api_secret='***')"


@dataclass(eq=False)
class PrivateSession:
    """One client connection as a venue's private protocol sees it."""

    path: str
    conn_id: str = field(default_factory=lambda: f"p{next(_conn_ids):06x}")
    authed: bool = False
    topics: set[str] = field(default_factory=set)
    sent: dict[str, Any] = field(default_factory=dict)  # key -> last state pushed
    challenge: str | None = None
    close_with: tuple[int, str] | None = None


@dataclass(frozen=True, slots=True)
class Held:
    """One instrument's position as the books hold it (entry 0 when flat)."""

    symbol: str
    coin: str
    contracts: float
    entry: float
    contract_size: float
    updated_ms: int
    leverage: float = 10.0  # the position's leverage as the books hold it


class PrivateProtocol(ABC):
    """One venue's private stream: pure bookkeeping, frames in and out (no sockets)."""

    venue: str
    path: str

    def __init__(
        self, accounts: SimAccounts, mark: MarkFn, creds: SimCredentials, clock: Clock
    ) -> None:
        self.accounts = accounts
        self.mark = mark
        self.creds = creds
        self.clock = clock

    def accepts(self, path: str) -> bool:
        return path.split("?")[0] == self.path

    def open(self, session: PrivateSession) -> list[str]:
        return []

    @abstractmethod
    def receive(self, session: PrivateSession, text: str) -> list[str]: ...

    @abstractmethod
    def push(self, session: PrivateSession) -> list[str]:
        """Frames for whatever changed in the books since this session's last push."""

    # ------------------------------------------------------------------ the books

    def now_ms(self) -> int:
        return int(self.clock.time() * 1000)

    def held(self) -> list[Held]:
        out = []
        for symbol, spec in INSTRUMENTS[self.venue].items():
            pos = self.accounts.position_record(self.venue, symbol)
            leverage = self.accounts.leverage(self.venue, symbol)
            out.append(
                Held(
                    symbol,
                    spec.coin,
                    pos.contracts,
                    pos.entry,
                    spec.contract_size,
                    pos.updated_ms,
                    leverage,
                )
            )
        return out

    def coins(self) -> list[str]:
        return sorted({spec.coin for spec in INSTRUMENTS[self.venue].values()})

    def changed_positions(self, session: PrivateSession, topic: str) -> list[Held]:
        """Positions whose (contracts, entry, leverage) differ from what ``topic`` last pushed."""
        out = []
        for h in self.held():
            key = f"{topic}:{h.symbol}"
            state = (h.contracts, h.entry, h.leverage)
            if session.sent.get(key) != state:
                session.sent[key] = state
                out.append(h)
        return out

    def changed_balances(self, session: PrivateSession, topic: str) -> list[tuple[str, float]]:
        out = []
        for coin in self.coins():
            key = f"{topic}:{coin}"
            amount = self.accounts.balance(self.venue, coin)
            if session.sent.get(key) != amount:
                session.sent[key] = amount
                out.append((coin, amount))
        return out

    def mark_all_sent(self, session: PrivateSession, topic: str) -> None:
        """Record the current books as pushed (after a snapshot)."""
        self.changed_positions(session, topic)
        self.changed_balances(session, topic)

    @staticmethod
    def decode(text: str) -> Any:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return None
