"""Plain-text description of a plan (CLI output and the dialog's preview)."""

from __future__ import annotations

from hedgetui.domain import LIQUIDATION_WORDS, LiquidationState, RiskReport
from hedgetui.trading.adjust_plan import AdjustPlan
from hedgetui.trading.planner import UnwindPlan


def _liq(r: RiskReport) -> str:
    """The price, or the liquidation state's words (``none (≥10×)``, ...)."""
    x = r.liquidation_price
    if x is None:
        return LIQUIDATION_WORDS.get(r.liquidation_state, "none")
    past = r.liquidation_state is LiquidationState.PAST
    return f"{x:,.2f}" + (f" ({LIQUIDATION_WORDS[LiquidationState.PAST]})" if past else "")


def _ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def describe_adjust(plan: AdjustPlan) -> str:
    """The adjust preview: the order, then every figure before -> after the fill at the mark."""
    o = plan.order
    p = plan.adjust
    price = f" limit {o.price:,.2f}" if o.price is not None else " market"
    kind = " reduce-only" if o.reduce_only else " (increases the position)"
    lines = [
        f"hedge     {plan.hedge}  ({o.venue} {o.symbol})",
        f"position  {plan.position_before:+,.0f} -> {plan.position_after:+,.0f} contracts"
        f"   mark {plan.mark:,.2f}",
        f"order     {o.side.upper()} {o.contracts:,.0f} {o.symbol}{price}{kind}",
        f"client id {o.client_order_id}",
    ]
    if p is None:
        return "\n".join(lines)
    coin = o.coin
    target = f"   (target {p.target_ratio:g})" if p.target_ratio is not None else ""
    lines.append(f"ratio     {_ratio(p.ratio_before)} -> {_ratio(p.ratio_after)}{target}")
    b, a = p.before, p.after
    if a is not None:
        before_exp = f"{b.net_exposure_coin:+.4f}" if b else "n/a"
        lines += [
            f"exposure  {before_exp} -> {a.net_exposure_coin:+.4f} {coin}"
            f"  ({a.net_exposure_usd:+,.0f} USD after)",
            f"margin    initial {_coin(a.initial_margin_coin)}  maintenance "
            f"{a.maintenance_margin_coin:.4f}  buffer {a.margin_buffer_coin:.4f} {coin} after",
            f"liq price {_liq(b) if b else 'none'} -> {_liq(a)}" + _distance(a),
        ]
        if p.leverage_after is not None:
            lines.append(f"leverage  {p.leverage_after:.2f}x after")
    else:
        lines.append("after     position closed: every coin held is unhedged")
    if p.margin_available is not None:
        lines.append(
            f"needs     {p.margin_needed:.4f} {coin} of initial margin; "
            f"{p.margin_available:.4f} {coin} available"
        )
    if p.funding_per_day_usd is not None:
        way = "received" if p.funding_per_day_usd >= 0 else "paid"
        lines.append(
            f"funding   {abs(p.funding_per_day_usd):,.2f} USD/day {way} at the current rate"
        )
    return "\n".join(lines)


def _coin(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4f}"


def _distance(r: RiskReport) -> str:
    d = r.liquidation_distance_pct
    return "" if d is None else f"  ({d:+.2f}% from the mark)"


def describe_plan(plan: UnwindPlan) -> str:
    if isinstance(plan, AdjustPlan):
        return describe_adjust(plan)
    o = plan.order
    price = f" limit {o.price:,.2f}" if o.price is not None else " market"
    lines = [
        f"hedge     {plan.hedge}  ({o.venue} {o.symbol})",
        f"position  {plan.position_before:+,.0f} contracts   mark {plan.mark:,.2f}",
        f"order     {o.side.upper()} {o.contracts:,.0f} {o.symbol}{price} reduce-only",
        f"client id {o.client_order_id}",
        f"after     {plan.position_after:+,.0f} contracts",
    ]
    if plan.preview is not None:
        b, a = plan.preview.before, plan.preview.after
        coin = o.coin

        if a is not None:
            lines += [
                f"exposure  {b.net_exposure_coin:+.4f} -> {a.net_exposure_coin:+.4f} {coin}"
                f"  ({b.net_exposure_usd:+,.0f} -> {a.net_exposure_usd:+,.0f} USD)",
                f"margin    buffer {b.margin_buffer_coin:.4f} -> {a.margin_buffer_coin:.4f} {coin}",
                f"liq price {_liq(b)} -> {_liq(a)}",
            ]
        else:
            # Closing everything leaves every coin held unhedged.
            closed = b.net_exposure_coin + (
                b.position_value_coin if o.side == "buy" else -b.position_value_coin
            )
            lines += [
                f"exposure  {b.net_exposure_coin:+.4f} -> {closed:+.4f} {coin}  (position closed)",
                f"liq price {_liq(b)} -> none",
            ]
    return "\n".join(lines)
