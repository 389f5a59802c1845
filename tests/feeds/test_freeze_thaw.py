"""Freeze and thaw: the process stopped (SIGSTOP, a suspended machine) or the clock jumped.

After a freeze the frames waiting in the sockets are old and the venues may have cut the
connections: the feeds turn STALE at once without applying those frames, reconnect, and are
live again within seconds. End to end: ``hedgetui watch --demo`` (a subprocess) and the
dashboard on a pseudo-terminal are stopped with SIGSTOP and continued with SIGCONT.
"""

from __future__ import annotations

import asyncio
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyte
import pytest

from hedgetui.clock import ManualClock
from hedgetui.domain import FeedState, FeedStatus, MarkPrice, Ticker
from hedgetui.feeds import Feed
from hedgetui.sim import start_simulator
from tests.commands.test_sim_cli import _start as _start_sim
from tests.commands.test_sim_cli import _stop as _stop_sim
from tests.commands.test_watch import fast_config
from tests.feeds.test_feeds_live import FAST, SLOW_MARKET, Recorder, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals, a pty")


class JumpingClock(ManualClock):
    """The system's time, plus jumps: of both clocks (a freeze) or of the wall clock alone (a
    suspended machine: Linux's monotonic clock stops while suspended, the wall clock does not)."""

    def __init__(self) -> None:
        super().__init__()
        self.mono_offset = 0.0
        self.wall_offset = 0.0

    def time(self) -> float:
        return time.time() + self.wall_offset

    def monotonic(self) -> float:
        return time.monotonic() + self.mono_offset


@pytest.mark.parametrize("jump", ["stopped", "suspended"])
async def test_a_freeze_turns_the_feed_stale_at_once_then_live_with_fresh_data(jump: str) -> None:
    clock = JumpingClock()
    sim = await start_simulator(
        venues=["okx"], scenario="calm", speed=SLOW_MARKET, tick_hz=20.0, control=False
    )
    rec = Recorder()
    feed = Feed("okx", ["BTC-USD-SWAP"], rec, url=sim.ws_url("okx"), config=FAST, clock=clock)
    task = asyncio.create_task(feed.run())
    try:
        await wait_until(lambda: feed.status.state is FeedState.LIVE)
        marker = len(rec.events)
        if jump == "stopped":
            clock.mono_offset += 30.0
        clock.wall_offset += 30.0
        await wait_until(lambda: feed.stats.freezes == 1, within=2.0)
        after = [e for _, e in rec.events[marker:]]
        first_status = next(i for i, e in enumerate(after) if isinstance(e, FeedStatus))
        assert after[first_status].state is FeedState.STALE  # said at once...
        assert not any(isinstance(e, MarkPrice | Ticker) for e in after[:first_status])  # ...first
        t_thaw = time.monotonic()
        await wait_until(lambda: feed.stats.sessions == 2 and feed.state is FeedState.LIVE, 5.0)
        assert time.monotonic() - t_thaw < 5.0
        assert "reconnecting" in (feed.stats.last_error or "")
        await asyncio.sleep(0.5)
        assert feed.stats.freezes == 1  # one freeze, noticed once
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await sim.close()


# --------------------------------------------------------------------------- hedgetui watch


def _status_lines(proc: subprocess.Popen[str], until: float) -> Iterator[dict[str, object]]:
    assert proc.stdout is not None
    while time.monotonic() < until:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            line = proc.stdout.readline()
            if not line:
                return
            msg = json.loads(line)
            if msg.get("type") == "status":
                yield msg


def _all_live(status: dict[str, object]) -> bool:
    hedges = status["hedges"]
    feeds = status["feeds"]
    assert isinstance(hedges, list) and isinstance(feeds, list)
    return all(not h["stale"] for h in hedges) and all(f["state"] == "live" for f in feeds)


def test_watch_survives_sigstop_shows_stale_first_then_live_within_5s(tmp_path: Path) -> None:
    cfg, _ = fast_config(tmp_path)  # stale after 1.5 s
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "hedgetui", "watch", "--demo", "--json"),
            *("--config", str(cfg), "--scenario", "calm", "--interval", "0.25"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert any(_all_live(s) for s in _status_lines(proc, time.monotonic() + 30)), "never live"
        os.kill(proc.pid, signal.SIGSTOP)
        time.sleep(7.0)  # longer than a freeze (5 s) and the stale threshold (1.5 s)
        os.kill(proc.pid, signal.SIGCONT)
        thawed = time.monotonic()
        lines = _status_lines(proc, thawed + 10)
        first = next(lines)
        # the first status line after the thaw says the data is stale, never old data as live
        hedges = first["hedges"]
        assert isinstance(hedges, list) and all(h["stale"] for h in hedges), first
        live_at = next((time.monotonic() for s in lines if _all_live(s)), None)
        assert live_at is not None and live_at - thawed < 5.0
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        assert rc == 0 and "Traceback" not in err, err


# --------------------------------------------------------------------------- the dashboard


class Terminal:
    """``hedgetui ARGS`` on a pseudo-terminal, its screen kept by pyte."""

    def __init__(self, *args: str, cols: int = 160, rows: int = 48) -> None:
        pid, master = pty.fork()
        if pid == 0:  # the child
            os.environ.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
            os.execv(sys.executable, [sys.executable, "-m", "hedgetui", *args])
        os.set_inheritable(master, False)
        import fcntl
        import struct
        import termios

        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.pid, self.master = pid, master
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)

    def read(self, seconds: float) -> int:
        """Feed what the program writes for ``seconds`` into the screen; bytes read."""
        deadline, n = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    break
                n += len(data)
                self.stream.feed(data)
        return n

    def read_repaint(self, seconds: float) -> bool:
        """Read the first burst of output within ``seconds``: one repaint, written at once
        (repaints come at most 10 times a second; a burst ends with 30 ms of silence)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.read(0.03):
                while self.read(0.03):
                    pass
                return True
        return False

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def close(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.master)


def test_dashboard_on_a_pty_survives_sigstop_stale_on_the_first_repaint_live_within_5s(
    tmp_path: Path,
) -> None:
    """The dashboard and its venue are both stopped for 12 s (past the 10 s stale threshold);
    the dashboard is continued first, so no fresh frame can reach it before its first repaint:
    that repaint must show the old values as STALE. Then the venue is continued and the
    dashboard must be live again within 5 s. (With the demo's own in-process simulator the
    venue thaws with the dashboard, and a quick reconnect may rightly show fresh values first.)
    """
    sim = _start_sim("--venues", "bybit", "--scenario", "calm")
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f"""
[venues.bybit]
ws_url = "{sim.venues["bybit"]["ws"]}"

[[hedges]]
name = "lev"
coin = "BTC"
venue = "bybit"
position = {{ side = "long", contracts = 60000, entry = 60000, leverage = 3 }}
"""
    )
    term = Terminal("--config", str(cfg))
    try:
        deadline = time.monotonic() + 40
        while "<1s" not in term.text or "STALE" in term.text:  # the feed live
            assert time.monotonic() < deadline, term.text
            term.read(0.2)
        os.kill(sim.proc.pid, signal.SIGSTOP)
        os.kill(term.pid, signal.SIGSTOP)
        time.sleep(12.0)  # past the 10 s stale threshold
        os.kill(term.pid, signal.SIGCONT)
        assert term.read_repaint(3.0), "no repaint after the thaw"
        assert "STALE" in term.text, term.text  # the very first repaint: stale, not old numbers
        os.kill(sim.proc.pid, signal.SIGCONT)
        thawed = time.monotonic()
        while "STALE" in term.text:
            assert time.monotonic() - thawed < 5.0, term.text
            term.read(0.1)
        done, _ = os.waitpid(term.pid, os.WNOHANG)
        assert done == 0  # still running: no crash
    finally:
        term.close()
        os.kill(sim.proc.pid, signal.SIGCONT)
        _stop_sim(sim)


@pytest.mark.skipif(not hasattr(time, "CLOCK_BOOTTIME"), reason="Linux's CLOCK_BOOTTIME")
def test_the_system_clock_counts_suspended_time() -> None:
    """Ages are measured on CLOCK_BOOTTIME, which keeps counting while the machine sleeps."""
    from hedgetui.clock import SYSTEM_CLOCK

    before = time.clock_gettime(time.CLOCK_BOOTTIME)
    got = SYSTEM_CLOCK.monotonic()
    after = time.clock_gettime(time.CLOCK_BOOTTIME)
    assert before <= got <= after
    assert SYSTEM_CLOCK.monotonic() >= got
