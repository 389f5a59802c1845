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
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import math
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TextIO

from hedgetui.commands.interrupts import Interrupted, Interrupts, LineReader, sigint_counted

if TYPE_CHECKING:
    from hedgetui.trading.audit import AuditLog
    from hedgetui.trading.broker import UnwindResult
    from hedgetui.trading.orders import OrderRequest
    from hedgetui.trading.planner import UnwindPlan, UnwindRequest
    from hedgetui.trading.service import UnwindService

WAIT_FOR_DATA_S = 15.0
EXIT_INTERRUPTED = 130
Ask = Callable[[str], str | Awaitable[str]]  # the prompt -> the typed line


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


def _fail(message: str, code: int = 2) -> int:
    print(f"hedgetui unwind: {message}", file=sys.stderr)
    return code


def _bad_number(name: str, value: float | None) -> str | None:
    if value is not None and not math.isfinite(value):
        return f"{name}: must be a finite number, got {value:g}"
    return None


def run(args: argparse.Namespace) -> int:
    from hedgetui import event_loop

    for name, value in (
        ("--fraction", args.fraction),
        ("--contracts", args.contracts),
        ("--limit-offset-bps", args.limit_offset_bps),
    ):
        if (problem := _bad_number(name, value)) is not None:
            return _fail(problem)
    if args.fraction is not None and not 0 < args.fraction <= 1:
        return _fail(f"--fraction: must be in (0, 1], got {args.fraction:g}")
    if args.contracts is not None and not args.contracts > 0:
        return _fail(f"--contracts: must be > 0, got {args.contracts:g}")
    if args.limit_offset_bps is not None and args.limit_offset_bps < 0:
        return _fail(f"--limit-offset-bps: must be >= 0, got {args.limit_offset_bps:g}")
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


async def _answer(ask: Ask, prompt: str) -> str:
    typed = ask(prompt)
    return await typed if inspect.isawaitable(typed) else typed


def _nothing_sent(audit: AuditLog | None, step: str, plan: UnwindPlan | None = None) -> int:
    """Ctrl-C before any order went out: say so, and audit it when there is a log."""
    if audit is not None:
        cid = plan.order.client_order_id if plan is not None else None
        audit.write("aborted", step=step, reason="interrupted (Ctrl-C)", client_order_id=cid)
    return _fail(f"interrupted at the {step}: nothing sent.", EXIT_INTERRUPTED)


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
        return _fail(str(exc))
    try:
        async with demo_trading(
            args.hedge, accounts=accounts, audit_log=args.audit_log, reply_delay_s=delay
        ) as demo:
            try:
                await interrupts.race(demo.poller.poll_once())
            except Interrupted:
                return _nothing_sent(demo.service.audit, "position read")
            return await _flow(args, demo.service, out, ask, demo.poller.poll_once, interrupts)
    except KeyError as exc:
        return _fail(str(exc).strip("'\""))


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
        return _fail(str(exc))
    except KeyError as exc:
        return _fail(str(exc).strip("'\""))
    if args.audit_log:
        trading = dataclasses.replace(settings.trading, audit_log=args.audit_log)
        settings = dataclasses.replace(settings, trading=trading)
    try:
        session = command_unwind(settings, hedge.name)
    except (CredentialsError, KeyError) as exc:
        return _fail(str(exc).strip("'\""))
    async with session as (service, poll):
        try:
            await interrupts.race(_wait_for_data(service, hedge.name, poll))
        except Interrupted:
            return _nothing_sent(service.audit, "wait for data")
        return await _flow(args, service, out, ask, poll, interrupts)


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


async def _flow(
    args: argparse.Namespace,
    service: UnwindService,
    out: TextIO,
    ask: Ask,
    refresh: Callable[[], Any] | None,
    interrupts: Interrupts,
) -> int:
    from hedgetui.trading.planner import PlanError, UnwindRequest
    from hedgetui.trading.service import Refused

    request = UnwindRequest(args.fraction, args.contracts, args.limit_offset_bps)
    try:
        plan = service.plan(args.hedge, request)
    except (Refused, PlanError, KeyError, ValueError) as exc:  # ValueError: unknown instrument
        return _fail(f"refused: {str(exc).strip(chr(39) + chr(34))}", 1)
    dry = args.dry_run or service.dry_run
    if not args.json:
        from hedgetui.trading.describe import describe_plan

        print(describe_plan(plan), file=out)
        if dry:
            reason = "--dry-run" if args.dry_run else service.dry_run_reason
            print(f"DRY RUN ({reason}): nothing will be sent.", file=out)
    if dry:
        service.audit.write("dry_run", hedge=plan.hedge, client_order_id=plan.order.client_order_id)
        return _report(args, plan, None, out, dry_run=True)
    if not args.yes:
        try:
            confirmed = await _confirmed(
                args, service, plan, request, ask, out, refresh, interrupts
            )
        except Interrupted:
            print(file=sys.stderr)  # off the prompt's line
            return _nothing_sent(service.audit, "confirmation", plan)
        if isinstance(confirmed, int):
            return confirmed
        plan = confirmed
    else:
        service.audit.write("confirm", hedge=plan.hedge, via="--yes")
    try:
        result = await interrupts.race(service.execute(plan))
    except Interrupted:
        return await _settle(args, service, plan, out, interrupts)
    if refresh is not None:
        with contextlib.suppress(Interrupted):  # the order is done: only the re-read is skipped
            await interrupts.race(refresh())
    return _report(args, plan, result, out, dry_run=False)


async def _confirmed(
    args: argparse.Namespace,
    service: UnwindService,
    plan: UnwindPlan,
    request: UnwindRequest,
    ask: Ask,
    out: TextIO,
    refresh: Callable[[], Any] | None,
    interrupts: Interrupts,
) -> UnwindPlan | int:
    """The typed confirmation, then the order planned again on the data as it is now; asks
    again while that moved beyond the tolerance. The plan to send, or an exit code."""
    from hedgetui.trading.describe import describe_plan
    from hedgetui.trading.planner import PlanError
    from hedgetui.trading.service import Refused

    while True:
        prompt = f"Type the symbol {plan.symbol} to send this order (anything else aborts): "
        typed = await interrupts.race(_answer(ask, prompt))
        if not service.confirm(plan, typed):
            print("aborted: nothing sent.", file=sys.stderr)
            return 1
        if refresh is not None and await interrupts.race(refresh()) is False:
            # the position could not be re-read: never send on the one read before the prompt
            why = service.account_error(plan.hedge) or "the account did not answer"
            service.audit.write(
                "aborted", step="replan", reason=why, client_order_id=plan.order.client_order_id
            )
            return _fail(f"refused after the confirmation: {why}; nothing sent.", 1)
        try:
            fresh, moved = service.replan(plan, request)
        except (Refused, PlanError, KeyError, ValueError) as exc:
            reason = str(exc).strip("'\"")
            service.audit.write(
                "aborted", step="replan", reason=reason, client_order_id=plan.order.client_order_id
            )
            return _fail(f"refused after the confirmation: {reason}; nothing sent.", 1)
        if moved is None:
            return fresh
        if args.json:  # stdout carries only the JSON result
            print(f"Not sent: {moved} since the preview; asking again.", file=sys.stderr)
        else:
            print(f"Not sent: {moved} since the preview. The order now:", file=out)
            print(describe_plan(fresh), file=out)
        plan = fresh


def _outcome_unknown(order: OrderRequest) -> str:
    return (
        f"outcome unknown: check with {order.venue} for an order on {order.symbol} "
        f"with client order id {order.client_order_id}"
    )


async def _settle(
    args: argparse.Namespace,
    service: UnwindService,
    plan: UnwindPlan,
    out: TextIO,
    interrupts: Interrupts,
) -> int:
    """Ctrl-C while the order was being sent: look it up (bounded), report it, exit 130."""
    o = plan.order
    print(
        f"hedgetui unwind: interrupted while order {o.client_order_id} was being sent; "
        f"looking it up on {o.venue} (Ctrl-C again to stop waiting)",
        file=sys.stderr,
        flush=True,
    )
    try:
        settled = await interrupts.race(service.settle(plan))
    except Interrupted:
        message = _outcome_unknown(o)
        service.audit.write(
            "outcome_unknown",
            client_order_id=o.client_order_id,
            venue=o.venue,
            symbol=o.symbol,
            reason="a second Ctrl-C stopped the lookup",
            message=message,
        )
        return _fail(message, EXIT_INTERRUPTED)
    result = settled.result
    _report(args, plan, result, out, dry_run=False)
    if not settled.known:
        return _fail(_outcome_unknown(o), EXIT_INTERRUPTED)
    detail = f" ({result.error})" if result.error else ""
    return _fail(
        f"interrupted: order {o.client_order_id}: {result.status}{detail}", EXIT_INTERRUPTED
    )


def _report(
    args: argparse.Namespace,
    plan: UnwindPlan,
    result: UnwindResult | None,
    out: TextIO,
    *,
    dry_run: bool,
) -> int:
    import json

    o = plan.order
    status = "dry_run" if result is None else result.status
    if args.json:
        obj = {
            "hedge": plan.hedge,
            "venue": o.venue,
            "symbol": o.symbol,
            "dry_run": dry_run,
            "position_before": plan.position_before,
            "order": {
                "side": o.side,
                "contracts": o.contracts,
                "type": o.order_type,
                "price": o.price,
                "reduce_only": o.reduce_only,
                "client_order_id": o.client_order_id,
            },
            "filled_contracts": 0.0 if result is None else result.filled_contracts,
            "position_after": plan.position_before if result is None else result.position_after,
            "status": status,
            "error": None if result is None else result.error,
        }
        print(json.dumps(obj), file=out)
    elif result is not None:
        print(result.summary(), file=out)
    return 0 if result is None or result.status == "filled" else 1
