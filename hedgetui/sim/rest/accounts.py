"""The simulated exchange's books: instruments, positions, coin balances, orders and faults.

One `SimAccounts` holds the books of every venue. It knows nothing about HTTP or signatures:
the venue modules translate a venue's request into an `OrderRequest`, call `place_order`, and
translate the `Order` or `Rejection` back into the venue's own reply shape.

Units: positions are signed *contracts* of the venue's instrument (Deribit included: one
BTC-PERPETUAL contract is 10 USD, so its `size` in USD is contracts x 10). Balances are coin.
Realised PnL of an inverse contract, in coin: Q x (1/entry - 1/exit) x side, with
Q = contracts x contract size (USD) and side +1 for a long, -1 for a short. No fees are charged.

Margin (isolated, entry-based, as Bybit/OKX/Binance define it for inverse contracts): a
position holds initial margin IM = Q / (entry x leverage) coin; the coin's available margin is
wallet + unrealised PnL - IM. An order that opens or increases a position needs the IM of the
part it opens, at its fill price, out of that available margin (the part it closes first frees
its own IM); otherwise it is refused (`insufficient_margin`) and nothing executes.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.sim.rest.funding_history import SimFundingHistory

# Public demo credentials: accepted only by the simulator (never by a real venue).
DEMO_API_KEY = "hedgetui-demo-key"
DEMO_API_SECRET = "aGVkZ2V0dWktZGVtby1zZWNyZXQtbm90LXJlYWw="  # valid base64 (Kraken needs it)
DEMO_PASSPHRASE = "hedgetui-demo"  # OKX

VENUES: tuple[str, ...] = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")
FAULT_KINDS: tuple[str, ...] = ("reject", "lost_reply", "timeout", "http_500", "rate_limit")
# Faults of order LOOKUPS (by client id): a late reply, a bare 5xx, or a lookup that does not
# see the order yet although it exists (a venue's order query lagging behind its engine).
LOOKUP_FAULT_KINDS: tuple[str, ...] = ("lookup_timeout", "lookup_http_500", "lookup_not_found")

Side = Literal["buy", "sell"]
TimeInForce = Literal["GTC", "IOC", "FOK"]


def time_in_force(name: str) -> TimeInForce:
    """IOC / FOK as named; anything else rests (GTC)."""
    if name == "IOC":
        return "IOC"
    if name == "FOK":
        return "FOK"
    return "GTC"


@dataclass(frozen=True, slots=True)
class InstrumentSpec:
    """What the simulated exchange lists: contract size in USD and the order lot."""

    venue: str
    symbol: str
    coin: str
    contract_size: float
    lot_size: float
    tick_size: float


def _spec(
    venue: str, symbol: str, coin: str, size: float, lot: float, tick: float
) -> InstrumentSpec:
    return InstrumentSpec(venue, symbol, coin, size, lot, tick)


# Contract sizes, lots and ticks as in /work/shared/exchanges/README.md (contract specs) and
# the venue profiles (hedgetui/data/venues.toml).
INSTRUMENTS: dict[str, dict[str, InstrumentSpec]] = {
    "bitmex": {"XBTUSD": _spec("bitmex", "XBTUSD", "BTC", 1.0, 100.0, 0.5)},
    "bybit": {
        "BTCUSD": _spec("bybit", "BTCUSD", "BTC", 1.0, 1.0, 0.5),
        "ETHUSD": _spec("bybit", "ETHUSD", "ETH", 1.0, 1.0, 0.05),
    },
    "binance": {
        "BTCUSD_PERP": _spec("binance", "BTCUSD_PERP", "BTC", 100.0, 1.0, 0.1),
        "ETHUSD_PERP": _spec("binance", "ETHUSD_PERP", "ETH", 10.0, 1.0, 0.01),
    },
    "deribit": {
        "BTC-PERPETUAL": _spec("deribit", "BTC-PERPETUAL", "BTC", 10.0, 1.0, 0.5),
        "ETH-PERPETUAL": _spec("deribit", "ETH-PERPETUAL", "ETH", 1.0, 1.0, 0.05),
    },
    "okx": {
        "BTC-USD-SWAP": _spec("okx", "BTC-USD-SWAP", "BTC", 100.0, 1.0, 0.1),
        "ETH-USD-SWAP": _spec("okx", "ETH-USD-SWAP", "ETH", 10.0, 1.0, 0.01),
    },
    "kraken": {
        "PI_XBTUSD": _spec("kraken", "PI_XBTUSD", "BTC", 1.0, 1.0, 0.5),
        "PI_ETHUSD": _spec("kraken", "PI_ETHUSD", "ETH", 1.0, 1.0, 0.05),
    },
}

# Each venue's leverage for a position nobody set one for (what the replies showed before
# leverage was modelled): BitMEX cross (its maximum, 100x), Bybit 10x, Binance COIN-M 20x,
# Deribit 50x (its 2% initial margin), OKX 10x, Kraken cross (50x).
DEFAULT_LEVERAGE: dict[str, float] = {
    "bitmex": 100.0,
    "bybit": 10.0,
    "binance": 20.0,
    "deribit": 50.0,
    "okx": 10.0,
    "kraken": 50.0,
}
# The highest leverage each venue lets a position have (its first risk tier).
MAX_LEVERAGE: dict[str, float] = {
    "bitmex": 100.0,
    "bybit": 100.0,
    "binance": 125.0,
    "deribit": 50.0,
    "okx": 125.0,
    "kraken": 50.0,
}

# What `hedgetui sim` credits every venue's wallet with at start (a testnet faucet): a bot
# pointed at it can open positions. `SimAccounts()` alone starts empty (tests seed it).
STARTING_WALLET: dict[str, float] = {"BTC": 1.0, "ETH": 10.0}

# Where a client order id must be unique. "all": every order the account ever sent (BitMEX,
# Bybit, Kraken); "open": only resting orders (Binance: "unique among open orders", OKX: "among
# pending orders" — a filled order's id may be reused there); "none": Deribit labels.
CLIENT_ID_SCOPE: dict[str, Literal["all", "open", "none"]] = {
    "bitmex": "all",
    "bybit": "all",
    "binance": "open",
    "deribit": "none",
    "okx": "open",
    "kraken": "all",
}


def instrument(venue: str, symbol: str) -> InstrumentSpec | None:
    """The listed instrument, or None (symbols are matched case-insensitively)."""
    listed = INSTRUMENTS.get(venue, {})
    return listed.get(symbol) or listed.get(symbol.upper())


def inverse_pnl(usd_notional: float, entry: float, exit_price: float, side: int) -> float:
    """Coin PnL of an inverse position of `usd_notional` USD; side +1 long, -1 short."""
    return usd_notional * (1.0 / entry - 1.0 / exit_price) * side


@dataclass(slots=True)
class Position:
    contracts: float = 0.0
    entry: float = 0.0
    realised: float = 0.0  # cumulative realised PnL in coin
    updated_ms: int = 0
    leverage: float | None = None  # None: the venue's default (`DEFAULT_LEVERAGE`)


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A venue-neutral order, as parsed from a venue's request."""

    symbol: str
    side: Side
    qty: float  # contracts
    order_type: Literal["market", "limit"] = "market"
    price: float | None = None
    reduce_only: bool = False
    client_id: str | None = None
    time_in_force: TimeInForce = "GTC"


@dataclass(slots=True)
class Order:
    """One order in a venue's log (mutable: a resting order may fill later)."""

    venue: str
    seq: int
    order_id: str
    client_id: str | None
    symbol: str
    side: Side
    qty: float
    order_type: str
    price: float | None
    time_in_force: str
    reduce_only: bool
    status: Literal["new", "filled", "canceled"]
    filled: float
    avg_price: float | None
    created_ms: int
    updated_ms: int

    @property
    def leaves(self) -> float:
        return 0.0 if self.status != "new" else self.qty - self.filled


RejectReason = Literal[
    "unknown_symbol",
    "lot_size",
    "bad_price",
    "duplicate_client_id",
    "reduce_only",
    "insufficient_margin",
]


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: RejectReason
    detail: str
    required: float = 0.0  # insufficient_margin: the coin the order needed
    available: float = 0.0  # ... and the coin there was


@dataclass(frozen=True, slots=True)
class Margin:
    """One coin's margin on one venue, in coin, at a mark."""

    wallet: float  # balance: collateral + realised PnL
    unrealised: float
    initial: float  # initial margin the positions hold: Q / (entry x leverage)
    orders: float = 0.0  # initial margin resting orders hold: Q / (limit x leverage)

    @property
    def equity(self) -> float:
        return self.wallet + self.unrealised

    @property
    def available(self) -> float:
        """What a new position's initial margin may come out of (never below zero)."""
        return max(self.equity - self.initial - self.orders, 0.0)


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


def _order_id(venue: str, seq: int) -> str:
    """Exchange order ids in each venue's own style."""
    if venue == "binance":
        return str(22_542_179 + seq)
    if venue == "okx":
        return str(1_538_100_941_143_183_360 + seq)
    if venue == "deribit":
        return str(31_562_000 + seq)  # prefixed with the coin by the Deribit module
    return str(uuid.uuid4())


class SimAccounts:
    """Books of every simulated venue: positions, balances, order logs and pending faults."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SYSTEM_CLOCK
        self._positions: dict[tuple[str, str], Position] = {}
        self._balances: dict[tuple[str, str], float] = {}
        self._orders: dict[str, list[Order]] = {v: [] for v in VENUES}
        self._faults: dict[str, deque[Fault]] = {v: deque() for v in VENUES}
        self._lookup_faults: dict[str, deque[Fault]] = {v: deque() for v in VENUES}
        self._lagging: set[str] = set()  # venues whose order log reads empty right now
        self._read_only: set[str] = set()  # venues whose demo key may read but not trade
        self._seq = itertools.count(1)
        # the funding history every venue's history endpoints serve, and its fault hooks
        self.funding = SimFundingHistory()

    # -- set-up and inspection (tests, demo) ------------------------------------------------
    def set_position(
        self,
        venue: str,
        symbol: str,
        contracts: float,
        entry: float,
        collateral: float | None = None,
        leverage: float | None = None,
    ) -> None:
        """Seed a position (signed contracts at `entry`) and, optionally, the coin balance and
        the position's leverage (default: the venue's, `DEFAULT_LEVERAGE`).

        Without `collateral` a venue/coin with no balance yet gets one fully backing the
        position at entry (notional / entry), so a short is 1x collateralised.
        """
        spec = self._require(venue, symbol)
        if entry <= 0:
            raise ValueError(f"entry price must be > 0, got {entry}")
        if leverage is not None:
            self._check_leverage(venue, leverage)
        pos = Position(float(contracts), float(entry), 0.0, self._now_ms(), leverage)
        self._positions[(venue, spec.symbol)] = pos
        key = (venue, spec.coin)
        if collateral is not None:
            self._balances[key] = float(collateral)
        elif key not in self._balances:
            self._balances[key] = abs(contracts) * spec.contract_size / entry

    def set_leverage(self, venue: str, symbol: str, leverage: float) -> None:
        """Set the position's leverage (as the venue's set-leverage endpoint does); a
        ValueError names the venue's range when it is outside it."""
        self._check_leverage(venue, leverage)
        self.position_record(venue, symbol).leverage = float(leverage)

    def leverage(self, venue: str, symbol: str) -> float:
        """The position's leverage: as set, else the venue's default."""
        pos = self.position_record(venue, symbol)
        return pos.leverage if pos.leverage is not None else DEFAULT_LEVERAGE[venue]

    def margin(
        self, venue: str, coin: str, mark: float, *, excluding: Order | None = None
    ) -> Margin:
        """The coin's margin on the venue at `mark` (each venue lists one instrument a coin);
        `excluding`: a resting order whose own reservation does not count (it is filling)."""
        self._require_venue(venue)
        unrealised = initial = orders = 0.0
        for order in self._orders[venue]:
            spec = INSTRUMENTS[venue][order.symbol]
            if order.status != "new" or order.reduce_only or order is excluding:
                continue
            if spec.coin == coin.upper():
                leverage = self.leverage(venue, order.symbol)
                orders += order.leaves * spec.contract_size / ((order.price or mark) * leverage)
        for symbol, spec in INSTRUMENTS[venue].items():
            if spec.coin != coin.upper():
                continue
            pos = self._positions.get((venue, symbol))
            if pos is None or not pos.contracts:
                continue
            usd = abs(pos.contracts) * spec.contract_size
            side = 1 if pos.contracts > 0 else -1
            unrealised += inverse_pnl(usd, pos.entry, mark, side)
            initial += usd / (pos.entry * self.leverage(venue, symbol))
        return Margin(self.balance(venue, coin), unrealised, initial, orders)

    def fund(self, wallet: dict[str, float] | None = None) -> None:
        """Credit every venue with `wallet` (coin -> amount; default `STARTING_WALLET`)."""
        for venue in VENUES:
            for name, amount in (wallet or STARTING_WALLET).items():
                key = (venue, name.upper())
                self._balances[key] = self._balances.get(key, 0.0) + float(amount)

    def set_balance(self, venue: str, coin: str, amount: float) -> None:
        self._require_venue(venue)
        self._balances[(venue, coin.upper())] = float(amount)

    def position(self, venue: str, symbol: str) -> float:
        """Signed contracts (negative = short)."""
        spec = self._require(venue, symbol)
        return self._positions.get((venue, spec.symbol), Position()).contracts

    def position_record(self, venue: str, symbol: str) -> Position:
        spec = self._require(venue, symbol)
        return self._positions.setdefault((venue, spec.symbol), Position())

    def balance(self, venue: str, coin: str) -> float:
        """Wallet balance in coin (collateral + realised PnL)."""
        self._require_venue(venue)
        return self._balances.get((venue, coin.upper()), 0.0)

    def orders(self, venue: str) -> list[dict[str, Any]]:
        """The venue's order log, oldest first, as plain dicts (copies)."""
        self._require_venue(venue)
        return [dataclasses.asdict(o) for o in self._orders[venue]]

    def order_records(self, venue: str) -> list[Order]:
        """The venue's order log as its query endpoints see it (empty while lagging)."""
        self._require_venue(venue)
        return [] if venue in self._lagging else self._orders[venue]

    @contextmanager
    def lagging(self, venue: str) -> Iterator[None]:
        """Within the block, the venue's order queries find nothing (``lookup_not_found``)."""
        self._lagging.add(venue)
        try:
            yield
        finally:
            self._lagging.discard(venue)

    def find_by_client_id(self, venue: str, client_id: str) -> list[Order]:
        """Orders with this client id, newest first."""
        return [o for o in reversed(self.order_records(venue)) if o.client_id == client_id]

    def find_by_order_id(self, venue: str, order_id: str) -> Order | None:
        for order in self.order_records(venue):
            if order.order_id == order_id:
                return order
        return None

    # -- key permissions ---------------------------------------------------------------------
    def set_read_only(self, venue: str, read_only: bool = True) -> None:
        """Make the venue's demo key read-only: its key-info endpoint says so and every order
        is refused with the venue's permission error (nothing executes)."""
        self._require_venue(venue)
        if read_only:
            self._read_only.add(venue)
        else:
            self._read_only.discard(venue)

    def read_only(self, venue: str) -> bool:
        return venue in self._read_only

    def cancel(self, venue: str, client_id: str) -> Order | None:
        """Cancel the resting order with ``client_id``; None when none rests (filled, gone)."""
        for order in self.find_by_client_id(venue, client_id):
            if order.status == "new":
                order.status = "canceled"
                order.updated_ms = self._now_ms()
                return order
        return None

    # -- faults ------------------------------------------------------------------------------
    def inject(self, venue: str, fault: str, count: int = 1, **params: Any) -> None:
        """Apply `fault` to the next `count` order requests of `venue`.

        Kinds: reject, lost_reply, timeout (params: delay seconds), http_500, rate_limit; and
        for the next `count` order LOOKUPS (query by client id): lookup_timeout (delay),
        lookup_http_500, lookup_not_found.
        """
        self._require_venue(venue)
        if fault not in FAULT_KINDS + LOOKUP_FAULT_KINDS:
            known = ", ".join(FAULT_KINDS + LOOKUP_FAULT_KINDS)
            raise ValueError(f"unknown fault {fault!r}; expected one of {known}")
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count}")
        queue = self._lookup_faults if fault in LOOKUP_FAULT_KINDS else self._faults
        for _ in range(count):
            queue[venue].append(Fault(fault, dict(params)))

    def take_fault(self, venue: str, *, lookup: bool = False) -> Fault | None:
        """The next queued fault of the venue's order requests (``lookup``: of its lookups)."""
        queue = (self._lookup_faults if lookup else self._faults)[venue]
        return queue.popleft() if queue else None

    def pending_faults(self, venue: str, *, lookup: bool = False) -> int:
        return len((self._lookup_faults if lookup else self._faults)[venue])

    # -- the matching engine -----------------------------------------------------------------
    def place_order(self, venue: str, req: OrderRequest, mark: float) -> Order | Rejection:
        """Validate and execute an order; market orders fill at once at `mark`."""
        spec = instrument(venue, req.symbol)
        if spec is None:
            return Rejection("unknown_symbol", f"unknown symbol {req.symbol!r}")
        if not math.isfinite(req.qty) or req.qty <= 0 or not _is_multiple(req.qty, spec.lot_size):
            return Rejection(
                "lot_size", f"quantity {req.qty:g} is not a positive multiple of {spec.lot_size:g}"
            )
        if req.order_type == "limit" and not _positive(req.price):
            return Rejection("bad_price", f"limit price {req.price} is not above zero")
        if req.client_id and self._client_id_taken(venue, req.client_id):
            return Rejection("duplicate_client_id", f"client order id {req.client_id!r} exists")
        if req.reduce_only and not self._reduces(venue, spec.symbol, req.side, req.qty):
            return Rejection("reduce_only", "order would not reduce the position")
        limit = None if req.order_type == "market" else req.price
        fill_price = limit if limit is not None and not _crosses(req.side, limit, mark) else mark
        short_of = self._margin_shortfall(spec, req.side, req.qty, fill_price, mark)
        if short_of is not None:
            return short_of
        now = self._now_ms()
        order = Order(
            venue=venue,
            seq=next(self._seq),
            order_id=_order_id(venue, len(self._orders[venue]) + 1),
            client_id=req.client_id or None,
            symbol=spec.symbol,
            side=req.side,
            qty=req.qty,
            order_type=req.order_type,
            price=req.price,
            time_in_force=req.time_in_force,
            reduce_only=req.reduce_only,
            status="new",
            filled=0.0,
            avg_price=None,
            created_ms=now,
            updated_ms=now,
        )
        self._orders[venue].append(order)
        if _marketable(order, mark):
            self._fill(order, mark)
        elif req.time_in_force in ("IOC", "FOK"):
            order.status = "canceled"
        return order

    def match_resting(self, venue: str, mark_of: Any) -> None:
        """Fill resting limit orders that became marketable; cancel reduce-only ones that
        could no longer reduce. `mark_of(symbol) -> float`."""
        for order in self._orders.get(venue, []):
            if order.status != "new":
                continue
            mark = float(mark_of(order.symbol))
            if not _marketable(order, mark):
                continue
            if order.reduce_only and not self._reduces(venue, order.symbol, order.side, order.qty):
                order.status = "canceled"
                order.updated_ms = self._now_ms()
                continue
            spec = self._require(venue, order.symbol)
            short_of = self._margin_shortfall(spec, order.side, order.qty, mark, mark, order)
            if short_of is not None:
                order.status = "canceled"  # the margin it would open is no longer there
                order.updated_ms = self._now_ms()
                continue
            self._fill(order, mark)

    # -- internals ---------------------------------------------------------------------------
    def _fill(self, order: Order, price: float) -> None:
        spec = self._require(order.venue, order.symbol)
        signed = order.qty if order.side == "buy" else -order.qty
        self._apply_fill(spec, signed, price)
        order.filled = order.qty
        order.avg_price = price
        order.status = "filled"
        order.updated_ms = self._now_ms()

    def _apply_fill(self, spec: InstrumentSpec, signed_qty: float, price: float) -> None:
        pos = self._positions.setdefault((spec.venue, spec.symbol), Position())
        key = (spec.venue, spec.coin)
        old = pos.contracts
        if old == 0 or (old > 0) == (signed_qty > 0):
            # open or add: harmonic average entry (inverse contracts)
            total = abs(old) + abs(signed_qty)
            coin_cost = abs(old) / pos.entry if old else 0.0
            coin_cost += abs(signed_qty) / price
            pos.entry = total / coin_cost
            pos.contracts = old + signed_qty
        else:
            closed = min(abs(old), abs(signed_qty))
            side = 1 if old > 0 else -1
            pnl = inverse_pnl(closed * spec.contract_size, pos.entry, price, side)
            pos.realised += pnl
            self._balances[key] = self._balances.get(key, 0.0) + pnl
            pos.contracts = old + signed_qty
            if abs(pos.contracts) < 1e-12:
                pos.contracts = 0.0
                pos.entry = 0.0
            elif (pos.contracts > 0) != (old > 0):
                pos.entry = price  # flipped: the remainder opened at the fill price
        pos.updated_ms = self._now_ms()

    def _margin_shortfall(
        self,
        spec: InstrumentSpec,
        side: Side,
        qty: float,
        price: float,
        mark: float,
        resting: Order | None = None,
    ) -> Rejection | None:
        """The `insufficient_margin` refusal of an order opening more than the coin's
        available margin carries at the position's leverage; None when it fits (or opens
        nothing). The part that closes first frees its own initial margin; a `resting` order
        that fills now no longer counts its own reservation."""
        held = self._positions.get((spec.venue, spec.symbol), Position()).contracts
        signed = qty if side == "buy" else -qty
        closing = min(abs(held), qty) if held and (held > 0) != (signed > 0) else 0.0
        opening = qty - closing
        if opening <= 1e-12:
            return None
        leverage = self.leverage(spec.venue, spec.symbol)
        required = opening * spec.contract_size / (price * leverage)
        margin = self.margin(spec.venue, spec.coin, mark, excluding=resting)
        entry = self._positions[(spec.venue, spec.symbol)].entry if held else 0.0
        freed = closing * spec.contract_size / (entry * leverage) if closing else 0.0
        available = margin.available + freed
        if required <= available + 1e-12:
            return None
        return Rejection(
            "insufficient_margin",
            f"order needs {required:.8f} {spec.coin} of initial margin at {leverage:g}x; "
            f"{max(available, 0.0):.8f} {spec.coin} available",
            required,
            max(available, 0.0),
        )

    def _check_leverage(self, venue: str, leverage: float) -> None:
        self._require_venue(venue)
        top = MAX_LEVERAGE[venue]
        if not math.isfinite(leverage) or not 1.0 <= leverage <= top:
            raise ValueError(f"{venue} leverage must be between 1 and {top:g}, got {leverage}")

    def _reduces(self, venue: str, symbol: str, side: Side, qty: float) -> bool:
        held = self._positions.get((venue, symbol), Position()).contracts
        if side == "buy":
            return held < 0 and qty <= -held + 1e-9
        return held > 0 and qty <= held + 1e-9

    def _client_id_taken(self, venue: str, client_id: str) -> bool:
        scope = CLIENT_ID_SCOPE[venue]
        if scope == "none":
            return False
        return any(
            o.client_id == client_id and (scope == "all" or o.status == "new")
            for o in self._orders[venue]
        )

    def _now_ms(self) -> int:
        return int(self.clock.time() * 1000)

    def _require_venue(self, venue: str) -> None:
        if venue not in VENUES:
            raise ValueError(f"unknown venue {venue!r}; expected one of {', '.join(VENUES)}")

    def _require(self, venue: str, symbol: str) -> InstrumentSpec:
        self._require_venue(venue)
        spec = instrument(venue, symbol)
        if spec is None:
            listed = ", ".join(INSTRUMENTS[venue])
            raise ValueError(f"{venue} does not list {symbol!r}; it lists {listed}")
        return spec


def _positive(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value > 0


def _is_multiple(qty: float, lot: float) -> bool:
    ratio = qty / lot
    return abs(ratio - round(ratio)) < 1e-9


def _marketable(order: Order, mark: float) -> bool:
    if order.order_type == "market" or order.price is None:
        return True
    return _crosses(order.side, order.price, mark)


def _crosses(side: Side, price: float, mark: float) -> bool:
    """A limit at `price` fills at once at `mark` (a buy at or above it, a sell at or below)."""
    return price >= mark if side == "buy" else price <= mark
