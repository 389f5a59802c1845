"""`hedgetui calc`: the classic example end to end, the table, and the exit-2 messages."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from hedgetui.cli import main
from tests.conftest import REPO_DIR

CLASSIC = [
    "calc",
    "--side",
    "short",
    "--contracts",
    "300000",
    "--contract-size",
    "1",
    "--entry",
    "60000",
    "--mark",
    "54000",
    "--collateral",
    "5",
    "--scenario=-20,-10,10,20",
    "--json",
]

REQUIRED_KEYS = {
    "notional_usd",
    "position_value_coin",
    "pnl_coin",
    "pnl_usd",
    "equity_coin",
    "initial_margin_coin",
    "maintenance_margin_coin",
    "margin_buffer_coin",
    "margin_buffer_usd",
    "liquidation_price",
    "bankruptcy_price",
    "liquidation_distance_pct",
    "liquidation_distance_usd",
    "net_exposure_coin",
    "net_exposure_usd",
    "hedge_ratio",
    "funding_coin",
    "funding_usd",
    "funding_annualized_pct",
    "scenarios",
}
SCENARIO_KEYS = {
    "move_pct",
    "price",
    "spot_pnl_usd",
    "futures_pnl_usd",
    "net_pnl_usd",
    "portfolio_usd",
    "liquidation_distance_pct",
}


def run_calc(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def check_classic(data: dict[str, Any]) -> None:
    assert data.keys() >= REQUIRED_KEYS
    assert data["notional_usd"] == 300_000
    assert data["liquidation_price"] is None
    assert data["bankruptcy_price"] is None
    assert data["liquidation_distance_pct"] is None
    assert data["net_exposure_coin"] == pytest.approx(0, abs=1e-9)
    assert data["hedge_ratio"] == pytest.approx(1.0)
    # at 54,000 the short has earned 300,000*(1/54,000 - 1/60,000) = 0.5556 BTC = $30,000
    assert data["pnl_usd"] == pytest.approx(30_000, abs=1e-6)
    rows = {row["move_pct"]: row for row in data["scenarios"]}
    assert sorted(rows) == [-20, -10, 10, 20]
    for row in rows.values():
        assert row.keys() >= SCENARIO_KEYS
        assert row["net_pnl_usd"] == pytest.approx(0, abs=1e-6)
        assert row["portfolio_usd"] == pytest.approx(300_000, abs=1e-6)
        assert row["liquidation_distance_pct"] is None
        assert row["liquidated"] is False
    assert rows[-10]["price"] == pytest.approx(48_600)
    assert rows[-10]["spot_pnl_usd"] == pytest.approx(-30_000, abs=1e-6)
    assert rows[-10]["futures_pnl_usd"] == pytest.approx(30_000, abs=1e-6)
    assert rows[10]["spot_pnl_usd"] == pytest.approx(30_000, abs=1e-6)
    assert rows[10]["futures_pnl_usd"] == pytest.approx(-30_000, abs=1e-6)


def test_classic_example_json_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_calc(capsys, CLASSIC)
    assert (code, err) == (0, "")
    check_classic(json.loads(out))


def test_classic_example_json_through_a_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hedgetui", *CLASSIC],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    check_classic(json.loads(done.stdout))


def test_calc_does_not_import_textual() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from hedgetui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main({CLASSIC!r})\n"
        "heavy = sorted(m for m in ('textual', 'websockets', 'httpx') if m in sys.modules)\n"
        "print(rc, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "0 []", done.stderr


def test_spot_and_collateral_both_count_as_coins_held(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "calc",
        "--side=short",
        "--contracts=50000",
        "--entry=50000",
        "--collateral=1",
        "--spot=1",
        "--scenario=-20",
        "--json",
    ]
    code, out, _ = run_calc(capsys, argv)
    data = json.loads(out)
    assert code == 0
    assert data["net_exposure_coin"] == pytest.approx(1.0)  # 2 coins held, 1 coin short
    assert data["hedge_ratio"] == pytest.approx(0.5)
    (row,) = data["scenarios"]
    assert row["spot_pnl_usd"] == pytest.approx(-20_000)
    assert row["futures_pnl_usd"] == pytest.approx(10_000)
    assert row["drawdown_pct"] == pytest.approx(10.0)


def test_leverage_without_collateral_is_isolated_initial_margin(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = "calc --side long --contracts 1000 --entry 8000 --leverage 50 --mm-basis entry --json"
    code, out, _ = run_calc(capsys, argv.split())
    data = json.loads(out)
    assert code == 0
    assert data["initial_margin_coin"] == pytest.approx(1000 / (8000 * 50))
    assert data["inputs"]["collateral"] == pytest.approx(data["initial_margin_coin"])
    assert data["liquidation_price"] == pytest.approx(7_881.773, abs=0.001)  # F1
    assert data["bankruptcy_price"] == pytest.approx(7_843.137, abs=0.001)


def test_venue_fills_profile_and_flags_override(capsys: pytest.CaptureFixture[str]) -> None:
    base = "calc --side short --contracts 1000 --venue binance --entry 60000 --collateral 0.5"
    code, out, _ = run_calc(capsys, [*base.split(), "--json"])
    data = json.loads(out)
    assert code == 0
    assert data["notional_usd"] == 100_000  # 100 USD contracts
    assert data["inputs"]["tiered"] is True and data["inputs"]["fee"] == 0.0005
    assert data["venue_liquidation_price"] == pytest.approx(data["liquidation_price"], abs=0.05)
    code, out, _ = run_calc(
        capsys, [*base.split(), "--contract-size", "10", "--mmr", "0.01", "--fee", "0", "--json"]
    )
    data = json.loads(out)
    assert data["notional_usd"] == 10_000
    assert data["inputs"]["tiered"] is False
    # short Q=10,000 @60,000, C=0.5 > Q/P0: fully collateralised
    assert data["liquidation_price"] is None


def test_funding_sign_and_interval(capsys: pytest.CaptureFixture[str]) -> None:
    argv = (
        "calc --side short --contracts 100000 --entry 40000 --mark 42000 --collateral 2.5 "
        "--funding-rate 0.0001 --json"
    )
    data = json.loads(run_calc(capsys, argv.split())[1])
    assert data["funding_coin"] == pytest.approx(0.000238095, abs=1e-9)
    assert data["funding_usd"] == pytest.approx(10.0)
    assert data["funding_annualized_pct"] == pytest.approx(10.95)
    kraken = run_calc(capsys, [*argv.split(), "--venue", "kraken"])[1]
    assert json.loads(kraken)["funding_annualized_pct"] == pytest.approx(87.6)  # hourly


def test_human_table(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "calc",
        "--side",
        "short",
        "--contracts",
        "100000",
        "--entry",
        "40000",
        "--mark",
        "42000",
        "--collateral",
        "0.5",
        "--scenario=-10,25",
    ]
    code, out, err = run_calc(capsys, argv)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    text = {line.split("  ")[0]: line for line in lines}
    assert "49,750.00 USD" in text["liquidation price"]
    assert "0.38095238 BTC" in text["equity"]
    assert "18.45%  7,750.00 USD" in text["to liquidation"]
    assert lines[-1].split()[-1] == "LIQ"  # +25% is past 49,750
    assert lines[-2].split()[0] == "-10.0%"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--contracts", "-5"], "--contracts must not be negative"),
        (["--contracts", "abc"], "--contracts must be a number"),
        (["--entry", "0"], "--entry must be greater than 0"),
        (["--mark", "-3"], "--mark must be greater than 0"),
        (["--leverage", "0"], "--leverage must be greater than 0"),
        (["--venue", "ftx"], "--venue: unknown venue 'ftx'"),
        (["--venue", "bitmex", "--symbol", "ETHUSD"], "--symbol: bitmex ETHUSD is not an inverse"),
        (["--venue", "okx", "--symbol", "BTC-USDT"], "--symbol: unknown symbol 'BTC-USDT' on okx"),
        (["--scenario=-20,x"], "--scenario must be comma-separated percentages"),
        (["--scenario=-120"], "--scenario moves must be above -100%"),
        (["--side", "flat"], "--side must be one of long, short"),
        (["--mm-basis", "bust"], "--mm-basis must be one of mark, entry"),
        (["--mmr", "5"], "--mmr is a fraction"),
        (["--collateral", "nan"], "--collateral must be a finite number"),
        (["--funding-hours", "0"], "--funding-hours must be greater than 0"),
    ],
)
def test_impossible_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    argv = ["calc", "--side", "short", "--contracts", "100", "--entry", "60000", *extra]
    code, out, err = run_calc(capsys, argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("hedgetui calc: ")
    assert message in err
    assert "Traceback" not in err and "usage:" not in err


@pytest.mark.parametrize("missing", ["--side", "--contracts", "--entry"])
def test_missing_required_flag_is_named(capsys: pytest.CaptureFixture[str], missing: str) -> None:
    flags = {"--side": "long", "--contracts": "10", "--entry": "100"}
    argv = ["calc"] + [
        part for flag, value in flags.items() if flag != missing for part in (flag, value)
    ]
    code, _, err = run_calc(capsys, argv)
    assert code == 2
    assert err == f"hedgetui calc: {missing} is required" + (
        " (long or short)\n" if missing == "--side" else "\n"
    )


def test_size_dependent_rate_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """risk-math.md 2.3: b = 1%, k = 0.005% per BTC gives 49,494.95 instead of 49,500."""
    argv = [
        "calc",
        "--side",
        "short",
        "--contracts",
        "100000",
        "--entry",
        "40000",
        "--collateral",
        "0.5",
        "--mmr",
        "0.01",
        "--mmr-per-coin",
        "0.00005",
        "--json",
    ]
    data = json.loads(run_calc(capsys, argv)[1])
    assert data["liquidation_price"] == pytest.approx(49_494.95, abs=0.005)
    deribit = json.loads(
        run_calc(
            capsys,
            [*argv[:9], "--venue", "deribit", "--contract-size", "1", "--fee", "0", "--json"],
        )[1]
    )
    assert deribit["inputs"]["mmr_per_coin"] == 0.00005
    assert deribit["liquidation_price"] == pytest.approx(49_494.95, abs=0.005)
