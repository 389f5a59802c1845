"""The what-if rows the dashboard shows: recomputed at most once a second while only prices move.

:class:`WhatIfRows` is the part of :class:`~hedgetui.ui.app.HedgeApp` that asks the store for
the selected hedge's what-if table (the standard moves and a typed one) and keeps it while
nothing that matters changed, and that cuts it to the moves the layout budget has room for.
A new selection, a typed move, a change in staleness or a mark more than
``WHAT_IF_DRIFT_PCT`` away from the rows' shows at once.
"""

from __future__ import annotations

from textual.app import App

from hedgetui.domain import DashboardView, HedgeView, ScenarioRow
from hedgetui.store import Store
from hedgetui.ui import what_if
from hedgetui.ui.budget import Plan

WHAT_IF_DRIFT_PCT = 0.25  # recompute the what-if rows at once when the mark moved this far


class WhatIfRows(App[None]):
    """The what-if rows' cache (the app's state is set by :class:`~hedgetui.ui.app.HedgeApp`)."""

    store: Store
    selected: int
    typed_move: float | None
    plan: Plan
    _shown_moves: tuple[tuple[ScenarioRow, ...], int, tuple[ScenarioRow, ...]]
    _what_if_key: tuple[int, float | None, bool, bool] | None
    _what_if_version: int
    _what_if_at: float
    _what_if: tuple[tuple[ScenarioRow, ...], ScenarioRow | None]

    def _kept_moves(self, rows: tuple[ScenarioRow, ...]) -> tuple[ScenarioRow, ...]:
        """The what-if rows the budget has room for (the same tuple while nothing changed:
        the panel skips rows it already shows)."""
        count = self.plan.what_if_moves
        last_rows, last_count, kept = self._shown_moves
        if rows is not last_rows or count != last_count:
            kept = what_if.kept_moves(rows, count)
            self._shown_moves = (rows, count, kept)
        return kept

    def _what_if_rows(
        self, view: DashboardView, hedge: HedgeView | None
    ) -> tuple[tuple[ScenarioRow, ...], ScenarioRow | None]:
        """The what-if rows, recomputed at most once a second while only prices move.

        A what-if table is for planning: following every tick would cost a repaint of the whole
        panel several times a second for digits nobody reads that fast. A new selection, a
        typed move, a change in staleness or a mark more than ``WHAT_IF_DRIFT_PCT`` away from
        the one the rows were computed at (a fast market) shows at once.
        """
        if hedge is None:
            return (), None
        key = (self.selected, self.typed_move, hedge.stale, hedge.report is None)
        now = self.store.clock.monotonic()
        moved = view.version != self._what_if_version and now - self._what_if_at >= 1.0
        base = what_if.what_if_base(self._what_if[0])
        if base and hedge.mark is not None:
            moved = moved or abs(hedge.mark / base - 1) * 100 > WHAT_IF_DRIFT_PCT
        if key != self._what_if_key or moved:
            moves = list(what_if.WHAT_IF_MOVES)
            if self.typed_move is not None and self.typed_move not in moves:
                moves.append(self.typed_move)
            rows = self.store.what_if_table(hedge.name, moves)
            typed = next((r for r in rows if r.move_pct == self.typed_move), None)
            self._what_if = (tuple(r for r in rows if r is not typed), typed)
            self._what_if_key = key
            self._what_if_version = view.version
            self._what_if_at = now
        return self._what_if
