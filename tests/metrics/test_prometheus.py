"""A real Prometheus (Debian's ``prometheus`` package, which ``.ci/run`` installs) scrapes
``hedgetui watch --demo --metrics``, and the shipped rules pass ``promtool check rules``.

Locally, without the package, these tests skip with the reason; in CI (``CI=true``) they fail:
a missing Prometheus must not turn into a silently green run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "prometheus"
LIQ = 'hedgetui_hedge_liquidation_distance_ratio{hedge="btc-lev"}'
CALM_S = 30.0  # the crash scenario's first phase: the mark holds at 60,012 (sim.scenarios)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is not None:
        return path
    why = f"{name} not found: install Debian's prometheus package (apt-get install prometheus)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{why}; .ci/run installs it on a fresh machine")
    pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_the_shipped_rules_pass_promtool() -> None:
    promtool = tool("promtool")
    rules = sorted(str(p) for p in EXAMPLES.glob("*.yml"))
    assert rules, f"no rules file in {EXAMPLES}"
    checked = subprocess.run(
        [promtool, "check", "rules", *rules], capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = subprocess.run(
        [promtool, "check", "config", str(EXAMPLES / "prometheus.yaml")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert config.returncode == 0, config.stdout + config.stderr


def hedgetui(*args: str) -> list[str]:
    return [sys.executable, "-m", "hedgetui", *args]


@pytest.fixture
def watcher() -> Iterator[tuple[int, float]]:
    """``watch --demo --scenario crash --metrics`` on a free port: (port, started)."""
    port = free_port()
    started = time.monotonic()
    proc = subprocess.Popen(
        hedgetui(
            "watch", "--demo", "--scenario", "crash", "--interval", "3600",
            "--metrics", f"127.0.0.1:{port}",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        yield port, started
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        assert "Traceback" not in err


@pytest.fixture
def prometheus(tmp_path: Path, watcher: tuple[int, float]) -> Iterator[int]:
    """Prometheus on loopback scraping the watcher every 0.5 s, its storage in ``tmp_path``."""
    binary = tool("prometheus")
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 500ms\n  evaluation_interval: 500ms\n"
        "scrape_configs:\n  - job_name: hedgetui\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{watcher[0]}']\n"
    )
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield port
    finally:
        proc.terminate()
        proc.communicate(timeout=15)


def query(port: int, promql: str) -> list[dict[str, object]]:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=5) as answer:
        body = json.load(answer)
    assert body["status"] == "success", body
    result: list[dict[str, object]] = body["data"]["result"]
    return result


def first_result(port: int, promql: str, timeout_s: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            result = query(port, promql)
        except OSError:  # Prometheus still starting
            result = []
        if result:
            return result[0]
        time.sleep(0.25)
    raise AssertionError(f"Prometheus returned nothing for {promql} in {timeout_s:g} s")


def test_prometheus_scrapes_the_liquidation_distance_status_reports(
    prometheus: int, watcher: tuple[int, float]
) -> None:
    """During the crash scenario's calm opening (its first 30 s the mark holds at 60,012, so
    btc-lev's distance does not move), the distance Prometheus scraped from ``watch`` equals
    what ``status --json`` reports for the same scenario moment. Both come from the same mark
    and position through the same risk code, and the exposition writes a float's shortest
    repr, which Prometheus parses back to the same float64: the tolerance is only 1e-12
    relative (status prints percent, the metric is a ratio: one division apart)."""
    status = subprocess.run(
        hedgetui("status", "--demo", "--scenario", "crash", "--json"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    record = json.loads(status.stdout)
    (lev,) = (h for h in record["hedges"] if h["name"] == "btc-lev")
    expected = lev["liquidation_distance_pct"] / 100.0

    sample = first_result(prometheus, LIQ, timeout_s=20.0)
    scraped_at = time.monotonic()
    assert scraped_at - watcher[1] < CALM_S, "scraped after the crash's calm opening: too slow"
    labels = sample["metric"]
    assert isinstance(labels, dict)
    assert labels["venue"] == "bybit" and labels["symbol"] == "BTCUSD"
    value = sample["value"]
    assert isinstance(value, list)
    assert float(value[1]) == pytest.approx(expected, rel=1e-12)

    up = first_result(prometheus, 'up{job="hedgetui"}', timeout_s=5.0)
    assert isinstance(up["value"], list) and up["value"][1] == "1"
    live = query(prometheus, 'hedgetui_feed_state{venue="bybit",state="live"}')
    assert live and isinstance(live[0]["value"], list) and live[0]["value"][1] == "1"
    info = query(prometheus, "hedgetui_build_info")
    assert info, "hedgetui_build_info missing"
