"""Typed orders, order results and the errors a venue can answer with.

Every venue reply is parsed into one of these; a venue's own message travels in the
error (redacted of secrets by the client before it is raised).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OrderSide = Literal["buy", "sell"]
OrderType = Literal["market", "limit"]
# Normalised order state across venues.
OrderStatus = Literal["new", "partially_filled", "filled", "canceled", "rejected", "unknown"]
TERMINAL: frozenset[str] = frozenset({"filled", "canceled", "rejected"})


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """One reduce-only order exactly as it will be sent (quantities in the venue's contracts)."""

    venue: str
    symbol: str
    side: OrderSide
    contracts: float
    contract_size: float  # USD per contract (Deribit sends the amount in USD)
    order_type: OrderType
    client_order_id: str
    price: float | None = None
    reduce_only: bool = True
    coin: str = "BTC"
    margin_mode: Literal["isolated", "cross"] | None = None  # OKX tdMode; None = ask the venue


@dataclass(frozen=True, slots=True)
class OrderResult:
    """The venue's view of an order (from placement or a lookup by client id)."""

    venue: str
    client_order_id: str
    order_id: str | None
    status: OrderStatus
    filled_contracts: float
    avg_price: float | None = None
    raw_status: str = ""
    message: str = ""  # the venue's reason text for a rejected/cancelled order

    @property
    def done(self) -> bool:
        return self.status in TERMINAL


class TradingError(Exception):
    """A venue answered with an error (or did not answer). ``str()`` is a readable message."""

    kind = "error"
    retry_safe = False  # True when the order may or may not exist: look it up before anything else

    def __init__(
        self, venue: str, message: str, *, code: str | None = None, http: int | None = None
    ):
        self.venue = venue
        self.message = message
        self.code = code
        self.http = http
        super().__init__(self.describe())

    def describe(self) -> str:
        code = f" [{self.code}]" if self.code is not None else ""
        http = f" (HTTP {self.http})" if self.http is not None else ""
        return f"{self.venue}: {self.kind}{code}{http}: {self.message}"


class OrderRejected(TradingError):
    kind = "order rejected"


class DuplicateClientOrderId(OrderRejected):
    kind = "duplicate client order id"


class ReduceOnlyViolation(OrderRejected):
    kind = "reduce-only order would not reduce the position"


class RateLimited(TradingError):
    kind = "rate limited"


class AuthError(TradingError):
    kind = "authentication failed"


class ServerError(TradingError):
    """5xx: the request may or may not have reached the engine."""

    kind = "venue server error"
    retry_safe = True


class LostReply(TradingError):
    """Timeout or dropped connection after sending: the order may exist."""

    kind = "no reply"
    retry_safe = True


class BadReply(TradingError):
    """A reply we cannot parse (the message says what was wrong)."""

    kind = "unexpected reply"


@dataclass(frozen=True, slots=True)
class KeyPermissions:
    """What a venue says an API key may do (from its key-info endpoint).

    ``detail`` is the venue's own words for it (e.g. ``readOnly: 1``), quoted in a refusal.
    ``can_withdraw``: the key may move coins out (None: the venue's reply does not say);
    hedgetui never needs that, ``hedgetui doctor`` warns about it.
    """

    venue: str
    can_trade: bool
    detail: str
    can_withdraw: bool | None = None


# Venues that refuse a client order id used by ANY earlier order of the account (rest.md §0):
# there a resend of an order that already exists comes back "duplicate", so it cannot double.
# Binance ("unique among open orders") and OKX ("among pending orders") free a filled order's
# id for reuse, and Deribit labels are never unique: a resend there CAN place a second order.
CLIENT_ID_UNIQUE_FOREVER: frozenset[str] = frozenset({"bitmex", "bybit", "kraken"})
