"""The unwind planner (pure): current position + request -> the exact reduce-only order.

Rules: buy to close a short, sell to close a long; always reduce-only; the quantity is
rounded DOWN to the lot and never exceeds the position; a limit price sits at the mark
moved ``offset_bps`` toward a fill (buy above, sell below) and is rounded to the tick in
the same direction, so it stays marketable. A zero quantity is refused with the reason, and
so is a limit price at or below zero or further from the mark than ``max_offset_bps``
(``[trading] max_limit_offset_bps``).
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from hedgetui.config.model import DEFAULT_MAX_LIMIT_OFFSET_BPS
from hedgetui.domain import RiskReport
from hedgetui.risk import InversePosition, assess
from hedgetui.trading.orders import OrderRequest, OrderSide

# Client order id rules from each venue's docs (rest.md §0): max length and character set.
CLIENT_ID_RULES: dict[str, tuple[int, str]] = {
    "bitmex": (36, r"^[A-Za-z0-9_\-/.:]{1,36}$"),
    "bybit": (36, r"^[A-Za-z0-9_\-]{1,36}$"),
    "binance": (36, r"^[\.A-Z\:/a-z0-9_-]{1,36}$"),
    "deribit": (64, r"^[\x21-\x7e]{1,64}$"),
    "okx": (32, r"^[A-Za-z0-9]{1,32}$"),
    "kraken": (32, r"^[A-Za-z0-9\-]{1,32}$"),
}
CLIENT_ID_PREFIX = "hu"


class PlanError(ValueError):
    """The request cannot become an order (the message says why, for the user)."""


@dataclass(frozen=True, slots=True)
class UnwindRequest:
    """Either a fraction of the position (0 < f <= 1) or a number of contracts."""

    fraction: float | None = None
    contracts: float | None = None
    limit_offset_bps: float | None = None  # None -> market order


@dataclass(frozen=True, slots=True)
class Instrument:
    """The instrument facts the planner needs (from ``hedgetui.venues`` profiles)."""

    venue: str
    symbol: str
    coin: str
    contract_size: float
    lot_size: float
    tick_size: float


@dataclass(frozen=True, slots=True)
class Preview:
    """Exposure, margin and liquidation before -> after the fill, at the current mark."""

    before: RiskReport
    after: RiskReport | None  # None when the order closes the whole position

    @property
    def liquidation_before(self) -> float | None:
        return self.before.liquidation_price

    @property
    def liquidation_after(self) -> float | None:
        return self.after.liquidation_price if self.after else None


@dataclass(frozen=True, slots=True)
class UnwindPlan:
    hedge: str
    order: OrderRequest
    position_before: float  # signed contracts
    position_after: float  # signed contracts, if the order fills completely
    mark: float
    preview: Preview | None = None

    @property
    def venue(self) -> str:
        return self.order.venue

    @property
    def symbol(self) -> str:
        return self.order.symbol


def new_client_order_id(venue: str, token: str | None = None) -> str:
    """A fresh id valid on ``venue``: ``hu`` + 30 hex characters (alphanumeric, <= 32)."""
    max_len, pattern = CLIENT_ID_RULES.get(venue, (32, r"^[A-Za-z0-9]{1,32}$"))
    cid = (CLIENT_ID_PREFIX + (token if token is not None else secrets.token_hex(15)))[:max_len]
    if not re.fullmatch(pattern, cid):
        raise PlanError(f"client order id {cid!r} is not valid on {venue}")
    return cid


def round_down_to_lot(contracts: float, lot: float) -> float:
    lots = math.floor(contracts / lot + 1e-9)
    return round(lots * lot, 10)


def limit_price(
    mark: float,
    side: OrderSide,
    offset_bps: float,
    tick: float,
    max_offset_bps: float = DEFAULT_MAX_LIMIT_OFFSET_BPS,
) -> float:
    """Mark moved toward a fill (buy: up, sell: down) and rounded to the tick, away from mark.

    Refuses (``PlanError``, with the numbers) an offset that is not a finite number >= 0, a
    price at or below zero, and an offset above ``max_offset_bps`` (the tick rounding may add
    less than one tick to it).
    """
    if not math.isfinite(offset_bps) or offset_bps < 0:
        raise PlanError(f"limit offset must be a number >= 0 bps, got {offset_bps}")
    if side == "buy":
        raw = mark * (1 + offset_bps / 1e4)
        ticks = math.ceil(raw / tick - 1e-9)
    else:
        raw = mark * (1 - offset_bps / 1e4)
        ticks = math.floor(raw / tick + 1e-9)
    price = round(ticks * tick, 10)
    if not price > 0:
        raise PlanError(
            f"a {side} limit {offset_bps:g} bps from the mark {mark:,.2f} would be priced at "
            f"{price:,.2f}: a price must be above zero"
        )
    if offset_bps > max_offset_bps:
        raise PlanError(
            f"a {side} limit {offset_bps:g} bps from the mark {mark:,.2f} (at {price:,.2f}) is "
            f"beyond trading.max_limit_offset_bps ({max_offset_bps:g})"
        )
    return price


def order_quantity(position: float, request: UnwindRequest, lot: float) -> float:
    """Contracts to close: rounded down to the lot, never more than the position."""
    size = abs(position)
    if size == 0:
        raise PlanError("there is no open position to unwind")
    if (request.fraction is None) == (request.contracts is None):
        raise PlanError("give either a fraction or a number of contracts")
    if request.fraction is not None:
        if not 0 < request.fraction <= 1:
            raise PlanError(f"fraction must be in (0, 1], got {request.fraction}")
        wanted = size * request.fraction
    else:
        wanted = float(request.contracts or 0)
        if not (math.isfinite(wanted) and wanted > 0):
            raise PlanError(f"contracts must be > 0, got {request.contracts}")
        if wanted > size:
            raise PlanError(f"{wanted:g} contracts is more than the position ({size:g})")
    qty = round_down_to_lot(min(wanted, size), lot)
    if qty <= 0:
        raise PlanError(
            f"{wanted:g} contracts rounds down to 0 with the lot size of {lot:g}: nothing to send"
        )
    return qty


def plan_unwind(
    *,
    hedge: str,
    instrument: Instrument,
    position: float,
    mark: float,
    request: UnwindRequest,
    client_order_id: str,
    margin_mode: Literal["isolated", "cross"] | None = None,
    risk_position: InversePosition | None = None,
    spot: float = 0.0,
    max_limit_offset_bps: float = DEFAULT_MAX_LIMIT_OFFSET_BPS,
) -> UnwindPlan:
    """The exact order for this request. ``position`` is signed contracts (negative = short)."""
    if not (math.isfinite(mark) and mark > 0):
        raise PlanError("no mark price: cannot size or preview the order")
    qty = order_quantity(position, request, instrument.lot_size)
    side: OrderSide = "buy" if position < 0 else "sell"
    price = None
    if request.limit_offset_bps is not None:
        price = limit_price(
            mark, side, request.limit_offset_bps, instrument.tick_size, max_limit_offset_bps
        )
    order = order_for(instrument, side, qty, client_order_id, price, True, margin_mode)
    after = position + qty if position < 0 else position - qty
    preview = preview_unwind(risk_position, mark, qty, spot) if risk_position else None
    return UnwindPlan(hedge, order, float(position), round(after, 10), mark, preview)


def order_for(
    instrument: Instrument,
    side: OrderSide,
    contracts: float,
    client_order_id: str,
    price: float | None,
    reduce_only: bool,
    margin_mode: Literal["isolated", "cross"] | None,
) -> OrderRequest:
    """The order on ``instrument``: a limit at ``price``, or a market order when it is None."""
    return OrderRequest(
        venue=instrument.venue,
        symbol=instrument.symbol,
        side=side,
        contracts=contracts,
        contract_size=instrument.contract_size,
        order_type="market" if price is None else "limit",
        client_order_id=client_order_id,
        price=price,
        reduce_only=reduce_only,
        coin=instrument.coin,
        margin_mode=margin_mode,
    )


def preview_unwind(position: InversePosition, mark: float, qty: float, spot: float) -> Preview:
    """Risk before and after closing ``qty`` contracts at ``mark``.

    The closed part's PnL is realised into the collateral, so equity is unchanged by the
    fill itself; what changes is the exposure, the margin needed and the liquidation price.
    """
    before = assess(position, mark, spot=spot)
    remaining = max(position.contracts - qty, 0.0)
    if remaining <= 0:
        return Preview(before, None)
    closed = InversePosition(
        side=position.side,
        contracts=qty,
        contract_size=position.contract_size,
        entry=position.entry,
        collateral=0.0,
    )
    realised = assess(closed, mark).pnl_coin
    after_pos = InversePosition(
        side=position.side,
        contracts=remaining,
        contract_size=position.contract_size,
        entry=position.entry,
        collateral=max(position.collateral + realised, 0.0),
        mmr=position.mmr,
        mm_deduction=position.mm_deduction,
        tiers=position.tiers,
        mm_basis=position.mm_basis,
        fee=position.fee,
        leverage=position.leverage,
        mmr_per_coin=position.mmr_per_coin,
    )
    return Preview(before, assess(after_pos, mark, spot=spot))
