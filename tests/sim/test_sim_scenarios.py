"""Scenarios: interpolation, looping and the named scenarios' shapes."""

from __future__ import annotations

import csv

import pytest

from hedgetui.sim.scenarios import (
    Scenario,
    ScenarioError,
    ScenarioPoint,
    get_scenario,
    scenario_names,
)
from tests.conftest import DATA_DIR


def _two_point(loop: bool) -> Scenario:
    pts = (ScenarioPoint(0, 101.0, 100.0, 0.001), ScenarioPoint(10, 202.0, 200.0, -0.001))
    return Scenario("t", "two points", "test", {"BTC": pts}, loop=loop)


def test_linear_interpolation_between_points() -> None:
    s = _two_point(loop=False)
    p = s.at("BTC", 2.5)
    assert p.index == pytest.approx(125.0)
    assert p.mark == pytest.approx(126.25)
    assert p.funding_rate == pytest.approx(0.0005)


def test_clamps_without_loop_and_wraps_with_loop() -> None:
    assert _two_point(loop=False).at("BTC", 25).index == 200.0
    assert _two_point(loop=False).at("BTC", -5).index == 100.0
    assert _two_point(loop=True).at("BTC", 12.5).index == pytest.approx(125.0)


def test_unknown_coin_is_a_clear_error() -> None:
    with pytest.raises(ScenarioError, match="no path for 'DOGE'"):
        _two_point(loop=True).at("DOGE", 1)


def test_times_must_increase() -> None:
    pts = (ScenarioPoint(0, 1, 1, 0), ScenarioPoint(0, 1, 1, 0))
    with pytest.raises(ScenarioError, match="must increase"):
        Scenario("bad", "", "", {"BTC": pts})


def test_crash_bottoms_at_minus_20_percent_and_recovers() -> None:
    s = get_scenario("crash")
    start = s.initial("BTC").index
    assert start == 60_000.0
    lows = [s.at("BTC", t / 2).index for t in range(int(s.duration_s * 2))]
    assert min(lows) == pytest.approx(48_000.0)
    assert s.at("BTC", s.duration_s - 1).index == pytest.approx(start)
    bottom_t = lows.index(min(lows)) / 2
    assert s.at("BTC", bottom_t).funding_rate < 0 < s.initial("BTC").funding_rate
    eth = [s.at("ETH", t).index for t in range(int(s.duration_s))]
    assert s.initial("ETH").index == 3_000.0
    assert min(eth) == pytest.approx(2_400.0)
    assert s.loop


def test_funding_flip_goes_deeply_negative_and_back() -> None:
    s = get_scenario("funding-flip")
    rates = [p.funding_rate for p in s.paths["BTC"]]
    assert rates[0] > 0
    assert min(rates) < -0.003
    assert rates[-1] > 0
    assert "BitMEX" in s.source and "SYNTHETIC" in s.source


def test_stall_schedules_a_bybit_stall_and_an_okx_drop() -> None:
    faults = {(f.venue, f.kind): f for f in get_scenario("stall").faults}
    assert faults[("bybit", "stall")].at_s == 20
    assert faults[("bybit", "stall")].params == {"seconds": 20}
    assert faults[("okx", "drop")].at_s == 50


def test_calm_stays_within_a_fraction_of_a_percent() -> None:
    s = get_scenario("calm")
    idx = [s.at("BTC", t / 4).index for t in range(240)]
    assert max(idx) / min(idx) < 1.005


@pytest.mark.parametrize(
    ("name", "file"),
    [
        ("black-thursday", "btcusdt_spot_binance_1m_2020-03-12_black-thursday.csv"),
        ("may19", "btcusdt_spot_binance_1m_2021-05-19_may19-crash.csv"),
        ("celsius", "btcusdt_spot_binance_1m_2022-06-13_celsius.csv"),
        ("ftx", "btcusdt_spot_binance_1m_2022-11-09_ftx.csv"),
    ],
)
def test_real_history_index_is_the_real_spot_close(name: str, file: str) -> None:
    with (DATA_DIR / file).open() as f:
        rows = list(csv.DictReader(f))
    s = get_scenario(name)
    closes = [float(r["close"]) for r in rows]
    # one minute of history = one scenario second
    assert s.at("BTC", 0).index == closes[0]
    assert s.at("BTC", 100).index == closes[100]
    assert s.duration_s == len(rows) - 1
    assert min(p.index for p in s.paths["BTC"]) == min(closes)
    assert s.initial("ETH").index == pytest.approx(3_000.0)
    eth_ratio = s.at("ETH", 100).index / s.at("BTC", 100).index
    assert eth_ratio == pytest.approx(3_000.0 / closes[0])


def test_every_named_scenario_builds_both_coins() -> None:
    for name in scenario_names():
        s = get_scenario(name)
        assert set(s.coins) == {"BTC", "ETH"}, name
        assert s.duration_s > 0
        assert all(p.mark > 0 and p.index > 0 for p in s.paths["BTC"])


def test_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match="crash"):
        get_scenario("nope")


def test_soak_fast_is_the_soaks_faults_every_13_s() -> None:
    slow, fast = get_scenario("soak"), get_scenario("soak-fast")
    assert slow.duration_s == 1080.0 and fast.duration_s == 80.0
    assert [f.at_s for f in slow.faults] == [60.0 + 180.0 * k for k in range(6)]
    assert [(f.venue, f.kind, f.params) for f in fast.faults] == [
        (f.venue, f.kind, f.params) for f in slow.faults
    ]
    gaps = {round(b.at_s - a.at_s, 6) for a, b in zip(fast.faults, fast.faults[1:], strict=False)}
    assert gaps == {round(80.0 / 6, 6)} and fast.faults[-1].params == {"seconds": 40}
