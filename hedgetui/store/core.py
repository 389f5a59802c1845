"""The reactive store: latest market/account state, freshness, and the derived risk view.

One ``Store`` lives on the asyncio loop. Feeds call :meth:`Store.apply` for every event; that is
O(1) (a dict write, a ring append) and only marks the store dirty. Readers (the dashboard, the
alert engine, ``status``) call :meth:`Store.snapshot`, which re-runs the risk engine at most once
per call and only when an input changed since the last call. Freshness and countdowns are
re-derived from the injected clock on every call (cheap), so a silent feed turns stale without any
event arriving.

The ``Store`` is put together from parts: applying events (``apply``) is
``hedgetui.store.ingest``, the accounts' health, positions and balances
``hedgetui.store.accounts``, the funding history and the history rings
``hedgetui.store.history``; this module sets it up and derives the view (``snapshot``).

Funding carried from venue funding events: ``hedgetui.store.funding`` (its rules).

Freshness (of values by age, of account positions by their source's health):
``hedgetui.store.freshness``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.config import Settings
from hedgetui.domain import (
    BalanceUpdate,
    DashboardView,
    FeedState,
    FeedStatus,
    FeedView,
    Freshness,
    HedgeView,
    ScenarioRow,
)
from hedgetui.history.model import FundingPayment, FundingSeries
from hedgetui.risk import assess
from hedgetui.store.carry import carry_of
from hedgetui.store.freshness import by_age
from hedgetui.store.history import StoreHistory
from hedgetui.store.ingest import StoreIngest
from hedgetui.store.setup import hedge_states, plausibility_gate
from hedgetui.store.state import (
    AccountHealth,
    AccountPosition,
    FundingState,
    HedgeState,
    Inputs,
    Key,
)
from hedgetui.store.suggestion import band_suggestion
from hedgetui.store.views import hedge_view, totals

IndexSymbolFn = Callable[[str, str], str]

_INF = float("inf")


def adapter_index_symbol(venue: str, symbol: str) -> str:
    """The symbol under which ``venue`` reports the index of ``symbol`` (OKX: ``BTC-USD``)."""
    from hedgetui.feeds import get_adapter  # feeds pull websockets: only when needed

    return get_adapter(venue).index_symbol(symbol)


class Store(StoreIngest, StoreHistory):
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

    # ------------------------------------------------------------------ output

    def hedge_names(self) -> tuple[str, ...]:
        return tuple(self._hedges)

    def refused_counts(self) -> dict[tuple[str, str], int]:
        """Implausible values refused so far, per (venue, field) (see ``hedgetui.plausibility``)."""
        return dict(self._gate.counts)

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
