"""The reactive store: latest market/account state, freshness, and the derived risk view.

One ``Store`` lives on the asyncio loop. Feeds call :meth:`Store.apply` for every event; that is
O(1) (a dict write, a ring append) and only marks the store dirty. Readers (the dashboard, the
alert engine, ``status``) call :meth:`Store.snapshot`, which re-runs the risk engine at most once
per call and only when an input changed since the last call. Freshness and countdowns are
re-derived from the injected clock on every call (cheap), so a silent feed turns stale without any
event arriving.

Funding carried: each venue funding *event* (identified by its time ``T``, as the venue announced
it) is credited once, ``rate × position value`` (positive = this position received it), at the
mark of that moment, with the last rate the venue announced for the interval ending at ``T``.
Only exchange data decides, never the local clock (which can jump) - see :meth:`Store._announce`:

* An event is *announced* by a next-funding time ``T`` that is a plausible funding time: on a whole
  UTC hour (every venue's funding grid is), after the frame's exchange time and at most one
  interval (at least 8 h) plus an hour ahead of it, and at least half an interval after the
  event announced or credited before it. Anything else (a next time creeping 100 ms ahead, a
  time already past, one a day ahead) announces nothing.
* An announced event is *credited* once the venue's own data shows ``T`` has passed: an exchange
  timestamp ``>= T`` on the instrument's mark or funding (a BitMEX ``funding`` settlement row
  carries ``T`` itself), or a next-funding time at least half an interval later (the venue moved
  on to the next interval). Events are credited in order and the last one is remembered, so each
  ``T`` is credited at most once; one first seen after it passed is never credited.
* Without a frame's exchange time (a rare tolerant-path frame) the local clock may only *refuse*
  an announcement (as already past or too far ahead), never credit one.
* Deribit announces no funding times (its funding accrues continuously): nothing is carried.

Account positions follow their source's health. The runtime reports each account's stream (or
REST poller) through :meth:`Store.account_status`; a position from that account is FRESH while
the source is LIVE, and once it stops being live it ages like a price from that moment (delayed,
then STALE after ``freshness.stale_after_s``), so a dead stream never looks current. Before the
first snapshot the position is NONE ("position unknown"). A position whose account never
reported any health (applied once by a one-shot command) counts as fresh.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.config import HedgeSettings, ManualPosition, Settings
from hedgetui.domain import (
    BalanceUpdate,
    DashboardView,
    Event,
    FeedState,
    FeedStatus,
    FeedView,
    Freshness,
    Funding,
    HedgeView,
    IndexPrice,
    MarkPrice,
    PositionUpdate,
    RiskReport,
    ScenarioRow,
    Side,
    Ticker,
    TotalsView,
)
from hedgetui.plausibility import Gate, Rules, price_band
from hedgetui.risk import InversePosition, assess
from hedgetui.venues import InstrumentProfile, get_instrument

Key = tuple[str, str]  # (venue, symbol)
IndexSymbolFn = Callable[[str, str], str]

HISTORY_BUCKET_S = 1.0
"""Sparkline rings keep at most one point per this many seconds (the last value wins)."""

WALL_REREAD_S = 1.0
"""``apply`` re-reads the wall clock at least this often (and every snapshot does): the
plausibility gate compares exchange times with it, within minutes."""

_INF = float("inf")

HOUR_MS = 3_600_000
"""Every venue's funding times are whole UTC hours: a next-funding time off the hour is none."""
FUNDING_LEAD_MIN_H = 8.0
"""A next-funding time may lie up to max(interval, this) + 1 h after the frame's exchange time."""


def adapter_index_symbol(venue: str, symbol: str) -> str:
    """The symbol under which ``venue`` reports the index of ``symbol`` (OKX: ``BTC-USD``)."""
    from hedgetui.feeds import get_adapter  # feeds pull websockets: only when needed

    return get_adapter(venue).index_symbol(symbol)


@dataclass(slots=True)
class _Stamped:
    """The latest value of one input with its exchange and receive times."""

    price: float
    ts: int | None
    received: float  # clock.monotonic() at apply


@dataclass(slots=True)
class _FundingState:
    rate: float
    predicted: float | None
    next_time: int | None
    interval_hours: float | None
    received: float


@dataclass(slots=True)
class _AccountPosition:
    update: PositionUpdate
    received: float


@dataclass(slots=True)
class _AccountHealth:
    """The connection health of one account's data source (private stream or REST poller)."""

    venue: str
    state: FeedState
    not_live_since: float | None  # monotonic when it stopped (or never started) being live
    last_error: str | None = None
    reconnects: int = 0
    source: str = "stream"


@dataclass(frozen=True, slots=True)
class AccountView:
    """One account's data source as the dashboard shows it.

    ``freshness`` is what a position from this account currently counts as (NONE until the
    source has been live once); ``source`` is ``"stream"``, ``"poll"`` or ``"none"`` (it could
    not start, ``last_error`` says why).
    """

    name: str
    venue: str
    state: FeedState
    freshness: Freshness
    last_error: str | None
    reconnects: int
    source: str


@dataclass(slots=True)
class _HedgeState:
    """Per-hedge mutable bookkeeping that is not market data."""

    settings: HedgeSettings
    index_key: Key
    contract_size: float
    profile: InstrumentProfile
    manual: InversePosition | None  # a hand-entered position, built once (it never changes)
    carried_coin: float = 0.0
    carried_usd: float = 0.0
    pending_funding_ms: int | None = None  # the announced funding event not credited yet
    credited_funding_ms: int | None = None  # the last funding event credited (each T once)
    report: RiskReport | None = None
    position: InversePosition | None = None
    mark_ring: deque[float] = field(default_factory=deque)
    funding_ring: deque[float] = field(default_factory=deque)
    mark_bucket: float = -1.0
    funding_bucket: float = -1.0


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
        self._marks: dict[Key, _Stamped] = {}
        self._indexes: dict[Key, _Stamped] = {}
        self._funding: dict[Key, _FundingState] = {}
        self._positions: dict[tuple[str, str, str | None], _AccountPosition] = {}
        self._balances: dict[tuple[str, str, str | None], BalanceUpdate] = {}
        self._feeds: dict[str, FeedStatus] = {}
        self._accounts: dict[str, _AccountHealth] = {}
        self._last_data: dict[str, float] = {}  # venue -> monotonic of the last market event
        points = max(2, settings.display.sparkline_points)
        self._hedges: dict[str, _HedgeState] = {}
        self._by_key: dict[Key, list[_HedgeState]] = {}
        for hedge in settings.hedges:
            profile = get_instrument(hedge.venue, hedge.symbol)
            pos = hedge.position
            size = pos.contract_size if pos and pos.contract_size else profile.contract_size
            manual = None
            if pos is not None:
                manual = manual_position(
                    pos, profile_contract_size=size, venue=hedge.venue, symbol=hedge.symbol
                )
            state = _HedgeState(
                settings=hedge,
                index_key=(hedge.venue, self._index_symbol(hedge.venue, hedge.symbol)),
                contract_size=size,
                profile=profile,
                manual=manual,
                mark_ring=deque(maxlen=points),
                funding_ring=deque(maxlen=points),
            )
            self._hedges[hedge.name] = state
            self._by_key.setdefault((hedge.venue, hedge.symbol), []).append(state)
        venues = [h.venue for h in settings.hedges] + list(extra_venues)
        self.venues: tuple[str, ...] = tuple(dict.fromkeys(venues))
        self._gate = Gate(_rules(settings), _price_bands(self._hedges.values()))
        self._wall_offset = 0.0  # clock.time() - clock.monotonic(), re-read at least every second
        self._wall_read_at = -_INF

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
                venue, symbol, ts = checked.venue, checked.symbol, checked.ts
                if checked.mark is not None:
                    self._put_mark(venue, symbol, checked.mark, ts, now)
                if checked.index is not None:
                    self._put_index(venue, symbol, checked.index, ts, now)
                if checked.funding_rate is not None:
                    self._put_funding(
                        venue,
                        symbol,
                        checked.funding_rate,
                        checked.predicted_rate,
                        checked.next_funding_time,
                        checked.interval_hours,
                        ts,
                        now,
                    )
                self._last_data[venue] = now
        elif isinstance(event, MarkPrice | IndexPrice):
            if self._gate.price_event(event, now_ms):
                if isinstance(event, MarkPrice):
                    self._put_mark(event.venue, event.symbol, event.price, event.ts, now)
                else:
                    self._put_index(event.venue, event.symbol, event.price, event.ts, now)
                self._last_data[event.venue] = now
        elif isinstance(event, Funding):
            funding = self._gate.funding(event, now_ms)
            if funding is not None:
                self._put_funding(
                    funding.venue,
                    funding.symbol,
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
                self._positions[(event.venue, event.symbol, event.account)] = _AccountPosition(
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

    def _put_mark(self, venue: str, symbol: str, price: float, ts: int | None, now: float) -> None:
        key = (venue, symbol)
        self._marks[key] = _Stamped(price, ts, now)
        for hedge in self._by_key.get(key, ()):
            hedge.mark_bucket = _ring_put(hedge.mark_ring, hedge.mark_bucket, now, price)
            due = hedge.pending_funding_ms
            if due is not None and ts is not None and ts >= due:
                self._credit_funding(hedge, due)  # the exchange's time passed the funding time

    def _put_index(self, venue: str, symbol: str, price: float, ts: int | None, now: float) -> None:
        self._indexes[(venue, symbol)] = _Stamped(price, ts, now)

    def account_status(self, account: str, status: FeedStatus, *, source: str = "stream") -> None:
        """Record the health of ``account``'s data source (its stream's ``on_status``).

        Positions from that account are fresh only while it is LIVE (see the module doc).
        """
        now = self.clock.monotonic()
        health = self._accounts.get(account)
        if health is None:
            health = _AccountHealth(status.venue, status.state, now, source=source)
            self._accounts[account] = health
        if status.state is FeedState.LIVE:
            health.not_live_since = None
        elif health.not_live_since is None:
            health.not_live_since = now
        health.state = status.state
        health.last_error = status.last_error
        health.reconnects = status.reconnects
        health.source = source
        self.version += 1
        if self.on_change is not None:
            self.on_change()

    def account_problem(self, account: str, venue: str, message: str) -> None:
        """``account`` has no data source at all (e.g. its keys are missing): say why.

        Its hedges keep showing "position unknown" (no position ever arrives).
        """
        status = FeedStatus(venue, FeedState.DOWN, last_error=message)
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
            )
            for name, h in self._accounts.items()
        )

    def _health_freshness(self, health: _AccountHealth) -> Freshness:
        if health.state is FeedState.LIVE:
            return Freshness.FRESH
        if health.source == "none":
            return Freshness.NONE
        return self._freshness(health.not_live_since)

    def _put_funding(
        self,
        venue: str,
        symbol: str,
        rate: float,
        predicted: float | None,
        next_time: int | None,
        interval_hours: float | None,
        ts: int | None,
        now: float,
    ) -> None:
        key = (venue, symbol)
        hedges = self._by_key.get(key, ())
        for hedge in hedges:  # before the new rate replaces the one announced for the event
            due = hedge.pending_funding_ms
            if due is not None and ts is not None and ts >= due:
                self._credit_funding(hedge, due)
            if next_time is not None:
                self._announce(hedge, next_time, interval_hours, ts)
        self._funding[key] = _FundingState(rate, predicted, next_time, interval_hours, now)
        for hedge in hedges:
            hedge.funding_bucket = _ring_put(hedge.funding_ring, hedge.funding_bucket, now, rate)

    def _announce(
        self, hedge: _HedgeState, next_time: int, interval_hours: float | None, ts: int | None
    ) -> None:
        """A next-funding time from the venue: a new funding event, or evidence one passed.

        The rule is in the module doc. ``next_time`` announces a new event only if it is a whole
        UTC hour, after the frame's exchange time ``ts`` (the local clock only when the frame has
        none) and at most ``max(interval, 8 h) + 1 h`` ahead of it, and at least half an interval
        after the pending or last credited event; when it is that far past the pending event,
        the venue has moved on and the pending event is credited first.
        """
        hours = hedge.profile.funding_interval_hours
        if interval_hours is not None and 0.0 < interval_hours < 10_000.0:
            hours = interval_hours
        if next_time % HOUR_MS:
            return
        exchange_now = ts if ts is not None else int(self.clock.time() * 1000)
        lead = next_time - exchange_now
        if lead <= 0 or lead > (max(hours, FUNDING_LEAD_MIN_H) + 1.0) * HOUR_MS:
            return
        half = hours * HOUR_MS / 2
        due = hedge.pending_funding_ms
        if due is not None:
            if next_time < due + half:
                return  # the same event (or an earlier time): nothing new
            self._credit_funding(hedge, due)  # the venue announced the following interval
        last = hedge.credited_funding_ms
        if last is None or next_time >= last + half:
            hedge.pending_funding_ms = next_time

    def _credit_funding(self, hedge: _HedgeState, due: int) -> None:
        """Credit the funding event at ``due`` (its passing was shown by exchange data) once."""
        hedge.pending_funding_ms = None
        last = hedge.credited_funding_ms
        if last is not None and due <= last:
            return
        hedge.credited_funding_ms = due
        key = (hedge.settings.venue, hedge.settings.symbol)
        funding = self._funding.get(key)
        mark = self._marks.get(key)
        position = self._position_of(hedge)
        if funding is None or mark is None or position is None or not mark.price > 0:
            return
        sign = 1.0 if position.side == "short" else -1.0
        coin = sign * funding.rate * position.notional_usd / mark.price
        hedge.carried_coin += coin
        hedge.carried_usd += coin * mark.price
        self.version += 1

    # ------------------------------------------------------------------ output

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

    def what_if(self, hedge: str, move_pct: float) -> ScenarioRow | None:
        """The scenario row for the mark of ``hedge`` moved by ``move_pct`` (None: no data)."""
        state = self._hedges[hedge]
        mark = self._marks.get((state.settings.venue, state.settings.symbol))
        position = self._position_of(state)
        if mark is None or position is None:
            return None
        report = assess(position, mark.price, spot=state.settings.spot_total, scenarios=(move_pct,))
        return report.scenarios[0] if report.scenarios else None

    def what_if_table(self, hedge: str, moves: Sequence[float]) -> tuple[ScenarioRow, ...]:
        """Scenario rows for several moves in one risk-engine call (empty: no data)."""
        state = self._hedges[hedge]
        mark = self._marks.get((state.settings.venue, state.settings.symbol))
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
            totals=_totals(hedges),
            feeds=tuple(self._feed_view(v) for v in self.venues),
        )

    # ------------------------------------------------------------------ derivation

    def _recompute(self, hedge: _HedgeState) -> None:
        hs = hedge.settings
        key = (hs.venue, hs.symbol)
        mark = self._marks.get(key)
        hedge.position = self._position_of(hedge)
        if mark is None or hedge.position is None:
            hedge.report = None
            return
        funding = self._funding.get(key)
        try:
            hedge.report = assess(
                hedge.position,
                mark.price,
                spot=hs.spot_total,
                funding_rate=funding.rate if funding else None,
                funding_hours=self._funding_hours(hedge, funding),
            )
        except ValueError:  # e.g. a zero price from a broken frame: show "no data", keep going
            hedge.report = None

    def _funding_hours(self, hedge: _HedgeState, funding: _FundingState | None) -> float:
        if funding is not None and funding.interval_hours:
            return funding.interval_hours
        return hedge.profile.funding_interval_hours

    def _position_of(self, hedge: _HedgeState) -> InversePosition | None:
        hs = hedge.settings
        profile = hedge.profile
        if hedge.manual is not None:
            return hedge.manual
        found = self._account_position(hs)
        if found is None:
            return None
        upd = found.update
        entry = upd.entry_price
        if entry is None or upd.contracts == 0:
            return None
        side: Side = "short" if upd.contracts < 0 else "long"
        if upd.margin_mode == "isolated" and upd.isolated_margin is not None:
            collateral = upd.isolated_margin
        else:
            balance = self._balances.get((hs.venue, hs.coin.upper(), hs.account))
            if balance is None:
                balance = self._balances.get((hs.venue, hs.coin.upper(), None))
            if balance is None:
                return None
            collateral = balance.wallet_balance
        return InversePosition(
            side=side,
            contracts=abs(upd.contracts),
            contract_size=upd.contract_size or profile.contract_size,
            entry=entry,
            collateral=collateral,
            mmr=profile.mmr,
            tiers=profile.tiers,
            mm_basis=profile.mm_basis,
            fee=profile.taker_fee,
            leverage=upd.leverage,
            mmr_per_coin=profile.mmr_per_coin,
        )

    def _account_position(self, hs: HedgeSettings) -> _AccountPosition | None:
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

    def _funding_freshness(self, key: Key, funding: _FundingState | None) -> Freshness:
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
        if received is None:
            return Freshness.NONE
        age = self.clock.monotonic() - received
        fresh = self.settings.freshness
        if age < fresh.delayed_after_s:
            return Freshness.FRESH
        if age < fresh.stale_after_s:
            return Freshness.DELAYED
        return Freshness.STALE

    def _hedge_view(self, hedge: _HedgeState, now_ms: int) -> HedgeView:
        hs = hedge.settings
        key = (hs.venue, hs.symbol)
        mark = self._marks.get(key)
        index = self._indexes.get(hedge.index_key)
        funding = self._funding.get(key)
        position = hedge.position
        report = hedge.report
        if hs.position is not None:
            position_freshness = Freshness.FRESH  # entered by hand: as fresh as the config
        else:
            position_freshness = self._account_freshness(hs)
        hours = self._funding_hours(hedge, funding)
        per_interval = report.funding_usd if report else None
        basis = basis_bps = None
        if mark is not None and index is not None and index.price > 0:
            basis = mark.price - index.price
            basis_bps = basis / index.price * 1e4
        next_in = None
        if funding is not None and funding.next_time is not None:
            next_in = max(0.0, (funding.next_time - now_ms) / 1000)
        ratio = report.hedge_ratio if report else None
        in_band = None
        if ratio is not None and hs.target_hedge_ratio is not None:
            in_band = abs(ratio - hs.target_hedge_ratio) <= hs.hedge_band + 1e-12
        buffer_pct = None
        if report is not None and report.equity_coin > 0:
            buffer_pct = report.margin_buffer_coin / report.equity_coin * 100
        exchange_liq = None
        contracts = position.contracts if position else None
        if hs.position is None:
            acct = self._account_position(hs)
            exchange_liq = acct.update.liquidation_price if acct else None
            if acct is not None and acct.update.contracts == 0:
                contracts = 0.0  # the account reports it flat: a position of 0, not unknown
        return HedgeView(
            name=hs.name,
            venue=hs.venue,
            symbol=hs.symbol,
            coin=hs.coin,
            side=position.side if position else None,
            contracts=contracts,
            contract_size=position.contract_size if position else hedge.contract_size,
            mark=mark.price if mark else None,
            index=index.price if index else None,
            mark_freshness=self._freshness(mark.received if mark else None),
            index_freshness=self._freshness(index.received if index else None),
            funding_freshness=self._funding_freshness(key, funding),
            position_freshness=position_freshness,
            report=report,
            spot_coin=hs.spot_total,
            target_hedge_ratio=hs.target_hedge_ratio,
            hedge_band=hs.hedge_band if hs.target_hedge_ratio is not None else None,
            hedge_ratio_in_band=in_band,
            margin_buffer_pct_of_equity=buffer_pct,
            funding_rate=funding.rate if funding else None,
            predicted_funding_rate=funding.predicted if funding else None,
            funding_interval_hours=hours,
            funding_usd_per_interval=per_interval,
            funding_usd_per_day=per_interval * 24 / hours if per_interval is not None else None,
            funding_apr_pct=report.funding_annualized_pct if report else None,
            next_funding_in_s=next_in,
            funding_carried_coin=hedge.carried_coin,
            funding_carried_usd=hedge.carried_usd,
            basis_usd=basis,
            basis_bps=basis_bps,
            exchange_liquidation_price=exchange_liq,
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
        )


def _rules(settings: Settings) -> Rules:
    fresh = settings.freshness
    return Rules(
        max_jump=fresh.max_jump_pct / 100,
        jump_persist=fresh.jump_persist,
        clock_window_ms=int(fresh.clock_window_s * 1000),
    )


def _price_bands(hedges: Iterable[_HedgeState]) -> dict[Key, tuple[float, float]]:
    """Each hedged instrument's price band, for its mark and for its index."""
    bands: dict[Key, tuple[float, float]] = {}
    for hedge in hedges:
        band = price_band(hedge.profile.tick_size)
        bands[(hedge.settings.venue, hedge.settings.symbol)] = band
        bands[hedge.index_key] = band
    return bands


def manual_position(
    pos: ManualPosition, *, profile_contract_size: float, venue: str, symbol: str
) -> InversePosition:
    """The risk engine's position for a hand-entered one, venue defaults filled in.

    Collateral defaults to the initial margin at the configured leverage (1x when none), which is
    what an isolated position opened at that leverage holds.
    """
    profile = get_instrument(venue, symbol)
    size = pos.contract_size or profile_contract_size
    collateral = pos.collateral
    if collateral is None:
        leverage = pos.leverage or 1.0
        collateral = pos.contracts * size / (pos.entry * leverage)
    return InversePosition(
        side=pos.side,
        contracts=pos.contracts,
        contract_size=size,
        entry=pos.entry,
        collateral=collateral,
        mmr=pos.mmr if pos.mmr is not None else profile.mmr,
        mm_deduction=pos.mm_deduction or 0.0,
        tiers=() if pos.mmr is not None else profile.tiers,
        mmr_per_coin=0.0 if pos.mmr is not None else profile.mmr_per_coin,
        mm_basis=pos.mm_basis or profile.mm_basis,
        fee=pos.fee if pos.fee is not None else profile.taker_fee,
        leverage=pos.leverage,
    )


def _ring_put(ring: deque[float], bucket: float, now: float, value: float) -> float:
    """Append ``value`` to ``ring`` or replace the last point within the same time bucket."""
    current = now // HISTORY_BUCKET_S
    if ring and current == bucket:
        ring[-1] = value
    else:
        ring.append(value)
    return current


def _totals(hedges: Sequence[HedgeView]) -> TotalsView:
    by_coin: dict[str, float] = {}
    exposure: float | None = 0.0
    buffer: float | None = 0.0
    per_day: float | None = 0.0
    for h in hedges:
        r = h.report
        if r is None:
            exposure = buffer = None
        else:
            by_coin[h.coin] = by_coin.get(h.coin, 0.0) + r.net_exposure_coin
            if exposure is not None:
                exposure += r.net_exposure_usd
            if buffer is not None:
                buffer += r.margin_buffer_usd
        if h.funding_usd_per_day is None:
            per_day = None
        elif per_day is not None:
            per_day += h.funding_usd_per_day
    return TotalsView(
        net_exposure_usd=exposure if hedges else None,
        net_exposure_by_coin=by_coin,
        margin_buffer_usd=buffer if hedges else None,
        funding_usd_per_day=per_day if hedges else None,
        funding_carried_usd=sum(h.funding_carried_usd for h in hedges),
        stale=not hedges or any(h.stale for h in hedges),
    )
