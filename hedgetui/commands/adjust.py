"""`hedgetui adjust`: move a hedge to a target ratio, by a number of contracts, or back into its
band, in either direction, with the preview and the typed confirmation of ``unwind``.

Same conventions as ``hedgetui unwind`` (and the same flow, audit log and broker): a dry run
until the config enables trading (``[trading] enabled = true``); ``--demo`` trades against the
simulator's demo accounts, with no keys; the order is planned again after the confirmation;
Ctrl-C before sending sends nothing, Ctrl-C while sending looks the order up by its client id.
The order limits (``[trading]`` / ``[hedges.trading]``: max_order_contracts, max_order_usd,
max_leverage, min_liquidation_distance_pct) refuse an order before anything is sent.

Exit codes: 0 done (or dry run), 1 aborted, refused or not filled, 2 bad input or config,
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse

from hedgetui.commands.order_flow import fail
from hedgetui.commands.unwind import EPILOG, add_order_arguments, bad_number, run_flow

HELP_BY = (
    "change of the signed position in contracts: negative sells (a bigger short, more hedge), "
    "positive buys (a smaller short)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("--hedge", required=True, metavar="NAME", help="the hedge to adjust")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--to", type=float, metavar="RATIO", help="target hedge ratio (>= 0)")
    what.add_argument("--by", type=float, metavar="CONTRACTS", help=HELP_BY)
    what.add_argument(
        "--band", action="store_true", help="back to the hedge's target_hedge_ratio when outside"
    )
    add_order_arguments(parser)


def run(args: argparse.Namespace) -> int:
    for name, value in (
        ("--to", args.to),
        ("--by", args.by),
        ("--limit-offset-bps", args.limit_offset_bps),
    ):
        if (problem := bad_number(name, value)) is not None:
            return fail(problem, command="adjust")
    if args.to is not None and args.to < 0:
        return fail(f"--to: must be a hedge ratio >= 0, got {args.to:g}", command="adjust")
    if args.by is not None and args.by == 0:
        return fail("--by: must not be 0", command="adjust")
    if args.limit_offset_bps is not None and args.limit_offset_bps < 0:
        return fail(
            f"--limit-offset-bps: must be >= 0, got {args.limit_offset_bps:g}", command="adjust"
        )
    return run_flow(args)
