"""The stress test of the selected hedge on a shipped crash (the command palette's "Stress
test: <hedge> on <crash>"): the same table as ``hedgetui stress --hedge NAME --history CRASH``,
the path scaled to start at the hedge's current mark. Escape (or q) goes back."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from hedgetui.history.crashes import PRICE_SOURCE, crash, crash_bars, crash_funding
from hedgetui.history.stress_report import StressRun, stress_text
from hedgetui.history.stress_run import run_stress, stress_hedges
from hedgetui.store import Store


def stress_of(store: Store, hedge: str, crash_name: str) -> StressRun | str:
    """The run for ``hedge`` on ``crash_name`` with the position the dashboard knows (typed in,
    or the account's) from the current mark (the entry while no mark has come); or the one line
    that says why there is none."""
    settings = store.settings.hedge(hedge)
    position = store.position(hedge)
    view = next((h for h in store.snapshot().hedges if h.name == hedge), None)
    mark = view.mark if view is not None else None
    chosen, notes = stress_hedges(
        [settings],
        positions={hedge: position} if position is not None else {},
        start_prices={hedge: mark} if mark is not None else {},
    )
    if not chosen:
        return f"no position known for '{hedge}' yet: nothing to test"
    c = crash(crash_name)
    return run_stress(
        name=c.name,
        title=c.title,
        source=f"prices: {PRICE_SOURCE} ({c.price_file}); funding: {c.funding_file}",
        bars=crash_bars(c.name),
        hedges=chosen,
        records=crash_funding(c.name),
        records_label=c.funding_label,
        notes=notes,
    )


class StressScreen(ModalScreen[None]):
    """One hedge through one crash: hedged vs unhedged, liquidation, funding."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss_stress", "Back", show=False, id="stress-close"),
    ]
    DEFAULT_CSS = """
    StressScreen { align: center middle; }
    #stress-box {
        width: auto; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; padding: 0 1; background: $surface;
    }
    #stress-title { text-style: bold; }
    #stress-table { width: auto; }
    #stress-keys { color: $text-muted; }
    """

    def __init__(self, store: Store, hedge: str, crash_name: str) -> None:
        super().__init__()
        self.hedge = hedge
        self.crash_name = crash_name
        self.run = stress_of(store, hedge, crash_name)

    def compose(self) -> ComposeResult:
        if isinstance(self.run, str):
            body = self.run
        else:
            # the title line is the box's; the table's first line repeats it
            body = stress_text(self.run, portfolio=False).split("\n", 1)[1].rstrip("\n")
        with Vertical(id="stress-box"):
            yield Static(
                f"Stress test: {self.hedge} on {self.crash_name}", id="stress-title", markup=False
            )
            yield Static(body, id="stress-table", markup=False)
            yield Static("escape: back", id="stress-keys", markup=False)

    def action_dismiss_stress(self) -> None:
        self.dismiss(None)
