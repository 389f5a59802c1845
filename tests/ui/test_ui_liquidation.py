"""The card and the hedge table show the one liquidation state; the gauges never contradict."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hedgetui.config import AlertSettings
from hedgetui.domain import HedgeView, LiquidationState, RiskReport
from hedgetui.risk import InversePosition, assess
from hedgetui.ui import danger, render, table_rows
from hedgetui.ui import format as fmt
from hedgetui.ui.styled import Line
from tests.alerts_views import hedge
from tests.risk.test_liquidation_state import ALMOST_ONE_X, DERIBIT_SHORT, LONG_10X

ALERTS = AlertSettings()  # warn 15%, crit 7.5%
CRIT = danger.DANGER_STYLE[danger.Danger.CRIT]
OK = danger.DANGER_STYLE[danger.Danger.OK]

# issue 19 item 4: a 3x long 5.6% from liquidation, with a ~92% margin buffer of equity
THREE_X = InversePosition("long", 60_000, 1, 60_000, 1 / 3)
THREE_X_LIQ = 60_000 * 1.005 / (1 + 1 / 3)
THREE_X_MARK = THREE_X_LIQ / (1 - 0.056)


def view_of(report: RiskReport, mark: float) -> HedgeView:
    buffer_pct = (
        report.margin_buffer_coin / report.equity_coin * 100 if report.equity_coin > 0 else None
    )
    return replace(hedge(rep=report, buffer_pct=buffer_pct), mark=mark)


def card(h: HedgeView, width: int = 40) -> dict[str, Line]:
    """The card's lines by their label (``Liq``, ``dist``, ``Buffer``, ``buf``...)."""
    lines = render.hedge_card(h, ALERTS, width)
    return {"".join(t for t, _ in line).split()[0]: line for line in lines if line}


def text(line: Line) -> str:
    return "".join(t for t, _ in line)


def gauge(line: Line) -> tuple[int, str]:
    """(filled cells, style) of the gauge on a ``dist``/``buf`` line."""
    [(bar, style)] = [(t, s) for t, s in line if "█" in t or "░" in t]
    return bar.count("█"), style


def fill(line: Line) -> float:
    """How full the gauge on a ``dist``/``buf`` line is, 0..1."""
    [bar] = [t for t, _ in line if "█" in t or "░" in t]
    return bar.count("█") / len(bar)


def test_a_close_liquidation_empties_and_reddens_the_buffer_gauge() -> None:
    report = assess(THREE_X, THREE_X_MARK)
    assert report.liquidation_state is LiquidationState.AHEAD
    assert report.liquidation_distance_pct == pytest.approx(5.6, abs=1e-9)
    h = view_of(report, THREE_X_MARK)
    assert h.margin_buffer_pct_of_equity is not None and h.margin_buffer_pct_of_equity > 90
    lines = card(h)
    dist_style, buf_style = gauge(lines["dist"])[1], gauge(lines["buf"])[1]
    assert dist_style == buf_style == CRIT
    # 5.6% on a scale full at 30% (twice the warning): both gauges under a quarter full
    assert fill(lines["buf"]) < 0.25 and fill(lines["dist"]) < 0.25
    # the buffer's number is coloured by the same (worse) danger
    assert (fmt.pct(h.margin_buffer_pct_of_equity), CRIT) in lines["Buffer"]
    row = table_rows.hedge_row(h, ALERTS, selected=False)
    styles = {t.strip(): s for t, s in row}
    assert styles["6%"] == styles[fmt.pct(h.margin_buffer_pct_of_equity, decimals=0)] == CRIT


def test_past_liquidation_on_the_card_and_in_the_table() -> None:
    report = assess(LONG_10X, 50_000)
    lines = card(view_of(report, 50_000))
    assert "54,818.2  PAST -9.6%" in text(lines["Liq"])
    assert "-$4,818" in text(lines["dist"])
    assert gauge(lines["dist"]) == (0, CRIT)
    assert gauge(lines["buf"])[0] == 0
    row = table_rows.hedge_row(view_of(report, 50_000), ALERTS, selected=False)
    assert ("    -10%", CRIT) in row


def test_below_maintenance_on_the_card_and_in_the_table() -> None:
    report = assess(DERIBIT_SHORT, 1314.39)
    h = view_of(report, 1314.39)
    assert "Liq    already below maintenance" in text(card(h, 40)["Liq"])
    assert "Liq    below maint." in text(card(h, 24)["Liq"])
    assert gauge(card(h)["dist"]) == (0, CRIT)
    assert danger.liquidation_danger(h, ALERTS) is danger.Danger.CRIT
    assert ("  <maint", CRIT) in table_rows.hedge_row(h, ALERTS, selected=False)


def test_none_is_the_same_words_everywhere_and_a_full_green_bar() -> None:
    report = assess(ALMOST_ONE_X, 60_000)
    h = view_of(report, 60_000)
    lines = card(h)
    assert text(lines["Liq"]) == "Liq    none (≥10×)"
    fill, style = gauge(lines["dist"])
    assert style == OK and fill == 40 - 8
    assert ("    ≥10×", OK) in table_rows.hedge_row(h, ALERTS, selected=False)


def test_liquidation_levels_set_to_zero_still_draw_the_gauges() -> None:
    """The config allows both levels at 0 (no liquidation-distance alert): the card still draws
    its gauges, on the default warning level's scale, instead of dividing by zero."""
    off = AlertSettings(liq_distance_warn_pct=0, liq_distance_crit_pct=0)
    report = assess(THREE_X, THREE_X_MARK)
    h = view_of(report, THREE_X_MARK)
    assert danger.room_fraction(h, off) == pytest.approx(5.6 / 30)
    lines = {
        "".join(t for t, _ in line).split()[0]: line
        for line in render.hedge_card(h, off, 40)
        if line
    }
    assert 0 < fill(lines["dist"]) < 0.25
