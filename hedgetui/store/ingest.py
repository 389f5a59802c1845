"""The store's input side: every feed event applied in O(1), and funding credited as it passes.

:class:`StoreIngest` is the part of :class:`~hedgetui.store.core.Store` that takes events in:
``apply`` passes each one through the plausibility gate (``hedgetui.plausibility``), writes the
latest mark, index and funding of its instrument in place, appends the hedges' one-per-second
history rings, and credits a funding event once the exchange's own time shows it passed (the
rules: ``hedgetui.store.funding``). It only marks the store dirty; the view is derived later, by
``Store.snapshot``. This is the hot path: one call per frame, nothing allocated per frame.
"""

from __future__ import annotations

from hedgetui.domain import (
    Event,
    FeedStatus,
    Funding,
    IndexPrice,
    MarkPrice,
    PositionUpdate,
    Ticker,
)
from hedgetui.plausibility_gate import Gate
from hedgetui.store.accounts import StoreAccounts
from hedgetui.store.funding import announce, carry, settle
from hedgetui.store.state import (
    HISTORY_BUCKET_S,
    AccountPosition,
    FundingState,
    HedgeState,
    Inputs,
    Key,
    Stamped,
)

WALL_REREAD_S = 1.0
"""``apply`` re-reads the wall clock at least this often (and every snapshot does): the
plausibility gate compares exchange times with it, within minutes."""


class StoreIngest(StoreAccounts):
    """Applying events: the latest values, the history rings, funding credited once."""

    _inputs: dict[Key, Inputs]  # latest market values, per (venue, symbol)
    _feeds: dict[str, FeedStatus]
    _last_data: dict[str, float]  # venue -> monotonic of the last market event
    _gate: Gate
    _wall_offset: float  # clock.time() - clock.monotonic(), re-read at least every second
    _wall_read_at: float

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
