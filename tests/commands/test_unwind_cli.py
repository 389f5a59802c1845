"""`hedgetui unwind`: demo through the simulator's signed REST endpoint, dry run, confirmation."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hedgetui.cli import build_parser, main
from hedgetui.commands.unwind import unwind_main
from hedgetui.sim.rest import SimAccounts
from hedgetui.trading.audit import AuditLog
from tests.conftest import REPO_DIR


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["unwind", *argv])


async def test_demo_halves_the_short_through_the_signed_endpoint(tmp_path: Path) -> None:
    books = SimAccounts()
    audit = tmp_path / "audit.jsonl"
    out = io.StringIO()
    args = parse(
        "--demo",
        "--hedge",
        "btc-core",
        "--fraction",
        "0.5",
        "--yes",
        "--json",
        "--audit-log",
        str(audit),
    )
    assert await unwind_main(args, out=out, sim_accounts=books) == 0
    result = json.loads(out.getvalue())
    before = result["position_before"]
    assert before < 0 and result["status"] == "filled" and result["dry_run"] is False
    assert result["order"]["side"] == "buy" and result["order"]["reduce_only"] is True
    asked = result["order"]["contracts"]
    assert asked == (-before / 2) // 100 * 100  # half, rounded down to BitMEX's 100 lot
    assert result["filled_contracts"] == asked
    assert result["position_after"] == before + asked == books.position("bitmex", "XBTUSD")
    assert len(books.orders("bitmex")) == 1
    events = [e["event"] for e in AuditLog(audit).read()]
    assert events == ["plan", "confirm", "send", "reply", "result"]


async def test_dry_run_sends_nothing(tmp_path: Path) -> None:
    books = SimAccounts()
    out = io.StringIO()
    args = parse(
        "--demo",
        "--hedge",
        "btc-core",
        "--fraction",
        "0.5",
        "--dry-run",
        "--audit-log",
        str(tmp_path / "a.jsonl"),
    )
    assert await unwind_main(args, out=out, sim_accounts=books) == 0
    assert books.orders("bitmex") == []
    text = out.getvalue()
    assert "DRY RUN" in text and "BUY" in text and "reduce-only" in text
    events = [e["event"] for e in AuditLog(tmp_path / "a.jsonl").read()]
    assert "send" not in events and "dry_run" in events


@pytest.mark.parametrize(
    ("typed", "code", "orders"), [("XBTUSD", 0, 1), ("xbtusd", 1, 0), ("", 1, 0)]
)
async def test_typed_confirmation(tmp_path: Path, typed: str, code: int, orders: int) -> None:
    books = SimAccounts()
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return typed

    args = parse(
        "--demo",
        "--hedge",
        "btc-core",
        "--contracts",
        "1000",
        "--audit-log",
        str(tmp_path / "a.jsonl"),
    )
    out = io.StringIO()
    assert await unwind_main(args, out=out, ask=ask, sim_accounts=books) == code
    assert prompts and "XBTUSD" in prompts[0]
    assert len(books.orders("bitmex")) == orders


async def test_other_demo_hedges_and_limit_orders(tmp_path: Path) -> None:
    books = SimAccounts()
    out = io.StringIO()
    args = parse(
        "--demo",
        "--hedge",
        "eth-half",
        "--fraction",
        "1",
        "--yes",
        "--json",
        "--limit-offset-bps",
        "20",
        "--audit-log",
        str(tmp_path / "a.jsonl"),
    )
    assert await unwind_main(args, out=out, sim_accounts=books) == 0
    result = json.loads(out.getvalue())
    assert result["venue"] == "okx" and result["order"]["type"] == "limit"
    assert result["position_after"] == 0 == books.position("okx", "ETH-USD-SWAP")


def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["unwind", "--hedge", "x", "--fraction", "1.5", "--dry-run"]) == 2
    assert "--fraction: must be in (0, 1], got 1.5" in capsys.readouterr().err
    assert main(["unwind", "--hedge", "x", "--contracts", "0"]) == 2
    assert "--contracts: must be > 0" in capsys.readouterr().err


def test_unknown_demo_hedge(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(
        [
            "unwind",
            "--demo",
            "--hedge",
            "nope",
            "--fraction",
            "0.5",
            "--dry-run",
            "--audit-log",
            str(tmp_path / "a.jsonl"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no hedge named 'nope'" in err and "btc-core" in err


def test_unknown_hedge_in_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    assert main(["unwind", "--config", str(cfg), "--hedge", "nope", "--fraction", "0.5"]) == 2
    assert "no hedge named 'nope'" in capsys.readouterr().err


def test_subprocess_demo_json(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hedgetui",
            "unwind",
            "--demo",
            "--hedge",
            "btc-desk",
            "--fraction",
            "0.5",
            "--yes",
            "--json",
            "--audit-log",
            str(tmp_path / "a.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_DIR,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["venue"] == "deribit" and result["status"] == "filled"
    assert result["position_after"] == result["position_before"] + result["filled_contracts"]
    assert proc.stderr == ""


async def test_live_config_with_trading_disabled_is_a_dry_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.trading.test_unwind_secrets import bybit_account, config

    async with bybit_account(monkeypatch) as (sim, rest, books):
        cfg = config(
            tmp_path / "c.toml",
            sim.ws_url("bybit"),
            rest.url,
            tmp_path / "a.jsonl",
            enabled=False,
        )
        args = parse("--config", str(cfg), "--hedge", "lev", "--fraction", "0.5", "--yes")
        out = io.StringIO()
        assert await unwind_main(args, out=out) == 0
    assert books.orders("bybit") == [] and books.position("bybit", "BTCUSD") == 20_000
    text = out.getvalue()
    assert "DRY RUN (trading is disabled" in text and "SELL 10,000 BTCUSD market" in text
