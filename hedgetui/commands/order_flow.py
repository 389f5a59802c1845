"""The order flow ``unwind`` and ``adjust`` share: plan, preview, confirm, send, settle.

:func:`flow` plans the order on the command's service (an ``UnwindService``, or the
``AdjustService`` over it: :func:`for_command`), prints the preview (or the dry run), asks for
the typed confirmation and plans again on the data as it is then (asking again while it moved
beyond the tolerance), sends the order, and on Ctrl-C while it is being sent looks it up by its
client order id (:func:`_settle`). :func:`fail` is the commands' one line on stderr and its exit
code; the result is printed by :func:`hedgetui.commands.order_report.report`.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from hedgetui.commands.interrupts import Interrupted, Interrupts
from hedgetui.commands.order_report import report

if TYPE_CHECKING:
    from hedgetui.trading.audit import AuditLog
    from hedgetui.trading.broker import Settlement, UnwindResult
    from hedgetui.trading.orders import OrderRequest
    from hedgetui.trading.planner import UnwindPlan
    from hedgetui.trading.service import UnwindService

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


def for_command(args: argparse.Namespace, service: UnwindService) -> OrderFlowService:
    """The service the command plans with: ``adjust`` wraps the hedge's unwind service (the
    same client, audit log and broker) in an ``AdjustService``."""
    if command_name(args) == "adjust":
        from hedgetui.trading.adjust_service import AdjustService

        return AdjustService(service)
    return service


def _request(args: argparse.Namespace) -> object:
    if command_name(args) == "adjust":
        from hedgetui.trading.adjust_plan import AdjustRequest

        return AdjustRequest(args.to, args.by, bool(args.band), args.limit_offset_bps)
    from hedgetui.trading.planner import UnwindRequest

    return UnwindRequest(args.fraction, args.contracts, args.limit_offset_bps)


def fail(message: str, code: int = 2, command: str = "unwind") -> int:
    print(f"hedgetui {command}: {message}", file=sys.stderr)
    return code


def command_name(args: argparse.Namespace) -> str:
    """The sub-command whose flow this is (``unwind`` or ``adjust``: they share it)."""
    return str(getattr(args, "command", None) or "unwind")


async def _answer(ask: Ask, prompt: str) -> str:
    typed = ask(prompt)
    return await typed if inspect.isawaitable(typed) else typed


def nothing_sent(
    audit: AuditLog | None, step: str, plan: UnwindPlan | None = None, command: str = "unwind"
) -> int:
    """Ctrl-C before any order went out: say so, and audit it when there is a log."""
    if audit is not None:
        cid = plan.order.client_order_id if plan is not None else None
        audit.write("aborted", step=step, reason="interrupted (Ctrl-C)", client_order_id=cid)
    return fail(f"interrupted at the {step}: nothing sent.", EXIT_INTERRUPTED, command)


async def flow(
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
        return fail(f"refused: {str(exc).strip(chr(39) + chr(34))}", 1, command=command_name(args))
    dry = args.dry_run or service.dry_run
    if not args.json:
        from hedgetui.trading.describe import describe_plan

        print(describe_plan(plan), file=out)
        if dry:
            reason = "--dry-run" if args.dry_run else service.dry_run_reason
            print(f"DRY RUN ({reason}): nothing will be sent.", file=out)
    if dry:
        service.audit.write("dry_run", hedge=plan.hedge, client_order_id=plan.order.client_order_id)
        return report(args, plan, None, out, dry_run=True)
    if not args.yes:
        try:
            confirmed = await _confirmed(
                args, service, plan, request, ask, out, refresh, interrupts
            )
        except Interrupted:
            print(file=sys.stderr)  # off the prompt's line
            return nothing_sent(service.audit, "confirmation", plan, command=command_name(args))
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
    return report(args, plan, result, out, dry_run=False)


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
                f"refused after the confirmation: {why}; nothing sent.",
                1,
                command=command_name(args),
            )
        try:
            fresh, moved = service.replan(plan, request)
        except (Refused, PlanError, KeyError, ValueError) as exc:
            reason = str(exc).strip("'\"")
            service.audit.write(
                "aborted", step="replan", reason=reason, client_order_id=plan.order.client_order_id
            )
            return fail(
                f"refused after the confirmation: {reason}; nothing sent.",
                1,
                command=command_name(args),
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
        f"hedgetui {command_name(args)}: interrupted while order {o.client_order_id} was being "
        f"sent; looking it up on {o.venue} (Ctrl-C again to stop waiting)",
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
        return fail(message, EXIT_INTERRUPTED, command=command_name(args))
    result = settled.result
    report(args, plan, result, out, dry_run=False)
    if not settled.known:
        return fail(_outcome_unknown(o), EXIT_INTERRUPTED, command=command_name(args))
    detail = f" ({result.error})" if result.error else ""
    return fail(
        f"interrupted: order {o.client_order_id}: {result.status}{detail}",
        EXIT_INTERRUPTED,
        command=command_name(args),
    )
