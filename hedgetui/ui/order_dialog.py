"""What the order dialogs (unwind ``u``, adjust ``r``) share: the mode line, the refusal, the
preview that follows the dashboard, the typed confirmation (the symbol), the order sent in a
worker with its progress and result, and Esc.

A dialog is an :class:`OrderDialog` over a service with the unwind service's shape (``check``,
``plan``, ``confirm``, ``replan``, ``execute``, ``dry_run``, ``simulated``): it names its
widgets ``#<prefix>-title``, ``-mode``, ``-refusal``, ``-preview``, ``-confirm``, ``-status``
inside ``#<prefix>-box``, composes its own choices (:meth:`OrderDialog.compose_choices`) and
says how a plan reads (:meth:`OrderDialog.describe`). Refuses (and says why) when the price or
the position is stale or unknown; in dry-run mode it shows the exact order it would send and
sends nothing. Dismisses with the ``UnwindResult`` (or ``None`` when closed without sending).
"""

from __future__ import annotations

from typing import ClassVar, Generic, Protocol, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from hedgetui import glyphs
from hedgetui.trading.broker import UnwindResult
from hedgetui.trading.planner import PlanError, UnwindPlan
from hedgetui.trading.service import Refused

SIMULATOR_MODE = "SIMULATOR: this goes to the built-in simulator, not an exchange."
"""The mode line of a dialog whose orders go to the simulator (``UnwindService.simulated``)."""

PlanT = TypeVar("PlanT", bound=UnwindPlan)
RequestT = TypeVar("RequestT")
RequestC = TypeVar("RequestC", contravariant=True)
REFUSALS = (Refused, PlanError, KeyError, ValueError)  # e.g. an unknown instrument


class OrderService(Protocol[PlanT, RequestC]):
    """The unwind service's shape (``UnwindService``), for any plan and request."""

    @property
    def dry_run(self) -> bool: ...
    @property
    def dry_run_reason(self) -> str: ...
    @property
    def simulated(self) -> bool: ...

    def check(self, name: str) -> object: ...
    def plan(
        self, name: str, request: RequestC, *, client_order_id: str | None = None
    ) -> PlanT: ...
    def confirm(self, plan: PlanT, typed: str) -> bool: ...
    def replan(self, confirmed: PlanT, request: RequestC) -> tuple[PlanT, str | None]: ...
    async def execute(self, plan: PlanT) -> UnwindResult: ...


def _reason(exc: Exception) -> str:
    return str(exc).strip("'\"")


class OrderDialog(ModalScreen[UnwindResult | None], Generic[PlanT, RequestT]):
    """The flow of an order dialog; subclasses set :attr:`PREFIX`, :attr:`TITLE_WORD`,
    :attr:`LIVE_MODE` and compose their choices."""

    PREFIX: ClassVar[str] = "order"
    TITLE_WORD: ClassVar[str] = "Order"
    LIVE_MODE: ClassVar[str] = "LIVE: this sends a real order."
    DEFAULT_CSS = """
    OrderDialog { align: center middle; }
    OrderDialog .order-box {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $panel; padding: 0 1;
    }
    OrderDialog .order-title { text-style: bold; }
    OrderDialog .order-refusal { color: $error; text-style: bold; display: none; }
    OrderDialog .order-mode { color: $warning; text-style: bold; }
    OrderDialog .order-choices { height: 1; margin-bottom: 1; }
    OrderDialog .order-choices Button { min-width: 8; width: auto; margin-right: 1; }
    OrderDialog .order-choices Input { width: 1fr; }
    OrderDialog .order-confirm { margin-top: 1; }
    OrderDialog .order-preview { height: auto; }
    OrderDialog .order-status { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="order-close")]

    def __init__(self, service: OrderService[PlanT, RequestT], hedge_name: str) -> None:
        super().__init__()
        self.service = service
        self.hedge_name = hedge_name
        self.plan: PlanT | None = None
        self.request: RequestT | None = None  # what the plan was made for (re-planned)
        self.result: UnwindResult | None = None
        self.sending = False

    # ------------------------------------------------------------------ for subclasses

    def compose_choices(self) -> ComposeResult:
        """The row of choices (buttons, the typed amount), in a ``.order-choices`` row."""
        yield from ()

    def describe(self, plan: PlanT) -> str:
        """The preview's text of ``plan``."""
        raise NotImplementedError

    def focus_choices(self) -> None:
        """Focus the choices once the dialog may plan (not refused)."""

    def closing(self) -> None:
        """The dialog closes (nothing in flight): e.g. close a client it made itself."""

    def part(self, name: str) -> str:
        """The selector of one of the dialog's parts: ``#unwind-preview``."""
        return f"#{self.PREFIX}-{name}"

    # ------------------------------------------------------------------ the flow

    def compose(self) -> ComposeResult:
        p = self.PREFIX
        with Vertical(id=f"{p}-box", classes="order-box"):
            yield Label(
                f"{self.TITLE_WORD} {self.hedge_name}", id=f"{p}-title", classes="order-title"
            )
            yield Static("", id=f"{p}-mode", classes="order-mode", markup=False)
            yield Static("", id=f"{p}-refusal", classes="order-refusal", markup=False)
            yield from self.compose_choices()
            yield Static("", id=f"{p}-preview", classes="order-preview", markup=False)
            yield Input(
                placeholder="type the symbol to confirm",
                id=f"{p}-confirm",
                classes="order-confirm",
                compact=True,
            )
            yield Static("", id=f"{p}-status", classes="order-status", markup=False)

    def on_mount(self) -> None:
        mode = self.query_one(self.part("mode"), Static)
        if self.service.dry_run:
            mode.update(f"DRY RUN: {self.service.dry_run_reason}; nothing is sent.")
        elif self.service.simulated:
            mode.update(SIMULATOR_MODE)
        else:
            mode.update(self.LIVE_MODE)
        self.query_one(self.part("confirm"), Input).display = False
        try:
            self.service.check(self.hedge_name)
        except Refused as exc:
            self._refuse(str(exc))
            return
        self.focus_choices()

    def dashboard_painted(self) -> None:
        """The dashboard behind repainted: the preview follows the same data (re-planned for
        the request asked, so the order shown is the order that would be sent now).

        The same order as previewed, on newer data: its client order id stays (the audit log
        has its plan once; Enter re-plans it again and says what moved, as before)."""
        request, shown = self.request, self.plan
        if shown is None or request is None or self.sending or self.result is not None:
            return
        try:
            cid = shown.order.client_order_id
            plan = self.service.plan(self.hedge_name, request, client_order_id=cid)
        except REFUSALS as exc:
            self._refuse(_reason(exc))
            return
        self.plan = plan
        text = self.describe(plan)
        preview = self.query_one(self.part("preview"), Static)
        if text != preview.content:  # a repaint of the dialog only when the preview moved
            preview.update(text)

    def _refuse(self, reason: str) -> None:
        refusal = self.query_one(self.part("refusal"), Static)
        refusal.update(f"Refused: {reason}")
        refusal.display = True
        self.query_one(self.part("confirm"), Input).display = False
        self.plan = None

    def make_plan(self, request: RequestT) -> None:
        """Plan ``request`` and show its preview and the confirmation, or the refusal."""
        if self.sending or self.result is not None:
            return
        try:
            plan = self.service.plan(self.hedge_name, request)
        except REFUSALS as exc:
            self._refuse(_reason(exc))
            return
        self.plan = plan
        self.request = request
        self.query_one(self.part("refusal"), Static).display = False
        self.query_one(self.part("preview"), Static).update(self.describe(plan))
        confirm = self.query_one(self.part("confirm"), Input)
        verb = "record this dry run" if self.service.dry_run else "SEND"
        if self.service.simulated and not self.service.dry_run:
            verb = "SEND to the simulator"
        confirm.placeholder = f"type {plan.symbol} and Enter to {verb}"
        confirm.value = ""
        confirm.display = True
        confirm.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == f"{self.PREFIX}-confirm":
            event.stop()
            self._confirm(event)

    def _confirm(self, event: Input.Submitted) -> None:
        plan = self.plan
        if plan is None or self.sending or self.result is not None:
            return
        status = self.query_one(self.part("status"), Static)
        if not self.service.confirm(plan, event.value):
            status.update(f"The symbol does not match: type {plan.symbol} exactly (nothing sent).")
            return
        if self.request is not None:  # send the order made on the data as it is now
            try:
                plan, moved = self.service.replan(plan, self.request)
            except REFUSALS as exc:
                self._refuse(f"{_reason(exc)} (nothing sent)")
                return
            if moved is not None:
                self.plan = plan
                self.query_one(self.part("preview"), Static).update(self.describe(plan))
                status.update(
                    f"Not sent: {moved} since the preview. "
                    f"Check the order above; type {plan.symbol} again to send it."
                )
                event.input.value = ""
                return
        self.sending = True
        event.input.disabled = True
        status.update(
            glyphs.text(
                f"Sending {plan.order.side} {plan.order.contracts:g} {plan.symbol}…"
                if not self.service.dry_run
                else "Dry run: recording the order that would be sent…"
            )
        )
        self._execute(plan)

    @work(exclusive=True, group="order")
    async def _execute(self, plan: PlanT) -> None:
        status = self.query_one(self.part("status"), Static)
        try:
            result = await self.service.execute(plan)
        except Exception as exc:  # shown, never crash the dashboard
            status.update(f"Failed: {exc}")
            self.sending = False
            return
        self.result = result
        self.sending = False
        text = result.summary()
        status.update(("Done: " if result.ok else "Not done: ") + text + "\n[Esc] close")

    def action_close(self) -> None:
        if self.sending:
            self.notify("the order is in flight; wait for the result", severity="warning")
            return
        self.closing()
        self.dismiss(self.result)
