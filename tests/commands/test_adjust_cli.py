"""`hedgetui adjust`: the demo's 50% hedge to 90% through the simulator's signed REST endpoint,
dry run, typed confirmation, bad input, limits from the config."""

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

OKX = ("okx", "ETH-USD-SWAP")


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["adjust", *argv])


async def test_demo_moves_the_half_hedge_to_ninety_percent(tmp_path: Path) -> None:
    books = SimAccounts()
    audit = tmp_path / "audit.jsonl"
    out = io.StringIO()
    args = parse(
        "--demo", "--hedge", "eth-half", "--to", "0.9", "--yes", "--json", "--audit-log", str(audit)
    )
    assert await unwind_main(args, out=out, sim_accounts=books) == 0
    result = json.loads(out.getvalue())
    assert set(result) >= {
        "hedge",
        "venue",
        "symbol",
        "dry_run",
        "position_before",
        "ratio_before",
        "order",
        "filled_contracts",
        "position_after",
        "ratio_after",
        "liquidation_price_after",
        "status",
    }
    assert set(result["order"]) >= {"side", "contracts", "type", "reduce_only", "client_order_id"}
    assert result["status"] == "filled" and result["dry_run"] is False
    assert result["order"]["side"] == "sell" and result["order"]["reduce_only"] is False
    assert result["ratio_before"] == pytest.approx(0.5, abs=0.01)
    # 0.9 of the 10 ETH held at ~3,000 is ~2,700 contracts of 10 USD: one lot moves ~0.0003
    assert result["ratio_after"] == pytest.approx(0.9, abs=0.0005)
    assert result["position_after"] == books.position(*OKX) == result["preview"]["position_after"]
    assert result["filled_contracts"] == result["order"]["contracts"]
    assert result["position_after"] == result["position_before"] - result["filled_contracts"]
    assert result["liquidation_price_after"] == result["preview"]["liquidation_price_after"]
    assert len(books.orders("okx")) == 1
    events = [e["event"] for e in AuditLog(audit).read()]
    assert events[:4] == ["plan", "confirm", "send", "reply"] and events[-1] == "result"
    assert "retry" not in events


async def test_dry_run_sends_nothing(tmp_path: Path) -> None:
    books = SimAccounts()
    out = io.StringIO()
    audit = tmp_path / "a.jsonl"
    args = parse(
        "--demo", "--hedge", "eth-half", "--to", "0.9", "--dry-run", "--audit-log", str(audit)
    )
    assert await unwind_main(args, out=out, sim_accounts=books) == 0
    assert books.orders("okx") == []
    text = out.getvalue()
    assert "DRY RUN" in text and "SELL" in text and "increases the position" in text
    assert "ratio     0.500 -> 0.900   (target 0.9)" in text and "liq price" in text
    events = [e["event"] for e in AuditLog(audit).read()]
    assert "send" not in events and "dry_run" in events


async def test_dry_run_json_keeps_the_position_and_carries_the_preview(tmp_path: Path) -> None:
    books = SimAccounts()
    out = io.StringIO()
    args = parse(
        "--demo",
        "--hedge",
        "eth-half",
        "--by",
        "+300",
        "--dry-run",
        "--json",
        "--audit-log",
        str(tmp_path / "a.jsonl"),
    )
    assert await unwind_main(args, out=out, sim_accounts=books) == 0
    result = json.loads(out.getvalue())
    assert result["dry_run"] is True and result["status"] == "dry_run"
    assert result["order"]["side"] == "buy" and result["order"]["reduce_only"] is True
    assert result["position_after"] == result["position_before"] == books.position(*OKX)
    assert result["ratio_after"] == result["ratio_before"]
    assert result["preview"]["position_after"] == result["position_before"] + 300
    assert books.orders("okx") == []


@pytest.mark.parametrize(("typed", "code", "orders"), [("ETH-USD-SWAP", 0, 1), ("eth", 1, 0)])
async def test_typed_confirmation(tmp_path: Path, typed: str, code: int, orders: int) -> None:
    books = SimAccounts()
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return typed

    args = parse(
        "--demo", "--hedge", "eth-half", "--by", "-100", "--audit-log", str(tmp_path / "a")
    )
    assert await unwind_main(args, out=io.StringIO(), ask=ask, sim_accounts=books) == code
    assert prompts and "ETH-USD-SWAP" in prompts[0]
    assert len(books.orders("okx")) == orders


async def test_a_flip_is_refused_naming_the_most(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    books = SimAccounts()
    args = parse(
        "--demo",
        "--hedge",
        "eth-half",
        "--by",
        "99999",
        "--yes",
        "--audit-log",
        str(tmp_path / "a"),
    )
    assert await unwind_main(args, out=io.StringIO(), sim_accounts=books) == 1
    err = capsys.readouterr().err
    assert err.startswith("hedgetui adjust: refused: buy 99,999 would flip the short")
    assert "(to flat)" in err and books.orders("okx") == []


def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["adjust", "--hedge", "x", "--to", "-0.5", "--dry-run"]) == 2
    assert "hedgetui adjust: --to: must be a hedge ratio >= 0, got -0.5" in capsys.readouterr().err
    assert main(["adjust", "--hedge", "x", "--by", "0"]) == 2
    assert "--by: must not be 0" in capsys.readouterr().err
    assert main(["adjust", "--hedge", "x", "--to", "nan"]) == 2
    assert "--to: must be a finite number" in capsys.readouterr().err


def test_subprocess_demo_json_and_dry_run(tmp_path: Path) -> None:
    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "hedgetui",
                "adjust",
                "--demo",
                "--hedge",
                "eth-half",
                "--to",
                "0.9",
                "--json",
                "--audit-log",
                str(tmp_path / "a.jsonl"),
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO_DIR,
        )

    proc = run("--yes")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["venue"] == "okx" and result["status"] == "filled"
    assert result["ratio_after"] == pytest.approx(0.9, abs=0.0005)
    assert proc.stderr == ""
    dry = run("--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["status"] == "dry_run"
    sent = [e for e in AuditLog(tmp_path / "a.jsonl").read() if e["event"] == "send"]
    assert len(sent) == 1  # the --yes run's; the dry run sent nothing


async def test_ctrl_c_while_an_increasing_order_is_in_flight_settles_it(tmp_path: Path) -> None:
    import asyncio
    import os
    import signal

    from tests.commands.test_unwind_interrupt import IN_FLIGHT_S, events, finish, until_event

    audit = tmp_path / "audit.jsonl"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hedgetui",
        "adjust",
        "--demo",
        "--hedge",
        "eth-half",
        "--to",
        "0.9",
        "--yes",
        "--audit-log",
        str(audit),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO_DIR,
        env={**os.environ, "HEDGETUI_DEMO_ORDER_REPLY_DELAY_S": "120"},
    )
    await until_event(audit, "send", proc)
    await asyncio.sleep(IN_FLIGHT_S)  # the request reaches the venue, which holds the reply
    proc.send_signal(signal.SIGINT)
    code, _out, err = await finish(proc)
    assert code == 130, err
    log = events(audit)
    cid = next(e for e in log if e["event"] == "send")["client_order_id"]
    assert f"hedgetui adjust: interrupted while order {cid} was being sent" in err
    assert f"interrupted: order {cid}: filled" in err and "Traceback" not in err
    assert [e["event"] for e in log].count("send") == 1
    assert log[-1]["event"] == "result" and log[-1]["status"] == "filled"
