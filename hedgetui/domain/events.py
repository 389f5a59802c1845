"""What flows into the store: market events, feed status and failures, account updates.

The feed adapters build the market events (``MarkPrice``, ``IndexPrice``, ``Funding``, and the
``Ticker`` that carries all three), the feeds report their connection's ``FeedStatus`` and why it
is down (``FeedFailure``), and the account streams the ``PositionUpdate`` and ``BalanceUpdate``
the exchange reports; the venue names and the small literal types every layer shares are here
too. Immutable values, no I/O (the units: :mod:`hedgetui.domain`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, NamedTuple

VenueName = Literal["bitmex", "bybit", "binance", "deribit", "okx", "kraken"]
VENUES: tuple[VenueName, ...] = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")

Side = Literal["long", "short"]
MmBasis = Literal["mark", "entry"]
MarginMode = Literal["isolated", "cross"]


# --------------------------------------------------------------------------- events


# The market events are NamedTuples, not frozen dataclasses: feeds build one (``Ticker``) to three
# per frame at up to hundreds of thousands of frames a second, and a NamedTuple is built ~2x faster
# (~4x with ``tuple.__new__(MarkPrice, (...))``, which the feed adapters use). They stay immutable
# with the same fields, order, defaults and attribute access. A plain NamedTuple would compare
# equal to any tuple with the same items, so ``MarkPrice(*x) == IndexPrice(*x)`` would be True and
# a mark mistaken for an index would slip through a test; equality is therefore keyed on the type
# (``_event_eq``; ``MarkPrice``, ``IndexPrice``, ``Funding`` and ``Ticker`` alike), which costs
# nothing when events are built or stored. Hashes stay tuple hashes (equal events hash equal).
# Ordering (``<``) is tuple ordering and means nothing; do not rely on it. Use ``isinstance``/
# ``type`` to tell the kinds apart and ``event._replace(...)`` to copy.


def _event_eq(self: tuple[object, ...], other: object) -> bool:
    """Equal only to an event of the same type with equal fields (never to a bare tuple)."""
    return type(self) is type(other) and tuple.__eq__(self, other)


class MarkPrice(NamedTuple):
    """The venue's mark price of one instrument (USD per coin).

    A NamedTuple for speed; equal only to a ``MarkPrice`` with equal fields (see the note above).
    """

    venue: str
    symbol: str
    price: float
    ts: int | None

    def __eq__(self, other: object) -> bool:
        return _event_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return not _event_eq(self, other)

    def __hash__(self) -> int:  # defining __eq__ would otherwise make it unhashable
        return tuple.__hash__(self)


class IndexPrice(NamedTuple):
    """The venue's index (spot reference) price; ``symbol`` is the index's own id on OKX.

    A NamedTuple for speed; equal only to an ``IndexPrice`` with equal fields (see the note above).
    """

    venue: str
    symbol: str
    price: float
    ts: int | None

    def __eq__(self, other: object) -> bool:
        return _event_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return not _event_eq(self, other)

    def __hash__(self) -> int:  # defining __eq__ would otherwise make it unhashable
        return tuple.__hash__(self)


class Funding(NamedTuple):
    """Funding for one instrument. ``rate`` is per funding interval, positive = longs pay.

    A NamedTuple for speed; equal only to a ``Funding`` with equal fields (see the note above).
    """

    venue: str
    symbol: str
    rate: float
    predicted_rate: float | None
    next_funding_time: int | None
    ts: int | None
    interval_hours: float | None = None

    def __eq__(self, other: object) -> bool:
        return _event_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return not _event_eq(self, other)

    def __hash__(self) -> int:  # defining __eq__ would otherwise make it unhashable
        return tuple.__hash__(self)


class Ticker(NamedTuple):
    """The values one frame carried for one instrument: mark, index and funding in one event.

    Venues whose ticker frame carries several values (BitMEX, Bybit, Binance, Deribit, Kraken)
    emit one ``Ticker`` per instrument and frame instead of a ``MarkPrice``, an ``IndexPrice`` and
    a ``Funding``: one object to build and store instead of three is what keeps ingest near the
    cost of decoding the JSON. ``mark``/``index`` None: not in this frame (no change). The index
    belongs to the instrument's own ``symbol``. ``funding_rate`` None: no funding in this frame
    (``predicted_rate``, ``next_funding_time`` and ``interval_hours`` then mean nothing).
    :meth:`parts` gives the equivalent classic events. A NamedTuple for speed; equal only to a
    ``Ticker`` with equal fields (see the note above ``MarkPrice``).
    """

    venue: str
    symbol: str
    ts: int | None
    mark: float | None
    index: float | None  # type: ignore[assignment]  # shadows tuple.index (unused on events)
    funding_rate: float | None
    predicted_rate: float | None
    next_funding_time: int | None
    interval_hours: float | None

    def parts(self) -> list[MarkPrice | IndexPrice | Funding]:
        """The classic events this ticker stands for: mark, index, funding, each when present."""
        venue, symbol, ts = self.venue, self.symbol, self.ts
        out: list[MarkPrice | IndexPrice | Funding] = []
        if self.mark is not None:
            out.append(MarkPrice(venue, symbol, self.mark, ts))
        if self.index is not None:
            out.append(IndexPrice(venue, symbol, self.index, ts))
        if self.funding_rate is not None:
            out.append(
                Funding(
                    venue,
                    symbol,
                    self.funding_rate,
                    self.predicted_rate,
                    self.next_funding_time,
                    ts,
                    self.interval_hours,
                )
            )
        return out

    def __eq__(self, other: object) -> bool:
        return _event_eq(self, other)

    def __ne__(self, other: object) -> bool:
        return not _event_eq(self, other)

    def __hash__(self) -> int:  # defining __eq__ would otherwise make it unhashable
        return tuple.__hash__(self)


def split_market_events(
    events: Iterable[MarkPrice | IndexPrice | Funding | Ticker],
) -> list[MarkPrice | IndexPrice | Funding]:
    """The events as classic ones: each ``Ticker`` replaced by its :meth:`Ticker.parts`."""
    out: list[MarkPrice | IndexPrice | Funding] = []
    for event in events:
        if isinstance(event, Ticker):
            out += event.parts()
        else:
            out.append(event)
    return out


class FeedState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    STALE = "stale"
    DOWN = "down"


class FailureKind(StrEnum):
    """Why a connection is down (``hedgetui.feeds.failure`` classifies; docs/feeds.md lists)."""

    DNS = "dns"  # the venue's host name does not resolve
    REFUSED = "refused"  # nothing listens there (connection refused)
    UNREACHABLE = "unreachable"  # no route to the host or network
    TIMEOUT = "timeout"  # no answer to the connect or the handshake in time
    TLS = "tls"  # certificate not trusted, or a TLS protocol error
    HTTP = "http"  # the websocket upgrade was answered with an HTTP status (403, 451, 503)
    CLOSED = "closed"  # closed by the venue with a close code and reason
    LOST = "lost"  # the connection dropped without a close frame
    REJECTED = "rejected"  # the venue refused a subscription (e.g. an unknown symbol)
    AUTH = "auth"  # the venue refused the login of an account stream
    SILENT = "silent"  # our watchdog closed a socket that stayed silent
    ERROR = "error"  # anything else (the reason says what)


@dataclass(frozen=True, slots=True)
class FeedFailure:
    """The last reason a connection is (or was) not live, in words.

    ``reason``: the full sentence (``connection refused by 127.0.0.1:9``); ``code``: the HTTP
    status or websocket close code when there is one; ``retry_at``: wall-clock epoch seconds of
    the next connection attempt (None while connected or connecting).
    """

    kind: FailureKind
    reason: str
    code: int | None = None
    retry_at: float | None = None

    @property
    def short(self) -> str:
        """The status line's words: the kind, with the HTTP status or close code
        (``refused``, ``http 403``, ``closed 1013``; ``no route`` for unreachable)."""
        word = "no route" if self.kind is FailureKind.UNREACHABLE else self.kind.value
        if self.code is not None and self.kind in (FailureKind.HTTP, FailureKind.CLOSED):
            return f"{word} {self.code}"
        return word


def shown_failure(state: FeedState, failure: FeedFailure | None) -> FeedFailure | None:
    """The failure a feed or account says in place of its state: while it is not live, or
    when a subscription of a live feed was rejected (its other symbols stream)."""
    if failure is None or (state is FeedState.LIVE and failure.kind is not FailureKind.REJECTED):
        return None
    return failure


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """Connection health of one venue's market-data feed."""

    venue: str
    state: FeedState
    last_error: str | None = None
    reconnects: int = 0
    last_message_age: float | None = None
    latency_ms: float | None = None
    malformed: int = 0
    failure: FeedFailure | None = None  # why it is not live, while that matters


@dataclass(frozen=True, slots=True)
class PositionUpdate:
    """The futures position as the exchange account reports it.

    ``contracts`` is signed (negative = short); ``contract_size`` is USD per contract.
    """

    venue: str
    symbol: str
    contracts: float
    contract_size: float
    entry_price: float | None
    liquidation_price: float | None = None
    margin_mode: MarginMode | None = None
    leverage: float | None = None
    isolated_margin: float | None = None
    ts: int | None = None
    account: str | None = None


@dataclass(frozen=True, slots=True)
class BalanceUpdate:
    """Wallet balance in coin (the settlement coin of the inverse contracts)."""

    venue: str
    coin: str
    wallet_balance: float
    ts: int | None = None
    account: str | None = None
    # the margin the venue says new orders may use (coin), when its reply says: BitMEX
    # availableMargin, Bybit equity - totalPositionIM, Binance availableBalance, Deribit
    # available_funds, OKX availEq, Kraken auxiliary.af
    available_margin: float | None = None


MarketEvent = MarkPrice | IndexPrice | Funding | Ticker
Event = MarkPrice | IndexPrice | Funding | Ticker | FeedStatus | PositionUpdate | BalanceUpdate
