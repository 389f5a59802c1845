"""`hedgetui stress`: the demo portfolio through Black Thursday (figures checked against the
shipped file read independently), the article's example from a --path CSV and a config, the
exit codes, and bad input as one line."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hedgetui.cli import main

DATA = Path(__file__).resolve().parents[2] / "hedgetui" / "sim" / "data"
BLACK_THURSDAY = DATA / "btcusdt_spot_binance_1m_2020-03-12_black-thursday.csv"


def _stress(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["stress", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def _hedge(record: dict[str, object], name: str) -> dict[str, object]:
    hedges = record["hedges"]
    assert isinstance(hedges, list)
    return next(h for h in hedges if h["name"] == name)


def test_black_thursday_on_the_demo_portfolio(capsys: pytest.CaptureFixture[str]) -> None:
    code, record = _stress(capsys, "--history", "black-thursday", "--demo")
    with BLACK_THURSDAY.open(newline="") as f:
        rows = list(csv.DictReader(f))
    first_open = float(rows[0]["open"])
    lowest = min(float(r["low"]) for r in rows)
    lowest_at = next(int(r["open_time_ms"]) for r in rows if float(r["low"]) == lowest)
    last_close = float(rows[-1]["close"])

    core = _hedge(record, "btc-core")  # 5 BTC as the collateral of a 1x short at the open
    unhedged = core["unhedged"]
    assert isinstance(unhedged, dict)
    assert unhedged["initial_usd"] == pytest.approx(5 * first_open)
    assert unhedged["worst_usd"] == pytest.approx(5 * lowest)
    assert unhedged["worst_ms"] == lowest_at
    assert unhedged["end_usd"] == pytest.approx(5 * last_close)
    assert unhedged["max_drawdown_pct"] == pytest.approx((1 - lowest / first_open) * 100, rel=0.05)
    # the 1x short: no liquidation price; funding: BitMEX 12:00 (+0.01%) and 20:00 (-0.1691%)
    # on its face value, in USD (an inverse contract's USD funding is rate x face value)
    assert core["liquidated"] is False and core["min_liquidation_state"] == "none"
    face = 400 * round(5 * first_open / 400)
    assert core["funding_usd"] == pytest.approx(face * (0.0001 - 0.001691))
    assert core["funding_settlements"] == 2
    hedged = core["hedged"]
    assert isinstance(hedged, dict)
    # fully hedged: the dollar value hardly moves (only the funding and the lot rounding)
    assert abs(hedged["end_usd"] - hedged["initial_usd"]) < 200

    lev = _hedge(record, "btc-lev")  # the 3x long is liquidated on the way down
    assert lev["liquidated"] is True
    liq = lev["liquidation_price"]
    assert isinstance(liq, float)
    first_hit = next(int(r["open_time_ms"]) for r in rows if float(r["low"]) <= liq)
    assert lev["liquidated_ms"] == first_hit
    portfolio = record["portfolio"]
    assert isinstance(portfolio, dict) and portfolio["liquidated"] == ["btc-lev"]
    assert code == record["exit_code"] == 1


CONFIG = """
[[hedges]]
name = "half"
coin = "BTC"
venue = "bitmex"
spot = 1.8
[hedges.position]
side = "short"
contracts = 50000
entry = 50000
collateral = 0.2
"""


def _article_csv(tmp_path: Path) -> Path:
    path = tmp_path / "drop-and-recovery.csv"
    marks = [50_000, 45_000, 40_000, 45_000, 50_000]
    rows = [f"{i * 60},{m},{m},0" for i, m in enumerate(marks)]
    path.write_text("time,mark,index,funding_rate\n" + "\n".join(rows) + "\n")
    return path


def test_the_articles_example_from_a_csv_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "hedgetui.toml"
    config.write_text(CONFIG)
    code, record = _stress(capsys, "--config", str(config), "--path", str(_article_csv(tmp_path)))
    half = _hedge(record, "half")
    hedged, unhedged = half["hedged"], half["unhedged"]
    assert isinstance(hedged, dict) and isinstance(unhedged, dict)
    assert hedged["initial_usd"] == pytest.approx(100_000)
    assert hedged["worst_usd"] == pytest.approx(90_000)
    assert hedged["end_usd"] == pytest.approx(100_000)
    assert hedged["max_drawdown_pct"] == pytest.approx(10.0)
    assert unhedged["worst_usd"] == pytest.approx(80_000)
    assert unhedged["max_drawdown_pct"] == pytest.approx(20.0)
    assert half["funding_usd"] == 0.0
    assert code == 0

    assert main(["stress", "--config", str(config), "--path", str(_article_csv(tmp_path))]) == 0
    text = capsys.readouterr().out
    assert "$90,000" in text and "10.0%" in text and "20.0%" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_the_text_table_fits_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    for history in ("black-thursday", "may19", "celsius", "ftx"):
        main(["stress", "--demo", "--history", history])
        text = capsys.readouterr().out
        assert "portfolio" in text
        assert max(len(line) for line in text.splitlines()) <= 80, history


def _bad(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["stress", "--demo", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    return lines[0]


def test_bad_path_files_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = _bad(tmp_path, capsys, "--path", str(tmp_path / "nope.csv"))
    assert missing.startswith("hedgetui stress: ") and "nope.csv" in missing
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "binary.csv" in _bad(tmp_path, capsys, "--path", str(binary))
    bad_row = tmp_path / "bad-row.csv"
    bad_row.write_text("time,mark,index,funding_rate\n0,50000,50000,0\n60,abc,50000,0\n")
    assert "bad-row.csv:3" in _bad(tmp_path, capsys, "--path", str(bad_row))
    assert "unknown history" in _bad(tmp_path, capsys, "--history", "dotcom")
    assert "unknown hedge" in _bad(tmp_path, capsys, "--hedge", "nope")


def test_a_bad_path_in_a_real_process_is_one_line(tmp_path: Path) -> None:
    bad_row = tmp_path / "bad-row.csv"
    bad_row.write_text("time,mark,index,funding_rate\n0,50000,50000,0\n0,50000,50000,0\n")
    done = subprocess.run(
        [sys.executable, "-m", "hedgetui", "stress", "--demo", "--path", str(bad_row)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1


LEVERED_SHORT = """
[[hedges]]
name = "levered"
coin = "BTC"
venue = "bitmex"
spot = 0.75
[hedges.position]
side = "short"
contracts = 46704
entry = 46704.01
collateral = 0.25
"""


def test_a_recording_is_a_path_and_its_spike_liquidates_a_4x_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hedgetui.clock import ManualClock
    from tests.history.test_recording import T0, _partial, _record, _update

    out = tmp_path / "night.jsonl.gz"
    t0 = round(T0 * 1000)
    with _record(out, ManualClock(T0)) as w:
        conn = w.opened("bitmex", "wss://ws.bitmex.com/realtime")
        w.frame("bitmex", conn, _partial())  # 46,704.01 at 19:55:00
        for dt, mark in {
            10_000: 46_800.0,
            70_000: 47_000.0,
            80_000: 62_000.0,
            90_000: 47_000.0,
        }.items():
            w.frame("bitmex", conn, _update(mark, t0 + dt))
    config = tmp_path / "hedgetui.toml"
    config.write_text(LEVERED_SHORT)
    code, record = _stress(capsys, "--config", str(config), "--recording", str(out))
    levered = _hedge(record, "levered")
    path = record["path"]
    assert isinstance(path, dict) and path["bars"] == 2
    assert "bitmex XBTUSD" in str(path["title"])
    # the second minute spikes to 62,000 and closes at 47,000: liquidated on its high
    assert levered["liquidated_ms"] == t0 + 60_000
    assert code == 1

    bad = tmp_path / "not-a-recording.jsonl.gz"
    bad.write_text("hello\n")
    assert main(["stress", "--config", str(config), "--recording", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not-a-recording" in err[0]
