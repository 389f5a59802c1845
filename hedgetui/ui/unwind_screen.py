"""The unwind dialog: choose how much, see the exact order and its effect, type the symbol.

Refuses (and says why) when the price or the position is stale or unknown; in dry-run mode
it shows the exact order it would send and sends nothing. Dismisses with the
``UnwindResult`` (or ``None`` when closed without sending).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Input

from hedgetui.trading.describe import describe_plan
from hedgetui.trading.planner import PlanError, UnwindPlan, UnwindRequest
from hedgetui.trading.service import UnwindService
from hedgetui.ui.order_dialog import SIMULATOR_MODE, OrderDialog

if TYPE_CHECKING:
    from hedgetui.runtime import Runtime

PRESETS = {"1": 0.25, "2": 0.5, "3": 1.0}
__all__ = ["SIMULATOR_MODE", "UnwindScreen", "parse_amount", "unwind_factory_for"]


def parse_amount(text: str) -> UnwindRequest:
    """``50%`` / ``0.5`` -> a fraction; ``1200c`` / ``1200`` (> 1) -> contracts."""
    raw = text.strip().lower().replace(",", "")
    if not raw:
        raise PlanError("type a fraction (0.5 or 50%) or contracts (e.g. 1200c)")
    try:
        if raw.endswith("%"):
            return UnwindRequest(fraction=float(raw[:-1]) / 100)
        if raw.endswith("c"):
            return UnwindRequest(contracts=float(raw[:-1]))
        value = float(raw)
    except ValueError:
        raise PlanError(f"not a number: {text.strip()!r}") from None
    return UnwindRequest(fraction=value) if value <= 1 else UnwindRequest(contracts=value)


def unwind_factory_for(runtime: Runtime) -> Callable[[str], UnwindScreen]:
    """``HedgeApp(unwind_factory=...)``: hedge name -> its unwind dialog over ``runtime``
    (``Runtime.unwind_service``).

    Call it once the runtime is built (its clients appear when it starts; each dialog looks
    them up when it opens). The runtime owns the clients: the dialog never closes them.
    """

    def build(hedge_name: str) -> UnwindScreen:
        return UnwindScreen(runtime.unwind_service(hedge_name), hedge_name)

    return build


class UnwindScreen(OrderDialog[UnwindPlan, UnwindRequest]):
    """``UnwindScreen(service, hedge_name)`` (a dashboard ``Store`` works in place of a service)."""

    PREFIX = "unwind"
    TITLE_WORD = "Unwind"
    LIVE_MODE = "LIVE: this sends a real reduce-only order."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "preset('1')", "25%", show=False, id="unwind-25"),
        Binding("2", "preset('2')", "50%", show=False, id="unwind-50"),
        Binding("3", "preset('3')", "100%", show=False, id="unwind-100"),
    ]

    def __init__(self, service: UnwindService | Any, hedge_name: str) -> None:
        owns_client = not isinstance(service, UnwindService)
        if not isinstance(service, UnwindService):
            from hedgetui.runtime.unwind import service_from_store

            service = service_from_store(service, hedge_name)
        super().__init__(service, hedge_name)
        self._owns_client = owns_client

    def compose_choices(self) -> ComposeResult:
        with Horizontal(id="unwind-presets", classes="order-choices"):
            yield Button("25% 1", id="p25", compact=True)
            yield Button("50% 2", id="p50", compact=True)
            yield Button("100% 3", id="p100", compact=True)
            yield Input(placeholder="0.3, 30%, 1200c", id="unwind-amount", compact=True)

    def describe(self, plan: UnwindPlan) -> str:
        return describe_plan(plan)

    def closing(self) -> None:
        client = self.service.client if isinstance(self.service, UnwindService) else None
        if self._owns_client and client is not None:
            self.run_worker(client.aclose(), group="unwind-close")

    def focus_choices(self) -> None:
        self.query_one("#p50", Button).focus()  # digits 1/2/3 work; Tab reaches the input

    def action_preset(self, key: str) -> None:
        self.make_plan(UnwindRequest(fraction=PRESETS[key]))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        key = {"p25": "1", "p50": "2", "p100": "3"}.get(event.button.id or "")
        if key:
            self.action_preset(key)

    @on(Input.Submitted, "#unwind-amount")
    def _amount(self, event: Input.Submitted) -> None:
        try:
            request = parse_amount(event.value)
        except PlanError as exc:
            self._refuse(str(exc))
            return
        self.make_plan(request)
