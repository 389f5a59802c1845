"""``hedgetui doctor`` as a user runs it: ``--demo`` (the built-in simulator and its demo
accounts) and a config pointing at ``hedgetui sim`` started as a subprocess (all six venues,
``wss://`` with a test CA trusted through SSL_CERT_FILE, an account per venue): all green,
exit 0, every line within 80 columns.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hedgetui.sim.rest import DEMO_API_KEY, DEMO_API_SECRET, DEMO_PASSPHRASE
from tests.conftest import REPO_DIR

pytestmark = pytest.mark.timeout(120)
TIMEOUT = 60.0
VENUES = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")


def clean_env(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEDGETUI_")}
    env.pop("SSL_CERT_FILE", None)
    return {**env, "PYTHONUNBUFFERED": "1", **more}


def hedgetui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hedgetui", *args],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env or clean_env(),
        check=False,
    )


def test_demo_is_all_green() -> None:
    run = hedgetui("doctor", "--demo")
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), run.stdout
    assert not [line for line in lines if line.startswith(("  FAIL", "  WARN"))], run.stdout
    assert lines[-1].startswith("doctor: all good (") and lines[-1].endswith("; exit 0")
    targets = [line.split("  ")[0] for line in lines if not line.startswith(" ")]
    assert [t for t in targets if t.startswith("account ")] == [
        "account demo-bitmex (bitmex)",
        "account demo-okx (okx)",
        "account demo-deribit (deribit)",
        "account demo-bybit (bybit)",
    ]
    assert run.stderr == ""


def test_demo_json_is_all_green_with_the_documented_keys() -> None:
    run = hedgetui("doctor", "--demo", "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads(run.stdout)
    assert set(data) == {"exit_code", "counts", "targets"}
    assert data["exit_code"] == 0 and data["counts"]["fail"] == data["counts"]["warn"] == 0
    for target in data["targets"]:
        assert set(target) == {"kind", "name", "venue", "where", "steps"}
        for step in target["steps"]:
            assert set(step) == {"step", "verdict", "seconds", "message", "advice"}
            assert step["verdict"] in ("ok", "skipped")
    names = {t["kind"]: [s["step"] for s in t["steps"]] for t in data["targets"]}
    assert names == {
        "venue": ["dns", "tcp", "tls", "upgrade", "data", "clock"],
        "account": ["keyfile", "auth", "perms"],
    }


def test_demo_and_config_together_is_a_usage_error() -> None:
    run = hedgetui("doctor", "--demo", "--config", "x.toml")
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
    assert "not allowed with argument" in run.stderr and "Traceback" not in run.stderr


@contextmanager
def sim_process(*args: str) -> Iterator[dict[str, Any]]:
    """``hedgetui sim ARGS``: its per-venue lines (under "venues") and its control line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hedgetui", "sim", "--scenario", "calm", *args],
        cwd=REPO_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    assert proc.stdout is not None
    venues: dict[str, Any] = {}
    try:
        while True:
            line = proc.stdout.readline()
            assert line, "hedgetui sim exited early"
            msg = json.loads(line)
            if "control" in msg:
                yield {"venues": venues, **msg}
                break
            venues[msg["venue"]] = msg
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=TIMEOUT)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``hedgetui sim --tls DIR``."""
    with sim_process("--tls", str(tmp_path_factory.mktemp("sim-tls"))) as found:
        yield found


def venue_config(venue: str, line: dict[str, Any], *, account: bool) -> str:
    """The config of one venue served by ``hedgetui sim`` (its line), a hedge on it and, with
    ``account``, an account whose keys are the simulator's demo ones (from HT_DOCTOR_*)."""
    phrase = 'passphrase_env = "HT_DOCTOR_PHRASE"\n' if venue == "okx" else ""
    accounts = f"""
[[accounts]]
name = "acct-{venue}"
venue = "{venue}"
permissions = "trade"
api_key_env = "HT_DOCTOR_KEY"
api_secret_env = "HT_DOCTOR_SECRET"
{phrase}"""
    return f"""
[venues.{venue}]
ws_url = "{line["ws"]}"
rest_url = "{line["rest"]}"
{accounts if account else ""}
[[hedges]]
name = "h-{venue}"
coin = "BTC"
venue = "{venue}"
position = {{ side = "short", contracts = 100, entry = 60000, leverage = 2 }}
"""


def test_a_config_pointing_at_hedgetui_sim_is_all_green(
    sim: dict[str, Any], tmp_path: Path
) -> None:
    parts = [venue_config(v, sim["venues"][v], account=True) for v in VENUES]
    cfg = tmp_path / "c.toml"
    cfg.write_text("".join(parts))
    env = clean_env(
        SSL_CERT_FILE=sim["tls_ca"],
        HT_DOCTOR_KEY=DEMO_API_KEY,
        HT_DOCTOR_SECRET=DEMO_API_SECRET,
        HT_DOCTOR_PHRASE=DEMO_PASSPHRASE,
    )
    run = hedgetui("doctor", "--config", str(cfg), env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), run.stdout
    tls = [line for line in lines if line.startswith("  ok   tls ")]
    assert len(tls) == 6 and all("certificate valid for 127.0.0.1" in t for t in tls), run.stdout
    assert lines[-1] == "doctor: all good (48 ok, 6 skipped); exit 0", run.stdout
    assert DEMO_API_SECRET not in run.stdout + run.stderr


def test_hedgetui_sim_with_a_skewed_clock_fails_the_clock_step(tmp_path: Path) -> None:
    """``hedgetui sim --clock-skew 10``: the venue's clock 10 s ahead, beyond Binance's
    5 s recvWindow: the clock step fails saying the skew and the window; exit 2."""
    with sim_process("--venues", "binance", "--clock-skew", "10") as found:
        cfg = tmp_path / "c.toml"
        cfg.write_text(venue_config("binance", found["venues"]["binance"], account=False))
        run = hedgetui("doctor", "--config", str(cfg), "--json")
    assert run.returncode == 2, run.stdout + run.stderr
    [target] = json.loads(run.stdout)["targets"]
    verdicts = {s["step"]: s["verdict"] for s in target["steps"]}
    assert verdicts == {
        "dns": "ok",
        "tcp": "ok",
        "tls": "skipped",
        "upgrade": "ok",
        "data": "ok",
        "clock": "fail",
    }
    [clock] = [s for s in target["steps"] if s["step"] == "clock"]
    pattern = (
        r"skew -(9\.9\d\d|10\.0\d\d) s: outside binance's signed-request window \(-5 s/\+1 s\)"
    )
    assert re.fullmatch(pattern, clock["message"]), clock
    assert clock["advice"] == "sync the clock (NTP)"
