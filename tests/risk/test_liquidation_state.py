"""One rule for liquidation (issue 19): none, ahead, past, below maintenance; a signed distance."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hedgetui.domain import LIQUIDATION_REACH, LiquidationState, Side
from hedgetui.risk import (
    InversePosition,
    assess,
    beyond_reach,
    closeness_key,
    liquidation_outlook,
    liquidation_price,
)

# calc --side short --contracts 50000 --entry 60000 --collateral 0.83333333: a hair under 1x,
# liquidated only at ~14.9 trillion USD (issue 19 printed that price and a 2.5e10 % distance)
ALMOST_ONE_X = InversePosition("short", 50_000, 1, 60_000, 0.83333333)
# calc --side long --contracts 100000 --entry 60000 --mark 50000 --leverage 10
LONG_10X = InversePosition("long", 100_000, 1, 60_000, 100_000 / 600_000, leverage=10)
# calc --venue deribit --side short --contracts 694802 --entry 1295.9 --mark 1314.39
# --leverage 47.875: the size-dependent requirement is above the equity at every price
DERIBIT_SHORT = InversePosition(
    "short",
    694_802,
    10,
    1295.9,
    694_802 * 10 / (1295.9 * 47.875),
    mmr=0.01,
    mmr_per_coin=0.00005,
    fee=0.0005,
    leverage=47.875,
)


def test_a_liquidation_beyond_a_10x_move_is_none() -> None:
    report = assess(ALMOST_ONE_X, 60_000, scenarios=(-50, 50))
    assert report.liquidation_state is LiquidationState.NONE
    assert liquidation_price(ALMOST_ONE_X, 60_000) == pytest.approx(1.4925e13, rel=1e-3)
    assert report.liquidation_price is None
    assert report.bankruptcy_price is None  # ~1.5e13 too: the same rule
    assert report.liquidation_distance_pct is None
    assert report.liquidation_distance_usd is None
    assert all(row.liquidation_state is LiquidationState.NONE for row in report.scenarios)
    assert not any(row.liquidated for row in report.scenarios)


def test_past_the_liquidation_price_the_distance_is_negative() -> None:
    report = assess(LONG_10X, 50_000)
    assert report.liquidation_state is LiquidationState.PAST
    assert report.liquidation_price == pytest.approx(54_818.18, abs=0.01)
    assert report.liquidation_distance_pct == pytest.approx(-9.636, abs=0.001)
    assert report.liquidation_distance_usd == pytest.approx(-4_818.18, abs=0.01)
    ahead = assess(LONG_10X, 60_000)
    assert ahead.liquidation_state is LiquidationState.AHEAD
    assert ahead.liquidation_distance_pct == pytest.approx(
        (60_000 - ahead.liquidation_price) / 600, rel=1e-12
    )
    assert ahead.liquidation_distance_usd == pytest.approx(60_000 - 54_818.18, abs=0.01)


def test_no_price_satisfying_maintenance_is_below_maintenance() -> None:
    assert liquidation_price(DERIBIT_SHORT, 1314.39) is None  # not the 702.17 "vertex"
    report = assess(DERIBIT_SHORT, 1314.39, scenarios=(-10, 10))
    assert report.margin_buffer_coin < 0
    assert report.liquidation_state is LiquidationState.BELOW_MAINTENANCE
    assert report.liquidation_price is None
    assert report.liquidation_distance_pct is None
    assert report.liquidation_distance_usd is None
    for row in report.scenarios:
        assert row.liquidation_state is LiquidationState.BELOW_MAINTENANCE
        assert row.liquidated


@pytest.mark.parametrize(
    ("side", "liq", "state"),
    [
        ("short", 60_000 * LIQUIDATION_REACH, LiquidationState.AHEAD),  # exactly 10x: a number
        ("short", 60_000 * LIQUIDATION_REACH * 1.0001, LiquidationState.NONE),
        ("long", 60_000 / LIQUIDATION_REACH, LiquidationState.AHEAD),
        ("long", 60_000 / LIQUIDATION_REACH / 1.0001, LiquidationState.NONE),
        ("long", 60_000.0, LiquidationState.PAST),  # at the price is past it
        ("short", 59_999.0, LiquidationState.PAST),
        ("short", None, LiquidationState.NONE),
    ],
)
def test_the_one_threshold(side: Side, liq: float | None, state: LiquidationState) -> None:
    outlook = liquidation_outlook(side, 60_000.0, liq, buffer_coin=0.1)
    assert outlook.state is state
    if state is LiquidationState.NONE:
        assert (outlook.price, outlook.distance_pct, outlook.distance_usd) == (None, None, None)
    else:
        assert outlook.price == liq
        assert outlook.distance_pct is not None
        assert (outlook.distance_pct > 0) == (state is LiquidationState.AHEAD)


def test_a_negative_buffer_with_the_price_still_ahead_is_below_maintenance() -> None:
    outlook = liquidation_outlook("long", 60_000.0, 50_000.0, buffer_coin=-0.01)
    assert outlook.state is LiquidationState.BELOW_MAINTENANCE
    assert outlook.distance_pct is None
    no_price = liquidation_outlook("short", 60_000.0, None, buffer_coin=-0.01)
    assert no_price.state is LiquidationState.BELOW_MAINTENANCE


def test_beyond_reach_is_symmetric_in_ratio() -> None:
    assert not beyond_reach(600_000.0, 60_000.0)
    assert beyond_reach(600_001.0, 60_000.0)
    assert not beyond_reach(6_000.0, 60_000.0)
    assert beyond_reach(5_999.0, 60_000.0)
    assert beyond_reach(float("inf"), 60_000.0)


@given(
    side=st.sampled_from(["long", "short"]),
    q=st.floats(min_value=1_000.0, max_value=10_000_000.0),
    entry=st.floats(min_value=1_000.0, max_value=200_000.0),
    leverage=st.floats(min_value=1.0, max_value=100.0),
    move=st.floats(min_value=-80.0, max_value=300.0),
    per_coin=st.sampled_from([0.0, 0.00005]),
)
def test_the_state_agrees_with_the_buffer_and_the_sign(
    side: Side, q: float, entry: float, leverage: float, move: float, per_coin: float
) -> None:
    position = InversePosition(
        side, q, 1, entry, q / (entry * leverage), mmr=0.005, mmr_per_coin=per_coin
    )
    mark = entry * (1 + move / 100)
    report = assess(position, mark)
    state, distance = report.liquidation_state, report.liquidation_distance_pct
    if state is LiquidationState.AHEAD:
        assert distance is not None and distance > 0 and report.margin_buffer_coin >= 0
    elif state is LiquidationState.PAST:
        assert distance is not None and distance <= 0
        assert report.margin_buffer_coin <= 1e-9 * report.position_value_coin
    elif state is LiquidationState.BELOW_MAINTENANCE:
        assert distance is None and report.margin_buffer_coin < 0
    else:
        assert distance is None and report.liquidation_price is None
        assert report.margin_buffer_coin >= 0


def test_closeness_orders_below_maintenance_then_past_then_ahead_then_none() -> None:
    reports = {
        "none": assess(ALMOST_ONE_X, 60_000),
        "ahead": assess(LONG_10X, 60_000),
        "past": assess(LONG_10X, 50_000),
        "below": assess(DERIBIT_SHORT, 1314.39),
    }
    ranked = sorted(
        reports,
        key=lambda k: closeness_key(
            reports[k].liquidation_state, reports[k].liquidation_distance_pct
        ),
    )
    assert ranked == ["below", "past", "ahead", "none"]
