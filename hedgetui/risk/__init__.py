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

from hedgetui.risk.liquidation import (
    LiquidationOutlook,
    beyond_reach,
    closeness_key,
    liquidation_outlook,
    within_reach,
)
from hedgetui.risk.margin import (
    bankruptcy_price,
    liquidation_price,
    maintenance_margin_coin,
    order_cost_coin,
    progressive_maintenance_coin,
    tier_for,
    tiers_with_deductions,
)
from hedgetui.risk.position import (
    InversePosition,
    MaintenanceTier,
    harmonic_entry,
    initial_margin_coin,
    pnl_coin,
    position_value_coin,
    roi_pct,
)
from hedgetui.risk.report import (
    assess,
    funding_annualized_pct,
    funding_coin,
    hedge_ratio,
    long_leverage,
    net_exposure_coin,
    scenario_rows,
)

__all__ = [
    "InversePosition",
    "LiquidationOutlook",
    "MaintenanceTier",
    "assess",
    "bankruptcy_price",
    "beyond_reach",
    "closeness_key",
    "funding_annualized_pct",
    "funding_coin",
    "harmonic_entry",
    "hedge_ratio",
    "initial_margin_coin",
    "liquidation_outlook",
    "liquidation_price",
    "long_leverage",
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
    "within_reach",
]
