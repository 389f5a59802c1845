"""`hedgetui unwind`: a reduce-only close of (part of) a hedge, with preview and typed confirmation.

Dry run unless the config enables trading (``[trading] enabled = true``); ``--demo`` trades
against the simulator's demo accounts instead, with no keys. Every step goes to the audit
log. Exit codes: 0 done (or dry run), 1 aborted/refused/failed, 2 bad input or config.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from hedgetui.trading.broker import UnwindResult
    from hedgetui.trading.planner import UnwindPlan
    from hedgetui.trading.service import UnwindService

WAIT_FOR_DATA_S = 15.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
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


def run(args: argparse.Namespace) -> int:
    from hedgetui import event_loop

    if args.fraction is not None and not 0 < args.fraction <= 1:
        return _fail(f"--fraction: must be in (0, 1], got {args.fraction:g}")
    if args.contracts is not None and not args.contracts > 0:
        return _fail(f"--contracts: must be > 0, got {args.contracts:g}")
    if args.limit_offset_bps is not None and args.limit_offset_bps < 0:
        return _fail(f"--limit-offset-bps: must be >= 0, got {args.limit_offset_bps:g}")
    return event_loop.run(unwind_main(args))


async def unwind_main(
    args: argparse.Namespace,
    *,
    out: TextIO | None = None,
    ask: Callable[[str], str] | None = None,
    sim_accounts: object | None = None,
) -> int:
    """The command body; ``sim_accounts`` lets a test inspect the demo simulator's books."""
    out = out or sys.stdout
    ask = ask or _ask
    if args.demo:
        return await _demo(args, out, ask, sim_accounts)
    return await _live(args, out, ask)


def _ask(prompt: str) -> str:
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not sys.stdin.isatty():
        print(file=sys.stderr)  # the typed answer was not echoed: end the prompt line
    return line.rstrip("\n")


async def _demo(
    args: argparse.Namespace, out: TextIO, ask: Callable[[str], str], accounts: object | None
) -> int:
    from hedgetui.trading.session import demo_trading

    try:
        async with demo_trading(args.hedge, accounts=accounts, audit_log=args.audit_log) as demo:
            await demo.poller.poll_once()
            return await _flow(args, demo.service, out, ask, demo.poller.poll_once)
    except KeyError as exc:
        return _fail(str(exc).strip("'\""))


async def _live(args: argparse.Namespace, out: TextIO, ask: Callable[[str], str]) -> int:
    import asyncio
    import dataclasses
    import os

    from hedgetui.config import ConfigError, load_settings, resolve_config_path
    from hedgetui.runtime import Runtime
    from hedgetui.trading.credentials import CredentialsError
    from hedgetui.trading.session import (
        account_client,
        audit_log_for,
        poller_for,
        service_for_store,
    )

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
        client = account_client(settings, hedge)
    except (CredentialsError, KeyError) as exc:
        return _fail(str(exc).strip("'\""))
    audit = audit_log_for(settings, client, None)
    try:
        async with Runtime(settings) as runtime:
            service = service_for_store(settings, runtime.store, client=client, audit=audit)
            poll: Callable[[], Any] | None = None
            if client is not None:
                poller = poller_for(client, hedge, runtime.store)
                poll = poller.poll_once
                await poller.poll_once()
            deadline = asyncio.get_running_loop().time() + WAIT_FOR_DATA_S
            while asyncio.get_running_loop().time() < deadline:
                view = service.view(hedge.name)
                if view is not None and view.mark is not None and view.contracts is not None:
                    break
                await asyncio.sleep(0.2)
            return await _flow(args, service, out, ask, poll)
    finally:
        if client is not None:
            await client.aclose()


async def _flow(
    args: argparse.Namespace,
    service: UnwindService,
    out: TextIO,
    ask: Callable[[str], str],
    refresh: Callable[[], Any] | None,
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
        typed = ask(f"Type the symbol {plan.symbol} to send this order (anything else aborts): ")
        if not service.confirm(plan, typed):
            print("aborted: nothing sent.", file=sys.stderr)
            return 1
    else:
        service.audit.write("confirm", hedge=plan.hedge, via="--yes")
    result = await service.execute(plan)
    if refresh is not None:
        await refresh()
    return _report(args, plan, result, out, dry_run=False)


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
