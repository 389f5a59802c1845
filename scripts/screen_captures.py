"""Regenerate the screen captures in the README and docs/ from the current build.

Each capture in a Markdown file is a fenced block right after a marker line::

    <!-- capture: readme-crash -->
    ```
    ...what tmux showed...
    ```

This script runs the command of each capture (``CAPTURES``) in a detached tmux session of the
capture's size, waits until the screen shows what the capture is about (a regular expression:
the crash's bottom with a critical alert, a feed stale for 10 s, ...), takes
``tmux capture-pane -p``, and writes it into every block with that marker. A capture whose
moment does not come within its time limit fails the run and leaves the files unchanged.

Usage (needs tmux; from the checkout, with hedgetui installed in ``.venv``)::

    python scripts/screen_captures.py            # every capture
    python scripts/screen_captures.py readme-crash dashboard-80x24
    python scripts/screen_captures.py --check    # exit 1 if a file has a marker with no capture
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
MARKER = re.compile(r"^<!-- capture: (?P<name>[a-z0-9-]+) -->\n```[a-z]*\n.*?^```$", re.M | re.S)
HEDGETUI = ROOT / ".venv" / "bin" / "hedgetui"


@dataclass(frozen=True, slots=True)
class Capture:
    """One screen: the command, the terminal size, and the moment to take it."""

    args: tuple[str, ...]
    width: int
    height: int
    moment: str  # a regular expression the whole screen must match (re.S)
    timeout_s: float = 240.0
    env: tuple[tuple[str, str], ...] = ()
    rows: tuple[int, int] | None = None  # keep only these screen rows (start, end), 0-based
    terminal: bool = True  # False: a command's printed output (``$ hedgetui ...`` and stdout)


CRASH_BOTTOM = r"CRIT[^\n]*btc-lev[^\n]*liquidation distance: [0-6]\.\d%"
CAPTURES: dict[str, Capture] = {
    # the crash's bottom: the 3x long near its liquidation price, a critical alert on screen
    "readme-crash": Capture(("demo", "--speed", "2"), 80, 24, CRASH_BOTTOM),
    # a few seconds in: every rule has its data (no "no data: N rules" any more)
    "dashboard-80x24": Capture(("demo",), 80, 24, r"alerts: none firing *\n", timeout_s=60),
    "dashboard-120x40-crash": Capture(("demo", "--speed", "2"), 120, 40, CRASH_BOTTOM),
    "dashboard-stall": Capture(
        ("demo", "--scenario", "stall"), 80, 24, r"bybit[^\n]*stale 1[2-9]s", rows=(0, 8)
    ),
    "status-demo": Capture(("status", "--demo"), 0, 0, r"status: OK", terminal=False),
    # the article's partial hedge through a real crash: hedged vs unhedged drawdown
    "readme-stress": Capture(
        ("stress", "--demo", "--history", "black-thursday", "--hedge", "eth-half"),
        0,
        0,
        r"max drawdown.*liquidated: no",
        terminal=False,
    ),
    "watch-demo-crash": Capture(
        (
            "watch",
            "--demo",
            "--scenario",
            "crash",
            "--speed",
            "5",
            "--interval",
            "10",
            "--duration",
            "40",
        ),
        0,
        0,
        r"ALERT FIRED critical \[liq_distance:btc-lev\]",
        timeout_s=120,
        terminal=False,
    ),
}


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], check=True, capture_output=True, text=True, timeout=30
    ).stdout


def printed(name: str, capture: Capture) -> str:
    """Run a command and return what it printed, after the command line as typed."""
    run = subprocess.run(
        [str(HEDGETUI), *capture.args],
        capture_output=True,
        text=True,
        timeout=capture.timeout_s,
        env={**os.environ, **dict(capture.env)},
        check=False,
    )
    out = run.stdout.rstrip()
    if not re.search(capture.moment, out, re.S):
        raise SystemExit(f"{name}: /{capture.moment}/ not in its output:\n{out}\n{run.stderr}")
    return f"$ hedgetui {shlex.join(capture.args)}\n{out}"


def take(name: str, capture: Capture) -> str:
    """Run the capture's command in tmux until its moment, and return the screen."""
    if not capture.terminal:
        return printed(name, capture)
    session = f"hedgetui-capture-{name}"
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in capture.env)
    command = f"{env} {shlex.quote(str(HEDGETUI))} {shlex.join(capture.args)}".strip()
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    tmux("new-session", "-d", "-s", session, "-x", str(capture.width), "-y", str(capture.height))
    tmux("set-option", "-t", session, "status", "off")
    tmux("send-keys", "-t", session, f"exec {command}", "Enter")
    moment = re.compile(capture.moment, re.S)
    deadline = time.monotonic() + capture.timeout_s
    try:
        while time.monotonic() < deadline:
            time.sleep(0.5)
            screen = tmux("capture-pane", "-p", "-t", session)
            if moment.search(screen):
                time.sleep(0.3)  # let a repaint in progress finish
                screen = tmux("capture-pane", "-p", "-t", session)
                lines = [line.rstrip() for line in screen.splitlines()]
                if capture.rows is not None:
                    lines = lines[capture.rows[0] : capture.rows[1]]
                while lines and not lines[-1]:
                    lines.pop()
                return "\n".join(lines)
        raise SystemExit(
            f"{name}: the moment /{capture.moment}/ did not come in {capture.timeout_s:.0f} s"
        )
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)


def markers(text: str) -> list[str]:
    return [m["name"] for m in MARKER.finditer(text)]


def replace(text: str, screens: dict[str, str]) -> str:
    def block(m: re.Match[str]) -> str:
        name = m["name"]
        if name not in screens:
            return m.group(0)
        return f"<!-- capture: {name} -->\n```\n{screens[name]}\n```"

    return MARKER.sub(block, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help=f"captures to take (default all: {', '.join(CAPTURES)})"
    )
    parser.add_argument(
        "--check", action="store_true", help="only check that every marker is known"
    )
    args = parser.parse_args(argv)
    used = {name for path in FILES for name in markers(path.read_text(encoding="utf-8"))}
    unknown = used - set(CAPTURES)
    if unknown:
        print(f"markers with no capture: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 1
    if args.check:
        return 0
    if shutil.which("tmux") is None:
        print("tmux is needed (apt install tmux)", file=sys.stderr)
        return 2
    names = args.names or sorted(used)
    bad = [n for n in names if n not in CAPTURES]
    if bad:
        print(f"unknown capture(s): {', '.join(bad)}", file=sys.stderr)
        return 2
    screens = {}
    for name in names:
        print(f"taking {name} ...", flush=True)
        screens[name] = take(name, CAPTURES[name])
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        new = replace(text, screens)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
