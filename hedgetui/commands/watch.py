"""`hedgetui watch`: feeds + store + alerts with no UI (systemd, an unwatched tmux window, cron).

Prints each alert as it fires/resolves and a one-line status every ``--interval`` seconds;
``--json`` prints JSON lines instead (``{"type": "status", ...}``, ``{"type": "alert", ...}``,
``{"type": "problem", ...}``, ``{"type": "dropped", ...}``). SIGTERM/SIGINT stop it cleanly
(exit 0). Output goes through a bounded queue written by its own thread: a reader that stops
reading never stalls the alerts, the alert log or the push sinks; status lines it missed are
summarised (``... 12 status lines dropped``). ``--metrics HOST:PORT`` also serves each
evaluation's numbers to Prometheus (``hedgetui.metrics``, docs/metrics.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from hedgetui.commands.args import add_demo_arguments, finite_float, in_range

if TYPE_CHECKING:
    from hedgetui.alerts.output import LineOutput
    from hedgetui.config import Settings
    from hedgetui.metrics.exporter import MetricsExporter
    from hedgetui.metrics.listen import Listen

MAX_INTERVAL_S = 86_400.0
MAX_DURATION_S = 10 * 365 * 86_400.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_demo_arguments(
        parser, "watch the demo portfolio on the built-in simulator (with --config: its [alerts])"
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
        "--duration",
        type=finite_float(0, MAX_DURATION_S, lo_open=False),
        default=None,
        metavar="S",
        help="stop after S seconds",
    )
    parser.add_argument(
        "--metrics",
        type=_listen,
        default=None,
        metavar="HOST:PORT",
        help="serve Prometheus metrics on http://HOST:PORT/metrics (HOST defaults to 127.0.0.1: "
        "'--metrics 9108'); see docs/metrics.md",
    )


def _listen(text: str) -> Listen:
    from hedgetui.metrics.listen import ListenError, parse_listen

    try:
        return parse_listen(text)
    except ListenError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from hedgetui import event_loop
    from hedgetui.alerts.headless import SetupError, load_base_settings

    if not in_range(args.interval, 0, MAX_INTERVAL_S):
        print(
            f"hedgetui watch: --interval must be > 0 and at most {MAX_INTERVAL_S:g}",
            file=sys.stderr,
        )
        return 2
    try:
        base = load_base_settings(getattr(args, "config", None), demo=args.demo)
    except SetupError as exc:
        print(f"hedgetui watch: {exc}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        exporter = None
        if args.metrics is not None:
            try:
                exporter = stack.enter_context(_metrics_server(args.metrics))
            except OSError as exc:
                print(
                    f"hedgetui watch: cannot serve metrics on {args.metrics.url()}: "
                    f"{exc.strerror or exc}",
                    file=sys.stderr,
                )
                return 2
        try:
            return event_loop.run(_watch(args, base, exporter))
        except ValueError as exc:  # unknown scenario / bad speed from the simulator
            print(f"hedgetui watch: {exc}", file=sys.stderr)
            return 2


@contextlib.contextmanager
def _metrics_server(listen: Listen) -> Iterator[MetricsExporter]:
    """Bind ``--metrics`` before any feed connects (a port in use is a usage error), say where
    it serves (and that other machines can reach it unless it is loopback), stop on exit."""
    from hedgetui.metrics.exporter import MetricsExporter, serve

    exporter = MetricsExporter()
    server = serve(exporter, listen)
    reach = "" if listen.loopback else " (not loopback: other machines can read it)"
    print(f"hedgetui watch: metrics on {listen.url()}{reach}", file=sys.stderr)
    try:
        yield exporter
    finally:
        server.close()


async def _watch(
    args: argparse.Namespace, base: object, exporter: MetricsExporter | None = None
) -> int:
    from hedgetui.alerts.headless import json_line, json_summary
    from hedgetui.alerts.output import LineOutput, logging_to
    from hedgetui.config import Settings
    from hedgetui.heap import HeapTidier

    assert isinstance(base, Settings)
    # stdout and stderr (often the same pipe: 2>&1) each have their own queue and writer
    out = LineOutput(sys.stdout, summary=json_summary) if args.json else LineOutput(sys.stdout)
    err = LineOutput(sys.stderr)

    def problem(line: str) -> None:
        if args.json:
            out.line(json_line({"type": "problem", "message": line}))
        else:
            err.line(f"hedgetui watch: {line}")

    tidier = HeapTidier(asyncio.get_running_loop())  # RSS flat for days (hedgetui/heap.py)
    try:
        with logging_to(err):
            return await _watch_with(args, base, out, problem, exporter)
    finally:
        tidier.cancel()
        out.close(timeout_s=2.0)
        err.close(timeout_s=1.0)


async def _watch_with(
    args: argparse.Namespace,
    base: Settings,
    out: LineOutput,
    problem: Callable[[str], None],
    exporter: MetricsExporter | None = None,
) -> int:
    import asyncio

    from hedgetui.alerts.headless import (
        EVAL_EVERY_S,
        stop_on_signals,
        watch_loop,
        with_alert_settings,
    )
    from hedgetui.alerts.output import QueuedStream
    from hedgetui.demo import demo_environment
    from hedgetui.runtime import Runtime

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
        # the funding-trap alert needs the funding history; the --demo simulator serves no REST
        runtime = Runtime(settings, funding_history=not args.demo)
        if exporter is not None:
            exporter.count_frames(lambda: {v: f.stats.frames for v, f in runtime.feeds.items()})
        dispatcher, notes = runtime.alert_dispatcher(
            problem, terminal=QueuedStream(out, sys.stdout), terminal_sinks=not args.json
        )
        for note in notes:
            problem(note)
        dispatcher.start()
        engine = runtime.alert_engine()
        stop = asyncio.Event()
        # the feeds' sockets are read in one pass per evaluation, right before it
        gate = runtime.read_in_passes(EVAL_EVERY_S)
        try:
            async with runtime as rt:
                with stop_on_signals(stop):
                    await watch_loop(
                        rt.store,
                        engine,
                        dispatcher,
                        out.line,
                        json_mode=args.json,
                        interval_s=args.interval,
                        stop=stop,
                        duration_s=args.duration,
                        eval_every_s=EVAL_EVERY_S,
                        emit_status=out.status,
                        passed=gate.passed,
                        observe=None if exporter is None else exporter.update,
                    )
        finally:
            await dispatcher.close(timeout_s=min(5.0, settings.alerts.apprise_timeout_s))
    return 0
