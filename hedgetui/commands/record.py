"""`hedgetui record`: write every raw frame of the public feeds to a recording.

``hedgetui record [--config PATH | --demo] [--venues a,b] [--duration S] -o FILE`` runs the
feeds of the configured hedges' venues (``--demo``: all six venues of the built-in simulator,
no network) and writes each frame as received, with the connection events, to FILE (gzip JSON
lines, rotating: ``hedgetui.history.recording``). It stops after ``--duration`` seconds or at
Ctrl-C / SIGTERM, flushing and closing the file cleanly, and prints what it wrote. Replay it
with ``hedgetui demo --replay FILE`` (or ``sim --replay``); ``stress --recording FILE`` uses it
as a price path.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hedgetui.commands.args import add_demo_arguments, finite_float
from hedgetui.commands.sim import _venue_list

MAX_DURATION_S = 30 * 86_400.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_demo_arguments(
        parser, "record the built-in simulator's six venues (no network, no config needed)"
    )
    parser.add_argument(
        "--venues",
        type=_venue_list,
        default=None,
        help="comma-separated venues to record (default: every venue there is)",
    )
    parser.add_argument(
        "--duration",
        type=finite_float(0, MAX_DURATION_S),
        default=None,
        metavar="S",
        help="stop after S seconds (default: at Ctrl-C)",
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the recording (e.g. night.jsonl.gz)"
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from hedgetui import event_loop
    from hedgetui.alerts.headless import SetupError, load_base_settings

    out = Path(args.output)
    if out.is_dir():
        print(f"hedgetui record: {out}: is a directory; give a file name", file=sys.stderr)
        return 2
    if not out.parent.is_dir():
        print(f"hedgetui record: {out.parent}: no such directory", file=sys.stderr)
        return 2
    try:
        base = load_base_settings(getattr(args, "config", None), demo=args.demo)
    except SetupError as exc:
        print(f"hedgetui record: {exc}", file=sys.stderr)
        return 2
    try:
        return event_loop.run(_record(args, base, out))
    except ValueError as exc:  # unknown scenario from the simulator
        print(f"hedgetui record: {exc}", file=sys.stderr)
        return 2


async def _record(args: argparse.Namespace, base: Any, out: Any) -> int:
    import asyncio
    import contextlib

    from hedgetui.alerts.headless import stop_on_signals
    from hedgetui.config import Settings
    from hedgetui.demo import demo_environment
    from hedgetui.domain import VENUES
    from hedgetui.history.recorder import record_feeds
    from hedgetui.history.recording import RecordingWriter
    from hedgetui.runtime.core import feed_plan

    assert isinstance(base, Settings)
    async with contextlib.AsyncExitStack() as stack:
        settings = base
        extra: tuple[str, ...] = ()
        if args.demo:
            _sim, settings = await stack.enter_async_context(
                demo_environment(args.scenario, args.speed)
            )
            extra = VENUES
        plan = feed_plan(settings, extra)
        if args.venues is not None:
            missing = [v for v in args.venues if v not in plan]
            if missing:
                have = ", ".join(plan) or "none"
                print(
                    f"hedgetui record: --venues: {missing[0]} has no hedge to record "
                    f"(venues with hedges: {have})",
                    file=sys.stderr,
                )
                return 2
            plan = {v: plan[v] for v in args.venues}
        if not plan:
            print(
                "hedgetui record: no venue to record (the config has no [[hedges]])",
                file=sys.stderr,
            )
            return 2
        urls = {v: settings.venues[v].ws_url if v in settings.venues else None for v in plan}
        testnet = {v: settings.venues[v].testnet for v in plan if v in settings.venues}
        try:
            writer = RecordingWriter(out, tuple(plan), plan)
        except OSError as exc:
            print(f"hedgetui record: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        stop = asyncio.Event()
        shown = ", ".join(f"{v} {' '.join(s)}" for v, s in plan.items())
        print(f"hedgetui record: recording {shown} to {out} (Ctrl-C to stop)", file=sys.stderr)
        try:
            with stop_on_signals(stop):
                result = await record_feeds(
                    plan,
                    writer,
                    urls=urls,
                    testnet=testnet,
                    duration_s=args.duration,
                    stop=stop,
                )
        finally:
            writer.close()
    files = " ".join(str(p) for p in writer.paths)
    per_venue = ", ".join(
        f"{v} {result.frames[v]} frames/{result.connects[v]} connections" for v in plan
    )
    print(
        f"wrote {writer.frames} frames ({writer.lines} lines) in {result.seconds:.1f}s "
        f"to {files}: {per_venue}"
    )
    return 0
