"""`watch --demo` and `status --demo` without a config file take the HEDGETUI_* environment:
the README's phone-alert try-out (an apprise URL in the environment) reaches a loopback server.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hedgetui.cli import main
from tests.http_recorder import recording_server


def _no_config(env: dict[str, str], home: Path) -> dict[str, str]:
    env = {k: v for k, v in env.items() if not k.startswith("HEDGETUI_")}
    env["XDG_CONFIG_HOME"] = str(home)  # no default config file either
    return env


def test_watch_demo_pushes_to_an_apprise_url_given_only_by_the_environment(
    tmp_path: Path,
) -> None:
    log = tmp_path / "state" / "alerts.jsonl"
    with recording_server() as server:
        env = _no_config(dict(os.environ), tmp_path)
        env |= {
            "HEDGETUI_ALERTS__APPRISE_URLS": f"json://127.0.0.1:{server.port}/",
            "HEDGETUI_ALERTS__PENDING_S": "0.3",
            "HEDGETUI_ALERTS__LOG_PATH": str(log),
        }
        # crash at 40x: btc-lev nears liquidation ~1-3 s in (see test_watch)
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "hedgetui",
                "watch",
                "--demo",
                "--json",
                "--scenario",
                "crash",
                "--speed",
                "40",
                "--interval",
                "1",
                "--duration",
                "6",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 0, r.stderr
        titles = [str(b["title"]) for b in server.bodies]
    assert any("btc-lev liquidation" in t for t in titles), (titles, r.stdout[-2000:])
    assert log.exists()  # the log path came from the environment too
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_status_demo_judges_by_thresholds_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [k for k in os.environ if k.startswith("HEDGETUI_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    # btc-desk sits ~19% from liquidation: a 20% warning level makes calm raise that alert
    monkeypatch.setenv("HEDGETUI_ALERTS__LIQ_DISTANCE_WARN_PCT", "20")
    monkeypatch.setenv("HEDGETUI_ALERTS__LIQ_DISTANCE_CRIT_PCT", "10")
    code = main(["status", "--demo", "--json", "--timeout", "10"])
    data = json.loads(capsys.readouterr().out)
    assert [(a["key"], a["severity"]) for a in data["alerts"]] == [
        ("liq_distance:btc-desk", "warning")
    ]
    assert code == 1


@pytest.mark.parametrize(("command", "code"), [("watch", 2), ("status", 3)])
def test_a_bad_environment_override_is_one_line_for_the_demo_too(
    command: str, code: int, tmp_path: Path
) -> None:
    env = _no_config(dict(os.environ), tmp_path) | {"HEDGETUI_ALERTS__PENDING_S": "soon"}
    r = subprocess.run(
        [sys.executable, "-m", "hedgetui", command, "--demo", "--scenario", "calm"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == code  # status: 3, its code for "no config / no data"
    assert r.stderr.strip().count("\n") == 0, r.stderr
    assert "HEDGETUI_ALERTS__PENDING_S" in r.stderr and "Traceback" not in r.stderr
