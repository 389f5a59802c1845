"""Inverse (coin-margined) perpetual risk math. Pure functions: no I/O, no clock, no UI.

The reference is ``shared/risk-math.md``. Notation used throughout:

* ``Q = contracts * contract_size``: the USD notional, constant for the life of the position;
* ``s = +1`` for a long, ``-1`` for a short; ``P0`` the (harmonic) average entry; ``P`` the mark;
* ``C`` the collateral in coin (isolated margin of the position, or the cross account balance);
* ``m`` the maintenance rate, ``D`` the tier deduction in coin, ``f`` the closing-fee allowance,
  ``k`` an optional size-dependent rate per coin of position value (Deribit style: ``m + k*V``).

Maintenance conventions (``InversePosition.mm_basis``):

* ``"mark"`` (Binance COIN-M, OKX, Bybit UTA): ``MM(P) = (m + k*V + f)*V - D`` with ``V = Q/P``;
  the tier is the one holding ``V`` and is re-solved at the liquidation price until stable.
* ``"entry"`` (BitMEX-style code, Bybit classic): ``MM = (m + k*V0)*V0 - D + f*Q/P_bk`` with
  ``V0 = Q/P0``: constant in price; the closing fee is reserved at the fee-inclusive bankruptcy
  price, as Bybit's classic article and BitMEX ("fee on value + margin") do.

Sign conventions: coin PnL positive = gain; funding positive = THIS POSITION RECEIVES it;
a long's hedge ratio is reported negative (it adds exposure instead of removing it).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hedgetui.domain import MmBasis, RiskReport, ScenarioRow, Side

__all__ = [
    "InversePosition",
    "MaintenanceTier",
    "assess",
    "bankruptcy_price",
    "funding_annualized_pct",
    "funding_coin",
    "harmonic_entry",
    "hedge_ratio",
    "initial_margin_coin",
    "liquidation_price",
    "maintenance_margin_coin",
    "net_exposure_coin",
    "order_cost_coin",
    "pnl_coin",
    "position_value_coin",
    "progressive_maintenance_coin",
    "roi_pct",
    "scenario_rows",
    "tier_for",
    "tiers_with_deductions",
]

_MAX_TIER_ITERATIONS = 64


@dataclass(frozen=True, slots=True)
class MaintenanceTier:
    """One row of a maintenance table; bounds are position value in coin, ``[floor, cap)``.

    ``deduction`` is the "maintenance amount" (Binance ``cum``) of the rate-minus-deduction form
    ``MM = V*mmr - deduction``; 0 for venues that charge the whole position at the tier rate.
    """

    floor_coin: float
    cap_coin: float
    mmr: float
    deduction: float
    imr: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.floor_coin) and self.floor_coin >= 0):
            raise ValueError(f"tier floor_coin must be a finite number >= 0, got {self.floor_coin}")
        if not (self.cap_coin > self.floor_coin):
            raise ValueError(
                f"tier cap_coin ({self.cap_coin}) must be above floor_coin ({self.floor_coin})"
            )
        if not (0 <= self.mmr < 1):
            raise ValueError(f"tier mmr must be in [0, 1), got {self.mmr}")
        if not math.isfinite(self.deduction):
            raise ValueError(f"tier deduction must be finite, got {self.deduction}")
        if self.imr is not None and not (0 < self.imr <= 1):
            raise ValueError(f"tier imr must be in (0, 1], got {self.imr}")


@dataclass(frozen=True, slots=True)
class InversePosition:
    """A position in an inverse perpetual plus the coin collateral that margins it.

    ``contracts`` is unsigned (the direction is ``side``); ``contract_size`` is USD per contract.
    When ``tiers`` is non-empty it overrides ``mmr``/``mm_deduction``. ``mmr_per_coin`` adds a
    size-dependent part to the rate (Deribit style ``m = mmr + mmr_per_coin * V``).
    """

    side: Side
    contracts: float
    contract_size: float
    entry: float
    collateral: float
    mmr: float = 0.005
    mm_deduction: float = 0.0
    tiers: tuple[MaintenanceTier, ...] = ()
    mm_basis: MmBasis = "mark"
    fee: float = 0.0
    leverage: float | None = None
    mmr_per_coin: float = 0.0

    def __post_init__(self) -> None:
        if self.side not in ("long", "short"):
            raise ValueError(f"side must be 'long' or 'short', got {self.side!r}")
        _require(self.contracts, "contracts", minimum=0.0)
        _require(self.contract_size, "contract_size", positive=True)
        _require(self.entry, "entry", positive=True)
        _require(self.collateral, "collateral", minimum=0.0)
        if not (0 <= self.mmr < 1):
            raise ValueError(f"mmr must be in [0, 1), got {self.mmr}")
        _require(self.mm_deduction, "mm_deduction")
        if self.mm_basis not in ("mark", "entry"):
            raise ValueError(f"mm_basis must be 'mark' or 'entry', got {self.mm_basis!r}")
        if not (0 <= self.fee < 1):
            raise ValueError(f"fee must be in [0, 1), got {self.fee}")
        if self.leverage is not None:
            _require(self.leverage, "leverage", positive=True)
        _require(self.mmr_per_coin, "mmr_per_coin", minimum=0.0)
        for lower, upper in itertools.pairwise(self.tiers):
            if upper.floor_coin < lower.floor_coin:
                raise ValueError("tiers must be sorted by floor_coin")

    @property
    def notional_usd(self) -> float:
        """``Q``: the USD face value of the position."""
        return self.contracts * self.contract_size

    @property
    def sign(self) -> int:
        """``s``: +1 for a long, -1 for a short."""
        return 1 if self.side == "long" else -1


def _require(
    value: float, name: str, *, positive: bool = False, minimum: float | None = None
) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum:g}, got {value}")


def _require_price(price: float, name: str = "price") -> None:
    if not (math.isfinite(price) and price > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {price}")


# --------------------------------------------------------------------------- basic identities


def harmonic_entry(fills: Iterable[tuple[float, float]]) -> float:
    """Average entry of several fills ``(contracts, price)``: ``ΣN / Σ(N/P)`` (size cancels)."""
    total_contracts = 0.0
    total_value = 0.0
    for contracts, price in fills:
        _require(contracts, "fill contracts", positive=True)
        _require_price(price, "fill price")
        total_contracts += contracts
        total_value += contracts / price
    if total_contracts == 0:
        raise ValueError("harmonic_entry needs at least one fill")
    return total_contracts / total_value


def position_value_coin(position: InversePosition, price: float) -> float:
    """``V(P) = Q/P``: the position's value in coin at ``price``."""
    _require_price(price)
    return position.notional_usd / price


def pnl_coin(position: InversePosition, price: float) -> float:
    """Unrealised PnL in coin at ``price``: ``s*Q*(1/P0 - 1/P)``."""
    _require_price(price)
    q = position.notional_usd
    return position.sign * q * (1.0 / position.entry - 1.0 / price)


def initial_margin_coin(position: InversePosition) -> float | None:
    """Isolated, entry-based initial margin ``Q/(P0*L)``; ``None`` without a leverage."""
    if position.leverage is None:
        return None
    return position.notional_usd / (position.entry * position.leverage)


def roi_pct(position: InversePosition, price: float) -> float | None:
    """Exchange-style ROI: coin PnL over initial margin, in percent (``None`` without leverage)."""
    im = initial_margin_coin(position)
    if im is None or im == 0:
        return None
    return pnl_coin(position, price) / im * 100.0


# --------------------------------------------------------------------------- tiers


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
        # discriminant < 0: the size-dependent requirement exceeds equity at every price;
        # report the price where it comes closest (the vertex): "already liquidated"
        x = -b / (2.0 * a) if discriminant < 0 else 2.0 * c / (-b + math.sqrt(discriminant))
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
    or a formula giving a price <= 0. ``mark`` only seeds the tier search.
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


def net_exposure_coin(position: InversePosition, mark: float, spot: float = 0.0) -> float:
    """USD delta in coin: coins held (spot + collateral + PnL) ∓ the position's value at the mark.

    Equal to ``spot + C + s*Q/P0``: independent of the mark.
    """
    held = spot + position.collateral + pnl_coin(position, mark)
    return held + position.sign * position_value_coin(position, mark)


def hedge_ratio(position: InversePosition, mark: float, spot: float = 0.0) -> float | None:
    """The position's value in coin at the mark over the coins held (spot + collateral + PnL).

    Positive for a short (1.0 = fully hedged), negative for a long; ``None`` when nothing is held.
    """
    held = spot + position.collateral + pnl_coin(position, mark)
    if held <= 0:
        return None
    return -position.sign * position_value_coin(position, mark) / held


def funding_coin(position: InversePosition, mark: float, rate: float) -> float:
    """Funding for one interval in coin, positive when this position receives: ``-s*r*Q/P``."""
    return -position.sign * rate * position_value_coin(position, mark)


def funding_annualized_pct(side: Side, rate: float, interval_hours: float = 8.0) -> float:
    """Simple annualised funding in percent of notional, positive when ``side`` receives."""
    _require(interval_hours, "funding interval hours", positive=True)
    sign = 1 if side == "long" else -1
    return -sign * rate * (24.0 / interval_hours) * 365.0 * 100.0


def _is_past(position: InversePosition, price: float, liquidation: float | None) -> bool:
    if liquidation is None:
        return False
    return price <= liquidation if position.side == "long" else price >= liquidation


def _distance_pct(liquidation: float | None, price: float) -> float | None:
    return None if liquidation is None else abs(liquidation - price) / price * 100.0


def scenario_rows(
    position: InversePosition, mark: float, moves_pct: Sequence[float], *, spot: float = 0.0
) -> tuple[ScenarioRow, ...]:
    """What-if rows: the mark moved by each ``move_pct``.

    ``spot_pnl_usd`` is the coins held at the mark (spot + collateral + PnL) times the price
    change; ``futures_pnl_usd`` the change of the position's coin PnL valued at the new price
    (``= -s*Q*move`` for a short, exactly linear); ``net_pnl_usd`` their sum, i.e. the change of
    ``portfolio_usd = (spot + C + PnL(p))*p``. Rows at or past the liquidation price are flagged.
    """
    _require_price(mark, "mark")
    liquidation = liquidation_price(position, mark)
    pnl_at_mark = pnl_coin(position, mark)
    held_at_mark = spot + position.collateral + pnl_at_mark
    portfolio_at_mark = held_at_mark * mark
    rows: list[ScenarioRow] = []
    for move in moves_pct:
        if not (math.isfinite(move) and move > -100.0):
            raise ValueError(f"scenario move must be a finite percentage above -100, got {move}")
        price = mark * (1.0 + move / 100.0)
        spot_pnl = held_at_mark * (price - mark)
        futures_pnl = (pnl_coin(position, price) - pnl_at_mark) * price
        portfolio = (held_at_mark + pnl_coin(position, price) - pnl_at_mark) * price
        change_pct = (portfolio / portfolio_at_mark - 1.0) * 100.0 if portfolio_at_mark > 0 else 0.0
        rows.append(
            ScenarioRow(
                move_pct=move,
                price=price,
                spot_pnl_usd=spot_pnl,
                futures_pnl_usd=futures_pnl,
                net_pnl_usd=spot_pnl + futures_pnl,
                portfolio_usd=portfolio,
                drawdown_pct=max(0.0, -change_pct),
                liquidation_distance_pct=_distance_pct(liquidation, price),
                liquidated=_is_past(position, price, liquidation),
            )
        )
    return tuple(rows)


# --------------------------------------------------------------------------- the report


def assess(
    position: InversePosition,
    mark: float,
    *,
    spot: float = 0.0,
    funding_rate: float | None = None,
    funding_hours: float = 8.0,
    scenarios: Sequence[float] = (),
) -> RiskReport:
    """Everything the app shows for one position at one mark price (see ``RiskReport``)."""
    _require_price(mark, "mark")
    _require(spot, "spot")
    _require(funding_hours, "funding_hours", positive=True)
    pnl = pnl_coin(position, mark)
    equity = position.collateral + pnl
    maintenance = maintenance_margin_coin(position, mark)
    buffer = equity - maintenance
    liquidation = liquidation_price(position, mark)
    if funding_rate is None:
        funding: float | None = None
        funding_usd: float | None = None
        annualized: float | None = None
    else:
        _require(funding_rate, "funding_rate")
        funding = funding_coin(position, mark, funding_rate)
        funding_usd = funding * mark
        annualized = funding_annualized_pct(position.side, funding_rate, funding_hours)
    net = net_exposure_coin(position, mark, spot)
    return RiskReport(
        notional_usd=position.notional_usd,
        position_value_coin=position_value_coin(position, mark),
        pnl_coin=pnl,
        pnl_usd=pnl * mark,
        equity_coin=equity,
        initial_margin_coin=initial_margin_coin(position),
        maintenance_margin_coin=maintenance,
        margin_buffer_coin=buffer,
        margin_buffer_usd=buffer * mark,
        liquidation_price=liquidation,
        bankruptcy_price=bankruptcy_price(position),
        liquidation_distance_pct=_distance_pct(liquidation, mark),
        liquidation_distance_usd=None if liquidation is None else abs(liquidation - mark),
        net_exposure_coin=net,
        net_exposure_usd=net * mark,
        hedge_ratio=hedge_ratio(position, mark, spot),
        funding_coin=funding,
        funding_usd=funding_usd,
        funding_annualized_pct=annualized,
        scenarios=scenario_rows(position, mark, scenarios, spot=spot),
    )
