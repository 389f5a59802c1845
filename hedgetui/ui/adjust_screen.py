"""The adjust dialog (``r``, rebalance): back into the band, to a typed hedge ratio, or by a
typed change in contracts; the preview after the fill; the symbol typed to confirm.

The order may increase the short (more hedge) or reduce it (reduce-only); the adjust planner
(``hedgetui.trading.adjust``) sizes and checks it, the service refuses on stale prices or an
unknown position, and the flow (mode line, live preview, confirmation, progress, result) is
every order dialog's (:class:`~hedgetui.ui.order_dialog.OrderDialog`). Fits 80x23.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Input

from hedgetui import glyphs
from hedgetui.domain import RiskReport
from hedgetui.trading.adjust import AdjustPlan, AdjustRequest
from hedgetui.trading.planner import PlanError
from hedgetui.ui import format as fmt
from hedgetui.ui.order_dialog import OrderDialog, OrderService

if TYPE_CHECKING:
    from hedgetui.runtime import Runtime

MAX_TYPED_RATIO = 10.0  # the config's own bound on target_hedge_ratio
AMOUNT_HINT = "0.9 (a ratio), band, or -5000 / +5000 contracts"


def parse_adjust(text: str) -> AdjustRequest:
    """``0.9`` / ``90%`` -> a target ratio; ``-5000`` / ``+5,000`` (``c`` optional) -> a change
    of the signed position (``-`` sells: a bigger short); ``band`` / ``b`` -> back into the band."""
    raw = text.strip().lower().replace(",", "").replace(" ", "")
    if not raw:
        raise PlanError(f"type {AMOUNT_HINT}")
    if raw in ("b", "band"):
        return AdjustRequest(band=True)
    try:
        if raw[0] in "+-":
            return AdjustRequest(by=float(raw.removesuffix("c")))
        if raw.endswith("c"):
            raise PlanError(
                f"a change in contracts needs its sign: -{raw[:-1]} sells (more hedge), "
                f"+{raw[:-1]} buys (less)"
            )
        ratio = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise PlanError(f"not a ratio nor a change: {text.strip()!r} ({AMOUNT_HINT})") from None
    if not (math.isfinite(ratio) and 0 <= ratio <= MAX_TYPED_RATIO):
        raise PlanError(
            f"a target hedge ratio is from 0 to {MAX_TYPED_RATIO:g}, got {ratio:g}; "
            "a change in contracts has its sign (-5000 / +5000)"
        )
    return AdjustRequest(to=ratio)


def _ratio(value: float | None) -> str:
    return fmt.NO_DATA if value is None else f"{value:.3f}"


def _liq(report: RiskReport | None) -> str:
    """``3,710.62 (61.3%)``, or the liquidation state's words (``none (≥10×)``)."""
    if report is None:
        return "none (flat)"
    words = fmt.liq_distance(report.liquidation_state, report.liquidation_distance_pct)
    if report.liquidation_price is None:
        return words
    return f"{fmt.price(report.liquidation_price)} ({words})"


def _coin(report: RiskReport | None, value: Callable[[RiskReport], float | None]) -> str:
    number = None if report is None else value(report)
    return fmt.coin(0.0 if report is None else number, signed=False)


def describe_adjust(plan: AdjustPlan) -> str:
    """The preview, before -> after the fill at the mark (lines under 76 characters)."""
    o, a = plan.order, plan.adjust
    price = f"limit {o.price:,.2f}" if o.price is not None else "market"
    kind = "reduce-only" if o.reduce_only else "increases the short"
    lines = [
        f"order     {o.side.upper()} {o.contracts:,.10g} {o.symbol} {price}, {kind}",
        f"client id {o.client_order_id}",
        f"position  {plan.position_before:+,.10g} -> {plan.position_after:+,.10g} contracts"
        f"   mark {fmt.price(plan.mark)}",
    ]
    if a is None:
        return glyphs.text("\n".join(lines))
    b, f, coin = a.before, a.after, o.coin
    target = f"  (target {a.target_ratio:.2f})" if a.target_ratio is not None else ""
    lines.append(f"ratio     {_ratio(a.ratio_before)} -> {_ratio(a.ratio_after)}{target}")
    if b is not None:
        net_after = (
            f.net_exposure_coin
            if f is not None
            else b.net_exposure_coin
            - (b.position_value_coin if o.side == "buy" else -b.position_value_coin)
        )
        lines.append(
            f"exposure  {fmt.coin(b.net_exposure_coin)} -> {fmt.coin(net_after)} {coin}"
            f"  ({fmt.usd(b.net_exposure_usd, signed=True)} -> "
            f"{fmt.usd(net_after * plan.mark, signed=True)})"
        )
    lines += [
        f"margin    initial {_coin(b, lambda r: r.initial_margin_coin)} -> "
        f"{_coin(f, lambda r: r.initial_margin_coin)}   maint "
        f"{_coin(b, lambda r: r.maintenance_margin_coin)} -> "
        f"{_coin(f, lambda r: r.maintenance_margin_coin)} {coin}",
        f"buffer    {_coin(b, lambda r: r.margin_buffer_coin)} -> "
        f"{_coin(f, lambda r: r.margin_buffer_coin)} {coin}"
        + (
            f"   needs {a.margin_needed:.4f} of {a.margin_available:.4f} available"
            if a.margin_available is not None
            else ""
        ),
        f"liq price {_liq(b)} -> {_liq(f)}",
    ]
    lines.append(
        f"funding   {fmt.usd(a.funding_per_day_usd, signed=True, decimals=2)}/d after, "
        "at the current rate"
    )
    return glyphs.text("\n".join(lines))


class AdjustScreen(OrderDialog[AdjustPlan, AdjustRequest]):
    """``AdjustScreen(service, hedge_name)`` over an adjust service (``Runtime.adjust_service``)."""

    PREFIX = "adjust"
    TITLE_WORD = "Adjust"
    LIVE_MODE = "LIVE: this sends a real order to the exchange."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "band", "Back to band", show=False),
    ]

    def compose_choices(self) -> ComposeResult:
        with Horizontal(id="adjust-choices", classes="order-choices"):
            yield Button("Band b", id="adjust-band", compact=True)
            yield Input(placeholder=AMOUNT_HINT, id="adjust-amount", compact=True)

    def describe(self, plan: AdjustPlan) -> str:
        return describe_adjust(plan)

    def focus_choices(self) -> None:
        self.query_one("#adjust-band", Button).focus()  # b or Enter: back to band; Tab: type

    def action_band(self) -> None:
        self.make_plan(AdjustRequest(band=True))

    @on(Button.Pressed, "#adjust-band")
    def _band_pressed(self) -> None:
        self.action_band()

    @on(Input.Submitted, "#adjust-amount")
    def _amount(self, event: Input.Submitted) -> None:
        try:
            request = parse_adjust(event.value)
        except PlanError as exc:
            self._refuse(str(exc))
            return
        self.make_plan(request)


def adjust_factory_for(runtime: Runtime) -> Callable[[str], AdjustScreen]:
    """``HedgeApp(adjust_factory=...)``: hedge name -> its adjust dialog over ``runtime``
    (``Runtime.adjust_service``); the runtime owns the clients."""

    def build(hedge_name: str) -> AdjustScreen:
        service: OrderService[AdjustPlan, AdjustRequest] = runtime.adjust_service(hedge_name)
        return AdjustScreen(service, hedge_name)

    return build
