"""The pure unwind planner: side, lot rounding, limit price, client ids, preview."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hedgetui.risk import InversePosition, assess
from hedgetui.trading.planner import (
    CLIENT_ID_RULES,
    Instrument,
    PlanError,
    UnwindPlan,
    UnwindRequest,
    limit_price,
    new_client_order_id,
    order_quantity,
    plan_unwind,
)
from hedgetui.venues import default_symbol, get_instrument

XBT = Instrument("bitmex", "XBTUSD", "BTC", 1.0, 100.0, 0.5)


def plan(position: float, request: UnwindRequest, mark: float = 50_000.0) -> UnwindPlan:
    return plan_unwind(
        hedge="h",
        instrument=XBT,
        position=position,
        mark=mark,
        request=request,
        client_order_id="hux",
    )


def test_buy_to_close_a_short_sell_to_close_a_long() -> None:
    short = plan_unwind(
        hedge="h",
        instrument=XBT,
        position=-300_000,
        mark=5e4,
        request=UnwindRequest(fraction=0.5),
        client_order_id="hux",
    )
    assert short.order.side == "buy" and short.order.reduce_only
    assert short.order.contracts == 150_000 and short.position_after == -150_000
    long = plan_unwind(
        hedge="h",
        instrument=XBT,
        position=1_000,
        mark=5e4,
        request=UnwindRequest(fraction=1.0),
        client_order_id="hux",
    )
    assert long.order.side == "sell" and long.position_after == 0


def test_quantity_rounds_down_to_the_lot_and_never_exceeds_the_position() -> None:
    assert order_quantity(-1_050, UnwindRequest(fraction=1.0), 100) == 1_000
    assert order_quantity(-1_050, UnwindRequest(contracts=999), 100) == 900
    assert order_quantity(-7, UnwindRequest(fraction=0.5), 1) == 3


@pytest.mark.parametrize(
    ("position", "request_", "reason"),
    [
        (-50, UnwindRequest(fraction=0.5), "rounds down to 0 with the lot size of 100"),
        (0, UnwindRequest(fraction=0.5), "no open position"),
        (-1_000, UnwindRequest(contracts=2_000), "more than the position"),
        (-1_000, UnwindRequest(fraction=1.5), r"fraction must be in \(0, 1\]"),
        (-1_000, UnwindRequest(), "either a fraction or a number of contracts"),
        (-1_000, UnwindRequest(contracts=-5), "contracts must be > 0"),
    ],
)
def test_refusals_say_why(position: float, request_: UnwindRequest, reason: str) -> None:
    with pytest.raises(PlanError, match=reason):
        order_quantity(position, request_, 100)


def test_limit_price_is_tick_rounded_toward_a_fill() -> None:
    # buy: 50000.3 x (1 + 10 bps) = 50050.35 -> up to the 0.5 tick; sell 49950.30 -> down
    assert limit_price(50_000.3, "buy", 10, 0.5) == 50_050.5
    assert limit_price(50_000.3, "sell", 10, 0.5) == 49_950.0
    assert limit_price(50_000.0, "buy", 10, 0.5) == 50_050.0  # already on a tick
    assert limit_price(50_000.0, "buy", 0, 0.5) == 50_000.0
    with pytest.raises(PlanError, match=">= 0 bps"):
        limit_price(50_000.0, "buy", -1, 0.5)
    p = plan_unwind(
        hedge="h",
        instrument=XBT,
        position=-1000,
        mark=50_000.0,
        request=UnwindRequest(fraction=1.0, limit_offset_bps=10),
        client_order_id="hux",
    )
    assert p.order.order_type == "limit" and p.order.price == 50_050.0


@given(
    size=st.integers(min_value=1, max_value=10_000_000),
    fraction=st.floats(min_value=0.001, max_value=1.0),
    lot=st.sampled_from([1.0, 10.0, 100.0]),
)
def test_quantity_properties(size: int, fraction: float, lot: float) -> None:
    try:
        qty = order_quantity(-size, UnwindRequest(fraction=fraction), lot)
    except PlanError:
        assert size * fraction < lot + 1e-6
        return
    assert 0 < qty <= size
    assert qty <= size * fraction + 1e-6
    assert abs(qty / lot - round(qty / lot)) < 1e-9


@pytest.mark.parametrize("venue", sorted(CLIENT_ID_RULES))
def test_client_ids_fit_every_venue_and_are_fresh(venue: str) -> None:
    ids = {new_client_order_id(venue) for _ in range(50)}
    assert len(ids) == 50
    max_len, pattern = CLIENT_ID_RULES[venue]
    for cid in ids:
        assert len(cid) <= max_len and re.fullmatch(pattern, cid)
    assert re.fullmatch(r"[A-Za-z0-9]{1,32}", next(iter(ids)))  # OKX's strictest rule


def test_planner_uses_the_venue_profiles() -> None:
    for venue in CLIENT_ID_RULES:
        profile = get_instrument(venue, default_symbol(venue, "BTC"))
        assert profile.lot_size > 0 and profile.tick_size > 0


def test_preview_matches_the_risk_engine_before_and_after() -> None:
    pos = InversePosition(
        side="short", contracts=20_000, contract_size=10, entry=60_000, collateral=0.4, leverage=10
    )
    inst = Instrument("deribit", "BTC-PERPETUAL", "BTC", 10.0, 1.0, 0.5)
    p = plan_unwind(
        hedge="h",
        instrument=inst,
        position=-20_000,
        mark=55_000.0,
        request=UnwindRequest(fraction=0.5),
        client_order_id="hux",
        risk_position=pos,
        spot=2.0,
    )
    assert p.preview is not None and p.preview.after is not None
    before = assess(pos, 55_000.0, spot=2.0)
    assert p.preview.before == before
    after = p.preview.after
    # Closing half of a short at a profit: realised PnL stays in the account (equity unchanged).
    assert after.equity_coin == pytest.approx(before.equity_coin)
    assert after.position_value_coin == pytest.approx(before.position_value_coin / 2)
    assert after.net_exposure_coin == pytest.approx(
        before.net_exposure_coin + before.position_value_coin / 2
    )
    assert p.preview.liquidation_after is not None and p.preview.liquidation_before is not None
    assert p.preview.liquidation_after > p.preview.liquidation_before  # further away
    full = plan_unwind(
        hedge="h",
        instrument=inst,
        position=-20_000,
        mark=55_000.0,
        request=UnwindRequest(fraction=1.0),
        client_order_id="hux",
        risk_position=pos,
    )
    assert full.preview is not None and full.preview.after is None


def test_no_mark_no_plan() -> None:
    with pytest.raises(PlanError, match="no mark price"):
        plan(-1000, UnwindRequest(fraction=1.0), mark=0.0)


def test_the_preview_says_the_liquidation_state() -> None:
    """Past liquidation and "none (≥10×)" in the unwind preview, as calc and the card say."""
    from hedgetui.trading.describe import describe_plan

    inst = Instrument("bybit", "BTCUSD", "BTC", 1.0, 1.0, 0.5)
    past = InversePosition("long", 100_000, 1, 60_000, 100_000 / 600_000)  # 10x, liq 54,818
    p = plan_unwind(
        hedge="h",
        instrument=inst,
        position=100_000,
        mark=50_000.0,
        request=UnwindRequest(fraction=0.5),
        client_order_id="hux",
        risk_position=past,
    )
    assert "liq price 54,818.18 (past liquidation) -> " in describe_plan(p)
    one_x = InversePosition("short", 50_000, 1, 60_000, 0.83333333)  # liq ~1.5e13
    q = plan_unwind(
        hedge="h",
        instrument=inst,
        position=-50_000,
        mark=60_000.0,
        request=UnwindRequest(fraction=0.5),
        client_order_id="hux",
        risk_position=one_x,
    )
    assert "liq price none (≥10×) -> none (≥10×)" in describe_plan(q)
