"""Carry figures (hedgetui.history.carry) against hand computations on the shipped funding files."""

from __future__ import annotations

import csv
from datetime import datetime
from decimal import Decimal
from importlib import resources

import pytest

from hedgetui.history.carry import (
    DAY_MS,
    HOUR_MS,
    Exposure,
    carry_figures,
    carry_totals,
    missing_events,
)
from hedgetui.history.model import FundingPayment, FundingRecord, FundingSeries

BITMEX_2020H1 = "funding_bitmex_xbtusd_8h_2020-01_2020-06.csv"
SHORT = Exposure("short", 100_000.0, 8_000.0)  # 100,000 XBTUSD contracts of $1


def _text() -> str:
    return (resources.files("hedgetui.sim") / "data" / BITMEX_2020H1).read_text()


def _ms(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def _series() -> FundingSeries:
    rows = csv.DictReader(_text().splitlines())
    return FundingSeries(
        [
            FundingRecord(_ms(r["time_utc"]), float(r["funding_rate"]), float(r["interval_hours"]))
            for r in rows
        ]
    )


def _hand_sum(after: str | None = None) -> Decimal:
    """Σ rate × $100,000 over the CSV's rows after ``after`` (an ISO time), in Decimal from the
    file's text: a short receives a positive rate."""
    total = Decimal(0)
    for line in _text().splitlines()[1:]:
        stamp, _symbol, rate, _hours = line.split(",")
        if after is None or stamp > after:
            total += Decimal(rate) * Decimal(100_000)
    return total


def test_bitmex_2020h1_sum_of_payments_on_a_fixed_short_to_the_cent() -> None:
    series = _series()
    now = series.records[-1].time_ms
    fig = carry_figures(series, SHORT, now)
    assert fig.since is not None and not fig.since_configured
    expected = _hand_sum()
    assert len(series.records) == 546
    assert round(Decimal(fig.since.usd), 2) == round(expected, 2)
    assert fig.since.events == 546 and fig.since.missing == 0
    assert fig.since.source == "estimate"
    # a long on the same notional pays exactly what the short receives
    long_fig = carry_figures(series, Exposure("long", 100_000.0, 8_000.0), now)
    assert long_fig.since is not None
    assert round(Decimal(long_fig.since.usd), 2) == -round(expected, 2)


def test_configured_since_and_trailing_windows_match_the_hand_sum() -> None:
    series = _series()
    now = _ms("2020-03-31T20:00:00Z")
    since = _ms("2020-03-01T00:00:00Z")
    fig = carry_figures(series, SHORT, now, since_ms=since)
    assert fig.since is not None and fig.since_configured
    march = sum(
        Decimal(line.split(",")[2]) * 100_000
        for line in _text().splitlines()[1:]
        if "2020-03-01T00:00:00Z" < line.split(",")[0] <= "2020-03-31T20:00:00Z"
    )
    assert round(Decimal(fig.since.usd), 2) == round(march, 2)
    week = fig.window("7d")
    assert week is not None and week.events == 21 and week.complete
    assert round(Decimal(week.usd), 2) == round(
        _hand_sum("2020-03-24T20:00:00Z") - _hand_sum("2020-03-31T20:00:00Z"), 2
    )
    # the average annualised rate: Σ rate / hours × 8760 (for the short)
    rates = [r.rate for r in series.between(now - 7 * DAY_MS, now)]
    assert week.apr_pct == pytest.approx(sum(rates) / (21 * 8) * 8760 * 100)
    assert week.coin == pytest.approx(week.usd / 8_000.0)


def test_projections_at_the_current_rate_and_the_30_day_average() -> None:
    series = FundingSeries(
        [FundingRecord(i * 8 * HOUR_MS + 1_600_000_000_000, -0.0003, 8) for i in range(100)]
    )
    now = series.records[-1].time_ms
    fig = carry_figures(series, SHORT, now, current_rate=0.0001)
    # the current rate: 0.01% × $100k × 3 a day
    week = fig.projection(7, "current")
    assert week is not None and week.usd == pytest.approx(0.0001 * 100_000 * 21)
    # the 30-day average: -0.03%/8h for a short is -32.85%/yr → 30 days of it
    avg = fig.projection(30, "30d avg")
    assert avg is not None and avg.usd == pytest.approx(-0.0003 * 100_000 * 90)


def test_a_gap_in_the_records_is_reported_not_undercounted_silently() -> None:
    series = _series()
    now = _ms("2020-03-31T20:00:00Z")
    holed = FundingSeries(
        [r for r in series.records if not (now - 3 * DAY_MS < r.time_ms <= now - 2 * DAY_MS)]
    )
    week = carry_figures(holed, SHORT, now).window("7d")
    assert week is not None and week.missing == 3 and not week.complete
    assert week.events == 18
    # history that starts late: the 30-day window says how much is missing
    late = FundingSeries([r for r in series.records if r.time_ms > now - 10 * DAY_MS])
    month = carry_figures(late, SHORT, now).window("30d")
    assert month is not None and month.missing == 60
    # not fetched since: the events after the last record are missing too (after the grace)
    assert missing_events(series.between(0, now), 0, now + 8 * HOUR_MS + 1, 8) >= 1


def test_realised_payments_are_preferred_and_labelled_paid() -> None:
    series = _series()
    now = _ms("2020-03-31T20:00:00Z")
    payments = [
        FundingPayment(now - HOUR_MS, 0.001, "XBT", "XBTUSD"),
        FundingPayment(now - 2 * DAY_MS, 0.002, "XBT", "XBTUSD"),
        FundingPayment(now - 20 * DAY_MS, 0.5, "XBT", "XBTUSD"),
    ]
    fig = carry_figures(series, SHORT, now, payments=payments)
    day, week = fig.window("24h"), fig.window("7d")
    assert day is not None and day.source == "paid" and day.coin == pytest.approx(0.001)
    assert week is not None and week.coin == pytest.approx(0.003)
    assert week.usd == pytest.approx(0.003 * 8_000.0)
    # a window with no payment booked in it (the position is newer) is the rates' estimate
    later = carry_figures(series, SHORT, now + 3 * DAY_MS, payments=payments[:1])
    day = later.window("24h")
    assert day is not None and day.source == "estimate" and day.events == 3


def test_totals_sum_usd_and_coin_per_coin_and_carry_the_gaps() -> None:
    series = _series()
    now = _ms("2020-03-31T20:00:00Z")
    a = carry_figures(series, SHORT, now)
    early = FundingSeries([r for r in series.records if r.time_ms <= now - DAY_MS])
    b = carry_figures(early, Exposure("long", 50_000.0, 2_000.0), now)
    tot = carry_totals([("BTC", a), ("ETH", b)])
    wa, wb = a.window("7d"), b.window("7d")
    assert wa is not None and wb is not None
    assert tot.usd["7d"] == pytest.approx(wa.usd + wb.usd)
    assert tot.coin["7d"]["ETH"] == pytest.approx(wb.usd / 2_000.0)
    assert "24h" in tot.incomplete and "7d" in tot.incomplete


def test_the_figures_as_a_json_record() -> None:
    series = _series()
    now = _ms("2020-03-31T20:00:00Z")
    record = carry_figures(series, SHORT, now, current_rate=0.0001).record()
    week = record["windows"]["7d"]  # type: ignore[index]
    assert week["events"] == 21 and week["missing"] == 0 and week["source"] == "estimate"
    assert set(record["windows"]) == {"24h", "7d", "30d", "since"}  # type: ignore[arg-type]
    assert {
        "days": 7,
        "basis": "current",
        "usd": pytest.approx(210.0),
        "coin": pytest.approx(210.0 / 8_000.0),
    } in record["projections"]  # type: ignore[operator]
