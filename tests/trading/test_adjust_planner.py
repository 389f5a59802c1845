"""The pure adjust planner: direction, reduce-only, never flipping, limits, margin, preview."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hedgetui.risk import InversePosition
from hedgetui.trading.adjust import held_coin, plan_adjust, suggest
from hedgetui.trading.adjust_plan import (
    AdjustLimits,
    AdjustPlan,
    AdjustRequest,
    HedgeState,
    suggestion_text,
)
from hedgetui.trading.planner import Instrument, PlanError

OKX_ETH = Instrument("okx", "ETH-USD-SWAP", "ETH", 10.0, 1.0, 0.01)
XBT = Instrument("bitmex", "XBTUSD", "BTC", 1.0, 100.0, 0.5)


def eth_half(
    contracts: float = 1500.0,
    *,
    mark: float = 3000.0,
    leverage: float | None = None,
    available: float | None = None,
) -> HedgeState:
    """The demo's eth-half: 9 ETH spot + 1 ETH collateral of a short worth 5 ETH at 3,000."""
    pos = InversePosition(
        side="short",
        contracts=contracts,
        contract_size=10.0,
        entry=3000.0,
        collateral=1.0,
        leverage=leverage,
    )
    return HedgeState(
        position=-contracts,
        mark=mark,
        spot=9.0,
        risk_position=pos,
        available_margin=available,
        funding_rate=0.0001,
    )


def plan(
    state: HedgeState,
    request: AdjustRequest,
    limits: AdjustLimits | None = None,
    instrument: Instrument = OKX_ETH,
) -> AdjustPlan:
    return plan_adjust(
        hedge="eth-half",
        instrument=instrument,
        state=state,
        request=request,
        client_order_id="hux",
        limits=limits or AdjustLimits(max_leverage=10.0),
    )


def test_raise_a_half_hedge_to_ninety_percent() -> None:
    p = plan(eth_half(), AdjustRequest(to=0.9))
    assert p.order.side == "sell" and not p.order.reduce_only
    assert p.order.contracts == 1200 and p.position_after == -2700
    assert p.adjust is not None
    assert p.adjust.ratio_before == pytest.approx(0.5)
    assert p.adjust.ratio_after == pytest.approx(0.9)
    after = p.adjust.after
    assert after is not None and after.hedge_ratio == pytest.approx(0.9)
    assert after.net_exposure_coin == pytest.approx(1.0)
    assert after.initial_margin_coin is None  # no leverage known on the position
    assert after.liquidation_price is not None and after.liquidation_price > 3000
    assert after.liquidation_distance_pct is not None and after.liquidation_distance_pct > 0
    # a short receives positive funding: 0.01% of 9 ETH x 3 intervals a day, in USD
    assert p.adjust.funding_per_day_usd == pytest.approx(9 * 0.0001 * 3 * 3000)
    assert p.adjust.margin_needed == pytest.approx(4 / 10)


def test_lower_from_ninety_to_thirty_percent_is_reduce_only() -> None:
    p = plan(eth_half(2700), AdjustRequest(to=0.3))
    assert p.order.side == "buy" and p.order.reduce_only
    assert p.order.contracts == 1800 and p.position_after == -900
    assert p.adjust is not None and p.adjust.ratio_after == pytest.approx(0.3)
    assert p.adjust.margin_needed == 0 and p.adjust.margin_available is None


def test_band_returns_to_the_target_and_refuses_inside_it() -> None:
    limits = AdjustLimits(target_hedge_ratio=0.5, hedge_band=0.05, max_leverage=10)
    p = plan(eth_half(2100), AdjustRequest(band=True), limits)  # ratio 0.7
    assert p.order.side == "buy" and p.position_after == -1500 and p.strategy == "band"
    with pytest.raises(PlanError, match=r"inside the band 0.5 ± 0.05"):
        plan(eth_half(1560), AdjustRequest(band=True), limits)
    with pytest.raises(PlanError, match="no target_hedge_ratio"):
        plan(eth_half(2100), AdjustRequest(band=True))


def test_by_is_the_change_of_the_signed_position() -> None:
    more = plan(eth_half(), AdjustRequest(by=-500))
    assert more.order.side == "sell" and not more.order.reduce_only and more.position_after == -2000
    less = plan(eth_half(), AdjustRequest(by=+500.7))  # rounded down to the lot
    assert less.order.side == "buy" and less.order.reduce_only and less.order.contracts == 500


def test_never_flips_and_never_opens_a_long() -> None:
    with pytest.raises(PlanError, match=r"would flip the short of 1,500.*buy 1,500 \(to flat\)"):
        plan(eth_half(), AdjustRequest(by=2000))
    closed = plan(eth_half(), AdjustRequest(by=1500))
    assert closed.position_after == 0 and closed.order.reduce_only
    assert closed.adjust is not None and closed.adjust.after is None
    flat = HedgeState(position=0.0, mark=3000.0, spot=10.0, collateral=1.0)
    with pytest.raises(PlanError, match="would open a long"):
        plan(flat, AdjustRequest(by=100))
    opened = plan(flat, AdjustRequest(to=0.3))  # 0.3 x 11 ETH x 3000 / 10 = 990 contracts
    assert opened.order.side == "sell" and opened.position_after == -990
    assert not opened.order.reduce_only


def test_a_long_has_no_ratio_target() -> None:
    pos = InversePosition(side="long", contracts=100, contract_size=10, entry=3000, collateral=1)
    state = HedgeState(position=100, mark=3000, risk_position=pos)
    with pytest.raises(PlanError, match="long, which has no hedge ratio"):
        plan(state, AdjustRequest(to=0.5))
    assert plan(state, AdjustRequest(by=-50)).order.reduce_only


def test_an_increase_that_does_not_fit_the_margin_is_refused_with_the_numbers() -> None:
    with pytest.raises(PlanError, match=r"needs 0\.4 ETH .* at 10x; 0\.1 ETH is available"):
        plan(eth_half(available=0.1), AdjustRequest(to=0.9))
    # without an account figure: 1 ETH equity less 0.5 ETH for the 5 ETH held at 10x
    assert plan(eth_half(leverage=10), AdjustRequest(to=0.9)).adjust is not None
    with pytest.raises(PlanError, match=r"at 2x; 0 ETH is available"):
        plan(eth_half(leverage=2), AdjustRequest(to=0.9))


def test_each_limit_is_named_with_its_value() -> None:
    cases = [
        (AdjustLimits(max_order_contracts=1000), r"1,200 contracts is above trading.max_order"),
        (AdjustLimits(max_order_usd=10_000), r"\$12,000 is above trading.max_order_usd"),
        (AdjustLimits(max_leverage=5), r"9.00x leverage, above trading.max_leverage \(5\)"),
        (
            AdjustLimits(max_leverage=10, min_liquidation_distance_pct=15, scope="hedges.x"),
            r"below hedges.x.min_liquidation_distance_pct \(15\)",
        ),
    ]
    for limits, message in cases:
        with pytest.raises(PlanError, match=message):
            plan(eth_half(), AdjustRequest(to=0.9), limits)


def test_a_reduction_is_never_refused_for_leverage_or_liquidation_distance() -> None:
    limits = AdjustLimits(max_leverage=2, min_liquidation_distance_pct=50)
    assert plan(eth_half(2700), AdjustRequest(to=0.8), limits).order.reduce_only


def test_exactly_one_request_and_a_limit_price() -> None:
    with pytest.raises(PlanError, match="exactly one"):
        plan(eth_half(), AdjustRequest(to=0.9, by=5))
    with pytest.raises(PlanError, match="exactly one"):
        plan(eth_half(), AdjustRequest())
    with pytest.raises(PlanError, match=r"already at ratio 0\.5"):
        plan(eth_half(), AdjustRequest(to=0.5))
    limit = plan(eth_half(), AdjustRequest(to=0.9, limit_offset_bps=10))
    assert limit.order.order_type == "limit" and limit.order.price == pytest.approx(2997.0)


def test_suggestion_is_the_band_order_and_its_text() -> None:
    limits = AdjustLimits(target_hedge_ratio=0.5, hedge_band=0.05, max_leverage=10)
    s = suggest(eth_half(2700), OKX_ETH, limits)
    assert s is not None and suggestion_text(s) == "buy 1,200 → 0.50"
    assert suggestion_text(s, arrow="->") == "buy 1,200 -> 0.50"
    assert suggest(eth_half(), OKX_ETH, limits) is None


# --------------------------------------------------------------------------- properties

positions = st.integers(min_value=-400, max_value=400).map(lambda lots: lots * 100.0)
marks = st.floats(min_value=1_000, max_value=200_000)
ratios = st.floats(min_value=0.0, max_value=2.0)


def _state(position: float, mark: float, spot: float, collateral: float) -> HedgeState:
    pos = None
    if position != 0:
        pos = InversePosition(
            side="short" if position < 0 else "long",
            contracts=abs(position),
            contract_size=1.0,
            entry=50_000.0,
            collateral=collateral,
        )
    return HedgeState(
        position=position, mark=mark, spot=spot, risk_position=pos, collateral=collateral
    )


def _try(state: HedgeState, request: AdjustRequest, limits: AdjustLimits) -> AdjustPlan | None:
    try:
        return plan(state, request, limits, instrument=XBT)
    except PlanError:
        return None


requests = st.one_of(
    ratios.map(lambda r: AdjustRequest(to=r)),
    st.integers(min_value=-500, max_value=500).map(lambda n: AdjustRequest(by=n * 97.0)),
    st.just(AdjustRequest(band=True)),
)
limit_sets = st.builds(
    AdjustLimits,
    max_order_contracts=st.one_of(st.none(), st.floats(100, 40_000)),
    max_order_usd=st.one_of(st.none(), st.floats(100, 40_000)),
    max_leverage=st.one_of(st.none(), st.floats(0.5, 50)),
    min_liquidation_distance_pct=st.one_of(st.none(), st.floats(0, 60)),
    target_hedge_ratio=st.one_of(st.none(), ratios),
    hedge_band=st.floats(0, 0.2),
)


@given(positions, marks, st.floats(0, 5), st.floats(0.01, 3), requests, limit_sets)
def test_property_never_flips_reduce_only_iff_shrinking_within_limits(
    position: float,
    mark: float,
    spot: float,
    collateral: float,
    request: AdjustRequest,
    limits: AdjustLimits,
) -> None:
    state = _state(position, mark, spot, collateral)
    p = _try(state, request, limits)
    if p is None:
        return
    before, after = p.position_before, p.position_after
    assert before * after >= 0, "flipped"
    assert not (before == 0 and after > 0), "opened a long"
    assert p.order.reduce_only == (abs(after) < abs(before))
    moved = after - before
    assert p.order.contracts == pytest.approx(abs(moved))
    assert (p.order.side == "sell") == (moved < 0)
    assert p.order.contracts % XBT.lot_size == pytest.approx(0, abs=1e-6)
    if limits.max_order_contracts is not None:
        assert p.order.contracts <= limits.max_order_contracts
    if limits.max_order_usd is not None:
        assert p.order.contracts * XBT.contract_size <= limits.max_order_usd
    assert p.adjust is not None
    if abs(after) > abs(before):
        if limits.max_leverage is not None and p.adjust.leverage_after is not None:
            assert p.adjust.leverage_after <= limits.max_leverage + 1e-9
        distance = p.adjust.after.liquidation_distance_pct if p.adjust.after else None
        if limits.min_liquidation_distance_pct is not None and distance is not None:
            assert distance >= limits.min_liquidation_distance_pct
        assert p.adjust.margin_available is not None
        assert p.adjust.margin_needed <= p.adjust.margin_available + 1e-9


@given(positions.filter(lambda p: p <= 0), marks, st.floats(0, 5), st.floats(0.01, 3), ratios)
def test_property_ratio_after_within_one_lot_of_the_target(
    position: float, mark: float, spot: float, collateral: float, target: float
) -> None:
    state = _state(position, mark, spot, collateral)
    held = held_coin(state)
    assume(held > 0)
    # past bankruptcy (collateral + PnL < 0) the position is liquidated already: no preview
    assume(held - spot >= 0)
    p = _try(state, AdjustRequest(to=target), AdjustLimits())
    if p is None:  # refused: only when already there, or the margin does not fit
        lots_away = abs(target * held * mark / XBT.contract_size - abs(position)) / XBT.lot_size
        assert lots_away <= 0.5 + 1e-6 or target * held * mark > abs(position) * XBT.contract_size
        return
    assert p.adjust is not None and p.adjust.ratio_after is not None
    one_lot_ratio = XBT.lot_size * XBT.contract_size / mark / held
    assert math.isclose(p.adjust.ratio_after, target, abs_tol=one_lot_ratio + 1e-12)
    assert p.adjust.after is None or p.adjust.after.hedge_ratio == pytest.approx(
        p.adjust.ratio_after
    )
