"""`hedgetui record` and `hedgetui sim --replay` as subprocesses: a recording of the demo
simulator, a clean stop on SIGINT, one-line errors, and the recording served back through the
real protocol to a real feed (on the recording's clock) until "replay_ended"."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hedgetui.domain import Ticker
from hedgetui.feeds import Feed
from hedgetui.history.recording import Frame, read_entries, read_header
from hedgetui.history.replay import ReplayClock, replay_feed_config
from tests.conftest import REPO_DIR

TIMEOUT = 60


def _hedgetui(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hedgetui", *args],
        cwd=REPO_DIR,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _record(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "hedgetui",
            "record",
            "--demo",
            "--speed",
            "30",
            *extra,
            "-o",
            str(out),
        ],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_record_demo_for_a_duration_writes_every_venue(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl.gz"
    done = _record(out, "--venues", "bitmex,okx", "--duration", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote ")
    assert "bitmex " in done.stdout and "okx " in done.stdout
    header = read_header(out)
    assert header.venues == ("bitmex", "okx")
    assert header.symbols == {"bitmex": ("XBTUSD",), "okx": ("ETH-USD-SWAP",)}
    warnings: list[str] = []
    frames = [e for e in read_entries(out, warnings.append) if isinstance(e, Frame)]
    assert {f.venue for f in frames} == {"bitmex", "okx"}
    assert warnings == []


def test_record_stops_cleanly_at_sigint(tmp_path: Path) -> None:
    out = tmp_path / "sigint.jsonl.gz"
    proc = _hedgetui("record", "--demo", "--venues", "bybit", "-o", str(out))
    assert proc.stderr is not None
    assert "recording bybit BTCUSD" in proc.stderr.readline()
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, stderr
    assert "wrote " in stdout and "Traceback" not in stderr
    warnings: list[str] = []
    assert any(isinstance(e, Frame) for e in read_entries(out, warnings.append))
    assert warnings == []  # closed properly: no cut-off end


def test_record_errors_are_one_line(tmp_path: Path) -> None:
    no_dir = _record(tmp_path / "nope" / "x.jsonl.gz", "--duration", "1")
    assert no_dir.returncode == 2
    assert no_dir.stderr.strip().splitlines() == [
        f"hedgetui record: {tmp_path / 'nope'}: no such directory"
    ]
    bad_venue = _record(tmp_path / "x.jsonl.gz", "--venues", "mtgox")
    assert bad_venue.returncode == 2
    assert len(bad_venue.stderr.strip().splitlines()) == 1
    assert "unknown venue 'mtgox'" in bad_venue.stderr


async def test_sim_replay_serves_the_recording_to_a_real_feed(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl.gz"
    assert _record(out, "--venues", "bybit", "--duration", "2").returncode == 0
    recorded = [e for e in read_entries(out) if isinstance(e, Frame)]
    proc = _hedgetui("sim", "--replay", str(out), "--speed", "4")
    try:
        assert proc.stdout is not None
        venue = json.loads(proc.stdout.readline())
        assert (venue["venue"], venue["symbols"]) == ("bybit", ["BTCUSD"])
        replay = json.loads(proc.stdout.readline())
        assert replay["start_ms"] == read_header(out).start_ms
        events: list[Ticker] = []
        clock = ReplayClock(replay["start_ms"] / 1000, 4.0)  # the consumer's recorded time
        feed = Feed(
            "bybit",
            ["BTCUSD"],
            lambda e: events.append(e) if isinstance(e, Ticker) else None,
            url=venue["ws"],
            clock=clock,
            config=replay_feed_config(None, 4.0),
        )
        clock.start()
        task = asyncio.create_task(feed.run())
        ended = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), TIMEOUT)
        await asyncio.sleep(0.2)
        task.cancel()
        assert json.loads(ended)["replay_ended"] is True
        marks = [e.mark for e in events if e.mark is not None]
        assert len(marks) >= 5
        assert feed.stats.frames >= len(recorded) - 2  # all of it, but what raced the connect
        assert feed.stats.malformed == 0
        assert feed.stats.error_replies == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err


def test_sim_replay_of_no_recording_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.jsonl.gz"
    bad.write_text("hello\n")
    done = subprocess.run(
        [sys.executable, "-m", "hedgetui", "sim", "--replay", str(bad)],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"hedgetui sim: error: --replay: {bad}: not a recording (not gzip-compressed)"
    ]


def test_sim_replay_refuses_tls(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hedgetui", "sim", "--replay", "x.gz", "--tls", str(tmp_path)],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 2
    assert done.stderr == "hedgetui sim: error: --replay serves ws:// only (no --tls)\n"
