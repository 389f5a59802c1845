"""The CSV scenario loader: time kinds, the coin column, and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hedgetui.sim.scenario_csv import load_csv_scenario
from hedgetui.sim.scenarios import ScenarioError


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "path.csv"
    p.write_text(text)
    return p


def test_csv_seconds_from_start(tmp_path: Path) -> None:
    p = _write(tmp_path, "time,mark,index,funding_rate\n0,100.5,100,0.0001\n10,90.5,90,-0.001\n")
    s = load_csv_scenario(p)
    assert s.at("BTC", 5).index == pytest.approx(95.0)
    assert s.initial("ETH").index == pytest.approx(3_000.0)  # derived
    assert "seconds" in s.description


def test_csv_iso_and_epoch_ms_are_relative_to_the_first_row(tmp_path: Path) -> None:
    iso = "time,mark,index,funding_rate\n2020-03-12T09:00:00Z,1,1,0\n2020-03-12T09:01:00Z,2,2,0\n"
    assert load_csv_scenario(_write(tmp_path, iso)).duration_s == 60.0
    ms = "time,mark,index,funding_rate\n1584003600000,1,1,0\n1584003660000,2,2,0\n"
    assert load_csv_scenario(_write(tmp_path, ms)).duration_s == 60.0


def test_csv_coin_column(tmp_path: Path) -> None:
    text = (
        "time,mark,index,funding_rate,coin\n"
        "0,10,10,0,BTC\n1,11,11,0,XBT\n0,5,5,0,eth\n1,4,4,0,ETH\n"
    )
    s = load_csv_scenario(_write(tmp_path, text), loop=False)
    assert s.at("ETH", 0.5).index == 4.5
    assert s.at("BTC", 1).index == 11.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("time,mark,index\n0,1,1\n", r"path.csv:1: missing column\(s\) funding_rate"),
        ("time,mark,index,funding_rate\n0,abc,1,0\n", r"path.csv:2: mark 'abc' is not a number"),
        ("time,mark,index,funding_rate\n0,1,1,0\n1,1,-5,0\n", r"path.csv:3: index must be > 0"),
        ("time,mark,index,funding_rate\n0,1,1,0\n0,1,1,0\n", r"path.csv:3: .*not after.*line 2"),
        ("time,mark,index,funding_rate\nyesterday,1,1,0\n", r"path.csv:2: time 'yesterday'"),
        ("time,mark,index,funding_rate\n2020-01-01T00:00:00,1,1,0\n", r"path.csv:2: .*zone"),
        ("time,mark,index,funding_rate\n0,1,1,0\n2020-01-01T00:00:00Z,1,1,0\n", "earlier rows"),
        ("time,mark,index,funding_rate\n0,1,1,\n", r"path.csv:2: empty funding_rate"),
        ("time,mark,index,funding_rate\n", "no data rows"),
        ("time,mark,index,funding_rate\n0,nan,1,0\n", "not a finite number"),
    ],
)
def test_csv_errors_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_csv_scenario(_write(tmp_path, text))


def test_csv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_csv_scenario(tmp_path / "absent.csv")
