"""`hedgetui calc` and issue 19's liquidation cases: the one rule, a signed distance, the words."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hedgetui.cli import main
from tests.conftest import REPO_DIR

# a hair under 1x: the engine's price is ~14.9 trillion USD, more than a 10x move away
ALMOST_ONE_X = "--side short --contracts 50000 --entry 60000 --collateral 0.83333333"
# issue 19 item 11 as written: a 6x short, a real liquidation price 19.4% above
SIX_X_SHORT = "--side short --contracts 300000 --entry 60000 --collateral 0.83333333"
LONG_PAST = "--side long --contracts 100000 --entry 60000 --mark 50000 --leverage 10"
DERIBIT_BELOW = (
    "--venue deribit --side short --contracts 694802 --entry 1295.9 --mark 1314.39 "
    "--leverage 47.875"
)


def calc_json(capsys: pytest.CaptureFixture[str], args: str) -> dict[str, object]:
    code = main(["calc", *args.split(), "--json"])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    data: dict[str, object] = json.loads(captured.out)
    return data


def calc_text(args: str) -> dict[str, str]:
    """The table through a real subprocess, as ``{label: value}``."""
    done = subprocess.run(
        [sys.executable, "-m", "hedgetui", "calc", *args.split()],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "-0.00000000" not in done.stdout
    rows = {}
    for line in done.stdout.splitlines():
        label, _, value = line.partition("  ")
        rows[label.strip()] = value.strip()
    return rows


def test_beyond_a_10x_move_is_none(capsys: pytest.CaptureFixture[str]) -> None:
    data = calc_json(capsys, ALMOST_ONE_X)
    assert data["liquidation_state"] == "none"
    for key in ("liquidation_price", "liquidation_distance_pct", "liquidation_distance_usd"):
        assert data[key] is None, key
    assert data["bankruptcy_price"] is None
    assert data["net_exposure_coin"] == pytest.approx(0, abs=1e-8)
    text = calc_text(ALMOST_ONE_X)
    assert text["liquidation price"] == "none (≥10×)"
    assert text["bankruptcy price"] == "none"
    assert text["to liquidation"] == "-"
    assert text["unrealised PnL"].startswith("0.00000000 BTC")  # not "-0.00000000"
    assert text["net exposure"].startswith("0.00000000 BTC")


def test_the_issue_command_is_a_six_x_short_ahead(capsys: pytest.CaptureFixture[str]) -> None:
    data = calc_json(capsys, SIX_X_SHORT)
    assert data["liquidation_state"] == "ahead"
    assert data["liquidation_price"] == pytest.approx(71_640, abs=0.01)
    assert data["liquidation_distance_pct"] == pytest.approx(19.4, abs=1e-6)
    assert data["liquidation_distance_usd"] == pytest.approx(11_640, abs=0.01)


def test_past_liquidation_is_negative(capsys: pytest.CaptureFixture[str]) -> None:
    data = calc_json(capsys, LONG_PAST + " --scenario=-5,10,20")
    assert data["liquidation_state"] == "past"
    assert data["liquidation_price"] == pytest.approx(54_818.18, abs=0.01)
    assert data["liquidation_distance_pct"] == pytest.approx(-9.64, abs=0.01)
    assert data["liquidation_distance_usd"] == pytest.approx(-4_818.18, abs=0.01)
    rows = data["scenarios"]
    assert isinstance(rows, list)
    assert [(r["liquidation_state"], r["liquidated"]) for r in rows] == [
        ("past", True),
        ("ahead", False),  # 55,000 is above 54,818.18 again
        ("ahead", False),
    ]
    assert rows[0]["liquidation_distance_pct"] < 0 < rows[1]["liquidation_distance_pct"]
    text = calc_text(LONG_PAST)
    assert text["to liquidation"] == "-9.64%  -4,818.18 USD  past liquidation"
    assert text["liquidation price"] == "54,818.18 USD"


def test_no_price_satisfying_maintenance(capsys: pytest.CaptureFixture[str]) -> None:
    data = calc_json(capsys, DERIBIT_BELOW)
    assert data["liquidation_state"] == "below_maintenance"
    for key in (
        "liquidation_price",
        "venue_liquidation_price",
        "liquidation_distance_pct",
        "liquidation_distance_usd",
    ):
        assert data[key] is None, key
    text = calc_text(DERIBIT_BELOW)
    assert text["liquidation price"] == "already below maintenance"
    assert text["to liquidation"] == "-"
    assert text["margin buffer"].startswith("-1416.")
