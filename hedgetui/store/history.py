"""The store's histories: the funding history and payments it is given, and the per-second rings.

:class:`StoreHistory` is the part of :class:`~hedgetui.store.core.Store` that keeps history:
the funding-rate history and realised payments that ``runtime.funding_history`` fetches (the
carry figures are recomputed from them at the next snapshot, not per frame), and read-outs of
each hedge's mark, funding and basis rings (one value per second, for the sparklines).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hedgetui.history.model import FundingPayment, FundingSeries
from hedgetui.store.state import HedgeState, Key


class StoreHistory:
    """Funding history, payments, and the hedges' history rings (set up by ``Store.__init__``)."""

    version: int
    on_change: Callable[[], None] | None
    _hedges: dict[str, HedgeState]
    _history: dict[Key, FundingSeries]
    _history_status: dict[Key, str]
    _paid: dict[tuple[str, str], list[FundingPayment]]
    _history_version: int

    def set_funding_history(
        self, venue: str, symbol: str, series: FundingSeries, *, status: str | None = None
    ) -> None:
        """The funding history of one instrument (from ``runtime.funding_history``) and its
        fetch status in one line (last fetch, gap, error): the carry figures of the hedges on
        it are recomputed at the next snapshot, not on every frame."""
        self._history[(venue, symbol)] = series
        if status is None:
            self._history_status.pop((venue, symbol), None)
        else:
            self._history_status[(venue, symbol)] = status
        self._history_changed()

    def set_funding_payments(
        self, account: str, symbol: str, payments: Sequence[FundingPayment]
    ) -> None:
        """The realised funding payments of ``account`` on ``symbol``: preferred over the rate
        history for the hedges reading their position from that account."""
        self._paid[(account, symbol)] = list(payments)
        self._history_changed()

    def _history_changed(self) -> None:
        self._history_version += 1
        self.version += 1
        if self.on_change is not None:
            self.on_change()

    def funding_series(self, hedge: str) -> FundingSeries | None:
        """The funding history of ``hedge``'s instrument (None: none received)."""
        hs = self._hedges[hedge].settings
        return self._history.get((hs.venue, hs.symbol))

    def funding_history_status(self, hedge: str) -> str | None:
        """The fetch status of ``hedge``'s funding history, one line (None: nothing to say)."""
        hs = self._hedges[hedge].settings
        return self._history_status.get((hs.venue, hs.symbol))

    def basis_history(self, hedge: str) -> Sequence[float]:
        """The basis of ``hedge`` (mark - index, bps), oldest first, at most one per second."""
        return tuple(self._hedges[hedge].basis_ring)

    def mark_history(self, hedge: str) -> Sequence[float]:
        """Mark prices of ``hedge``, oldest first, at most one per second (for sparklines)."""
        return tuple(self._hedges[hedge].mark_ring)

    def funding_history(self, hedge: str) -> Sequence[float]:
        """Funding rates of ``hedge`` (fraction per interval), oldest first."""
        return tuple(self._hedges[hedge].funding_ring)
