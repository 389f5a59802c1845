"""``hedgetui demo`` on a real 80x23 pseudo-terminal through a whole crash loop, as a person in
tmux (80x24 less its status bar) sees it: the bytes it writes are played on a terminal
emulator (pyte) and the screen is checked every time the output pauses.

At every sample: the status line on top and the footer at the bottom (nothing pushed the
screen over its height), no scrollbar glyph in the last column, the card's top and bottom
borders on screen. The loop must reach the crash's bottom (a CRIT line) and calm again.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

import pyte
import pytest

from hedgetui.sim.scenarios import crash

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty: Linux")

COLUMNS, ROWS = 80, 23
SPEED = 8  # scenario seconds per second: the 210 s crash loop in 26 s
START_S = 8.0  # time to start the simulator and the dashboard
SCROLLBAR_GLYPHS = set("▁▂▃▄▅▆▇█▉▊▋▌▍▎▏")
CARD_TOPS = ("╭", "┏", "╔", "┌")
CARD_BOTTOMS = ("╰", "┗", "╚", "└")
QUIET_S = 0.05  # no output for this long: a frame is complete


def screen_problems(lines: list[str]) -> list[str]:
    """What is wrong with one screen of the compact dashboard (nothing: an empty list)."""
    problems = []
    if "bitmex" not in lines[0]:
        problems.append("the status line is not on top")
    if "Quit" not in lines[-1]:
        problems.append("the footer is not at the bottom")
    if any(line[COLUMNS - 1 :] in SCROLLBAR_GLYPHS for line in lines):
        problems.append("a scrollbar glyph in the last column")
    tops = [y for y, line in enumerate(lines) if line[:1] in CARD_TOPS]
    bottoms = [y for y, line in enumerate(lines) if line[:1] in CARD_BOTTOMS]
    if not tops or not bottoms or bottoms[-1] <= tops[0]:
        problems.append("the card's border is not whole")
    return problems


def test_demo_at_80x23_through_a_whole_crash_loop() -> None:
    loop_s = crash().duration_s / SPEED
    pid, master = pty.fork()
    if pid == 0:  # the child: a terminal of 80x23, then the demo
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        # an environment of its own: readline (which pytest loads) exports LINES and COLUMNS
        # into the C environment, and Textual would take them over the terminal's size
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "LINES", "COLUMNS")}
        env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        argv = [sys.executable, "-m", "hedgetui", "demo", "--speed", str(SPEED)]
        os.execve(sys.executable, argv, env)
    screen = pyte.Screen(COLUMNS, ROWS)
    stream = pyte.ByteStream(screen)
    samples = 0
    seen_crit = seen_calm = False
    failures: list[tuple[float, list[str], list[str]]] = []
    started = time.monotonic()
    try:
        deadline = started + START_S + loop_s + 2.0
        pending = False  # output fed since the last sample
        suspect = False  # the last sample had a problem
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], QUIET_S)
            if ready:
                try:
                    data = os.read(master, 1 << 16)
                except OSError:
                    break  # the demo exited
                if not data:
                    break
                stream.feed(data)
                pending = True
                continue
            if not pending:
                continue
            pending = False
            lines = list(screen.display)
            if "bitmex" not in lines[0]:
                continue  # not drawn yet
            samples += 1
            text = "\n".join(lines)
            seen_crit = seen_crit or "CRIT" in text
            seen_calm = seen_calm or (seen_crit and "alerts: none firing" in text)
            problems = screen_problems(lines)
            # A problem counts when the next sample still has it: on a loaded machine the writer
            # can pause longer than QUIET_S inside one frame, and half a frame is no layout.
            if problems and suspect and len(failures) < 3:
                failures.append((time.monotonic() - started, problems, lines))
            suspect = bool(problems)
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
    report = "\n\n".join(f"at {t:.1f}s: {p}\n" + "\n".join(s) for t, p, s in failures)
    assert not failures, report
    assert samples > 20, "\n".join(screen.display)
    assert seen_crit, "the crash's bottom (a CRIT alert) never showed"
    assert seen_calm, "the alerts never cleared after the crash"
