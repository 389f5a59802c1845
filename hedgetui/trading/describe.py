"""Plain-text description of a plan (CLI output and the dialog's preview)."""

from __future__ import annotations

from hedgetui.domain import LIQUIDATION_WORDS, LiquidationState, RiskReport
from hedgetui.trading.planner import UnwindPlan


def describe_plan(plan: UnwindPlan) -> str:
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

        def liq(r: RiskReport) -> str:
            """The price, or the liquidation state's words (``none (≥10×)``, ...)."""
            x = r.liquidation_price
            if x is None:
                return LIQUIDATION_WORDS.get(r.liquidation_state, "none")
            past = r.liquidation_state is LiquidationState.PAST
            return f"{x:,.2f}" + (f" ({LIQUIDATION_WORDS[LiquidationState.PAST]})" if past else "")

        if a is not None:
            lines += [
                f"exposure  {b.net_exposure_coin:+.4f} -> {a.net_exposure_coin:+.4f} {coin}"
                f"  ({b.net_exposure_usd:+,.0f} -> {a.net_exposure_usd:+,.0f} USD)",
                f"margin    buffer {b.margin_buffer_coin:.4f} -> {a.margin_buffer_coin:.4f} {coin}",
                f"liq price {liq(b)} -> {liq(a)}",
            ]
        else:
            # Closing everything leaves every coin held unhedged.
            closed = b.net_exposure_coin + (
                b.position_value_coin if o.side == "buy" else -b.position_value_coin
            )
            lines += [
                f"exposure  {b.net_exposure_coin:+.4f} -> {closed:+.4f} {coin}  (position closed)",
                f"liq price {liq(b)} -> none",
            ]
    return "\n".join(lines)
