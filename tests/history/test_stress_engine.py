"""The stress engine on hand-made paths: the article's table, liquidation on the bar's
adverse extreme (not its close), funding booked at settlements, the margin lost."""

from __future__ import annotations

import pytest

from hedgetui.domain import LiquidationState
from hedgetui.history.model import FundingRecord, PriceBar
from hedgetui.history.stress import (
    FundingPlan,
    StressHedge,
    columns,
    funding_from_bars,
    funding_from_records,
    stress,
)
from hedgetui.risk import InversePosition, liquidation_price

MINUTE = 60_000
NO_FUNDING = FundingPlan((), 0)


def _bars(*ohlc: tuple[float, float, float, float]) -> list[PriceBar]:
    return [PriceBar(i * MINUTE, o, h, lo, c) for i, (o, h, lo, c) in enumerate(ohlc)]


def _flat(*prices: float) -> list[PriceBar]:
    return _bars(*((p, p, p, p) for p in prices))


# a short of $50,000 at 50,000 with 0.2 BTC of collateral: liquidation near 62,187.5
SHORT = InversePosition("short", 50_000, 1.0, 50_000, 0.2)
LONG = InversePosition("long", 50_000, 1.0, 50_000, 0.2)


def test_the_articles_half_hedge_through_a_20pct_drop_and_full_recovery() -> None:
    # 2 BTC at $50,000 = $100,000; a 1x short of half of it (collateral counted in the 2 BTC)
    hedge = StressHedge("half", "BTC", 1.8, SHORT, 50_000)
    path = columns(_flat(50_000, 45_000, 40_000, 45_000, 50_000))
    result = stress(path, [(hedge, NO_FUNDING)]).hedges[0]
    assert result.hedged.initial == pytest.approx(100_000)
    assert result.hedged.worst == pytest.approx(90_000)
    assert result.hedged.end == pytest.approx(100_000)
    assert result.hedged.max_drawdown_pct == pytest.approx(10.0)
    assert result.unhedged.worst == pytest.approx(80_000)
    assert result.unhedged.max_drawdown_pct == pytest.approx(20.0)
    assert result.liquidated_ms is None


def test_a_short_is_liquidated_on_a_bar_whose_high_crosses_though_its_close_is_safe() -> None:
    liq = liquidation_price(SHORT, 50_000)
    assert liq is not None
    # the middle bar spikes past the liquidation price and closes back at 50,000
    bars = _bars(
        (50_000, 50_000, 50_000, 50_000),
        (50_000, liq * 1.01, 49_000, 50_000),
        (50_000, 50_000, 50_000, 50_000),
    )
    result = stress(columns(bars), [(StressHedge("s", "BTC", 1.8, SHORT, 50_000), NO_FUNDING)])
    hedge = result.hedges[0]
    assert hedge.liquidated_ms == MINUTE
    assert hedge.min_distance_state is LiquidationState.PAST
    assert hedge.min_distance_pct is not None and hedge.min_distance_pct < 0
    # the margin is gone: after the bar the hedge is its 1.8 spot coins alone
    assert hedge.hedged.end == pytest.approx(1.8 * 50_000)
    assert hedge.margin_lost_usd > 0
    assert result.portfolio.liquidated == ("s",)


def test_a_long_is_liquidated_on_the_low_not_the_close() -> None:
    liq = liquidation_price(LONG, 50_000)
    assert liq is not None
    bars = _bars((50_000, 50_000, 50_000, 50_000), (50_000, 51_000, liq * 0.99, 50_500))
    hedge = stress(columns(bars), [(StressHedge("l", "BTC", 0.0, LONG, 50_000), NO_FUNDING)])
    assert hedge.hedges[0].liquidated_ms == MINUTE
    assert hedge.hedges[0].hedged.end == 0.0


def test_the_closest_approach_is_on_the_adverse_extreme_and_names_its_bar() -> None:
    liq = liquidation_price(SHORT, 50_000)
    assert liq is not None
    bars = _bars((50_000, 55_000, 49_000, 50_000), (50_000, 60_000, 49_000, 50_000))
    hedge = stress(columns(bars), [(StressHedge("s", "BTC", 1.8, SHORT, 50_000), NO_FUNDING)])
    h = hedge.hedges[0]
    assert h.liquidated_ms is None
    assert h.min_distance_ms == MINUTE
    assert h.min_distance_pct == pytest.approx((liq - 60_000) / 60_000 * 100)


def test_the_path_is_scaled_to_the_hedges_start_price() -> None:
    # the same relative moves from 5,000: the article's figures in the hedge's prices
    hedge = StressHedge("half", "BTC", 1.8, SHORT, 50_000)
    path = columns(_flat(5_000, 4_000, 5_000))
    h = stress(path, [(hedge, NO_FUNDING)]).hedges[0]
    assert h.scale == pytest.approx(10.0)
    assert (h.hedged.worst, h.unhedged.worst) == (pytest.approx(90_000), pytest.approx(80_000))


def test_funding_records_settle_at_their_times_into_the_collateral() -> None:
    # a settlement at minute 2 of -0.1% per 8 h: the short pays 0.1% of $50,000 = $50
    path = columns(_flat(50_000, 50_000, 50_000, 50_000))
    plan = funding_from_records(
        path, [FundingRecord(2 * MINUTE, -0.001, 8.0), FundingRecord(99 * MINUTE, 0.5, 8.0)]
    )
    assert len(plan.events) == 1
    h = stress(path, [(StressHedge("s", "BTC", 1.8, SHORT, 50_000), plan)]).hedges[0]
    assert h.funding_usd == pytest.approx(-50.0)
    assert h.funding_events == 1
    assert h.hedged.end == pytest.approx(100_000 - 50.0)


def test_bar_rates_settle_on_the_venue_grid_and_unknown_ones_count_as_zero() -> None:
    hour = 60 * MINUTE
    bars = [PriceBar(i * hour, 50_000, 50_000, 50_000, 50_000, 0.001) for i in range(17)]
    bars[16] = PriceBar(16 * hour, 50_000, 50_000, 50_000, 50_000, None)
    plan = funding_from_bars(columns(bars), 8.0)
    assert [e.index for e in plan.events] == [8]  # 08:00; 16:00's rate is unknown
    assert plan.unknown == 1
    hourly = funding_from_bars(columns(bars), 1.0)
    assert len(hourly.events) == 15 and hourly.events[0].rate == pytest.approx(0.001 / 8)


def test_the_portfolio_is_the_sum_of_its_hedges_bar_by_bar() -> None:
    path = columns(_flat(50_000, 40_000, 50_000))
    a = StressHedge("a", "BTC", 1.8, SHORT, 50_000)
    b = StressHedge("b", "BTC", 0.0, LONG, 50_000)
    result = stress(path, [(a, NO_FUNDING), (b, NO_FUNDING)])
    worst = result.hedges[0].hedged.worst + result.hedges[1].hedged.worst
    assert result.portfolio.hedged.worst == pytest.approx(worst)  # both worst at the same bar
    assert result.portfolio.unhedged.initial == pytest.approx((2.0 + 0.2) * 50_000)


def test_a_settlement_at_the_paths_first_instant_is_the_pasts() -> None:
    path = columns(_flat(50_000, 50_000))
    assert funding_from_records(path, [FundingRecord(0, 0.01, 8.0)]).events == ()
    hour = 60 * MINUTE
    hourly = columns([PriceBar(i * hour, 1.0, 1.0, 1.0, 1.0, 0.001) for i in range(3)])
    assert [e.index for e in funding_from_bars(hourly, 1.0).events] == [1, 2]


def test_a_position_under_water_at_the_start_is_liquidated_on_the_first_bar() -> None:
    # 0.001 BTC of collateral under a $50,000 long: maintenance alone is 0.005 BTC
    thin = InversePosition("long", 50_000, 1.0, 50_000, 0.001)
    path = columns(_flat(50_000, 50_000))
    result = stress(path, [(StressHedge("thin", "BTC", 1.0, thin, 50_000), NO_FUNDING)])
    hedge = result.hedges[0]
    assert hedge.liquidated_ms == 0
    assert hedge.hedged.initial == pytest.approx(1.001 * 50_000)
    assert result.portfolio.hedged.initial == pytest.approx(hedge.hedged.initial)
    assert hedge.hedged.end == pytest.approx(50_000)  # the spot coin alone


def test_bitmex_settles_at_04_12_20_utc() -> None:
    hour = 60 * MINUTE
    bars = [PriceBar(i * hour, 1.0, 1.0, 1.0, 1.0, 0.001) for i in range(24)]
    plan = funding_from_bars(columns(bars), 8.0, 4.0)
    assert [e.index for e in plan.events] == [4, 12, 20]
