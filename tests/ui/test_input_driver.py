"""The dashboard's terminal input on a real pseudo-terminal (``hedgetui.ui.input_driver``).

Textual's input thread polls the terminal ten times a second; ours sleeps until there is input,
a key timeout (a lone Escape) or exit. These run ``hedgetui demo`` on a pty, as a person would,
and check both what that must keep working and the sleeping itself.
"""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="a pty and /proc: Linux"
)


class Demo:
    """``hedgetui demo`` on a pseudo-terminal: its output read, keys written, its exit awaited."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        """``env``: variables the child sets or (value ``""``) drops."""
        pid, master = pty.fork()
        if pid == 0:  # the child
            os.environ["TERM"] = "xterm-256color"
            for name, value in (env or {}).items():
                if value:
                    os.environ[name] = value
                else:
                    os.environ.pop(name, None)
            os.execv(
                sys.executable, [sys.executable, "-m", "hedgetui", "demo", "--scenario", "calm"]
            )
        os.set_inheritable(master, False)  # see test_demo_exits_when_the_terminal_hangs_up
        self.pid, self.master = pid, master
        self.seen = b""
        self.exited: int | None = None  # the exit code, once reaped

    def read_until(self, text: bytes, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while text not in self.seen and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:
                    return False
        return text in self.seen

    def drain(self, seconds: float) -> None:
        self.read_until(b"\x00never\x00", seconds)

    def press(self, keys: str, settle: float = 0.5) -> None:
        os.write(self.master, keys.encode())
        self.drain(settle)

    def exit_code(self, seconds: float) -> int | None:
        deadline = time.monotonic() + seconds
        while self.exited is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.exited = os.waitstatus_to_exitcode(status)
            elif time.monotonic() >= deadline:
                break
            else:
                self.drain(0.1)
        return self.exited

    def close(self) -> None:
        if self.exit_code(0) is None:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        os.close(self.master)

    def thread_wakes(self) -> dict[str, int]:
        """Voluntary context switches of each of the process's threads, by thread id."""
        wakes = {}
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    wakes[task.name] = int(line.split()[1])
        return wakes


@pytest.fixture
def demo() -> Iterator[Demo]:
    d = Demo()
    try:
        assert d.read_until(b"btc-core", 30), d.seen[-500:]
        yield d
    finally:
        d.close()


def test_a_lone_escape_leaves_the_input_and_q_then_quits(demo: Demo) -> None:
    """Escape alone is a key only after the parser's timeout: the thread must wake for it."""
    demo.press("w")  # into the what-if move input
    demo.press("-15\r", settle=0.0)
    assert demo.read_until(b"-15.0%", 15), demo.seen[-500:]
    demo.press("\x1b")  # a lone Escape, nothing after it: out of the input
    demo.press("q", settle=0.1)  # would be typed into the input had Escape not arrived
    assert demo.exit_code(10) == 0, demo.seen[-500:]


@pytest.mark.textual_fast
def test_the_input_thread_sleeps_while_nobody_types(demo: Demo) -> None:
    """Beyond the event loop and the writer thread (they paint), threads barely wake."""
    demo.drain(2.0)  # the first frames, the terminal's replies
    before = demo.thread_wakes()
    demo.drain(2.0)
    after = demo.thread_wakes()
    woke = sorted(after[t] - before.get(t, 0) for t in after)
    quiet = woke[:-2]  # all but the two busiest: the event loop and the writer thread
    # Textual's own input thread polls ten times a second: 20 here on its own
    assert sum(quiet) < 10, woke
