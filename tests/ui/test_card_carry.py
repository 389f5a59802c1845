"""The card's carry line from the funding history (render.carry_forms)."""

from __future__ import annotations

from dataclasses import replace

from hedgetui.config import AlertSettings
from hedgetui.history.carry import HOUR_MS, Exposure, carry_figures
from hedgetui.history.model import FundingRecord, FundingSeries
from hedgetui.ui.render import hedge_card
from tests.alerts_views import hedge

NOW = 1_700_006_400_000
SHORT = Exposure("short", 100_000.0, 40_000.0)


def _carry_line(width: int, *, drop: range = range(0), rate: float = -0.00018) -> str:
    series = FundingSeries()
    series.merge(FundingRecord(NOW - i * 8 * HOUR_MS, rate, 8) for i in range(90) if i not in drop)
    view = replace(hedge(basis_bps=3.1), carry=carry_figures(series, SHORT, NOW))
    lines = hedge_card(view, AlertSettings(), width)
    [line] = ["".join(t for t, _ in ln) for ln in lines if ln and ln[0][0] == "Carry  "]
    return line


def test_the_week_its_rate_the_next_month_and_the_basis_as_room_allows() -> None:
    # 21 events × -0.018% × $100k = -$378; -0.018%/8h = -19.7%/y; 30 days = 90 events: -$1.62k
    wide = "Carry  7d -$378 (-19.7%/y) · next 30d -$1.62k  basis +3.1bp"
    assert _carry_line(80) == wide
    assert _carry_line(len(wide) - 1) == "Carry  7d -$378 (-19.7%/y) · next 30d -$1.62k"
    assert _carry_line(36) == "Carry  7d -$378 · next 30d -$1.62k"
    assert _carry_line(30) == "Carry  7d -$378 (-19.7%/y)"
    assert _carry_line(20) == "Carry  7d -$378"


def test_a_week_with_a_gap_is_marked_not_shown_whole() -> None:
    line = _carry_line(80, drop=range(2, 4))
    assert line.startswith("Carry  7d -$342? (-19.7%?/y)")


def test_without_history_the_line_is_the_carried_funding_as_before() -> None:
    lines = hedge_card(hedge(basis_bps=3.1), AlertSettings(), 60)
    [line] = ["".join(t for t, _ in ln) for ln in lines if ln and ln[0][0] == "Carry  "]
    assert line == "Carry  +$0.00  basis +3.1bp"
