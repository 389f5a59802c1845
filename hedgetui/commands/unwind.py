"""`hedgetui unwind`: a reduce-only close of (part of) a hedge, with preview and typed confirmation.

Dry run unless the config enables trading (``[trading] enabled = true``); ``--demo`` trades
against the simulator's demo accounts instead, with no keys. Every step goes to the audit
log. Exit codes: 0 done (or dry run), 1 aborted/refused/failed, 2 bad input or config,
130 interrupted (Ctrl-C).

After the typed confirmation the order is planned again on the data as it is then; if the
mark, the position or its freshness moved beyond ``service.REPLAN_MARK_TOLERANCE``, the new
order is shown and confirmed again. A limit order still resting when the fill checks end is
cancelled (or reported with its id when the cancel fails).

Ctrl-C: before the order is sent it aborts at once ("nothing sent", audited as ``aborted``).
Once the order is being sent, it looks the order up by its client order id (a bounded wait),
cancels it if it rests, audits and prints the outcome with the id; a second Ctrl-C stops that
wait and prints (and audits) "outcome unknown: check with <venue>, <symbol>, <client id>".
The demo can hold the simulator's reply to the order (``HEDGETUI_DEMO_ORDER_REPLY_DELAY_S``)
to try this.

This module reads the command line and the config and waits for the hedge's data; the flow
from the plan to the outcome, which ``adjust`` shares, is :mod:`hedgetui.commands.order_flow`'s.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from hedgetui.commands.interrupts import Interrupted, Interrupts, LineReader, sigint_counted
from hedgetui.commands.order_flow import (
    Ask,
    command_name,
    fail,
    flow,
    for_command,
    nothing_sent,
)

if TYPE_CHECKING:
    from hedgetui.trading.service import UnwindService

WAIT_FOR_DATA_S = 15.0


EPILOG = (
    "Exit codes: 0 done (or dry run), 1 aborted, refused or not filled, 2 bad input or config, "
    "130 interrupted (Ctrl-C). Ctrl-C before the order is sent: nothing is sent. Ctrl-C while "
    "it is being sent: the order is looked up by its client order id (Ctrl-C again stops the "
    "wait) and its outcome and id are printed and audited."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("--hedge", required=True, metavar="NAME", help="the hedge to unwind")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument(
        "--fraction", type=float, metavar="F", help="part of the position, 0 < F <= 1"
    )
    size.add_argument("--contracts", type=float, metavar="N", help="number of contracts to close")
    add_order_arguments(parser)


def add_order_arguments(parser: argparse.ArgumentParser) -> None:
    """The options ``unwind`` and ``adjust`` share: limit offset, dry run / yes, config, demo,
    JSON, audit log."""
    parser.add_argument(
        "--limit-offset-bps",
        type=float,
        metavar="B",
        default=None,
        help="limit order at mark +/- B bps toward a fill (default: market order)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print the exact order, send nothing")
    mode.add_argument("--yes", action="store_true", help="no typed confirmation (for scripts)")
    parser.add_argument(
        "--config", dest="unwind_config", metavar="PATH", default=None, help="config file"
    )
    parser.add_argument(
        "--demo", action="store_true", help="against the simulator's demo accounts (no keys)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--audit-log", metavar="PATH", default=None, help="audit log file (default: config)"
    )


def bad_number(name: str, value: float | None) -> str | None:
    if value is not None and not math.isfinite(value):
        return f"{name}: must be a finite number, got {value:g}"
    return None


def run(args: argparse.Namespace) -> int:
    for name, value in (
        ("--fraction", args.fraction),
        ("--contracts", args.contracts),
        ("--limit-offset-bps", args.limit_offset_bps),
    ):
        if (problem := bad_number(name, value)) is not None:
            return fail(problem)
    if args.fraction is not None and not 0 < args.fraction <= 1:
        return fail(f"--fraction: must be in (0, 1], got {args.fraction:g}")
    if args.contracts is not None and not args.contracts > 0:
        return fail(f"--contracts: must be > 0, got {args.contracts:g}")
    if args.limit_offset_bps is not None and args.limit_offset_bps < 0:
        return fail(f"--limit-offset-bps: must be >= 0, got {args.limit_offset_bps:g}")
    return run_flow(args)


def run_flow(args: argparse.Namespace) -> int:
    """The command's flow (``unwind`` or ``adjust``) on the event loop, Ctrl-C counted."""
    from hedgetui import event_loop

    return event_loop.run(_counting_interrupts(args))


async def _counting_interrupts(args: argparse.Namespace) -> int:
    interrupts = Interrupts()
    with sigint_counted(interrupts):
        return await unwind_main(args, interrupts=interrupts)


async def unwind_main(
    args: argparse.Namespace,
    *,
    out: TextIO | None = None,
    ask: Ask | None = None,
    sim_accounts: object | None = None,
    interrupts: Interrupts | None = None,
) -> int:
    """The command body; ``sim_accounts`` lets a test inspect the demo simulator's books;
    ``interrupts`` receives Ctrl-C (``run`` routes SIGINT to it)."""
    out = out or sys.stdout
    ask = ask or _ask
    interrupts = interrupts or Interrupts()
    if args.demo:
        return await _demo(args, out, ask, sim_accounts, interrupts)
    return await _live(args, out, ask, interrupts)


_stdin: LineReader | None = None


async def _ask(prompt: str) -> str:
    """The typed line from stdin, read through the event loop (so Ctrl-C ends it at once)."""
    global _stdin
    print(prompt, end="", file=sys.stderr, flush=True)
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # no stdin at all: nothing was typed
        return ""
    if _stdin is None or _stdin.fd != fd:
        _stdin = LineReader(fd)
    line = await _stdin.readline()
    if not sys.stdin.isatty():
        print(file=sys.stderr)  # the typed answer was not echoed: end the prompt line
    return line


async def _demo(
    args: argparse.Namespace,
    out: TextIO,
    ask: Ask,
    accounts: object | None,
    interrupts: Interrupts,
) -> int:
    import os

    from hedgetui.demo.trading import demo_reply_delay, demo_trading

    try:
        delay = demo_reply_delay(os.environ)
    except ValueError as exc:
        return fail(str(exc), command=command_name(args))
    try:
        async with demo_trading(
            args.hedge, accounts=accounts, audit_log=args.audit_log, reply_delay_s=delay
        ) as demo:
            try:
                await interrupts.race(demo.poller.poll_once())
            except Interrupted:
                return nothing_sent(demo.service.audit, "position read", command=command_name(args))
            service = for_command(args, demo.service)
            return await flow(args, service, out, ask, demo.poller.poll_once, interrupts)
    except KeyError as exc:
        return fail(str(exc).strip("'\""), command=command_name(args))


async def _live(args: argparse.Namespace, out: TextIO, ask: Ask, interrupts: Interrupts) -> int:
    import dataclasses
    import os

    from hedgetui.config import ConfigError, load_settings, resolve_config_path
    from hedgetui.runtime.unwind import command_unwind
    from hedgetui.trading.credentials import CredentialsError

    cli_path = args.unwind_config or getattr(args, "config", None)
    try:
        settings = load_settings(resolve_config_path(cli_path, os.environ), os.environ)
        hedge = settings.hedge(args.hedge)
    except ConfigError as exc:
        return fail(str(exc), command=command_name(args))
    except KeyError as exc:
        return fail(str(exc).strip("'\""), command=command_name(args))
    if args.audit_log:
        trading = dataclasses.replace(settings.trading, audit_log=args.audit_log)
        settings = dataclasses.replace(settings, trading=trading)
    try:
        session = command_unwind(settings, hedge.name)
    except (CredentialsError, KeyError) as exc:
        return fail(str(exc).strip("'\""), command=command_name(args))
    async with session as (service, poll):
        try:
            await interrupts.race(_wait_for_data(service, hedge.name, poll))
        except Interrupted:
            return nothing_sent(service.audit, "wait for data", command=command_name(args))
        return await flow(args, for_command(args, service), out, ask, poll, interrupts)


async def _wait_for_data(service: UnwindService, name: str, poll: Callable[[], Any] | None) -> None:
    """Until the hedge has a mark and a position (or the account said it is flat, or why it
    cannot be read), at most WAIT_FOR_DATA_S."""
    import asyncio

    if poll is not None:
        await poll()
    deadline = asyncio.get_running_loop().time() + WAIT_FOR_DATA_S
    while asyncio.get_running_loop().time() < deadline:
        view = service.view(name)
        reported = service.account_position(name)
        if reported is not None and not reported.contracts:
            return  # flat: nothing to wait for
        if service.account_error(name) is not None and (view is None or view.contracts is None):
            return  # the read failed: say why now, not after the wait
        if view is not None and view.mark is not None and view.contracts is not None:
            return
        await asyncio.sleep(0.2)
