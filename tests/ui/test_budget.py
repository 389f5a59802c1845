"""The layout budget (``hedgetui.ui.budget``), the cards' charts and shedding, the what-if's
kept moves and the alerts' order: pure functions, sizes and counts in, rows out."""

from __future__ import annotations

import pytest

from hedgetui.alerts.model import Alert, AlertState, Severity
from hedgetui.domain import LiquidationState, ScenarioRow
from hedgetui.ui import budget, charts, render, what_if
from hedgetui.ui import format as fmt
from hedgetui.ui.alerts_panel import alert_order
from tests.ui.crash_bottom import IN_DANGER, crash_store

SIZES = [(80, 23), (80, 24), (100, 30), (120, 30), (120, 40), (160, 48), (200, 50), (250, 70)]
ALERTS = [0, 1, 2, 3, 5, 12, 40]


def used_rows(plan: budget.Plan, hedges: int, typed: bool) -> int:
    """The rows the regions take when laid out by ``plan`` (the dashboard's CSS layout)."""
    what_if = budget.WHAT_IF_FRAME + plan.what_if_moves + (1 if typed else 0)
    card = budget.CARD_FRAME + plan.card_rows
    rows = budget.CHROME_ROWS + plan.alerts_height
    if plan.compact:  # the table (and its suggestion lines), then card beside what-if
        return rows + 1 + hedges + plan.suggestion_rows + max(card, what_if)
    bands = -(-hedges // plan.columns)
    return rows + bands * card + what_if


@pytest.mark.parametrize("typed", [False, True])
@pytest.mark.parametrize("alerts", ALERTS)
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_screen_is_filled_without_overflow(
    width: int, height: int, alerts: int, typed: bool
) -> None:
    plan = budget.plan(width, height, 4, alerts, typed=typed)
    assert plan.short == 0
    assert used_rows(plan, 4, typed) + plan.spare == height
    assert plan.card_rows >= budget.CARD_CORE  # the numbers are never shed
    assert 1 <= plan.alert_rows <= alerts if alerts else plan.alert_rows == 0
    assert plan.what_if_moves >= 1


@pytest.mark.parametrize("suggestions", [1, 4])
@pytest.mark.parametrize("alerts", [0, 1, 12])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_suggestion_lines_fit_after_the_worst_alert(
    width: int, height: int, alerts: int, suggestions: int
) -> None:
    """Hedges outside their band ask for a line under their row (compact table only): granted
    right after the worst alert, before the card's carry line; never past the screen."""
    plan = budget.plan(width, height, 4, alerts, suggestions=suggestions)
    without = budget.plan(width, height, 4, alerts)
    assert plan.short == 0
    assert used_rows(plan, 4, False) + plan.spare == height
    assert plan.card_rows >= budget.CARD_CORE and plan.alert_rows >= min(alerts, 1)
    assert plan.suggestion_rows <= suggestions
    if not plan.compact:
        assert plan.suggestion_rows == 0 and plan == without
    elif (width, height) == (80, 23):  # 5 rows past the minimums: the worst alert's, then these
        assert plan.suggestion_rows == min(suggestions, 5 - min(alerts, 1))
        if suggestions == 4 and alerts:  # before the card's funding line and carry
            assert plan.card_rows == budget.CARD_CORE


def test_short_rows_shed_the_lowest_priority_first() -> None:
    """80x23: the worst alert before the card's carry line, two more alerts before the gauges,
    the gauges before the sparklines, the sparklines before the rest of the alerts."""
    quiet = budget.plan(80, 23, 4, 0)
    assert quiet.compact and quiet.card_rows == budget.CARD_GAUGES + 1  # one sparkline
    one = budget.plan(80, 23, 4, 1)
    assert (one.alert_rows, one.card_rows) == (1, budget.CARD_GAUGES)
    many = budget.plan(80, 23, 4, 12)
    assert (many.alert_rows, many.card_rows) == (budget.ALERTS_SOON, budget.CARD_NUMBERS)
    roomy = budget.plan(80, 30, 4, 12)
    assert roomy.card_rows == budget.CARD_FULL and roomy.alert_rows > budget.ALERTS_SOON


def test_big_screens_use_their_height() -> None:
    """No empty band: rows nobody asks for go to the alerts, then to taller charts."""
    for width, height in ((120, 40), (160, 48), (200, 50)):
        plan = budget.plan(width, height, 4, 0)
        assert not plan.compact
        assert plan.spare < -(-4 // plan.columns)  # less than a row per row of cards
    wide = budget.plan(200, 50, 4, 0)
    assert wide.card_rows > budget.CARD_FULL + 10  # the charts take the height
    listed = budget.plan(200, 50, 4, 12)
    assert listed.alert_rows == 12 and listed.card_rows > budget.CARD_FULL


def test_the_compact_layout_below_120_columns_or_when_the_cards_do_not_fit() -> None:
    assert budget.plan(119, 60, 4, 0).compact
    assert budget.plan(120, 30, 4, 0).compact  # two rows of cards do not fit 30 rows
    assert not budget.plan(160, 30, 4, 0).compact  # one row of four cards does
    # the fewest rows of cards, shared evenly: 2x2 (not 3 + 1), 4 + 3 (not 5 + 2)
    assert budget.wide_grid(120, 4) == (2, 2) and budget.wide_grid(200, 7) == (4, 2)
    assert budget.wide_grid(200, 4) == (4, 1) and budget.wide_grid(80, 3) == (2, 2)


def test_a_one_row_chart_is_the_sparkline_and_taller_charts_stack_blocks() -> None:
    values = [1.0, 3.0, 2.0, 5.0, 4.0, 0.0, 5.0]
    assert charts.chart(values, 7, 1) == [fmt.sparkline(values, 7)]
    tall = charts.chart(values, 7, 3)
    assert len(tall) == 3 and all(len(row) == 7 for row in tall)
    assert [row[3] for row in tall] == ["█", "█", "█"]  # the max fills its column
    assert [row[5] for row in tall] == [" ", " ", fmt.SPARK_CHARS[0]]  # the min: one eighth
    assert charts.chart([2.0, 2.0], 2, 2) == ["  ", "██"]  # flat: half way
    assert charts.chart_heights(0) == (1, 1) and charts.chart_heights(9) == (7, 4)


def test_a_card_sheds_its_sparklines_then_its_gauges_never_its_numbers() -> None:
    store, _, _ = crash_store(1)
    view = store.snapshot()
    hedge = next(h for h in view.hedges if h.name == IN_DANGER)
    alerts = store.settings.hedge(IN_DANGER).alerts
    marks = store.mark_history(IN_DANGER)

    def labels(rows: int | None) -> list[str]:
        lines = render.hedge_card(hedge, alerts, 40, marks, (), rows)
        return [line[0][0].strip() for line in lines]

    full = labels(None)
    assert len(full) == budget.CARD_FULL and full[-2:] == ["mark", "fund"]
    assert labels(budget.CARD_FULL) == full
    assert labels(11) == full[:-1]
    assert "mark" not in labels(budget.CARD_GAUGES) and "dist" in labels(budget.CARD_GAUGES)
    assert labels(9) == [x for x in labels(budget.CARD_GAUGES) if x != "buf"]
    core = labels(budget.CARD_CORE)
    assert core == ["Mark", "Net", "Hedge", "Liq", "Buffer", "Fund"]
    text = "\n".join(
        "".join(t for t, _ in line)
        for line in render.hedge_card(hedge, alerts, 40, marks, (), budget.CARD_CORE)
    )
    assert hedge.report is not None
    report = hedge.report
    assert fmt.liq_distance(report.liquidation_state, report.liquidation_distance_pct) in text
    taller = labels(budget.CARD_FULL + 6)
    assert len(taller) == budget.CARD_FULL + 6 and taller[10] == "mark"


def test_a_short_what_if_keeps_the_smallest_moves() -> None:
    ahead = LiquidationState.AHEAD
    rows = tuple(ScenarioRow(m, 1.0, 0, 0, 0, 0, 0, ahead, 50.0) for m in what_if.WHAT_IF_MOVES)
    assert what_if.kept_moves(rows, 6) == rows
    kept = what_if.kept_moves(rows, 3)
    assert [r.move_pct for r in kept] == [-10.0, -5.0, 5.0]
    assert [r.move_pct for r in what_if.kept_moves(rows, 5)] == [-20.0, -10.0, -5.0, 5.0, 10.0]


def _alert(key: str, severity: Severity, since: float, firing: bool = True) -> Alert:
    state = AlertState.FIRING if firing else AlertState.PENDING
    return Alert(key, key, None, None, state, severity, key, key, None, None, since)


def test_the_alerts_list_worst_first_then_newest() -> None:
    alerts = [
        _alert("old-warn", Severity.WARNING, 1.0),
        _alert("info", Severity.INFO, 9.0),
        _alert("crit", Severity.CRITICAL, 2.0),
        _alert("new-warn", Severity.WARNING, 5.0),
        _alert("pending-crit", Severity.CRITICAL, 8.0, firing=False),
    ]
    order = [a.key for a in alert_order(alerts)]
    assert order == ["crit", "pending-crit", "new-warn", "old-warn", "info"]


def test_a_tall_chart_says_its_high_and_low() -> None:
    values = [48_000.0, 60_112.0, 52_000.0]
    labels = charts.chart_labels("mark   ", values, 10, 4, charts.price_scale)
    assert labels == ["mark   ", "60.1k  ", "       ", "48.0k  "]
    assert charts.chart_labels("fund   ", [-0.0011, 0.0001], 10, 2, charts.rate_scale) == [
        "fund   ",
        "       ",
    ]
    assert charts.chart_labels("fund   ", [-0.0011, 0.0001], 10, 3, charts.rate_scale)[1:] == [
        "+0.01% ",
        "-0.11% ",
    ]
    assert charts.price_scale(2_400.5) == "2,400" and charts.price_scale(0.51234) == "0.5123"


def test_a_tick_inside_the_open_second_leaves_the_charts_alone() -> None:
    """The charts draw the closed seconds: a new price in the second still open moves the Mark
    line only, so a tall chart costs nothing on every tick (and once a second at most)."""
    store, _, _ = crash_store(1)
    hedge = next(h for h in store.snapshot().hedges if h.name == IN_DANGER)
    alerts = store.settings.hedge(IN_DANGER).alerts
    marks = list(store.mark_history(IN_DANGER))
    before = render.hedge_card(hedge, alerts, 40, marks, (), 30)
    moved = [*marks[:-1], marks[-1] * 0.9]  # the live point jumps 10% within its second
    after = render.hedge_card(hedge, alerts, 40, moved, (), 30)
    assert before == after
    closed = [*marks, marks[-1]]  # a new second opens: the last one is closed, and drawn
    assert render.hedge_card(hedge, alerts, 40, closed, (), 30) != before
    assert render.closed_points([5.0]) == [5.0]
