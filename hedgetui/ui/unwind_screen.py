"""The unwind dialog: choose how much, see the exact order and its effect, type the symbol.

Refuses (and says why) when the price or the position is stale or unknown; in dry-run mode
it shows the exact order it would send and sends nothing. Dismisses with the
``UnwindResult`` (or ``None`` when closed without sending).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from hedgetui import glyphs
from hedgetui.trading.broker import UnwindResult
from hedgetui.trading.describe import describe_plan
from hedgetui.trading.planner import PlanError, UnwindPlan, UnwindRequest
from hedgetui.trading.service import Refused, UnwindService

if TYPE_CHECKING:
    from hedgetui.runtime import Runtime

PRESETS = {"1": 0.25, "2": 0.5, "3": 1.0}
SIMULATOR_MODE = "SIMULATOR: this goes to the built-in simulator, not an exchange."
"""The mode line of a dialog whose orders go to the simulator (``UnwindService.simulated``)."""


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


class UnwindScreen(ModalScreen[UnwindResult | None]):
    """``UnwindScreen(service, hedge_name)`` (a dashboard ``Store`` works in place of a service)."""

    DEFAULT_CSS = """
    UnwindScreen { align: center middle; }
    #unwind-box {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $panel; padding: 0 1;
    }
    #unwind-title { text-style: bold; }
    #unwind-refusal { color: $error; text-style: bold; display: none; }
    #unwind-mode { color: $warning; text-style: bold; }
    #unwind-presets { height: 1; margin-bottom: 1; }
    #unwind-presets Button { min-width: 8; width: auto; margin-right: 1; }
    #unwind-amount { width: 1fr; }
    #unwind-confirm { margin-top: 1; }
    #unwind-preview { height: auto; }
    #unwind-status { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("1", "preset('1')", "25%", show=False),
        Binding("2", "preset('2')", "50%", show=False),
        Binding("3", "preset('3')", "100%", show=False),
    ]

    def __init__(self, service: UnwindService | Any, hedge_name: str) -> None:
        super().__init__()
        self._owns_client = not isinstance(service, UnwindService)
        if not isinstance(service, UnwindService):
            from hedgetui.runtime.unwind import service_from_store

            service = service_from_store(service, hedge_name)
        self.service = service
        self.hedge_name = hedge_name
        self.plan: UnwindPlan | None = None
        self.request: UnwindRequest | None = None  # what the plan was made for (re-planned)
        self.result: UnwindResult | None = None
        self.sending = False

    def compose(self) -> ComposeResult:
        with Vertical(id="unwind-box"):
            yield Label(f"Unwind {self.hedge_name}", id="unwind-title")
            yield Static("", id="unwind-mode", markup=False)
            yield Static("", id="unwind-refusal", markup=False)
            with Horizontal(id="unwind-presets"):
                yield Button("25% 1", id="p25", compact=True)
                yield Button("50% 2", id="p50", compact=True)
                yield Button("100% 3", id="p100", compact=True)
                yield Input(placeholder="0.3, 30%, 1200c", id="unwind-amount", compact=True)
            yield Static("", id="unwind-preview", markup=False)
            yield Input(placeholder="type the symbol to confirm", id="unwind-confirm", compact=True)
            yield Static("", id="unwind-status", markup=False)

    def on_mount(self) -> None:
        mode = self.query_one("#unwind-mode", Static)
        if self.service.dry_run:
            mode.update(f"DRY RUN: {self.service.dry_run_reason}; nothing is sent.")
        elif self.service.simulated:
            mode.update(SIMULATOR_MODE)
        else:
            mode.update("LIVE: this sends a real reduce-only order.")
        self.query_one("#unwind-confirm", Input).display = False
        try:
            self.service.check(self.hedge_name)
        except Refused as exc:
            self._refuse(str(exc))
            return
        self.query_one("#p50", Button).focus()  # digits 1/2/3 work; Tab reaches the input

    def dashboard_painted(self) -> None:
        """The dashboard behind repainted: the preview follows the same data (re-planned for
        the amount asked, so the order shown is the order that would be sent now).

        The same order as previewed, on newer data: its client order id stays (the audit log
        has its plan once; Enter re-plans it again and says what moved, as before)."""
        request, shown = self.request, self.plan
        if shown is None or request is None or self.sending or self.result is not None:
            return
        try:
            cid = shown.order.client_order_id
            plan = self.service.plan(self.hedge_name, request, client_order_id=cid)
        except (Refused, PlanError, KeyError, ValueError) as exc:
            self._refuse(str(exc).strip("'\""))
            return
        self.plan = plan
        text = describe_plan(plan)
        preview = self.query_one("#unwind-preview", Static)
        if text != preview.content:  # a repaint of the dialog only when the preview moved
            preview.update(text)

    # ------------------------------------------------------------------ actions

    def _refuse(self, reason: str) -> None:
        refusal = self.query_one("#unwind-refusal", Static)
        refusal.update(f"Refused: {reason}")
        refusal.display = True
        self.query_one("#unwind-confirm", Input).display = False
        self.plan = None

    def action_preset(self, key: str) -> None:
        if not self.sending and self.result is None:
            self._make_plan(UnwindRequest(fraction=PRESETS[key]))

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
        self._make_plan(request)

    def _make_plan(self, request: UnwindRequest) -> None:
        try:
            plan = self.service.plan(self.hedge_name, request)
        except (Refused, PlanError, KeyError, ValueError) as exc:  # e.g. an unknown instrument
            self._refuse(str(exc).strip("'\""))
            return
        self.plan = plan
        self.request = request
        self.query_one("#unwind-refusal", Static).display = False
        self.query_one("#unwind-preview", Static).update(describe_plan(plan))
        confirm = self.query_one("#unwind-confirm", Input)
        verb = "record this dry run" if self.service.dry_run else "SEND"
        if self.service.simulated and not self.service.dry_run:
            verb = "SEND to the simulator"
        confirm.placeholder = f"type {plan.symbol} and Enter to {verb}"
        confirm.value = ""
        confirm.display = True
        confirm.focus()

    @on(Input.Submitted, "#unwind-confirm")
    def _confirm(self, event: Input.Submitted) -> None:
        plan = self.plan
        if plan is None or self.sending or self.result is not None:
            return
        if not self.service.confirm(plan, event.value):
            self.query_one("#unwind-status", Static).update(
                f"The symbol does not match: type {plan.symbol} exactly (nothing sent)."
            )
            return
        if self.request is not None:  # send the order made on the data as it is now
            try:
                plan, moved = self.service.replan(plan, self.request)
            except (Refused, PlanError, KeyError, ValueError) as exc:
                self._refuse(f"{str(exc).strip(chr(39) + chr(34))} (nothing sent)")
                return
            if moved is not None:
                self.plan = plan
                self.query_one("#unwind-preview", Static).update(describe_plan(plan))
                self.query_one("#unwind-status", Static).update(
                    f"Not sent: {moved} since the preview. "
                    f"Check the order above; type {plan.symbol} again to send it."
                )
                event.input.value = ""
                return
        self.sending = True
        event.input.disabled = True
        self.query_one("#unwind-status", Static).update(
            glyphs.text(
                f"Sending {plan.order.side} {plan.order.contracts:g} {plan.symbol}…"
                if not self.service.dry_run
                else "Dry run: recording the order that would be sent…"
            )
        )
        self._execute(plan)

    @work(exclusive=True, group="unwind")
    async def _execute(self, plan: UnwindPlan) -> None:
        try:
            result = await self.service.execute(plan)
        except Exception as exc:  # shown, never crash the dashboard
            self.query_one("#unwind-status", Static).update(f"Failed: {exc}")
            self.sending = False
            return
        self.result = result
        self.sending = False
        text = result.summary()
        self.query_one("#unwind-status", Static).update(
            ("Done: " if result.ok else "Not done: ") + text + "\n[Esc] close"
        )

    def action_close(self) -> None:
        if self.sending:
            self.notify("the order is in flight; wait for the result", severity="warning")
            return
        if self._owns_client and self.service.client is not None:
            self.run_worker(self.service.client.aclose(), group="unwind-close")
        self.dismiss(self.result)
