"""How fresh the store's values are: by their age, and an account's positions by its source.

A value is FRESH for ``freshness.delayed_after_s`` after it was received, then DELAYED, then
STALE after ``freshness.stale_after_s``; NONE before the first.

Account positions follow their source's health. The runtime reports each account's stream (or
REST poller) through ``Store.account_status``; a position from that account is FRESH while the
source is LIVE, and once it stops being live it ages like a price from that moment (delayed,
then STALE), so a dead stream never looks current; NONE for a source that could not start at
all. Before the first snapshot the position is NONE ("position unknown"). A position whose
account never reported any health (applied once by a one-shot command) counts as fresh.
"""

from __future__ import annotations

from hedgetui.config import FreshnessSettings
from hedgetui.domain import FeedState, FeedStatus, Freshness
from hedgetui.store.state import AccountHealth


def by_age(age: float | None, fresh: FreshnessSettings) -> Freshness:
    """The freshness of a value received ``age`` seconds ago (None: never)."""
    if age is None:
        return Freshness.NONE
    if age < fresh.delayed_after_s:
        return Freshness.FRESH
    if age < fresh.stale_after_s:
        return Freshness.DELAYED
    return Freshness.STALE


def of_health(health: AccountHealth, now: float, fresh: FreshnessSettings) -> Freshness:
    """What a position from an account with this source health counts as at ``now``."""
    if health.state is FeedState.LIVE:
        return Freshness.FRESH
    if health.source == "none":
        return Freshness.NONE
    since = health.not_live_since
    return by_age(None if since is None else now - since, fresh)


def record_health(
    accounts: dict[str, AccountHealth], account: str, status: FeedStatus, source: str, now: float
) -> None:
    """Record ``status`` of ``account``'s source, remembering when it stopped being live."""
    health = accounts.get(account)
    if health is None:
        health = AccountHealth(status.venue, status.state, now, source=source)
        accounts[account] = health
    if status.state is FeedState.LIVE:
        health.not_live_since = None
    elif health.not_live_since is None:
        health.not_live_since = now
    health.state = status.state
    health.last_error = status.last_error
    health.failure = status.failure
    health.reconnects = status.reconnects
    health.source = source
