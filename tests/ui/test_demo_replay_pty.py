"""``hedgetui demo --replay FILE`` on a real pseudo-terminal: a recording of the demo simulator
(made by ``hedgetui record``) plays on the dashboard, its cards show the recorded hedges, and
the end shows "REPLAY ended" (the screen is played on a terminal emulator, pyte)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pyte
import pytest

from tests.conftest import REPO_DIR

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty: Linux")

COLUMNS, ROWS = 120, 40
DEADLINE_S = 40.0


def test_demo_replay_plays_the_recording_to_its_end(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl.gz"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hedgetui",
            "record",
            "--demo",
            "--speed",
            "30",
            "--venues",
            "bitmex,bybit",
            "--duration",
            "3",
            "-o",
            str(out),
        ],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    pid, master = pty.fork()
    if pid == 0:
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "LINES", "COLUMNS")}
        env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        argv = [sys.executable, "-m", "hedgetui", "demo", "--replay", str(out), "--speed", "2"]
        os.execve(sys.executable, argv, env)
    screen = pyte.Screen(COLUMNS, ROWS)
    stream = pyte.ByteStream(screen)
    seen_cards = seen_end = False
    try:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline and not seen_end:
            ready, _, _ = select.select([master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(master, 1 << 16)
            except OSError:
                break
            if not data:
                break
            stream.feed(data)
            text = "\n".join(screen.display)
            seen_cards = seen_cards or ("btc-core" in text and "btc-lev" in text)
            seen_end = "REPLAY ended" in text
    finally:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(master)
    text = "\n".join(screen.display)
    assert seen_cards, text
    assert seen_end, text
    assert "eth-half" not in text  # okx was not recorded: its hedge is not shown
    assert "Traceback" not in text
