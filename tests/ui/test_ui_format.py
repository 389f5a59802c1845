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
    ("distance", "long", "short"),
    [
        (None, "none", "none"),
        (12.34, "12.3%", "12.3%"),
        (900.0, "900.0%", "900.0%"),  # exactly a 10x move is still a number
        (900.1, fmt.UNREACHABLE, fmt.UNREACHABLE_SHORT),
        (19_380.0, "none (≥10×)", "≥10×"),  # btc-core: BitMEX 1x short, liq at ~P0/m
        (float("inf"), "none (≥10×)", "≥10×"),
    ],
)
def test_liq_distance(distance: float | None, long: str, short: str) -> None:
    assert fmt.liq_distance(distance) == long
    assert fmt.liq_distance(distance, short=True) == short


@given(st.floats(min_value=0, max_value=900))
def test_reachable_distances_show_their_number(distance: float) -> None:
    assert not fmt.liq_unreachable(distance)
    assert fmt.liq_distance(distance) == fmt.pct(distance)


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
    row = scenario(-20, liq=23_000.0)
    assert "none (≥10×)" in "".join(
        t for t, _ in what_if.what_if_row(row, what_if.what_if_layout(200), False)
    )
    assert "≥10×" in "".join(
        t for t, _ in what_if.what_if_row(row, what_if.what_if_layout(38), False)
    )
