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
from typing import Any

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.sim.rest.funding_history import SimFundingHistory
from hedgetui.sim.rest.listing import (
    CLIENT_ID_SCOPE,
    DEFAULT_LEVERAGE,
    INSTRUMENTS,
    MAX_LEVERAGE,
    STARTING_WALLET,
    VENUES,
    InstrumentSpec,
    instrument,
)
from hedgetui.sim.rest.records import (
    FAULT_KINDS,
    LOOKUP_FAULT_KINDS,
    Fault,
    Margin,
    Order,
    OrderRequest,
    Position,
    Rejection,
    Side,
    inverse_pnl,
)

# Public demo credentials: accepted only by the simulator (never by a real venue).
DEMO_API_KEY = "hedgetui-demo-key"
DEMO_API_SECRET = "aGVkZ2V0dWktZGVtby1zZWNyZXQtbm90LXJlYWw="  # valid base64 (Kraken needs it)
DEMO_PASSPHRASE = "hedgetui-demo"  # OKX


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
