"""What ``unwind`` and ``adjust`` print when the order flow ends: a summary or one JSON object.

:func:`report` prints the order's outcome (the broker's summary line, or with ``--json`` one
object: the order, the fill, the position before and after, the status), and for ``adjust``
the ratio and liquidation price before and after and the preview's own figures; it returns the
command's exit code (0 filled or dry run, 1 otherwise).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from hedgetui.trading.broker import UnwindResult
    from hedgetui.trading.planner import UnwindPlan


def _adjust_fields(plan: UnwindPlan, result: UnwindResult | None) -> dict[str, object]:
    """``adjust --json``'s extra keys: the ratio before and after (after = the position the
    venue reports, valued as the preview values it), the liquidation price after, and the
    preview's own figures."""
    from hedgetui.trading.adjust_plan import AdjustPlan

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


def report(
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
