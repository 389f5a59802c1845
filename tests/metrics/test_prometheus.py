"""A real Prometheus (Debian's ``prometheus`` package, which ``.ci/run`` installs) scrapes
``hedgetui watch --demo --metrics``, and the shipped rules pass ``promtool check rules``.

Locally, without the package, these tests skip with the reason; in CI (``CI=true``) they fail:
a missing Prometheus must not turn into a silently green run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
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


@dataclass
class Watcher:
    port: int
    started: float  # monotonic
    lines: list[str] = field(default_factory=list)  # its stdout, read as it comes


@contextlib.contextmanager
def running_watch(port: int, *options: str) -> Iterator[Watcher]:
    """``watch --demo --scenario crash --metrics 127.0.0.1:<port> *options``; stopped with
    SIGTERM on exit, which must end it cleanly (exit 0, no traceback)."""
    w = Watcher(port, time.monotonic())
    proc = subprocess.Popen(
        hedgetui(
            "watch", "--demo", "--scenario", "crash", "--metrics", f"127.0.0.1:{w.port}",
            *options,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    # read all the time: watch drops the status lines a reader leaves in a full pipe
    reader = threading.Thread(target=lambda: w.lines.extend(proc.stdout or ()), daemon=True)
    reader.start()
    try:
        yield w
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        reader.join(timeout=5)
        err = proc.stderr.read() if proc.stderr else ""
        assert proc.returncode == 0, err
        assert "Traceback" not in err


@contextlib.contextmanager
def running_prometheus(tmp_path: Path, target: int) -> Iterator[int]:
    """Prometheus on loopback scraping ``127.0.0.1:<target>`` every 0.5 s, its storage in
    ``tmp_path``: its port."""
    binary = tool("prometheus")
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 500ms\n  evaluation_interval: 500ms\n"
        "scrape_configs:\n  - job_name: hedgetui\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{target}']\n"
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


def query(port: int, promql: str, at: float | None = None) -> list[dict[str, object]]:
    """The instant query's result vector (``at``: its evaluation time, Unix seconds)."""
    params = {"query": promql, **({} if at is None else {"time": repr(at)})}
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode(params)
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


def test_prometheus_scrapes_the_liquidation_distance_status_reports(tmp_path: Path) -> None:
    """During the crash scenario's calm opening (its first 30 s the mark holds at 60,012, so
    btc-lev's distance does not move), the distance Prometheus scraped from ``watch`` equals
    what ``status --json`` reports for the same scenario moment. Both come from the same mark
    and position through the same risk code, and the exposition writes a float's shortest
    repr, which Prometheus parses back to the same float64: the tolerance is only 1e-12
    relative (status prints percent, the metric is a ratio: one division apart)."""
    port = free_port()
    with (
        running_prometheus(tmp_path, port) as prometheus,
        running_watch(port, "--interval", "3600") as watcher,
    ):
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
        assert scraped_at - watcher.started < CALM_S, (
            "scraped after the crash's calm opening: too slow"
        )
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


BOTTOM_MARK = 47_952.0  # the crash's bottom: index 48,000, perp at a 0.1% discount


def test_prometheus_follows_the_crash_to_its_bottom_as_watch_reports_it(tmp_path: Path) -> None:
    """At 8x the crash reaches its bottom (90-120 s of scenario time, about 4 s of wall time
    where the mark holds at 47,952) within 15 s. watch's own JSON status lines say when the
    bottom was seen and what btc-lev's distance was then; Prometheus, asked for that moment,
    returns the same value (1e-12 relative, as above): the metric follows the crash, sampled
    at evaluations, not stuck at its first value."""
    port = free_port()
    with running_prometheus(tmp_path, port) as prometheus:
        with running_watch(port, "--speed", "8", "--json", "--interval", "0.5") as watcher:
            first_result(prometheus, LIQ, timeout_s=20.0)  # scrapes are coming in
            time.sleep(max(0.0, watcher.started + 17.0 - time.monotonic()))  # past the bottom
        lines = [json.loads(line) for line in watcher.lines]
        at_bottom = [
            (record["at"], lev["liquidation_distance_pct"] / 100.0)
            for record in lines
            if record["type"] == "status"
            for lev in record["hedges"]
            if lev["name"] == "btc-lev" and lev["mark"] == pytest.approx(BOTTOM_MARK, abs=0.01)
        ]
        assert len(at_bottom) >= 3, "watch never reported the crash's bottom"
        at, expected = at_bottom[len(at_bottom) // 2]  # mid-bottom: the scrapes before it were too
        assert expected < 0.1  # the crash brought btc-lev near its liquidation (0.246 before)
        (sample,) = query(prometheus, LIQ, at=at)
        value = sample["value"]
        assert isinstance(value, list)
        assert float(value[1]) == pytest.approx(expected, rel=1e-12)
