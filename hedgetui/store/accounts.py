"""The store's accounts: each account source's health, and the position and balance a hedge reads.

:class:`StoreAccounts` is the part of :class:`~hedgetui.store.core.Store` that answers for
accounts: it records each source's health (``account_status``, ``account_problem``), lists the
accounts (``account_views``), and finds a hedge's position and balance among the account events
received (an event without an account name matches every account of its venue). The
freshness rules it applies are ``hedgetui.store.freshness``'s.
"""

from __future__ import annotations

from collections.abc import Callable

from hedgetui.clock import Clock
from hedgetui.config import HedgeSettings, Settings
from hedgetui.domain import (
    AccountView,
    BalanceUpdate,
    FailureKind,
    FeedFailure,
    FeedState,
    FeedStatus,
    Freshness,
)
from hedgetui.risk import InversePosition
from hedgetui.store.freshness import of_health, record_health
from hedgetui.store.positions import account_position
from hedgetui.store.state import AccountHealth, AccountPosition, HedgeState


class StoreAccounts:
    """Account health, and each hedge's position and balance (set up by ``Store.__init__``)."""

    settings: Settings
    clock: Clock
    version: int
    on_change: Callable[[], None] | None
    _positions: dict[tuple[str, str, str | None], AccountPosition]
    _balances: dict[tuple[str, str, str | None], BalanceUpdate]
    _accounts: dict[str, AccountHealth]
    _hedges: dict[str, HedgeState]

    def account_status(self, account: str, status: FeedStatus, *, source: str = "stream") -> None:
        """Record the health of ``account``'s data source (its stream's ``on_status``).

        Positions from that account are fresh only while it is LIVE (see the module doc).
        """
        record_health(self._accounts, account, status, source, self.clock.monotonic())
        self.version += 1
        if self.on_change is not None:
            self.on_change()

    def account_problem(self, account: str, venue: str, message: str) -> None:
        """``account`` has no data source at all (e.g. its keys are missing): say why.

        Its hedges keep showing "position unknown" (no position ever arrives).
        """
        failure = FeedFailure(FailureKind.ERROR, message)
        status = FeedStatus(venue, FeedState.DOWN, last_error=message, failure=failure)
        self.account_status(account, status, source="none")

    def account_views(self) -> tuple[AccountView, ...]:
        """Every account a source was started (or failed to start) for, in start order."""
        return tuple(
            AccountView(
                name=name,
                venue=h.venue,
                state=h.state,
                freshness=self._health_freshness(h),
                last_error=h.last_error,
                reconnects=h.reconnects,
                source=h.source,
                failure=h.failure,
            )
            for name, h in self._accounts.items()
        )

    def _health_freshness(self, health: AccountHealth) -> Freshness:
        return of_health(health, self.clock.monotonic(), self.settings.freshness)

    def position(self, hedge: str) -> InversePosition | None:
        """The position the risk engine sees for ``hedge`` (None while unknown)."""
        return self._position_of(self._hedges[hedge])

    def balance(self, hedge: str) -> BalanceUpdate | None:
        """The hedge's account's last balance in the hedge's coin: the wallet balance, and the
        margin new orders may use when the venue said (None: a typed-in position, or none yet)."""
        hs = self._hedges[hedge].settings
        return None if hs.account is None else self._account_balance(hs)

    def _position_of(self, hedge: HedgeState) -> InversePosition | None:
        if hedge.manual is not None:
            return hedge.manual
        hs = hedge.settings
        found = self._account_position(hs)
        if found is None:
            return None
        return account_position(found.update, self._account_balance(hs), hedge.profile)

    def _account_balance(self, hs: HedgeSettings) -> BalanceUpdate | None:
        """The account's balance in the hedge's coin (events without an account name match)."""
        balance = self._balances.get((hs.venue, hs.coin.upper(), hs.account))
        if balance is None:
            balance = self._balances.get((hs.venue, hs.coin.upper(), None))
        return balance

    def _account_position(self, hs: HedgeSettings) -> AccountPosition | None:
        """The account's position for this hedge (events without an account name also match)."""
        found = self._positions.get((hs.venue, hs.symbol, hs.account))
        if found is None:
            found = self._positions.get((hs.venue, hs.symbol, None))
        return found

    def _account_freshness(self, hs: HedgeSettings) -> Freshness:
        """NONE before the first position; then the health of the account's source."""
        if self._account_position(hs) is None:
            return Freshness.NONE
        health = self._accounts.get(hs.account) if hs.account is not None else None
        if health is None:
            return Freshness.FRESH  # no source reports health: applied once by a command
        return self._health_freshness(health)
