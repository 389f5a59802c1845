"""The funding history service feeding the store: what to track for the configured hedges, and
each series the service reports pushed into the store (whose hedges' carry figures are then
recomputed once, not on every frame)."""

from __future__ import annotations

from collections.abc import Callable

from hedgetui.config import Settings
from hedgetui.history.funding.base import utc
from hedgetui.history.funding.service import FundingHistoryService, SeriesKey, SeriesStatus
from hedgetui.store import Store
from hedgetui.store.carry import since_ms


def carry_starts(settings: Settings) -> dict[tuple[str, str], int]:
    """(venue, symbol) -> the earliest ``carry_since`` of the hedges on that instrument (those
    without one: the funding history's lookback), for the service's ``since_ms``."""
    starts: dict[tuple[str, str], int] = {}
    for hedge in settings.hedges:
        start = since_ms(hedge.carry_since)
        if start is not None:
            key = (hedge.venue, hedge.symbol)
            starts[key] = min(start, starts.get(key, start))
    return starts


def status_line(status: SeriesStatus | None) -> str | None:
    """One line for the history screen: when it was last fetched, then the last error or the
    gaps; None before anything happened."""
    if status is None or (status.last_fetch_ms is None and status.last_error is None):
        return None
    fetched = f"fetched {utc(status.last_fetch_ms)}" if status.last_fetch_ms else "never fetched"
    if status.last_error is not None:
        return f"error: {status.last_error} ({fetched})"
    if status.gaps:
        missing = sum(g.missing for g in status.gaps)
        first = status.gaps[0].describe()
        if len(status.gaps) > 1:
            first += f" (+{len(status.gaps) - 1} more gaps, {missing} missing)"
        return f"{fetched}; {first}"
    return fetched


def link(service: FundingHistoryService, store: Store) -> Callable[[], None]:
    """Push every series ``service`` has, and each it reports from now on, into ``store``;
    returns the unsubscribe function."""

    def update(key: SeriesKey) -> None:
        status = service.status(key)
        if key.kind == "rates":
            store.set_funding_history(
                key.owner,
                key.symbol,
                service.series(key.owner, key.symbol),
                status=status_line(status),
            )
        elif status is not None and status.last_fetch_ms is not None:
            # payments only once fetched: none yet is not "the account was paid nothing"
            paid = service.payments(key.owner, key.symbol)
            store.set_funding_payments(key.owner, key.symbol, paid)

    tracked = service.keys()
    for key in tracked:
        status = service.status(key)
        if status is not None and (status.last_fetch_ms is not None or status.last_error):
            update(key)
    return service.subscribe(update)
