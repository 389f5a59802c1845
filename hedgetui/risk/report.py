"""Exposure, hedge ratio, funding, what-if scenarios and the whole risk report of a position."""

from __future__ import annotations

import math
from collections.abc import Sequence

from hedgetui.domain import LiquidationState, RiskReport, ScenarioRow, Side
from hedgetui.risk.liquidation import liquidation_outlook, within_reach
from hedgetui.risk.margin import bankruptcy_price, liquidation_price, maintenance_margin_coin
from hedgetui.risk.position import (
    InversePosition,
    _require,
    _require_price,
    initial_margin_coin,
    pnl_coin,
    position_value_coin,
)


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


def long_leverage(ratio: float | None) -> float | None:
    """The leverage of a long, which hedges nothing: ``None`` for a short and for no ratio.

    A long inverse position adds to the coins held instead of offsetting them, so its
    :func:`hedge_ratio` is negative and is no hedge ratio at all: its size is the position's
    value over the coins held, i.e. the leverage on them (a 3x long without spot: 3.0). Every
    screen shows it as that leverage (``lev 3.0x long``), not as a ratio.
    """
    if ratio is None or not math.isfinite(ratio) or ratio >= 0:
        return None
    return -ratio


def funding_coin(position: InversePosition, mark: float, rate: float) -> float:
    """Funding for one interval in coin, positive when this position receives: ``-s*r*Q/P``."""
    return -position.sign * rate * position_value_coin(position, mark)


def funding_annualized_pct(side: Side, rate: float, interval_hours: float = 8.0) -> float:
    """Simple annualised funding in percent of notional, positive when ``side`` receives."""
    _require(interval_hours, "funding interval hours", positive=True)
    sign = 1 if side == "long" else -1
    return -sign * rate * (24.0 / interval_hours) * 365.0 * 100.0


_LIQUIDATED = (LiquidationState.PAST, LiquidationState.BELOW_MAINTENANCE)


def scenario_rows(
    position: InversePosition, mark: float, moves_pct: Sequence[float], *, spot: float = 0.0
) -> tuple[ScenarioRow, ...]:
    """What-if rows: the mark moved by each ``move_pct``.

    ``spot_pnl_usd`` is the coins held at the mark (spot + collateral + PnL) times the price
    change; ``futures_pnl_usd`` the change of the position's coin PnL valued at the new price
    (``= -s*Q*move`` for a short, exactly linear); ``net_pnl_usd`` their sum, i.e. the change of
    ``portfolio_usd = (spot + C + PnL(p))*p``. Each row carries the liquidation state at its
    price (``hedgetui.risk.liquidation``) and the signed distance; rows at or past the
    liquidation price, or below maintenance, are flagged ``liquidated``.
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
        pnl = pnl_coin(position, price)
        spot_pnl = held_at_mark * (price - mark)
        futures_pnl = (pnl - pnl_at_mark) * price
        portfolio = (held_at_mark + pnl - pnl_at_mark) * price
        change_pct = (portfolio / portfolio_at_mark - 1.0) * 100.0 if portfolio_at_mark > 0 else 0.0
        buffer = position.collateral + pnl - maintenance_margin_coin(position, price)
        outlook = liquidation_outlook(position.side, price, liquidation, buffer)
        rows.append(
            ScenarioRow(
                move_pct=move,
                price=price,
                spot_pnl_usd=spot_pnl,
                futures_pnl_usd=futures_pnl,
                net_pnl_usd=spot_pnl + futures_pnl,
                portfolio_usd=portfolio,
                drawdown_pct=max(0.0, -change_pct),
                liquidation_state=outlook.state,
                liquidation_distance_pct=outlook.distance_pct,
                liquidated=outlook.state in _LIQUIDATED,
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
    outlook = liquidation_outlook(position.side, mark, liquidation_price(position, mark), buffer)
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
        liquidation_state=outlook.state,
        liquidation_price=outlook.price,
        bankruptcy_price=within_reach(bankruptcy_price(position), mark),
        liquidation_distance_pct=outlook.distance_pct,
        liquidation_distance_usd=outlook.distance_usd,
        net_exposure_coin=net,
        net_exposure_usd=net * mark,
        hedge_ratio=hedge_ratio(position, mark, spot),
        funding_coin=funding,
        funding_usd=funding_usd,
        funding_annualized_pct=annualized,
        scenarios=scenario_rows(position, mark, scenarios, spot=spot),
    )
