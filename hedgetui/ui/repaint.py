"""The dashboard's repaints: when they happen, and one snapshot pushed into the widgets.

:class:`Repaints` is the part of :class:`~hedgetui.ui.app.HedgeApp` that repaints
(``refresh_view``: one ``store.snapshot()`` into the widgets, which mark their changed rows)
and decides when: the store's ``on_change`` only notes the first change of a batch; with a read
gate the painter repaints right after each pass that brought one, on a bare store it repaints
each batch ``1 / refresh_hz - PAINT_ALLOWANCE_S`` after its first change but never sooner than
``1 / refresh_hz`` after the last repaint began; and the clock repaints once a second when no
data did, for the ages, countdowns and staleness that move with it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.css.query import NoMatches

from hedgetui.config import AlertSettings
from hedgetui.domain import DashboardView
from hedgetui.ui import bars, table_rows
from hedgetui.ui.cadence import PAINT_ALLOWANCE_S, clock_repaint_due
from hedgetui.ui.card_grid import HedgeCards
from hedgetui.ui.layout import DashboardScreen, DashboardWidgets
from hedgetui.ui.screens import FollowsDashboard
from hedgetui.ui.textual_fast import one_update
from hedgetui.ui.what_if_rows import WhatIfRows
from hedgetui.ui.widgets import HedgeCard, HedgeTable, StatusBar, TotalsBar, WhatIfPanel

if TYPE_CHECKING:
    from hedgetui.feeds.read_gate import ReadGate


class Repaints(WhatIfRows):
    """The dashboard's repaints and painters (the app's state is set by
    :class:`~hedgetui.ui.app.HedgeApp`, which lays the dashboard out)."""

    refresh_hz: float
    _read_gate: ReadGate | None
    _clock_repaint_s: float
    _painted_at: float  # time.monotonic() of the last repaint
    _change_at: float | None  # first change not yet painted
    _change: asyncio.Event
    compact: bool
    last_view: DashboardView | None
    frames_painted: int
    on_painted: Callable[[DashboardView], None] | None
    _suggestion_count: int  # hedges out of band with a suggested order, last painted
    _alerts: list[AlertSettings]
    _widgets: DashboardWidgets | None

    if TYPE_CHECKING:
        # Declared for the type checker only (see DashboardKeys.refresh_view).
        def _apply_layout(self, width: int, height: int) -> None:
            """Lay the regions out for ``width`` x ``height`` (the app's)."""

    def _store_changed(self) -> None:
        """The store's ``on_change``: runs for every event, so it only notes the first one."""
        if self._change_at is None:
            self._change_at = time.monotonic()
            self._change.set()

    async def _paint_changes(self) -> None:
        """Repaint each batch of changes ``1 / refresh_hz - PAINT_ALLOWANCE_S`` after its first,
        and never sooner than ``1 / refresh_hz`` after the last repaint began.

        The second rule holds the cadence when changes never stop: feeds that tick out of step
        with each other start a new batch right after every repaint, and without it the screen
        would repaint every ``1 / refresh_hz - PAINT_ALLOWANCE_S`` (13 times a second at 10).
        A change still waits at most ``1 / refresh_hz``: it arrived after the last repaint
        began.
        """
        interval = 1 / self.refresh_hz
        delay = max(0.0, interval - PAINT_ALLOWANCE_S)
        while True:
            await self._change.wait()
            self._change.clear()
            first = self._change_at
            if first is not None:
                due = max(first + delay, self._painted_at + interval)
                # not one sleep: uvloop's timers count whole milliseconds and can wake one early
                while (wait := due - time.monotonic()) > 0:  # noqa: ASYNC110 (a deadline, not a poll)
                    await asyncio.sleep(wait)
            self._change_at = None  # changes from here on schedule the next repaint
            self.refresh_view()

    async def _paint_after_reads(self) -> None:
        """Repaint right after each pass of the read gate that brought a change.

        At the default refresh the passes are ``1 / refresh_hz`` apart, so this holds the
        cadence by itself, and a frame waits in its socket at most until the next pass, then a
        few milliseconds. A slower refresh still has the sockets read every
        ``MAX_READ_PERIOD_S`` and paints after every few passes. Changes that do not come from
        a socket (a feed going stale, a status) are painted after the next pass too.
        """
        gate = self._read_gate
        assert gate is not None
        # passes come every period_s <= 1 / refresh_hz: with a slower refresh, paint after the
        # first pass that is (to within half a pass) 1 / refresh_hz after this loop's last paint
        # (its own: a key's repaint in between must not hold the data back another pass)
        spacing = 1 / self.refresh_hz - gate.period_s / 2
        painted_at = float("-inf")
        while True:
            await gate.passed()
            if self._change_at is None or time.monotonic() - painted_at < spacing:
                continue
            self._change_at = None
            painted_at = time.monotonic()
            self.refresh_view()

    def _clock_repaint(self) -> None:
        """Ages, countdowns and staleness move with the clock: repaint when data has not."""
        if clock_repaint_due(time.monotonic() - self._painted_at, self._clock_repaint_s):
            self.refresh_view()

    def refresh_view(self) -> None:
        """Take one snapshot and push it to the widgets (the painter, the clock, a key)."""
        dashboard = self._dashboard_screen()
        if not self.is_running or dashboard is None:
            return
        w = self._dashboard_widgets()
        if w is None:
            return
        self._painted_at = time.monotonic()
        # under a dialog too: the screen behind stays live (Textual draws it under the dialog)
        with one_update(dashboard):  # on the terminal when the block ends
            self._show_view(w)
        dialog = self.screen
        if dialog is not dashboard and isinstance(dialog, FollowsDashboard):
            dialog.dashboard_painted()

    def _dashboard_screen(self) -> DashboardScreen | None:
        """The dashboard's screen, whether or not a dialog is on top of it."""
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                return screen
        return None

    def _show_view(self, w: DashboardWidgets) -> None:
        """One snapshot into the widgets; their changed rows are marked for the screen."""
        view = self.store.snapshot()
        self.last_view = view
        if view.hedges:
            self.selected %= len(view.hedges)
        w.status.show(bars.status_bar(view, self.size.width))
        totals_width = w.totals.content_region.width or self.size.width - 2
        w.totals.show(bars.totals_bar(view.totals, not self.compact, totals_width))
        card_rows = self.plan.card_rows
        suggestions = table_rows.suggestion_count(view)
        if suggestions != self._suggestion_count:  # a hedge left or came back into its band
            self._suggestion_count = suggestions
            self._apply_layout(self.size.width, self.size.height)
            card_rows = self.plan.card_rows
        if self.compact:
            width = w.table.content_region.width or self.size.width
            shown = self.plan.suggestion_rows
            w.table.show(table_rows.hedge_table(view, self._alerts, self.selected, width, shown))
            if view.hedges:
                hedge = view.hedges[self.selected]
                w.detail.show_hedge(
                    hedge,
                    self._alerts[self.selected],
                    selected=True,
                    marks=self.store.mark_history(hedge.name),
                    fundings=self.store.funding_history(hedge.name),
                    rows=card_rows,
                )
        else:
            for i, hedge in enumerate(view.hedges):
                w.cards.show_card(
                    i,
                    hedge,
                    self._alerts[i],
                    selected=i == self.selected,
                    marks=self.store.mark_history(hedge.name),
                    fundings=self.store.funding_history(hedge.name),
                    rows=card_rows,
                )
        selected = view.hedges[self.selected] if view.hedges else None
        rows, typed = self._what_if_rows(view, selected)
        w.what_if.show_rows(selected, self._kept_moves(rows), typed)
        self.frames_painted += 1
        if self.on_painted is not None:
            self.on_painted(view)

    def _dashboard_widgets(self) -> DashboardWidgets | None:
        """The dashboard's widgets, looked up once (a repaint must not search the DOM)."""
        screen = self._dashboard_screen()
        if self._widgets is None and screen is not None:
            try:
                self._widgets = DashboardWidgets(
                    status=screen.query_one("#status", StatusBar),
                    totals=screen.query_one("#totals", TotalsBar),
                    table=screen.query_one("#table", HedgeTable),
                    detail=screen.query_one("#detail", HedgeCard),
                    cards=screen.query_one("#cards", HedgeCards),
                    what_if=screen.query_one(WhatIfPanel),
                )
            except NoMatches:  # before compose finished
                return None
        return self._widgets
