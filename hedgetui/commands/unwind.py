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
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from hedgetui.commands.interrupts import Interrupted, Interrupts, LineReader, sigint_counted

if TYPE_CHECKING:
    from hedgetui.trading.audit import AuditLog
    from hedgetui.trading.broker import Settlement, UnwindResult
    from hedgetui.trading.orders import OrderRequest
    from hedgetui.trading.planner import UnwindPlan
    from hedgetui.trading.service import UnwindService

WAIT_FOR_DATA_S = 15.0
EXIT_INTERRUPTED = 130
Ask = Callable[[str], str | Awaitable[str]]  # the prompt -> the typed line


class OrderFlowService(Protocol):
    """What the shared command flow needs: an ``UnwindService`` or an ``AdjustService``."""

    @property
    def audit(self) -> AuditLog: ...
    @property
    def dry_run(self) -> bool: ...
    @property
    def dry_run_reason(self) -> str: ...
    def plan(
        self, name: str, request: Any, *, client_order_id: str | None = None
    ) -> UnwindPlan: ...
    def confirm(self, plan: Any, typed: str) -> bool: ...
    def account_error(self, name: str) -> str | None: ...
    def replan(self, confirmed: Any, request: Any) -> tuple[UnwindPlan, str | None]: ...
    async def execute(self, plan: Any) -> UnwindResult: ...
    async def settle(self, plan: Any) -> Settlement: ...


def _for_command(args: argparse.Namespace, service: UnwindService) -> OrderFlowService:
    """The service the command plans with: ``adjust`` wraps the hedge's unwind service (the
    same client, audit log and broker) in an ``AdjustService``."""
    if _cmd(args) == "adjust":
        from hedgetui.trading.adjust_service import AdjustService

        return AdjustService(service)
    return service


def _request(args: argparse.Namespace) -> object:
    if _cmd(args) == "adjust":
        from hedgetui.trading.adjust import AdjustRequest

        return AdjustRequest(args.to, args.by, bool(args.band), args.limit_offset_bps)
    from hedgetui.trading.planner import UnwindRequest

    return UnwindRequest(args.fraction, args.contracts, args.limit_offset_bps)


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


def fail(message: str, code: int = 2, command: str = "unwind") -> int:
    print(f"hedgetui {command}: {message}", file=sys.stderr)
    return code


def _cmd(args: argparse.Namespace) -> str:
    """The sub-command whose flow this is (``unwind`` or ``adjust``: they share it)."""
    return str(getattr(args, "command", None) or "unwind")


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


async def _answer(ask: Ask, prompt: str) -> str:
    typed = ask(prompt)
    return await typed if inspect.isawaitable(typed) else typed


def _nothing_sent(
    audit: AuditLog | None, step: str, plan: UnwindPlan | None = None, command: str = "unwind"
) -> int:
    """Ctrl-C before any order went out: say so, and audit it when there is a log."""
    if audit is not None:
        cid = plan.order.client_order_id if plan is not None else None
        audit.write("aborted", step=step, reason="interrupted (Ctrl-C)", client_order_id=cid)
    return fail(f"interrupted at the {step}: nothing sent.", EXIT_INTERRUPTED, command)


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
        return fail(str(exc), command=_cmd(args))
    try:
        async with demo_trading(
            args.hedge, accounts=accounts, audit_log=args.audit_log, reply_delay_s=delay
        ) as demo:
            try:
                await interrupts.race(demo.poller.poll_once())
            except Interrupted:
                return _nothing_sent(demo.service.audit, "position read", command=_cmd(args))
            service = _for_command(args, demo.service)
            return await _flow(args, service, out, ask, demo.poller.poll_once, interrupts)
    except KeyError as exc:
        return fail(str(exc).strip("'\""), command=_cmd(args))


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
        return fail(str(exc), command=_cmd(args))
    except KeyError as exc:
        return fail(str(exc).strip("'\""), command=_cmd(args))
    if args.audit_log:
        trading = dataclasses.replace(settings.trading, audit_log=args.audit_log)
        settings = dataclasses.replace(settings, trading=trading)
    try:
        session = command_unwind(settings, hedge.name)
    except (CredentialsError, KeyError) as exc:
        return fail(str(exc).strip("'\""), command=_cmd(args))
    async with session as (service, poll):
        try:
            await interrupts.race(_wait_for_data(service, hedge.name, poll))
        except Interrupted:
            return _nothing_sent(service.audit, "wait for data", command=_cmd(args))
        return await _flow(args, _for_command(args, service), out, ask, poll, interrupts)


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
    service: OrderFlowService,
    out: TextIO,
    ask: Ask,
    refresh: Callable[[], Any] | None,
    interrupts: Interrupts,
) -> int:
    from hedgetui.trading.planner import PlanError
    from hedgetui.trading.service import Refused

    request = _request(args)
    try:
        plan = service.plan(args.hedge, request)
    except (Refused, PlanError, KeyError, ValueError) as exc:  # ValueError: unknown instrument
        return fail(f"refused: {str(exc).strip(chr(39) + chr(34))}", 1, command=_cmd(args))
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
            return _nothing_sent(service.audit, "confirmation", plan, command=_cmd(args))
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
    service: OrderFlowService,
    plan: UnwindPlan,
    request: object,
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
            return fail(
                f"refused after the confirmation: {why}; nothing sent.", 1, command=_cmd(args)
            )
        try:
            fresh, moved = service.replan(plan, request)
        except (Refused, PlanError, KeyError, ValueError) as exc:
            reason = str(exc).strip("'\"")
            service.audit.write(
                "aborted", step="replan", reason=reason, client_order_id=plan.order.client_order_id
            )
            return fail(
                f"refused after the confirmation: {reason}; nothing sent.", 1, command=_cmd(args)
            )
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
    service: OrderFlowService,
    plan: UnwindPlan,
    out: TextIO,
    interrupts: Interrupts,
) -> int:
    """Ctrl-C while the order was being sent: look it up (bounded), report it, exit 130."""
    o = plan.order
    print(
        f"hedgetui {_cmd(args)}: interrupted while order {o.client_order_id} was being sent; "
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
        return fail(message, EXIT_INTERRUPTED, command=_cmd(args))
    result = settled.result
    _report(args, plan, result, out, dry_run=False)
    if not settled.known:
        return fail(_outcome_unknown(o), EXIT_INTERRUPTED, command=_cmd(args))
    detail = f" ({result.error})" if result.error else ""
    return fail(
        f"interrupted: order {o.client_order_id}: {result.status}{detail}",
        EXIT_INTERRUPTED,
        command=_cmd(args),
    )


def _adjust_fields(plan: UnwindPlan, result: UnwindResult | None) -> dict[str, object]:
    """``adjust --json``'s extra keys: the ratio before and after (after = the position the
    venue reports, valued as the preview values it), the liquidation price after, and the
    preview's own figures."""
    from hedgetui.trading.adjust import AdjustPlan

    if not isinstance(plan, AdjustPlan) or plan.adjust is None:
        return {}
    p = plan.adjust
    after = plan.position_before if result is None else result.position_after
    ratio_after: float | None = None
    liquidation_after: float | None = None
    if after is not None and p.ratio_before is not None and plan.position_before:
        ratio_after = p.ratio_before * after / plan.position_before
    elif after is not None and p.ratio_after is not None and plan.position_after:
        ratio_after = p.ratio_after * after / plan.position_after
    elif after == 0:
        ratio_after = 0.0
    if after == plan.position_after:
        liquidation_after = p.liquidation_price_after
    elif after == plan.position_before and p.before is not None:
        liquidation_after = p.before.liquidation_price
    return {
        "ratio_before": p.ratio_before,
        "ratio_after": ratio_after,
        "liquidation_price_after": liquidation_after,
        "preview": {
            "position_after": p.position_after,
            "ratio_after": p.ratio_after,
            "liquidation_price_after": p.liquidation_price_after,
            "liquidation_distance_pct_after": (
                p.after.liquidation_distance_pct if p.after is not None else None
            ),
            "net_exposure_coin_after": p.after.net_exposure_coin if p.after else None,
            "net_exposure_usd_after": p.after.net_exposure_usd if p.after else None,
            "margin_needed_coin": p.margin_needed,
            "margin_available_coin": p.margin_available,
            "leverage_after": p.leverage_after,
            "funding_per_day_usd_after": p.funding_per_day_usd,
        },
    }


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
        obj |= _adjust_fields(plan, result)
        print(json.dumps(obj), file=out)
    elif result is not None:
        print(result.summary(), file=out)
    return 0 if result is None or result.status == "filled" else 1
