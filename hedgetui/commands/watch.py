"""`hedgetui watch`: feeds + store + alerts with no UI (systemd, an unwatched tmux window, cron).

Prints each alert as it fires/resolves and a one-line status every ``--interval`` seconds;
``--json`` prints JSON lines instead (``{"type": "status", ...}``, ``{"type": "alert", ...}``,
``{"type": "problem", ...}``). SIGTERM/SIGINT stop it cleanly (exit 0).
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (TOML)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="watch the demo portfolio on the built-in simulator (with --config: its [alerts])",
    )
    parser.add_argument("--scenario", default="crash", help="demo scenario (default: crash)")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="demo scenario speed-up (default: 1)"
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=10.0,
        metavar="N",
        help="seconds between status lines (default: 10)",
    )
    parser.add_argument("--json", action="store_true", help="JSON lines on stdout")
    parser.add_argument(
        "--duration", type=float, default=None, metavar="S", help="stop after S seconds"
    )


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    from hedgetui import event_loop
    from hedgetui.alerts.headless import SetupError, load_base_settings

    if args.interval <= 0:
        print("hedgetui watch: --interval must be > 0", file=sys.stderr)
        return 2
    if args.duration is not None and args.duration < 0:
        print("hedgetui watch: --duration must be >= 0", file=sys.stderr)
        return 2
    try:
        base = load_base_settings(getattr(args, "config", None), demo=args.demo)
    except SetupError as exc:
        print(f"hedgetui watch: {exc}", file=sys.stderr)
        return 2
    try:
        return event_loop.run(_watch(args, base))
    except ValueError as exc:  # unknown scenario / bad speed from the simulator
        print(f"hedgetui watch: {exc}", file=sys.stderr)
        return 2


async def _watch(args: argparse.Namespace, base: object) -> int:
    import asyncio
    import contextlib

    from hedgetui.alerts.engine import AlertEngine
    from hedgetui.alerts.headless import (
        json_line,
        stop_on_signals,
        watch_loop,
        with_alert_settings,
    )
    from hedgetui.alerts.sinks import AlertDispatcher, build_sinks
    from hedgetui.config import Settings
    from hedgetui.runtime import Runtime, demo_environment

    assert isinstance(base, Settings)

    def problem(line: str) -> None:
        if args.json:
            _emit(json_line({"type": "problem", "message": line}))
        else:
            print(f"hedgetui watch: {line}", file=sys.stderr, flush=True)

    async with contextlib.AsyncExitStack() as stack:
        settings = base
        if args.demo:
            _sim, demo = await stack.enter_async_context(
                demo_environment(args.scenario, args.speed)
            )
            settings = with_alert_settings(demo, base)
        if not settings.hedges:
            print("hedgetui watch: the config has no [[hedges]]: nothing to watch", file=sys.stderr)
            return 2
        sinks, notes = build_sinks(
            settings.alerts, terminal=sys.stdout, terminal_sinks=not args.json
        )
        for note in notes:
            problem(note)
        dispatcher = AlertDispatcher(sinks, on_problem=problem)
        dispatcher.start()
        engine = AlertEngine.from_settings(settings)
        stop = asyncio.Event()
        try:
            async with Runtime(settings) as rt:
                with stop_on_signals(stop):
                    await watch_loop(
                        rt.store,
                        engine,
                        dispatcher,
                        _emit,
                        json_mode=args.json,
                        interval_s=args.interval,
                        stop=stop,
                        duration_s=args.duration,
                    )
        finally:
            await dispatcher.close(timeout_s=min(5.0, settings.alerts.apprise_timeout_s))
    return 0
