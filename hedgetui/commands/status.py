"""`hedgetui status`: one snapshot of every hedge, with a monitoring exit code.

Connects, waits (bounded by ``--timeout``) for data from every feed the hedges need, prints
the hedges and the alerts that hold right now (rules evaluated once, no pending time) and
exits 0 fine, 1 warning, 2 critical, 3 stale or no data - usable from cron, over SSH or as
a Nagios-style check.
"""

from __future__ import annotations

import argparse
import sys

from hedgetui.commands.args import EXIT_USAGE, in_range

MAX_TIMEOUT_S = 3600.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (TOML)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="the demo portfolio on the built-in simulator (with --config: its [alerts])",
    )
    parser.add_argument("--scenario", default="calm", help="demo scenario (default: calm)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        metavar="S",
        help="seconds to wait for data from every feed (default: 15)",
    )


def run(args: argparse.Namespace) -> int:
    from hedgetui import event_loop
    from hedgetui.alerts.headless import SetupError, load_base_settings
    from hedgetui.alerts.report import EXIT_NO_DATA

    if not in_range(args.timeout, 0, MAX_TIMEOUT_S):
        print(
            f"hedgetui status: --timeout must be > 0 and at most {MAX_TIMEOUT_S:g}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        base = load_base_settings(getattr(args, "config", None), demo=args.demo)
    except SetupError as exc:
        print(f"hedgetui status: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    try:
        return event_loop.run(_status(args, base))
    except ValueError as exc:  # unknown scenario from the simulator
        print(f"hedgetui status: {exc}", file=sys.stderr)
        return EXIT_NO_DATA


async def _status(args: argparse.Namespace, base: object) -> int:
    import contextlib

    from hedgetui.alerts.headless import json_line, wait_for_data, with_alert_settings
    from hedgetui.alerts.report import (
        EXIT_NO_DATA,
        account_record,
        alert_record,
        exit_code,
        feed_record,
        hedge_record,
        status_text,
    )
    from hedgetui.config import Settings
    from hedgetui.demo import demo_environment
    from hedgetui.runtime import Runtime

    assert isinstance(base, Settings)
    async with contextlib.AsyncExitStack() as stack:
        settings = base
        if args.demo:
            _sim, demo = await stack.enter_async_context(demo_environment(args.scenario, 1.0))
            settings = with_alert_settings(demo, base)
        if not settings.hedges:
            print("hedgetui status: the config has no [[hedges]]", file=sys.stderr)
            return EXIT_NO_DATA
        async with Runtime(settings) as rt:
            view = await wait_for_data(rt.store, args.timeout)
    engine = rt.alert_engine(pending_override_s=0.0)
    engine.evaluate(view)
    alerts = [a for a in engine.active() if a.state.value == "firing"]
    code = exit_code(view, alerts)
    if args.json:
        record = {
            "hedges": [hedge_record(h) for h in view.hedges],
            "alerts": [alert_record(a) for a in alerts],
            "feeds": [feed_record(f) for f in view.feeds],
            "accounts": [account_record(a) for a in view.accounts],
            "no_data": engine.no_data(),
            "exit_code": code,
            "at": view.at,
        }
        sys.stdout.write(json_line(record) + "\n")
    else:
        sys.stdout.write(status_text(view, alerts, code, engine.no_data()))
    sys.stdout.flush()
    return code
