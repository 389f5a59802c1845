"""`hedgetui watch` end to end on the simulator (loopback), with fast alert settings."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hedgetui.cli import main

FAST = """
[alerts]
pending_s = 0.3
cooldown_s = 600
rate_limit_per_min = 100
feed_stale_after_s = 1.0
log_path = "{log}"

[freshness]
delayed_after_s = 1.0
stale_after_s = 1.5
"""


WARN_AT_20 = "[alerts]\nliq_distance_warn_pct = 20\nliq_distance_crit_pct = 10\n"
"""btc-desk sits ~19% from liquidation: warning below 20% makes calm raise that one alert."""


def fast_config(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "alerts.jsonl"
    cfg = tmp_path / "fast.toml"
    cfg.write_text(FAST.format(log=log))
    return cfg, log


def run_watch(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    assert main(["watch", "--demo", "--json", *args]) == 0
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines()]


def test_crash_fires_a_liquidation_alert_for_btc_lev_and_resolves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg, log = fast_config(tmp_path)
    # crash at 40x: the fall starts after 0.75 s, the bottom is at 2.25-3 s, recovered by 4.5 s;
    # the next loop only nears liquidation again after ~6.9 s
    lines = run_watch(
        capsys,
        "--config",
        str(cfg),
        "--scenario",
        "crash",
        "--speed",
        "40",
        "--interval",
        "1",
        "--duration",
        "6.3",
    )
    alerts = [x for x in lines if x["type"] == "alert" and x["hedge"] == "btc-lev"]
    lev = [(a["event"], a["severity"]) for a in alerts if a["rule"] == "liq_distance"]
    assert lev[0][0] == "fired"
    # the 3x long comes within 7.5% of liquidation at the bottom: critical (directly, or
    # escalated from the warning, depending on how the ticks sample the fall)
    assert ("fired", "critical") in lev or ("escalated", "critical") in lev
    assert lev[-1][0] == "resolved"  # and clear after the recovery
    fired = next(a for a in alerts if a["event"] == "fired")
    for key in ("key", "rule", "severity", "hedge", "title", "message", "value", "threshold", "at"):
        assert fired[key] is not None, key
    assert isinstance(fired["value"], float) and fired["value"] < 15.0
    statuses = [x for x in lines if x["type"] == "status"]
    assert len(statuses) >= 4
    hedges = statuses[-1]["hedges"]
    assert isinstance(hedges, list)
    assert [h["name"] for h in hedges] == ["btc-core", "eth-half", "btc-desk", "btc-lev"]
    # the alert log got every transition
    logged = [json.loads(x) for x in log.read_text().splitlines()]
    assert [x["key"] for x in logged] == [x["key"] for x in lines if x["type"] == "alert"]


def test_stall_fires_and_resolves_the_stale_feed_alert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg, _ = fast_config(tmp_path)
    # stall at 5x: bybit goes silent at 4 s for 4 s
    lines = run_watch(
        capsys,
        "--config",
        str(cfg),
        "--scenario",
        "stall",
        "--speed",
        "5",
        "--interval",
        "100",
        "--duration",
        "10",
    )
    bybit = [
        (x["event"], x["severity"])
        for x in lines
        if x["type"] == "alert" and x["key"] == "feed_stale:bybit"
    ]
    assert bybit[0] == ("fired", "warning")
    assert bybit[-1][0] == "resolved"
    statuses = [x for x in lines if x["type"] == "status"]
    assert len(statuses) == 1  # interval 100 s: just the closing status line


def test_text_output_and_status_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg, _ = fast_config(tmp_path)
    cfg.write_text(cfg.read_text().replace("[alerts]\n", WARN_AT_20))
    assert (
        main(
            [
                "watch",
                "--demo",
                "--config",
                str(cfg),
                "--scenario",
                "calm",
                "--interval",
                "0.5",
                "--duration",
                "1.2",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    status = [x for x in out if "btc-lev net" in x]
    assert len(status) >= 2
    assert "btc-core net" in status[-1] and "liq" in status[-1] and "fund" in status[-1]
    fired = [x for x in out if "ALERT FIRED" in x]
    assert len(fired) == 1 and "warning [liq_distance:btc-desk]" in fired[0], fired


def test_bad_arguments_and_missing_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["watch", "--demo", "--interval", "0"]) == 2
    assert "--interval must be > 0" in capsys.readouterr().err
    assert main(["watch", "--demo", "--scenario", "nope", "--duration", "1"]) == 2
    assert "nope" in capsys.readouterr().err
    monkeypatch.delenv("HEDGETUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["watch"]) == 2
    err = capsys.readouterr().err
    assert "no config file found" in err and "--demo" in err
    bad = tmp_path / "bad.toml"
    bad.write_text("[alerts]\npending_s = -1\n")
    assert main(["watch", "--config", str(bad)]) == 2
    assert "alerts.pending_s" in capsys.readouterr().err


def test_sigterm_stops_cleanly(tmp_path: Path) -> None:
    cfg, _ = fast_config(tmp_path)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hedgetui",
            "watch",
            "--demo",
            "--json",
            "--config",
            str(cfg),
            "--scenario",
            "calm",
            "--interval",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())  # running: a status line arrived
        assert first["type"] in ("status", "alert")
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        rc = proc.wait(timeout=10)
        assert rc == 0, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() - started < 5
        assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_failing_push_sink_is_reported_once_redacted_and_never_stops_the_watcher(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg, _ = fast_config(tmp_path)
    token = "tok-3f9a7c21e"
    # port 9 on loopback: nothing listens, every delivery is refused
    push = f'apprise_urls = ["json://127.0.0.1:9/{token}"]\napprise_timeout_s = 1\n'
    cfg.write_text(cfg.read_text().replace("[alerts]\n", WARN_AT_20 + push))
    lines = run_watch(
        capsys, "--config", str(cfg), "--scenario", "calm", "--interval", "0.5", "--duration", "2"
    )
    problems = [x for x in lines if x["type"] == "problem"]
    assert len(problems) == 1
    assert "apprise json://127.0.0.1:9/***" in str(problems[0]["message"])
    statuses = [x for x in lines if x["type"] == "status"]
    assert len(statuses) >= 3  # kept running and reporting
    assert statuses[-1]["sink_problems"]
    assert any(x["type"] == "alert" for x in lines)  # the alerts themselves still flow
    everything = json.dumps(lines) + capsys.readouterr().err
    assert token not in everything
