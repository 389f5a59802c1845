"""Soak: the dashboard on a pty and the headless watcher, for hours, against the simulator.

Runs ``hedgetui demo --scenario soak`` on a pseudo-terminal (its output read and thrown away,
as a terminal would) and ``hedgetui watch --demo --scenario soak --json``, side by side. Each
runs the simulator in its own process with the venues' connection rules on (their documented
values, ``hedgetui/sim/conn_rules.py``) and the ``soak`` scenario: one fault every 3 minutes,
each venue in turn (stalls, a planned-maintenance close, garbage, a close code, a drop).

Every ``--sample-s`` (60) seconds it records for each process, from ``/proc``: RSS, CPU (% of
one core over the last interval), open file descriptors; and from the process itself
(``HEDGETUI_DEBUG_STATS``, see ``hedgetui/debug_stats.py``): asyncio tasks and reconnects per
feed, and its live Python memory (blocks allocated, objects the collector tracks: RSS growing
while they stay flat is the allocator, not objects piling up). At the end it prints the growth
per hour (least-squares slope) after the first ``--warmup-min`` (10) minutes, and again after
``--steady-min`` (20: the scenario's first loop, in which each fault kind struck once and
one-time costs such as opening the alert log at the first alert were paid), and writes
everything to ``--out`` (JSON; ``--report`` re-prints it).

Usage::

    .venv/bin/python benchmarks/soak.py --hours 1 [--out soak.json]
    .venv/bin/python benchmarks/soak.py --minutes 15 --sample-s 30
    .venv/bin/python benchmarks/soak.py --minutes 15 --sample-s 30 --scenario soak-fast
    .venv/bin/python benchmarks/soak.py --report soak.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Target:
    """One process under test: how to read it, and what was read."""

    name: str
    pid: int
    stats_file: Path
    output: int | IO[str]  # a pty master fd, or the watcher's stdout
    samples: list[dict[str, Any]] = field(default_factory=list)
    last_cpu: tuple[float, float] | None = None  # (wall, cpu seconds)
    output_bytes: int = 0


def proc_sample(pid: int) -> tuple[float, float, int]:
    """(RSS MB, CPU seconds, open fds) of ``pid`` from /proc."""
    with open(f"/proc/{pid}/statm") as f:
        rss = int(f.read().split()[1]) * PAGE / 1e6
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss, cpu, fds


def last_stats(path: Path) -> dict[str, Any] | None:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        try:
            parsed: dict[str, Any] = json.loads(line)
            return parsed
        except ValueError:
            continue
    return None


def start_dashboard(
    stats: Path, env: dict[str, str], size: tuple[int, int], scenario: str
) -> Target:
    pid, master = pty.fork()
    if pid == 0:  # the child
        os.environ.update(env)
        os.environ.update(TERM="xterm-256color", COLUMNS=str(size[0]), LINES=str(size[1]))
        os.execv(sys.executable, [sys.executable, "-m", "hedgetui", "demo", "--scenario", scenario])
    import fcntl
    import struct
    import termios

    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    return Target("dashboard", pid, stats, master)


def start_watcher(
    stats: Path, env: dict[str, str], scenario: str
) -> tuple[Target, subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "hedgetui", "watch", "--demo", "--scenario", scenario),
            *("--json", "--interval", "60"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **env},
    )
    assert proc.stdout is not None
    return Target("watcher", proc.pid, stats, proc.stdout), proc


def drain(targets: list[Target], seconds: float) -> None:
    """Read what the processes write for ``seconds`` (a terminal and a pipe never fill up)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        fds = {(t.output if isinstance(t.output, int) else t.output.fileno()): t for t in targets}
        ready, _, _ = select.select(list(fds), [], [], min(left, 1.0))
        for fd in ready:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b""
            fds[fd].output_bytes += len(data)


def sample(t: Target, t0: float) -> dict[str, Any]:
    now = time.monotonic()
    rss, cpu, fds = proc_sample(t.pid)
    cpu_pct = None
    if t.last_cpu is not None:
        cpu_pct = 100.0 * (cpu - t.last_cpu[1]) / max(1e-9, now - t.last_cpu[0])
    t.last_cpu = (now, cpu)
    inside = last_stats(t.stats_file) or {}
    feeds = inside.get("feeds", {})
    row = {
        "min": round((now - t0) / 60.0, 2),
        "rss_mb": round(rss, 2),
        "cpu_pct": None if cpu_pct is None else round(cpu_pct, 2),
        "fds": fds,
        "tasks": inside.get("tasks"),
        "reconnects": {name: f.get("reconnects") for name, f in sorted(feeds.items())},
        "freezes": sum(int(f.get("freezes", 0)) for f in feeds.values()),
        "py_blocks": inside.get("heap", {}).get("py_blocks"),
        "gc_objects": inside.get("heap", {}).get("gc_objects"),
    }
    t.samples.append(row)
    return row


def slope_per_hour(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (minutes, value) points, per hour."""
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return 60.0 * sxy / sxx


def summary(samples: list[dict[str, Any]], warmup_min: float) -> dict[str, Any]:
    after = [s for s in samples if s["min"] >= warmup_min]
    out: dict[str, Any] = {"samples_after_warmup": len(after)}
    for key in ("rss_mb", "fds", "tasks", "py_blocks", "gc_objects"):
        pts = [(s["min"], float(s[key])) for s in after if s.get(key) is not None]
        growth = slope_per_hour(pts)
        out[f"{key}_per_hour"] = None if growth is None else round(growth, 3)
        out[f"{key}_first_last"] = (pts[0][1], pts[-1][1]) if pts else None
    cpu = [s["cpu_pct"] for s in after if s["cpu_pct"] is not None]
    if cpu:
        half = max(1, len(cpu) // 2)
        out["cpu_pct_mean"] = round(sum(cpu) / len(cpu), 2)
        out["cpu_pct_first_half"] = round(sum(cpu[:half]) / half, 2)
        out["cpu_pct_second_half"] = round(sum(cpu[half:]) / max(1, len(cpu) - half), 2)
        cpu_pts = [(s["min"], s["cpu_pct"]) for s in after if s["cpu_pct"] is not None]
        cpu_slope = slope_per_hour(cpu_pts)
        out["cpu_pct_per_hour"] = None if cpu_slope is None else round(cpu_slope, 3)
    if samples:
        out["reconnects_at_end"] = samples[-1]["reconnects"]
        out["freezes_at_end"] = samples[-1]["freezes"]
    return out


def print_summaries(samples: dict[str, list[dict[str, Any]]], cutoffs: list[float]) -> None:
    for cutoff in cutoffs:
        print(f"\ngrowth per hour after the first {cutoff:g} minutes (least squares):")
        for name, rows in samples.items():
            s = summary(rows, cutoff)
            print(
                f"  {name:9} RSS {s.get('rss_mb_per_hour')} MB/h {s.get('rss_mb_first_last')}  "
                f"fds {s.get('fds_per_hour')}/h  tasks {s.get('tasks_per_hour')}/h  "
                f"CPU {s.get('cpu_pct_first_half')}% -> {s.get('cpu_pct_second_half')}% "
                f"({s.get('cpu_pct_per_hour')} %/h)"
            )
            print(
                f"  {'':9} Python blocks {s.get('py_blocks_per_hour')}/h "
                f"{s.get('py_blocks_first_last')}  gc objects {s.get('gc_objects_per_hour')}/h "
                f"{s.get('gc_objects_first_last')}"
            )
    for name, rows in samples.items():
        if rows:
            print(f"  {name:9} reconnects at the end: {rows[-1]['reconnects']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--hours", type=float, default=None)
    length.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--sample-s", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--warmup-min", type=float, default=10.0, help="minutes left out")
    parser.add_argument(
        "--steady-min",
        type=float,
        default=20.0,
        help="a second summary from this minute: after the soak scenario's first 18-minute loop "
        "every fault kind has struck once (the first alert opens the alert log, for instance)",
    )
    parser.add_argument("--report", metavar="JSON", help="print the summaries of a saved --out")
    parser.add_argument("--size", default="160x48", help="the pty's COLSxROWS")
    parser.add_argument(
        "--scenario",
        default="soak",
        choices=("soak", "soak-fast"),
        help="soak: a fault every 3 minutes (default); soak-fast: the same faults every 13 s, "
        "to see in minutes what grows per fault",
    )
    parser.add_argument("--out", default=None, help="write the samples and summary (JSON) here")
    args = parser.parse_args()
    if args.report:
        saved = json.loads(Path(args.report).read_text())
        print_summaries(saved["samples"], [args.warmup_min, args.steady_min])
        return 0
    minutes = args.minutes if args.minutes is not None else 60.0 * (args.hours or 1.0)
    cols, _, rows = args.size.partition("x")
    work = Path(tempfile.mkdtemp(prefix="hedgetui-soak-"))
    env = {
        "HEDGETUI_DEBUG_STATS_EVERY": str(min(args.sample_s, 60.0)),
        "XDG_STATE_HOME": str(work / "state"),  # the alert logs go here, not the user's
    }
    dash = start_dashboard(
        work / "dashboard.jsonl",
        {**env, "HEDGETUI_DEBUG_STATS": str(work / "dashboard.jsonl")},
        (int(cols), int(rows)),
        args.scenario,
    )
    watcher, watch_proc = start_watcher(
        work / "watcher.jsonl",
        {**env, "HEDGETUI_DEBUG_STATS": str(work / "watcher.jsonl")},
        args.scenario,
    )
    targets = [dash, watcher]
    t0 = time.monotonic()
    print(
        f"soak: {minutes:g} min of {args.scenario}, sample every {args.sample_s:g} s, "
        f"files in {work}",
        flush=True,
    )
    print(f"{'min':>6} {'who':9} {'rss MB':>8} {'cpu %':>6} {'fds':>4} {'tasks':>5}  reconnects")
    ended: list[str] = []
    try:
        k = 0
        while time.monotonic() - t0 < minutes * 60.0:
            k += 1
            drain(targets, max(0.0, t0 + k * args.sample_s - time.monotonic()))
            for t in targets:
                try:
                    row = sample(t, t0)
                except OSError:
                    ended.append(t.name)
                    continue
                cpu = "" if row["cpu_pct"] is None else f"{row['cpu_pct']:.1f}"
                recon = " ".join(f"{n}={c}" for n, c in row["reconnects"].items() if c)
                print(
                    f"{row['min']:6.1f} {t.name:9} {row['rss_mb']:8.1f} {cpu:>6} {row['fds']:4d}"
                    f" {row['tasks'] if row['tasks'] is not None else '':>5}  {recon}",
                    flush=True,
                )
            if ended:
                print(f"soak: stopped early: {', '.join(ended)} exited", flush=True)
                break
    finally:
        for t in targets:
            with_signal(t.pid, signal.SIGTERM)
        watch_proc.wait(timeout=20)
        with_signal(dash.pid, signal.SIGKILL)
        os.waitpid(dash.pid, 0)
    result = {
        "minutes": minutes,
        "scenario": args.scenario,
        "warmup_min": args.warmup_min,
        "ended_early": ended,
        "summary": {
            t.name: {
                "after_warmup": summary(t.samples, args.warmup_min),
                "after_steady": summary(t.samples, args.steady_min),
            }
            for t in targets
        },
        "samples": {t.name: t.samples for t in targets},
    }
    print_summaries(result["samples"], [args.warmup_min, args.steady_min])
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))
    return 1 if ended else 0


def with_signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


if __name__ == "__main__":
    raise SystemExit(main())
