"""Hypothesis properties of the inverse-contract identities (shared/risk-math.md section 2)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hedgetui.domain import Side
from hedgetui.risk import (
    InversePosition,
    assess,
    bankruptcy_price,
    liquidation_price,
    maintenance_margin_coin,
    net_exposure_coin,
    pnl_coin,
    progressive_maintenance_coin,
    tiers_with_deductions,
)
from hedgetui.venues import get_instrument

prices = st.floats(min_value=100.0, max_value=1_000_000.0)
notionals = st.floats(min_value=1.0, max_value=50_000_000.0)
sides = st.sampled_from(["long", "short"])
rates = st.floats(min_value=0.0, max_value=0.2)
fees = st.floats(min_value=0.0, max_value=0.002)
leverages = st.floats(min_value=1.05, max_value=100.0)

settings.register_profile("hedgetui", max_examples=200, deadline=None)
settings.load_profile("hedgetui")


@given(side=sides, q=notionals, entry=prices, price=prices)
def test_usd_pnl_is_linear_in_the_price_return(
    side: Side, q: float, entry: float, price: float
) -> None:
    position = InversePosition(side, q, 1, entry, 0)
    s = 1 if side == "long" else -1
    assert pnl_coin(position, price) * price == pytest.approx(
        s * q * (price / entry - 1), rel=1e-9, abs=1e-6
    )


@given(
    q=notionals,
    entry=prices,
    extra=st.floats(min_value=0.0, max_value=5.0),
    m=rates,
    f=fees,
    price=prices,
)
def test_short_with_full_collateral_has_no_liquidation_and_flat_usd_value(
    q: float, entry: float, extra: float, m: float, f: float, price: float
) -> None:
    collateral = q / entry * (1 + extra)
    short = InversePosition("short", q, 1, entry, collateral, mmr=m, fee=f)
    report = assess(short, price, scenarios=(-90, -50, 100, 1000))
    assert report.liquidation_price is None
    assert report.bankruptcy_price is None
    assert not any(row.liquidated for row in report.scenarios)
    # USD value of the account (C + U(P))·P moves only with the coins beyond 1x
    one_x = dataclasses.replace(short, collateral=q / entry)
    assert assess(one_x, price).equity_coin * price == pytest.approx(q, rel=1e-9)


@given(
    side=sides,
    q=notionals,
    entry=prices,
    c=st.floats(0, 100),
    spot=st.floats(0, 100),
    mark_a=prices,
    mark_b=prices,
)
def test_net_exposure_is_independent_of_the_mark(
    side: Side, q: float, entry: float, c: float, spot: float, mark_a: float, mark_b: float
) -> None:
    position = InversePosition(side, q, 1, entry, c)
    s = 1 if side == "long" else -1
    expected = spot + c + s * q / entry
    scale = spot + c + q / entry
    for mark in (mark_a, mark_b):
        assert net_exposure_coin(position, mark, spot) == pytest.approx(
            expected, abs=1e-9 * scale + 1e-12
        )


@given(
    side=sides,
    q=notionals,
    entry=prices,
    lev=leverages,
    more=st.floats(min_value=1.01, max_value=3.0),
    m=rates,
    f=fees,
    basis=st.sampled_from(["mark", "entry"]),
)
def test_liquidation_moves_away_as_collateral_grows(
    side: Side, q: float, entry: float, lev: float, more: float, m: float, f: float, basis: str
) -> None:
    c = q / (entry * lev)
    position = InversePosition(
        side,
        q,
        1,
        entry,
        c,
        mmr=min(m, 0.5 / lev),
        fee=f,
        mm_basis="entry" if basis == "entry" else "mark",
    )
    richer = dataclasses.replace(position, collateral=c * more)
    before = liquidation_price(position, entry)
    after = liquidation_price(richer, entry)
    assert before is not None
    if after is None:
        assert side == "short"
        return
    if side == "long":
        assert after < before
    else:
        assert after > before


@given(
    side=sides,
    q=notionals,
    entry=prices,
    lev=leverages,
    m=st.floats(min_value=0.0001, max_value=0.2),
    f=fees,
    basis=st.sampled_from(["mark", "entry"]),
)
def test_bankruptcy_is_beyond_liquidation(
    side: Side, q: float, entry: float, lev: float, m: float, f: float, basis: str
) -> None:
    position = InversePosition(
        side,
        q,
        1,
        entry,
        q / (entry * lev),
        mmr=m,
        fee=f,
        mm_basis="entry" if basis == "entry" else "mark",
    )
    liq = liquidation_price(position, entry)
    bust = bankruptcy_price(position)
    assert liq is not None and bust is not None
    if side == "long":
        assert bust < liq
    else:
        assert bust > liq


@given(
    side=sides,
    q=st.floats(min_value=1.0, max_value=1_000_000.0),
    entry=st.floats(min_value=1_000.0, max_value=1_000_000.0),
    lev=leverages,
    m=rates,
    f=fees,
    k=st.floats(0, 1e-4),
)
def test_equity_equals_requirement_at_the_liquidation_price(
    side: Side, q: float, entry: float, lev: float, m: float, f: float, k: float
) -> None:
    position = InversePosition(
        side, q, 1, entry, q / (entry * lev), mmr=min(m, 0.5 / lev), fee=f, mmr_per_coin=k
    )
    liq = liquidation_price(position, entry)
    if liq is None:
        return
    equity = position.collateral + pnl_coin(position, liq)
    assert equity == pytest.approx(maintenance_margin_coin(position, liq), rel=1e-7, abs=1e-9)


@given(value=st.floats(min_value=0.0, max_value=1_000.0))
def test_rate_minus_deduction_equals_progressive_slices(value: float) -> None:
    tiers = get_instrument("binance", "BTCUSD_PERP").tiers
    rebuilt = tiers_with_deductions((t.floor_coin, t.cap_coin, t.mmr, t.imr) for t in tiers)
    assert [t.deduction for t in rebuilt] == pytest.approx([t.deduction for t in tiers])
    position = InversePosition("long", value * 50_000, 1, 50_000, 0, tiers=tiers)
    if value == 0:
        return
    assert maintenance_margin_coin(position, 50_000) == pytest.approx(
        progressive_maintenance_coin(tiers, value), rel=1e-9, abs=1e-12
    )


@given(side=sides, q=notionals, entry=prices, lev=leverages, price=prices)
def test_binance_tiered_liquidation_is_self_consistent(
    side: Side, q: float, entry: float, lev: float, price: float
) -> None:
    tiers = get_instrument("binance", "BTCUSD_PERP").tiers
    position = InversePosition(side, q, 1, entry, q / (entry * lev), tiers=tiers)
    liq = liquidation_price(position, price)
    if liq is None:
        return
    equity = position.collateral + pnl_coin(position, liq)
    assert equity == pytest.approx(maintenance_margin_coin(position, liq), rel=1e-7, abs=1e-9)


@given(q=notionals, entry=prices, mark=prices, m=rates)
def test_a_one_x_short_stays_exactly_hedged(q: float, entry: float, mark: float, m: float) -> None:
    short = InversePosition("short", q, 1, entry, q / entry, mmr=m)
    report = assess(short, mark)
    assert report.hedge_ratio == pytest.approx(1.0, rel=1e-9)
    assert report.net_exposure_coin == pytest.approx(0.0, abs=1e-9 * q / entry)
