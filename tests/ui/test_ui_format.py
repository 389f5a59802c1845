"""The dashboard's pure formatting rules: unreachable liquidation, what-if columns that fit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hedgetui.domain import LiquidationState, ScenarioRow
from hedgetui.ui import format as fmt
from hedgetui.ui import what_if


def scenario(move: float, *, liq: float | None, liquidated: bool = False) -> ScenarioRow:
    return ScenarioRow(
        move_pct=move,
        price=60_000.0 * (1 + move / 100),
        spot_pnl_usd=-12_345.0,
        futures_pnl_usd=11_000.0,
        net_pnl_usd=-1_345.0,
        portfolio_usd=287_655.0,
        drawdown_pct=0.4,
        liquidation_state=LiquidationState.NONE
        if liq is None
        else LiquidationState.PAST
        if liquidated
        else LiquidationState.AHEAD,
        liquidation_distance_pct=liq,
        liquidated=liquidated,
    )


@pytest.mark.parametrize(
    ("state", "distance", "long", "short"),
    [
        # the risk engine's one rule decides "none" (no price, or beyond a 10x move: issue 19)
        (LiquidationState.NONE, None, "none (≥10×)", "≥10×"),
        (LiquidationState.AHEAD, 12.34, "12.3%", "12.3%"),
        (LiquidationState.AHEAD, 900.0, "900.0%", "900.0%"),  # exactly a 10x move: a number
        (LiquidationState.PAST, -9.64, "PAST -9.6%", "-9.6%"),
        (LiquidationState.BELOW_MAINTENANCE, None, "already below maintenance", "<maint"),
    ],
)
def test_liq_distance(
    state: LiquidationState, distance: float | None, long: str, short: str
) -> None:
    assert fmt.liq_distance(state, distance) == long
    assert fmt.liq_distance(state, distance, short=True) == short
    assert len(short) <= 7  # the compact table's liq% cell


@given(st.floats(min_value=0.001, max_value=900))
def test_reachable_distances_show_their_number(distance: float) -> None:
    assert fmt.liq_distance(LiquidationState.AHEAD, distance) == fmt.pct(distance)


def test_what_if_shows_every_column_when_there_is_room() -> None:
    layout = what_if.what_if_layout(200)
    assert [c.key for c, _ in layout] == [c.key for c in what_if.WHAT_IF_COLUMNS]
    header = what_if.what_if_header(layout)
    for title in ("move", "price", "spot PnL", "fut PnL", "net PnL", "portfolio", "liq dist"):
        assert title in header


@pytest.mark.parametrize("width", range(20, 120))
def test_what_if_columns_fit_and_keep_net_and_liq(width: int) -> None:
    layout = what_if.what_if_layout(width)
    keys = [c.key for c, _ in layout]
    assert {"move", "net", "liq"} <= set(keys)
    if width >= 31:  # the three kept columns at their tight widths, plus the stale glyph
        row = what_if.what_if_row(scenario(-10, liq=12.0), layout, stale=True)
        assert sum(len(text) for text, _ in row) <= width
    # narrower panels drop futures PnL first, then spot PnL, then the portfolio value
    dropped = [c.key for c in what_if.WHAT_IF_COLUMNS if c.key not in keys]
    order = ["futures", "spot", "portfolio", "price"]
    assert dropped == [k for k in what_if.WHAT_IF_COLUMNS_KEYS if k in order[: len(dropped)]]


def test_what_if_at_80_columns_keeps_price_net_and_liq() -> None:
    layout = what_if.what_if_layout(38)  # the compact layout's what-if panel at 80x24
    assert [c.key for c, _ in layout] == ["move", "price", "net", "liq"]


def test_liquidated_rows_say_so() -> None:
    wide = what_if.what_if_layout(200)
    tight = what_if.what_if_layout(38)
    row = scenario(20, liq=None, liquidated=True)
    wide_parts = what_if.what_if_row(row, wide, stale=False)
    assert ("LIQUIDATED", "b $error") in [(t.strip(), s) for t, s in wide_parts]
    assert "LIQ'D" in "".join(t for t, _ in what_if.what_if_row(row, tight, stale=False))


def test_unreachable_liquidation_in_what_if() -> None:
    """A row the risk engine finds more than a 10x move from liquidation says "none"."""
    from hedgetui.risk import InversePosition, assess

    almost_one_x = InversePosition("short", 50_000, 1, 60_000, 0.83333333)  # liq ~1.5e13
    (row,) = assess(almost_one_x, 60_000, scenarios=(-20,)).scenarios
    assert row.liquidation_state is LiquidationState.NONE
    assert "none (≥10×)" in "".join(
        t for t, _ in what_if.what_if_row(row, what_if.what_if_layout(200), False)
    )
    assert "≥10×" in "".join(
        t for t, _ in what_if.what_if_row(row, what_if.what_if_layout(38), False)
    )
