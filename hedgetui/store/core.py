"""The reactive store: latest market/account state, freshness, and the derived risk view.

One ``Store`` lives on the asyncio loop. Feeds call :meth:`Store.apply` for every event; that is
O(1) (a dict write, a ring append) and only marks the store dirty. Readers (the dashboard, the
alert engine, ``status``) call :meth:`Store.snapshot`, which re-runs the risk engine at most once
per call and only when an input changed since the last call. Freshness and countdowns are
re-derived from the injected clock on every call (cheap), so a silent feed turns stale without any
event arriving.

Funding carried from venue funding events: ``hedgetui.store.funding`` (its rules).

Freshness (of values by age, of account positions by their source's health):
``hedgetui.store.freshness``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.config import HedgeSettings, Settings
from hedgetui.domain import (
    AccountView,
    BalanceUpdate,
    DashboardView,
    Event,
    FailureKind,
    FeedFailure,
    FeedState,
    FeedStatus,
    FeedView,
    Freshness,
    Funding,
    HedgeView,
    IndexPrice,
    MarkPrice,
    PositionUpdate,
    ScenarioRow,
    Ticker,
)
from hedgetui.history.model import FundingPayment, FundingSeries
from hedgetui.risk import InversePosition, assess
from hedgetui.store.carry import carry_of
from hedgetui.store.freshness import by_age, of_health, record_health
from hedgetui.store.funding import announce, carry, settle
from hedgetui.store.positions import account_position
from hedgetui.store.setup import hedge_states, plausibility_gate
from hedgetui.store.state import (
    HISTORY_BUCKET_S,
    AccountHealth,
    AccountPosition,
    FundingState,
    HedgeState,
    Inputs,
    Key,
    Stamped,
)
from hedgetui.store.suggestion import band_suggestion
from hedgetui.store.views import hedge_view, totals

IndexSymbolFn = Callable[[str, str], str]

WALL_REREAD_S = 1.0
"""``apply`` re-reads the wall clock at least this often (and every snapshot does): the
plausibility gate compares exchange times with it, within minutes."""

_INF = float("inf")


def adapter_index_symbol(venue: str, symbol: str) -> str:
    """The symbol under which ``venue`` reports the index of ``symbol`` (OKX: ``BTC-USD``)."""
    from hedgetui.feeds import get_adapter  # feeds pull websockets: only when needed

    return get_adapter(venue).index_symbol(symbol)


class Store:
    """The single source of truth for the dashboard, alerts and headless commands."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        index_symbol: IndexSymbolFn | None = None,
        extra_venues: Iterable[str] = (),
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SYSTEM_CLOCK
        self.version = 0
        self._computed_version = -1
        self.on_change: Callable[[], None] | None = None
        """Called after every :meth:`apply` / :meth:`account_status` (the dashboard schedules its
        repaint from it); must be cheap and must not call back into the store."""
        self._index_symbol = index_symbol or adapter_index_symbol
        self._inputs: dict[Key, Inputs] = {}  # latest market values, per (venue, symbol)
        self._positions: dict[tuple[str, str, str | None], AccountPosition] = {}
        self._balances: dict[tuple[str, str, str | None], BalanceUpdate] = {}
        self._feeds: dict[str, FeedStatus] = {}
        self._accounts: dict[str, AccountHealth] = {}
        self._last_data: dict[str, float] = {}  # venue -> monotonic of the last market event
        self._hedges = hedge_states(settings, self._index_symbol)
        for state in self._hedges.values():  # every hedge's inputs exist from the start
            self._inputs_of(state.index_key)
            inputs = self._inputs_of((state.settings.venue, state.settings.symbol))
            inputs.hedges += (state,)
        venues = [h.venue for h in settings.hedges] + list(extra_venues)
        self.venues: tuple[str, ...] = tuple(dict.fromkeys(venues))
        self._gate = plausibility_gate(settings, self._hedges.values())
        self._wall_offset = 0.0  # clock.time() - clock.monotonic(), re-read at least every second
        self._wall_read_at = -_INF
        # the funding history (hedgetui.history): per (venue, symbol), per (account, symbol)
        self._history: dict[Key, FundingSeries] = {}
        self._history_status: dict[Key, str] = {}
        self._paid: dict[tuple[str, str], list[FundingPayment]] = {}
        self._history_version = 0

    # ------------------------------------------------------------------ input

    def apply(self, event: Event) -> None:
        """Record one event. O(1); the derived view is recomputed lazily by :meth:`snapshot`.

        Every market event and account position passes the plausibility gate first
        (``hedgetui.plausibility``): a refused value is not stored and its input's freshness is
        not refreshed (it ages to stale); the event's other values are kept.
        A :class:`Ticker` is applied field by field, exactly as its :meth:`Ticker.parts` would be
        (mark, then index, then funding), without building them.
        """
        now = self.clock.monotonic()
        if now - self._wall_read_at >= WALL_REREAD_S:
            self._read_wall(now)
        now_ms = int((now + self._wall_offset) * 1000)  # the wall clock, without a clock call
        if isinstance(event, Ticker):  # the hot path: most venues send one per frame
            checked = self._gate.ticker(event, now_ms)
            if checked is not None:
                venue, symbol, ts, mark, index, rate, predicted, next_time, hours = checked
                inputs = self._inputs.get((venue, symbol)) or self._inputs_of((venue, symbol))
                if mark is not None:
                    self._put_mark(inputs, mark, ts, now)
                if index is not None:
                    self._put_index(inputs, index, ts, now)
                if rate is not None:
                    self._put_funding(inputs, rate, predicted, next_time, hours, ts, now)
                self._last_data[venue] = now
        elif isinstance(event, MarkPrice):
            if self._gate.price_event(event, now_ms):
                inputs = self._inputs_of((event.venue, event.symbol))
                self._put_mark(inputs, event.price, event.ts, now)
                self._last_data[event.venue] = now
        elif isinstance(event, IndexPrice):
            if self._gate.price_event(event, now_ms):
                inputs = self._inputs_of((event.venue, event.symbol))
                self._put_index(inputs, event.price, event.ts, now)
                self._last_data[event.venue] = now
        elif isinstance(event, Funding):
            funding = self._gate.funding(event, now_ms)
            if funding is not None:
                self._put_funding(
                    self._inputs_of((funding.venue, funding.symbol)),
                    funding.rate,
                    funding.predicted_rate,
                    funding.next_funding_time,
                    funding.interval_hours,
                    funding.ts,
                    now,
                )
                self._last_data[funding.venue] = now
        elif isinstance(event, FeedStatus):
            self._feeds[event.venue] = event
        elif isinstance(event, PositionUpdate):
            if self._gate.position(event, now_ms):
                self._positions[(event.venue, event.symbol, event.account)] = AccountPosition(
                    event, now
                )
        else:
            self._balances[(event.venue, event.coin.upper(), event.account)] = event
        self.version += 1
        if self.on_change is not None:
            self.on_change()

    def _read_wall(self, now: float) -> None:
        """Re-read the wall clock's offset from the monotonic one (the gate's time checks)."""
        self._wall_offset = self.clock.time() - self.clock.monotonic()
        self._wall_read_at = now

    def _inputs_of(self, key: Key) -> Inputs:
        inputs = self._inputs.get(key)
        if inputs is None:
            inputs = self._inputs[key] = Inputs()
        return inputs

    def _put_mark(self, inputs: Inputs, price: float, ts: int | None, now: float) -> None:
        stamped = inputs.mark
        if stamped is None:
            inputs.mark = Stamped(price, ts, now)
        else:  # in place: the hot path allocates nothing
            stamped.price, stamped.ts, stamped.received = price, ts, now
        if not inputs.hedges:
            return
        bucket = now // HISTORY_BUCKET_S
        for hedge in inputs.hedges:
            ring = hedge.mark_ring
            if ring and hedge.mark_bucket == bucket:
                ring[-1] = price
            else:
                ring.append(price)
                hedge.mark_bucket = bucket
                index = self._inputs[hedge.index_key].index  # the basis: once a second
                if index is not None and index.price > 0:
                    hedge.basis_ring.append((price - index.price) / index.price * 1e4)
            due = hedge.pending_funding_ms
            if due is not None and ts is not None and ts >= due:
                self._credit_funding(hedge, due)  # the exchange's time passed the funding time

    def _put_index(self, inputs: Inputs, price: float, ts: int | None, now: float) -> None:
        stamped = inputs.index
        if stamped is None:
            inputs.index = Stamped(price, ts, now)
        else:
            stamped.price, stamped.ts, stamped.received = price, ts, now

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

    def _put_funding(
        self,
        inputs: Inputs,
        rate: float,
        predicted: float | None,
        next_time: int | None,
        interval_hours: float | None,
        ts: int | None,
        now: float,
    ) -> None:
        if inputs.hedges:
            bucket = now // HISTORY_BUCKET_S
            for hedge in inputs.hedges:  # before the new rate replaces the announced one
                due = hedge.pending_funding_ms
                if due is not None and ts is not None and ts >= due:
                    self._credit_funding(hedge, due)
                if next_time is not None and next_time != hedge.pending_funding_ms:
                    exchange_now = ts if ts is not None else int(self.clock.time() * 1000)
                    announce(hedge, next_time, interval_hours, exchange_now, self._credit_funding)
                ring = hedge.funding_ring
                if ring and hedge.funding_bucket == bucket:
                    ring[-1] = rate
                else:
                    ring.append(rate)
                    hedge.funding_bucket = bucket
        state = inputs.funding
        if state is None:
            inputs.funding = FundingState(rate, predicted, next_time, interval_hours, now)
        else:  # in place: the hot path allocates nothing
            state.rate, state.predicted, state.next_time = rate, predicted, next_time
            state.interval_hours, state.received = interval_hours, now

    def _credit_funding(self, hedge: HedgeState, due: int) -> None:
        """Credit the funding event at ``due`` (its passing was shown by exchange data) once."""
        if not settle(hedge, due):
            return
        inputs = self._inputs[(hedge.settings.venue, hedge.settings.symbol)]
        funding, mark = inputs.funding, inputs.mark
        position = self._position_of(hedge)
        if funding is None or mark is None or position is None or not mark.price > 0:
            return
        carry(hedge, funding.rate, mark.price, position)
        self.version += 1

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

    # ------------------------------------------------------------------ output

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

    def hedge_names(self) -> tuple[str, ...]:
        return tuple(self._hedges)

    def refused_counts(self) -> dict[tuple[str, str], int]:
        """Implausible values refused so far, per (venue, field) (see ``hedgetui.plausibility``)."""
        return dict(self._gate.counts)

    def mark_history(self, hedge: str) -> Sequence[float]:
        """Mark prices of ``hedge``, oldest first, at most one per second (for sparklines)."""
        return tuple(self._hedges[hedge].mark_ring)

    def funding_history(self, hedge: str) -> Sequence[float]:
        """Funding rates of ``hedge`` (fraction per interval), oldest first."""
        return tuple(self._hedges[hedge].funding_ring)

    def position(self, hedge: str) -> InversePosition | None:
        """The position the risk engine sees for ``hedge`` (None while unknown)."""
        return self._position_of(self._hedges[hedge])

    def balance(self, hedge: str) -> BalanceUpdate | None:
        """The hedge's account's last balance in the hedge's coin: the wallet balance, and the
        margin new orders may use when the venue said (None: a typed-in position, or none yet)."""
        hs = self._hedges[hedge].settings
        return None if hs.account is None else self._account_balance(hs)

    def what_if(self, hedge: str, move_pct: float) -> ScenarioRow | None:
        """The scenario row for the mark of ``hedge`` moved by ``move_pct`` (None: no data)."""
        state = self._hedges[hedge]
        mark = self._inputs[(state.settings.venue, state.settings.symbol)].mark
        position = self._position_of(state)
        if mark is None or position is None:
            return None
        report = assess(position, mark.price, spot=state.settings.spot_total, scenarios=(move_pct,))
        return report.scenarios[0] if report.scenarios else None

    def what_if_table(self, hedge: str, moves: Sequence[float]) -> tuple[ScenarioRow, ...]:
        """Scenario rows for several moves in one risk-engine call (empty: no data)."""
        state = self._hedges[hedge]
        mark = self._inputs[(state.settings.venue, state.settings.symbol)].mark
        position = self._position_of(state)
        if mark is None or position is None or not moves:
            return ()
        report = assess(
            position, mark.price, spot=state.settings.spot_total, scenarios=tuple(moves)
        )
        return report.scenarios

    def snapshot(self) -> DashboardView:
        """One consistent view of everything. Risk is recomputed only if an input changed."""
        now_ms = int(self.clock.time() * 1000)
        self._read_wall(self.clock.monotonic())
        if self._computed_version != self.version:
            for hedge in self._hedges.values():
                self._recompute(hedge)
            self._computed_version = self.version
        hedges = tuple(self._hedge_view(h, now_ms) for h in self._hedges.values())
        return DashboardView(
            at=self.clock.time(),
            version=self.version,
            hedges=hedges,
            totals=totals(hedges),
            feeds=tuple(self._feed_view(v) for v in self.venues),
            accounts=self.account_views(),
        )

    # ------------------------------------------------------------------ derivation

    def _recompute(self, hedge: HedgeState) -> None:
        hs = hedge.settings
        inputs = self._inputs[(hs.venue, hs.symbol)]
        mark = inputs.mark
        hedge.position = self._position_of(hedge)
        hedge.suggestion = None
        funding = inputs.funding
        rate = funding.rate if funding else None
        hours = self._funding_hours(hedge, funding)
        carry_of(
            hedge,
            self._history.get((hs.venue, hs.symbol)),
            self._paid.get((hs.account, hs.symbol)) if hs.account is not None else None,
            self._history_version,
            mark.price if mark else None,
            rate,
            hours,
            int(self.clock.time() * 1000),
        )
        if mark is None or hedge.position is None:
            hedge.report = None
            return
        try:
            hedge.report = assess(
                hedge.position,
                mark.price,
                spot=hs.spot_total,
                funding_rate=rate,
                funding_hours=hours,
            )
        except ValueError:  # e.g. a zero price from a broken frame: show "no data", keep going
            hedge.report = None
        hedge.suggestion = band_suggestion(  # None while the hedge is in its band
            self.settings,
            hs,
            hedge.position,
            hedge.report,
            mark.price,
            funding_rate=rate,
            funding_hours=hours,
        )

    def _funding_hours(self, hedge: HedgeState, funding: FundingState | None) -> float:
        if funding is not None and funding.interval_hours:
            return funding.interval_hours
        return hedge.profile.funding_interval_hours

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

    def _funding_freshness(self, key: Key, funding: FundingState | None) -> Freshness:
        """A funding rate is as fresh as its venue's feed once received.

        Venues push funding only when it changes (BitMEX instrument updates, OKX every 30-90 s),
        so its own age says nothing; a live feed delivering data means the last rate is current.
        Once the venue's latest funding for this key was refused as implausible, the stored one
        ages from when it was received instead (it goes stale, never looks current).
        """
        if funding is None:
            return Freshness.NONE
        if key in self._gate.funding_refused:
            return self._freshness(funding.received)
        return self._freshness(self._last_data.get(key[0]))

    def _freshness(self, received: float | None) -> Freshness:
        age = None if received is None else self.clock.monotonic() - received
        return by_age(age, self.settings.freshness)

    def _hedge_view(self, hedge: HedgeState, now_ms: int) -> HedgeView:
        hs = hedge.settings
        key = (hs.venue, hs.symbol)
        inputs = self._inputs[key]
        mark, funding = inputs.mark, inputs.funding
        index = self._inputs[hedge.index_key].index
        if hs.position is not None:
            position_freshness = Freshness.FRESH  # entered by hand: as fresh as the config
        else:
            position_freshness = self._account_freshness(hs)
        return hedge_view(
            hedge,
            mark=mark,
            index=index,
            funding=funding,
            account=self._account_position(hs) if hs.position is None else None,
            hours=self._funding_hours(hedge, funding),
            freshness=(
                self._freshness(mark.received if mark else None),
                self._freshness(index.received if index else None),
                self._funding_freshness(key, funding),
                position_freshness,
            ),
            now_ms=now_ms,
        )

    def _feed_view(self, venue: str) -> FeedView:
        status = self._feeds.get(venue)
        last = self._last_data.get(venue)
        age = None if last is None else self.clock.monotonic() - last
        return FeedView(
            venue=venue,
            state=status.state if status else FeedState.CONNECTING,
            freshness=self._freshness(last),
            last_message_age=age,
            reconnects=status.reconnects if status else 0,
            last_error=status.last_error if status else None,
            latency_ms=status.latency_ms if status else None,
            malformed=status.malformed if status else 0,
            refused=self._gate.refused(venue),
            failure=status.failure if status else None,
        )
