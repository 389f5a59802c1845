"""`hedgetui doctor`: check each venue and account of the config, step by step.

For every venue a hedge uses: the name resolves, TCP connects, the TLS handshake, the
websocket upgrade, the subscriptions and a first value of each channel, the venue's clock
against this machine's; for every account: the credentials file's mode, a read-only signed
call and the key's permissions. Each step has a verdict and the time it took; each failure is
one line saying what failed and what to try. Exit 0 all good, 1 warnings, 2 failures (2 is
also a usage mistake or a config that cannot be read).
"""

from __future__ import annotations

import argparse
import sys

from hedgetui.commands.args import EXIT_USAGE, in_range

MAX_TIMEOUT_S = 600.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "exit status: 0 all good, 1 warnings, 2 failures (or a usage mistake, or a config "
        "that cannot be read). Each step, its advice and the --json keys: docs/doctor.md"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (TOML)"
    )
    source.add_argument(
        "--demo", action="store_true", help="check the built-in simulator and its demo accounts"
    )
    parser.add_argument("--json", action="store_true", help="print JSON (keys in docs/doctor.md)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds each step may take (default: 10)",
    )


def run(args: argparse.Namespace) -> int:
    from hedgetui import event_loop
    from hedgetui.alerts.headless import SetupError, load_base_settings

    if not in_range(args.timeout, 0, MAX_TIMEOUT_S):
        print(
            f"hedgetui doctor: --timeout must be > 0 and at most {MAX_TIMEOUT_S:g}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    settings = None
    if not args.demo:
        try:
            settings = load_base_settings(getattr(args, "config", None), demo=False)
        except SetupError as exc:
            print(f"hedgetui doctor: {exc}", file=sys.stderr)
            return EXIT_USAGE
    return event_loop.run(_doctor(args, settings))


async def _doctor(args: argparse.Namespace, settings: object) -> int:
    import os

    from hedgetui.alerts.headless import json_line
    from hedgetui.config import Settings
    from hedgetui.doctor.check import check_all
    from hedgetui.doctor.verdicts import exit_code, json_record, text_report

    if args.demo:
        from hedgetui.demo import demo_exchange

        async with demo_exchange("calm") as ex:
            targets = await check_all(ex.settings, env=ex.env, timeout_s=args.timeout)
    else:
        assert isinstance(settings, Settings)
        if not settings.hedges and not settings.accounts:
            print("hedgetui doctor: the config has no [[hedges]] nor [[accounts]]", file=sys.stderr)
            return EXIT_USAGE
        targets = await check_all(settings, env=os.environ, timeout_s=args.timeout)
    if args.json:
        sys.stdout.write(json_line(json_record(targets)) + "\n")
    else:
        sys.stdout.write(text_report(targets, _width()))
    sys.stdout.flush()
    return exit_code(targets)


def _width() -> int:
    """The terminal's width when writing to one (at least 40), else 80 columns."""
    import shutil

    from hedgetui.doctor.verdicts import WIDTH

    if not sys.stdout.isatty():
        return WIDTH
    return max(40, shutil.get_terminal_size((WIDTH, 24)).columns)
