"""The worked examples and derived checks of shared/risk-math.md section 4 (and 2.3/2.4/2.6).

Tolerance: about one unit in the last printed digit, as section 4 asks. Where a published
figure disagrees with its own formula (E3, E5, E8, E13, E15) the exact value is tested and the
published one is checked against the source's own rounding, with the disagreement noted.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from hedgetui.risk import (
    InversePosition,
    MaintenanceTier,
    assess,
    bankruptcy_price,
    funding_annualized_pct,
    funding_coin,
    harmonic_entry,
    initial_margin_coin,
    liquidation_price,
    maintenance_margin_coin,
    order_cost_coin,
    pnl_coin,
    position_value_coin,
    roi_pct,
    tier_for,
)
from hedgetui.venues import get_instrument, position_for, round_liquidation

BITMEX_TIERS = get_instrument("bitmex", "XBTUSD").tiers
BINANCE_TIERS = get_instrument("binance", "BTCUSD_PERP").tiers


def test_e1_bitmex_entry_value_funding_and_pnl() -> None:
    long = InversePosition("long", 15_000, 1, 750, collateral=0)
    assert position_value_coin(long, 750) == pytest.approx(20.0, abs=1e-12)
    paid = funding_coin(long, 750, 0.0025)  # positive = received, so a long pays: negative
    assert paid == pytest.approx(-0.05, abs=1e-12)
    pnl = pnl_coin(long, 800)
    assert pnl == pytest.approx(1.25, abs=1e-12)
    assert pnl + paid == pytest.approx(1.20, abs=1e-12)


def test_e2_bitmex_risk_limit_step() -> None:
    at_180 = tier_for(BITMEX_TIERS, 180)
    assert at_180.mmr == 0.005
    assert 180 * at_180.mmr - at_180.deduction == pytest.approx(0.90, abs=1e-12)
    at_230 = tier_for(BITMEX_TIERS, 180 + 50)
    assert (at_230.mmr, at_230.imr) == (0.010, 0.015)
    # through the position: 180 XBT of value at entry, BitMEX's entry-basis convention
    position = InversePosition("long", 180 * 10_000, 1, 10_000, 5, tiers=BITMEX_TIERS)
    position = dataclasses.replace(position, mm_basis="entry")
    assert maintenance_margin_coin(position, 9_000) == pytest.approx(0.90, abs=1e-12)
    bigger = dataclasses.replace(position, contracts=230 * 10_000)
    assert maintenance_margin_coin(bigger, 9_000) == pytest.approx(2.30, abs=1e-12)


def test_e3_bybit_cross_long_liquidation_and_bankruptcy() -> None:
    # Bybit classic cross: MM on entry value, closing fee reserved at the bankruptcy price.
    position = InversePosition(
        "long", 10_000, 1, 8_000, 0.5, mmr=0.005, fee=0.00075, mm_basis="entry"
    )
    assert bankruptcy_price(position, include_close_fee=True) == pytest.approx(5_718.57, abs=0.01)
    liq = liquidation_price(position, 8_000)
    assert liq is not None
    # Published 5,739.50 disagrees with its own formula: the exact solve is 5,739.08 and
    # Bybit rounds a long's liquidation price UP to the 0.5 tick.
    assert liq == pytest.approx(5_739.08, abs=0.01)
    assert round_liquidation(get_instrument("bybit", "BTCUSD"), "long", liq) == 5_739.50


def test_e4_bybit_initial_margin() -> None:
    position = InversePosition("long", 12_000, 1, 8_000, 0, leverage=50)
    assert initial_margin_coin(position) == pytest.approx(0.03, abs=1e-12)


def test_e5_bybit_roi_at_two_leverages() -> None:
    at_10x = InversePosition("long", 1_000, 1, 6_800, 0, leverage=10)
    assert initial_margin_coin(at_10x) == pytest.approx(0.0147058824, abs=1e-10)
    upnl = pnl_coin(at_10x, 7_000)
    assert upnl == pytest.approx(0.00420168, abs=1e-8)
    at_20x = dataclasses.replace(at_10x, leverage=20)
    assert initial_margin_coin(at_20x) == pytest.approx(0.0073529412, abs=1e-10)
    # Exact ROIs; the published 28.57142391% / 57.14284782% divide the UPnL rounded to 8 places.
    assert roi_pct(at_10x, 7_000) == pytest.approx(28.5714286, abs=1e-7)
    assert roi_pct(at_20x, 7_000) == pytest.approx(57.1428571, abs=1e-7)
    rounded_upnl = round(upnl, 8)
    assert rounded_upnl / 0.0147058824 * 100 == pytest.approx(28.57142391, abs=1e-6)
    assert rounded_upnl / 0.0073529412 * 100 == pytest.approx(57.14284782, abs=1e-6)


def test_e6_bybit_harmonic_average_entry() -> None:
    fills = [
        InversePosition("long", 1_000, 1, 5_000, 0),
        InversePosition("long", 2_000, 1, 6_000, 0),
    ]
    total_value = sum(position_value_coin(fill, fill.entry) for fill in fills)
    assert total_value == pytest.approx(0.53333334, abs=1e-8)
    assert harmonic_entry([(1_000, 5_000), (2_000, 6_000)]) == pytest.approx(5_625.00, abs=0.005)


def test_e7_bybit_long_upnl() -> None:
    long = InversePosition("long", 1_000, 1, 5_000, 0)
    assert pnl_coin(long, 5_500) == pytest.approx(0.01819, abs=1e-5)
    assert pnl_coin(long, 5_500) == pytest.approx(0.0181818, abs=1e-7)


def test_e8_bybit_order_cost() -> None:
    position = InversePosition("long", 10_000, 1, 6_400, 0, leverage=25, fee=0.00075)
    assert initial_margin_coin(position) == pytest.approx(0.0625, abs=1e-12)
    open_fee = position.fee * position_value_coin(position, position.entry)
    assert open_fee == pytest.approx(0.00117188, abs=1e-8)
    isolated = dataclasses.replace(position, collateral=0.0625)
    bust = bankruptcy_price(isolated)
    assert bust == pytest.approx(6_153.85, abs=0.005)  # the source uses ≈6,154
    # The source's close fee 0.00121872 and total 0.06489060 use the rounded 6,154;
    # the exact figures are 0.00121875 and 0.06489063 (published total is off by 3e-8).
    assert position.fee * position_value_coin(position, 6_154) == pytest.approx(
        0.00121872, abs=1e-8
    )
    assert bust is not None
    assert position.fee * position_value_coin(position, bust) == pytest.approx(0.00121875, abs=1e-8)
    assert order_cost_coin(position) == pytest.approx(0.064890625, abs=1e-12)
    assert order_cost_coin(position) == pytest.approx(0.06489060, abs=5e-8)


def test_e9_binance_notional_tier_and_maintenance() -> None:
    position = InversePosition("long", 100, 100, 25_000, 0.1, tiers=BINANCE_TIERS)
    assert position_value_coin(position, 25_000) == pytest.approx(0.4, abs=1e-12)
    assert tier_for(BINANCE_TIERS, 0.4).mmr == 0.004
    assert maintenance_margin_coin(position, 25_000) == pytest.approx(0.0016, abs=1e-12)


def test_e10_binance_300_btc_tier() -> None:
    tier = tier_for(BINANCE_TIERS, 300)
    assert tier.mmr == 0.125
    assert tier.deduction == pytest.approx(11.605, abs=1e-9)


def test_e11_binance_long_pnl() -> None:
    long = InversePosition("long", 100, 100, 50_000, 0)
    assert position_value_coin(long, 50_000) == pytest.approx(0.2, abs=1e-12)
    assert position_value_coin(long, 55_000) == pytest.approx(0.1818, abs=1e-4)
    assert pnl_coin(long, 55_000) == pytest.approx(0.0181818, abs=1e-7)


def test_e12_okx_harmonic_entry() -> None:
    assert harmonic_entry([(10, 100_000), (5, 80_000)]) == pytest.approx(92_307.69, abs=0.005)


def test_e13_deribit_profit_in_btc_and_usd() -> None:
    long = InversePosition("long", 100, 10, 600, 0)
    profit = pnl_coin(long, 700)
    assert profit == pytest.approx(0.238095, abs=1e-6)
    # Published "≈ 166.66 USD" truncates 166.6667.
    assert profit * 700 == pytest.approx(166.6667, abs=1e-4)
    assert math.floor(profit * 700 * 100) / 100 == 166.66


def test_e14_one_x_short_is_synthetic_usd() -> None:
    short = InversePosition("short", 16_000, 1, 8_000, collateral=2)
    at_10k = assess(short, 10_000)
    assert at_10k.pnl_coin == pytest.approx(-0.4, abs=1e-12)
    assert at_10k.equity_coin == pytest.approx(1.6, abs=1e-12)
    assert at_10k.equity_coin * 10_000 == pytest.approx(16_000, abs=1e-6)
    at_5k = assess(short, 5_000)
    assert at_5k.pnl_coin == pytest.approx(1.2, abs=1e-12)
    assert at_5k.equity_coin * 5_000 == pytest.approx(16_000, abs=1e-6)
    assert at_10k.liquidation_price is None


def test_e15_btcmex_isolated_liquidation() -> None:
    long = InversePosition(
        "long", 50, 1, 8_125, collateral=50 / (8_125 * 50), mmr=0.005, mm_basis="entry"
    )
    short = dataclasses.replace(long, side="short")
    long_liq = liquidation_price(long, 8_125)
    short_liq = liquidation_price(short, 8_125)
    assert long_liq is not None and short_liq is not None
    # Published long 8,006 disagrees with the formula (8,004.93) by ~1 USD [source inconsistency].
    assert long_liq == pytest.approx(8_004.93, abs=0.01)
    assert short_liq == pytest.approx(8_248.73, abs=0.01)
    bybit_style = get_instrument("bybit", "BTCUSD")
    assert round_liquidation(bybit_style, "short", short_liq) == 8_248.5


@pytest.mark.parametrize(
    ("side", "expected_liq", "expected_bust"),
    [("long", 7_881.773, 7_843.137), ("short", 8_121.827, 8_163.265)],
)
def test_f1_bybit_isolated_fifty_x(side: str, expected_liq: float, expected_bust: float) -> None:
    im = 1_000 / (8_000 * 50)
    position = InversePosition(
        "long" if side == "long" else "short", 1_000, 1, 8_000, im, mm_basis="entry"
    )
    assert liquidation_price(position, 8_000) == pytest.approx(expected_liq, abs=0.001)
    assert bankruptcy_price(position) == pytest.approx(expected_bust, abs=0.001)
    # the closed forms P0·L/(L±1) and P0·L/(L+1−mL) / P0·L/(L−1+mL)
    s = 1 if side == "long" else -1
    assert bankruptcy_price(position) == pytest.approx(8_000 * 50 / (50 + s), rel=1e-12)


F2_SHORT = InversePosition("short", 100_000, 1, 40_000, collateral=0.5, mmr=0.005)


def test_f2_short_liquidation_variants() -> None:
    assert liquidation_price(F2_SHORT, 42_000) == pytest.approx(49_750, abs=1e-6)
    assert bankruptcy_price(F2_SHORT) == pytest.approx(50_000, abs=1e-6)
    with_fee = dataclasses.replace(F2_SHORT, fee=0.0005)
    assert liquidation_price(with_fee, 42_000) == pytest.approx(49_725, abs=1e-6)
    at_entry = dataclasses.replace(F2_SHORT, mm_basis="entry")
    assert liquidation_price(at_entry, 42_000) == pytest.approx(49_689.44, abs=0.005)


def test_f3_long_liquidation_and_bankruptcy() -> None:
    long = dataclasses.replace(F2_SHORT, side="long")
    assert liquidation_price(long, 40_000) == pytest.approx(33_500, abs=1e-6)
    assert bankruptcy_price(long) == pytest.approx(33_333.33, abs=0.005)


@pytest.mark.parametrize("collateral", [2.5, 2.5000001, 3.0, 10.0])
def test_f4_fully_collateralised_short_has_no_liquidation(collateral: float) -> None:
    short = dataclasses.replace(F2_SHORT, collateral=collateral)
    report = assess(short, 42_000, scenarios=(-50, 100, 400))
    assert report.liquidation_price is None
    assert report.bankruptcy_price is None
    assert report.liquidation_distance_pct is None
    assert not any(row.liquidated for row in report.scenarios)


def test_illustration_2_3_state_at_42000() -> None:
    report = assess(F2_SHORT, 42_000)
    assert report.equity_coin == pytest.approx(0.380952, abs=1e-6)
    assert report.maintenance_margin_coin == pytest.approx(0.011905, abs=1e-6)
    assert report.margin_buffer_coin == pytest.approx(0.369048, abs=1e-6)
    assert report.margin_buffer_usd == pytest.approx(15_500, abs=1)
    assert report.liquidation_distance_pct == pytest.approx(18.45, abs=0.005)
    assert report.liquidation_distance_usd == pytest.approx(7_750, abs=1e-6)


def test_illustration_2_3_size_dependent_rate() -> None:
    deribit_style = dataclasses.replace(F2_SHORT, mmr=0.01, mmr_per_coin=0.00005)
    assert liquidation_price(deribit_style, 42_000) == pytest.approx(49_494.95, abs=0.005)
    flat = dataclasses.replace(F2_SHORT, mmr=0.01)
    assert liquidation_price(flat, 42_000) == pytest.approx(49_500, abs=1e-6)
    # the long side of the same quadratic: requirement == equity at the solved price
    long = dataclasses.replace(deribit_style, side="long")
    liq = liquidation_price(long, 40_000)
    assert liq is not None and liq < 40_000
    report = assess(long, liq)
    assert report.margin_buffer_coin == pytest.approx(0.0, abs=1e-12)


def test_illustration_2_4_slightly_under_one_x() -> None:
    epsilon, m = 0.02, 0.005
    short = InversePosition("short", 100_000, 1, 40_000, (1 - epsilon) * 2.5, mmr=m)
    liq = liquidation_price(short, 40_000)
    assert liq == pytest.approx(40_000 * (1 - m) / epsilon, rel=1e-9)
    assert liq == pytest.approx(49.75 * 40_000, rel=1e-9)
    one_x = dataclasses.replace(short, collateral=2.5)
    for price in (1_000.0, 40_000.0, 1_000_000.0):
        assert assess(one_x, price).equity_coin * price == pytest.approx(100_000, rel=1e-12)


def test_illustration_2_6_funding() -> None:
    short = InversePosition("short", 100_000, 1, 40_000, 2.5)
    report = assess(short, 42_000, funding_rate=0.0001, funding_hours=8)
    assert report.funding_coin == pytest.approx(0.000238095, abs=1e-9)
    assert report.funding_usd == pytest.approx(10.0, abs=1e-9)
    assert report.funding_annualized_pct == pytest.approx(10.95, abs=1e-9)
    assert funding_annualized_pct("long", 0.0001, 8) == pytest.approx(-10.95, abs=1e-9)
    negative = assess(short, 42_000, funding_rate=-0.0002, funding_hours=4)
    assert negative.funding_usd == pytest.approx(-20.0, abs=1e-9)
    assert negative.funding_annualized_pct == pytest.approx(-43.8, abs=1e-9)


def test_classic_hundred_thousand_portfolio_drawdowns() -> None:
    """$100,000 of coin: a 20% drop is a 20% drawdown unhedged, 10% when 50% hedged."""
    mark = 50_000.0
    unhedged = InversePosition("short", 0, 1, mark, collateral=0)
    (row,) = assess(unhedged, mark, spot=2.0, scenarios=(-20,)).scenarios
    assert row.drawdown_pct == pytest.approx(20.0, abs=1e-9)
    assert row.portfolio_usd == pytest.approx(80_000, abs=1e-6)
    half = InversePosition("short", 50_000, 1, mark, collateral=2.0)
    report = assess(half, mark, scenarios=(-20, 20))
    down, up = report.scenarios
    assert report.hedge_ratio == pytest.approx(0.5, abs=1e-12)
    assert down.spot_pnl_usd == pytest.approx(-20_000, abs=1e-6)
    assert down.futures_pnl_usd == pytest.approx(10_000, abs=1e-6)
    assert down.drawdown_pct == pytest.approx(10.0, abs=1e-9)
    assert up.drawdown_pct == 0.0
    assert up.net_pnl_usd == pytest.approx(10_000, abs=1e-6)


def test_scenario_rows_flag_liquidation_and_sign_the_distance() -> None:
    """Past the liquidation price the distance is negative (issue 19: it used to be abs())."""
    report = assess(F2_SHORT, 42_000, scenarios=(10, 18, 19, 25))
    flags = [row.liquidated for row in report.scenarios]
    assert flags == [False, False, True, True]  # 49,750 is +18.45% from 42,000
    states = [row.liquidation_state.value for row in report.scenarios]
    assert states == ["ahead", "ahead", "past", "past"]
    for row in report.scenarios:
        assert row.liquidation_distance_pct == pytest.approx(
            (49_750 - row.price) / row.price * 100, rel=1e-12
        )


def test_long_scenarios_and_negative_hedge_ratio() -> None:
    long = InversePosition("long", 100_000, 1, 40_000, 0.5)
    report = assess(long, 40_000, spot=1.0, scenarios=(-20, -17, -16))
    assert report.hedge_ratio == pytest.approx(-2.5 / 1.5, rel=1e-12)
    assert report.net_exposure_coin == pytest.approx(1.0 + 0.5 + 2.5, rel=1e-12)
    assert [row.liquidated for row in report.scenarios] == [True, True, False]  # liq 33,500


def test_binance_tiers_resolved_at_the_liquidation_price() -> None:
    """A 9.5 BTC long at entry sits in tier 2 but liquidates in tier 3: re-solve until stable."""
    profile = get_instrument("binance", "BTCUSD_PERP")
    position = position_for(profile, "long", 9_500, 100_000, collateral=1.0, fee=0.0)
    liq = liquidation_price(position, 100_000)
    assert liq is not None
    tier = tier_for(profile.tiers, position.notional_usd / liq)
    assert tier.mmr == 0.01  # not the 0.5% tier of the entry value (9.5 BTC)
    # equity equals the requirement exactly there
    assert assess(position, liq).margin_buffer_coin == pytest.approx(0.0, abs=1e-12)


def test_step_tiers_without_deduction_liquidate_at_the_boundary() -> None:
    """With whole-position rates the requirement jumps at a boundary; if the jump crosses the
    equity, liquidation is at the boundary price (no tier is self-consistent)."""
    tiers = (
        MaintenanceTier(0, 10, 0.01, 0),
        MaintenanceTier(10, math.inf, 0.20, 0),
    )
    # Q = 100,000; boundary V = 10 BTC at P = 10,000. Long from 11,000 with C chosen so that
    # tier 1 alone would liquidate below 10,000 and tier 2 alone above it.
    position = InversePosition("long", 100_000, 1, 11_000, collateral=1.5, tiers=tiers)
    assert liquidation_price(position, 11_000) == pytest.approx(10_000, rel=1e-12)


def test_entry_basis_one_x_short_liquidates_near_entry_over_m() -> None:
    """With MM on the entry value the requirement stays fixed in coin while a 1x short's
    equity in coin tends to zero as the price rises: liquidation at P0/m (200x entry)."""
    one_x = InversePosition("short", 100_000, 1, 40_000, 2.5, mmr=0.005, mm_basis="entry")
    assert liquidation_price(one_x, 40_000) == pytest.approx(40_000 / 0.005, rel=1e-12)
    assert liquidation_price(dataclasses.replace(one_x, mm_basis="mark"), 40_000) is None
