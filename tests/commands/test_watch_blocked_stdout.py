"""`hedgetui watch` whose stdout reader stops reading: alerts keep being evaluated, logged to
the alert log and pushed (a real subprocess, a real pipe that is full, a loopback push server).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hedgetui.alerts.output import LineOutput
from tests.http_recorder import recording_server

# crash at 40x loops every ~7 s: btc-lev comes near liquidation (fired), recovers (resolved)
CONFIG = """
[alerts]
pending_s = 0.3
cooldown_s = 0
rate_limit_per_min = 1000
log_path = "{log}"
apprise_urls = ["json://127.0.0.1:{port}/"]
apprise_timeout_s = 5
"""
DEADLINE_S = 60.0


def _full_pipe() -> tuple[int, int]:
    """A pipe whose buffer is already full: the next write to ``w`` blocks."""
    r, w = os.pipe()
    os.set_blocking(w, False)
    with contextlib.suppress(BlockingIOError):
        while True:
            os.write(w, b"\0" * 4096)
    os.set_blocking(w, True)  # the child's writes must block, as on any full pipe
    return r, w


def _events(log: Path) -> list[dict[str, object]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def _wait(what: str, ok: Callable[[], bool], proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not ok():
        assert proc.poll() is None, f"watch exited early ({proc.returncode}) waiting for {what}"
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE_S:g} s"
        time.sleep(0.1)


@pytest.mark.parametrize("stderr_too", [False, True], ids=["stdout", "stdout and stderr"])
def test_alerts_keep_flowing_to_the_log_and_the_push_sink_while_stdout_is_blocked(
    tmp_path: Path, stderr_too: bool
) -> None:
    """``stderr_too``: 2>&1 into the same full pipe, with a second push URL that always
    fails, so the sink's trouble is written (and logged) to the blocked stderr as well."""
    log = tmp_path / "alerts.jsonl"
    with recording_server() as server:
        cfg = tmp_path / "watch.toml"
        text = CONFIG.format(log=log, port=server.port)
        if stderr_too:
            text = text.replace("apprise_urls = [", 'apprise_urls = ["json://127.0.0.1:9/", ')
        cfg.write_text(text)
        r, w = _full_pipe()
        err = (tmp_path / "stderr").open("wb")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hedgetui",
                "watch",
                "--demo",
                "--config",
                str(cfg),
                "--scenario",
                "crash",
                "--speed",
                "40",
                "--interval",
                "0.1",
            ],
            stdout=w,
            stderr=w if stderr_too else err,
        )
        os.close(w)
        try:
            # two whole crash loops: a liquidation alert fired, resolved and fired again,
            # all while every write to stdout would block
            def two_loops() -> bool:
                kinds = [
                    e["event"]
                    for e in _events(log)
                    if e["rule"] == "liq_distance" and e["hedge"] == "btc-lev"
                ]
                return "resolved" in kinds and "fired" in kinds[kinds.index("resolved") :]

            _wait("second liquidation alert in the alert log", two_loops, proc)
            _wait("push", lambda: len(server.bodies) >= 2, proc)
            titles = [str(b["title"]) for b in server.bodies]
            # with the failing URL beside it, apprise retries the first push (with backoff)
            assert stderr_too or any("liquidation" in t for t in titles), titles
            assert all(t.startswith(("[CRITICAL]", "[WARNING]", "[RESOLVED]")) for t in titles)

            # the reader comes back: it gets a summary of what it missed, then live lines
            os.set_blocking(r, False)
            seen = b""
            deadline = time.monotonic() + DEADLINE_S
            while b"ALERT" not in seen or not seen.endswith(b"\n"):
                assert time.monotonic() < deadline, seen[-500:]
                with contextlib.suppress(BlockingIOError):
                    seen += os.read(r, 65536).replace(b"\0", b"")
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(r)
            err.close()
    text = seen.decode()
    stderr = (tmp_path / "stderr").read_text()
    assert "Traceback" not in stderr + text, stderr
    assert "ALERT" in text  # the events still reach the reader
    assert "status lines dropped: the output was not being read" in text
    if stderr_too:
        assert "alert sink apprise json://127.0.0.1:9" in text  # stderr caught up too


def test_a_reader_that_never_comes_back_does_not_hold_up_the_exit(tmp_path: Path) -> None:
    """SIGTERM while the final status line cannot be written: exit 0 within the close bound."""
    r, w = _full_pipe()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hedgetui",
            "watch",
            "--demo",
            "--json",
            "--scenario",
            "calm",
            "--interval",
            "0.1",
        ],
        stdout=w,
        stderr=subprocess.PIPE,
        env={**os.environ, "HEDGETUI_ALERTS__LOG_PATH": str(tmp_path / "a.jsonl")},
    )
    os.close(w)
    try:
        time.sleep(3)  # connected, status lines piling up behind the full pipe
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert proc.stderr is not None
        assert "Traceback" not in proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(r)


def test_line_output_keeps_only_the_newest_status_and_summarises_the_rest() -> None:
    """The queue's rules, with a pipe the test reads only when it wants to."""
    r, w = _full_pipe()
    stream = os.fdopen(w, "w")
    out = LineOutput(stream, max_pending=3)
    try:
        out.status("status 0")
        deadline = time.monotonic() + 10
        while out.pending():  # the writer took it and is stuck writing it
            assert time.monotonic() < deadline
            time.sleep(0.01)
        for i in range(1, 50):
            out.status(f"status {i}")  # only the newest waits; the older ones are counted
        for i in range(5):
            out.line(f"event {i}")  # two wait beside the status; three overflow the bound
        out.status("status last")
        assert out.dropped() == (49, 3)
        os.set_blocking(r, False)
        got = b""
        deadline = time.monotonic() + 10
        while b"status last" not in got:
            assert time.monotonic() < deadline, got[-300:]
            with contextlib.suppress(BlockingIOError):
                got += os.read(r, 65536).replace(b"\0", b"")
            time.sleep(0.02)
        assert out.close(timeout_s=5)
    finally:
        stream.close()
        os.close(r)
    assert got.decode().splitlines() == [
        "status 0",
        "... 49 status lines and 3 alert/problem lines dropped: the output was not being read",
        "event 0",
        "event 1",
        "status last",
    ]
