"""Maintenance margin (flat, tiered, size-dependent), bankruptcy and liquidation prices.

The conventions (``mm_basis``: ``"mark"`` or ``"entry"``) are in ``hedgetui.risk``'s doc.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from hedgetui.risk.position import (
    InversePosition,
    MaintenanceTier,
    _require_price,
    initial_margin_coin,
)

_MAX_TIER_ITERATIONS = 64


def tier_for(tiers: Sequence[MaintenanceTier], value_coin: float) -> MaintenanceTier:
    """The tier holding ``value_coin`` (``floor <= V < cap``); the last tier beyond the table."""
    if not tiers:
        raise ValueError("tier_for needs a non-empty tier table")
    for tier in tiers:
        if value_coin < tier.cap_coin:
            return tier
    return tiers[-1]


def tiers_with_deductions(
    rows: Iterable[tuple[float, float, float, float | None]],
) -> tuple[MaintenanceTier, ...]:
    """Build a table from ``(floor, cap, mmr, imr)`` rows, computing each deduction as
    ``D_k = D_{k-1} + floor_k*(m_k - m_{k-1})`` so that ``V*m - D`` equals the progressive sum."""
    tiers: list[MaintenanceTier] = []
    deduction = 0.0
    previous_rate = 0.0
    for floor, cap, rate, imr in rows:
        deduction += floor * (rate - previous_rate)
        previous_rate = rate
        tiers.append(MaintenanceTier(floor, cap, rate, deduction, imr))
    return tuple(tiers)


def progressive_maintenance_coin(tiers: Sequence[MaintenanceTier], value_coin: float) -> float:
    """Maintenance charged slice by slice (each slice of ``V`` at its own tier rate)."""
    total = 0.0
    for index, tier in enumerate(tiers):
        cap = tier.cap_coin if index < len(tiers) - 1 else math.inf
        if value_coin <= tier.floor_coin:
            break
        total += (min(value_coin, cap) - tier.floor_coin) * tier.mmr
    return total


def _rate_and_deduction(position: InversePosition, value_coin: float) -> tuple[float, float]:
    if position.tiers:
        tier = tier_for(position.tiers, value_coin)
        return tier.mmr, tier.deduction
    return position.mmr, position.mm_deduction


# --------------------------------------------------------------------------- margin, liquidation


def bankruptcy_price(position: InversePosition, *, include_close_fee: bool = False) -> float | None:
    """Price at which equity reaches zero: long ``Q/(Q/P0 + C)``, short ``Q/(Q/P0 - C)``.

    With ``include_close_fee`` the equity must also pay the closing fee at that price
    (Bybit's published form ``(1 ± f)*Q/(Q/P0 ± C)``). ``None`` for a flat position and for a
    short with ``C >= Q/P0`` (it can never go bankrupt).
    """
    q = position.notional_usd
    if q == 0:
        return None
    fee = position.fee if include_close_fee else 0.0
    denominator = q / position.entry + position.sign * position.collateral
    if denominator <= 0:
        return None
    return q * (1.0 + position.sign * fee) / denominator


def _entry_basis_requirement(position: InversePosition) -> float:
    q = position.notional_usd
    value_at_entry = q / position.entry
    rate, deduction = _rate_and_deduction(position, value_at_entry)
    rate += position.mmr_per_coin * value_at_entry
    requirement = rate * value_at_entry - deduction
    if position.fee:
        bust = bankruptcy_price(position, include_close_fee=True)
        if bust is not None:
            requirement += position.fee * q / bust
    return requirement


def maintenance_margin_coin(position: InversePosition, price: float) -> float:
    """The maintenance requirement in coin at ``price`` (see the module docstring)."""
    _require_price(price)
    if position.mm_basis == "entry":
        return _entry_basis_requirement(position)
    value = position.notional_usd / price
    rate, deduction = _rate_and_deduction(position, value)
    rate += position.mmr_per_coin * value + position.fee
    return rate * value - deduction


def _solve_mark_basis(position: InversePosition, rate: float, deduction: float) -> float | None:
    """Solve ``C + s*Q/P0 - s*Q*x = (rate + f)*Q*x + k*Q²*x² - D`` for ``x = 1/P``.

    ``k*Q²*x² + (rate + f + s)*Q*x - (C + D + s*Q/P0) = 0``: the long takes the positive root;
    the short the smaller positive root (the adverse one), none when ``C + D >= Q/P0``.
    """
    q = position.notional_usd
    s = position.sign
    a = position.mmr_per_coin * q * q
    b = (rate + position.fee + s) * q
    c = -(position.collateral + deduction + s * q / position.entry)
    if s == 1:
        if c >= 0:
            return None
        x = -2.0 * c / (b + math.sqrt(b * b - 4.0 * a * c))
    else:
        if c <= 0:
            return None  # C + D >= Q/P0: equity in coin outgrows the requirement
        if b >= 0:
            return None  # rate + fee >= 1: degenerate, rejected by validation in practice
        discriminant = b * b - 4.0 * a * c
        if discriminant < 0:
            # the size-dependent requirement exceeds the equity at every price: no price is a
            # liquidation price; the position is already below maintenance (risk.liquidation)
            return None
        x = 2.0 * c / (-b + math.sqrt(discriminant))
    return 1.0 / x if x > 0 else None


def _liquidation_mark_basis(position: InversePosition, mark: float) -> float | None:
    q = position.notional_usd
    if not position.tiers:
        return _solve_mark_basis(position, position.mmr, position.mm_deduction)
    # Re-solve with the tier implied by the candidate liquidation price until it is stable.
    tier = tier_for(position.tiers, q / mark)
    seen: list[MaintenanceTier] = []
    for _ in range(_MAX_TIER_ITERATIONS):
        candidate = _solve_mark_basis(position, tier.mmr, tier.deduction)
        if candidate is None:
            break
        implied = tier_for(position.tiers, q / candidate)
        if implied == tier:
            return candidate
        if implied in seen:
            break
        seen.append(tier)
        tier = implied
    return _liquidation_by_scan(position)


def _liquidation_by_scan(position: InversePosition) -> float | None:
    """Fallback: the self-consistent tier; else the tier boundary where the requirement steps
    over the equity (tables without deductions step the requirement up at each boundary)."""
    q = position.notional_usd
    candidates: list[float | None] = []
    for tier in position.tiers:
        candidate = _solve_mark_basis(position, tier.mmr, tier.deduction)
        candidates.append(candidate)
        if candidate is not None and tier_for(position.tiers, q / candidate) == tier:
            return candidate
    for index in range(len(position.tiers) - 1):
        below, above = candidates[index], candidates[index + 1]
        boundary = position.tiers[index + 1].floor_coin
        if below is not None and above is not None and q / below >= boundary > q / above:
            return q / boundary
        if below is not None and above is None and q / below >= boundary:
            return q / boundary
    return None


def liquidation_price(position: InversePosition, mark: float) -> float | None:
    """Mark price at which equity equals the maintenance requirement (exact, not venue-rounded).

    ``None`` where there is none: a flat position, a short with ``C + D >= Q/P0`` (mark basis),
    a size-dependent requirement above the equity at every price, or a formula giving a price
    <= 0. ``mark`` only seeds the tier search. What a missing price means (no liquidation, or
    already below maintenance) is ``hedgetui.risk.liquidation``'s to say.
    """
    _require_price(mark, "mark")
    q = position.notional_usd
    if q == 0:
        return None
    if position.mm_basis == "mark":
        return _liquidation_mark_basis(position, mark)
    s = position.sign
    denominator = position.collateral + s * q / position.entry - _entry_basis_requirement(position)
    price = s * q / denominator if denominator != 0 else 0.0
    return price if price > 0 else None


def order_cost_coin(position: InversePosition) -> float | None:
    """Bybit "order cost": initial margin + open fee ``f*Q/P0`` + close fee at the bankruptcy
    price of an isolated position margined with exactly its initial margin."""
    im = initial_margin_coin(position)
    if im is None:
        return None
    q = position.notional_usd
    isolated = InversePosition(
        position.side, position.contracts, position.contract_size, position.entry, im
    )
    bust = bankruptcy_price(isolated)
    close_fee = position.fee * q / bust if bust is not None else 0.0
    return im + position.fee * q / position.entry + close_fee


# --------------------------------------------------------------------------- portfolio
