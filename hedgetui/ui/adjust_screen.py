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
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import DescendantFocus, Key
from textual.widgets import Button, Input

from hedgetui import glyphs
from hedgetui.trading.adjust_plan import AdjustPlan, AdjustRequest
from hedgetui.trading.adjust_service import AdjustService
from hedgetui.trading.describe import describe_adjust
from hedgetui.trading.planner import PlanError
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
    if raw[0] not in "+-" and raw.endswith("c"):
        raise PlanError(
            f"a change in contracts needs its sign: -{raw[:-1]} sells (more hedge), "
            f"+{raw[:-1]} buys (less)"
        )
    try:
        if raw[0] in "+-":
            return AdjustRequest(by=float(raw.removesuffix("c")))
        ratio = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise PlanError(f"not a ratio nor a change: {text.strip()!r} ({AMOUNT_HINT})") from None
    if not (math.isfinite(ratio) and 0 <= ratio <= MAX_TYPED_RATIO):
        raise PlanError(
            f"a target hedge ratio is from 0 to {MAX_TYPED_RATIO:g}, got {ratio:g}; "
            "a change in contracts has its sign (-5000 / +5000)"
        )
    return AdjustRequest(to=ratio)


TYPED_START = frozenset("0123456789.+-")  # how a ratio or a change in contracts starts


class AdjustScreen(OrderDialog[AdjustPlan, AdjustRequest]):
    """``AdjustScreen(service, hedge_name)`` over an adjust service (``Runtime.adjust_service``;
    a dashboard ``Store`` works in place of a service, as for the unwind dialog)."""

    PREFIX = "adjust"
    TITLE_WORD = "Adjust"
    LIVE_MODE = "LIVE: this sends a real order to the exchange."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "band", "Back to band", show=False, id="adjust-band"),
    ]

    def __init__(self, service: AdjustService | Any, hedge_name: str) -> None:
        owns_client = not isinstance(service, AdjustService)
        if not isinstance(service, AdjustService):
            from hedgetui.runtime.unwind import service_from_store

            service = AdjustService(service_from_store(service, hedge_name))
        super().__init__(service, hedge_name)
        self._owns_client = owns_client
        self._typing = False  # keys typed on the Band button are going into the amount

    def closing(self) -> None:
        client = self.service.unwind.client if isinstance(self.service, AdjustService) else None
        if self._owns_client and client is not None:
            self.run_worker(client.aclose(), group="adjust-close")

    def compose_choices(self) -> ComposeResult:
        with Horizontal(id="adjust-choices", classes="order-choices"):
            yield Button("Band b", id="adjust-band", compact=True)
            yield Input(
                placeholder=AMOUNT_HINT, id="adjust-amount", compact=True, select_on_focus=False
            )

    def describe(self, plan: AdjustPlan) -> str:
        return glyphs.text(describe_adjust(plan))

    def focus_choices(self) -> None:
        self.query_one("#adjust-band", Button).focus()  # b or Enter: back to band; 0-9 . + -: type

    def action_band(self) -> None:
        self.make_plan(AdjustRequest(band=True))

    def on_key(self, event: Key) -> None:
        """A ratio or a change typed while the Band button has the focus (as the dialog
        opens) goes into the amount input: typing ``0.9`` at once must not be lost."""
        amount = self.query_one("#adjust-amount", Input)
        char = event.character
        if char is None or char not in TYPED_START or amount.has_focus:
            return
        if not isinstance(self.focused, Button) or self.focused.id != "adjust-band":
            return
        event.stop()
        event.prevent_default()
        # the keys of a burst ("0.9" pasted or typed fast) all arrive before the focus moves
        amount.value = (amount.value if self._typing else "") + char
        amount.cursor_position = len(amount.value)
        self._typing = True
        amount.focus()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        if event.widget.id == "adjust-amount":
            self._typing = False  # the input has the keys now

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
