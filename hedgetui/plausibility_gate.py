"""The plausibility gate: the stateful check the store runs on every event before keeping it.

The rules are ``hedgetui.plausibility``'s (its module doc says them all); this is their stateful
layer, :class:`Gate`. A price must lie in its instrument's band and within ``max_jump_pct`` of
the last good value of the same (venue, symbol, field), a jump being believed once
``jump_persist`` values in a row stand at the new level; exchange times must lie within
``clock_window_s`` of the local clock, next-funding times within the windows below. A refused
value is dropped from its event, counted per (venue, field) and logged once per burst (logger
``hedgetui.plausibility``). The usual ticker passes with a few comparisons and no allocation.

Pure: no I/O apart from logging, no UI or network library.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from hedgetui.domain import Funding, IndexPrice, MarkPrice, PositionUpdate, Ticker
from hedgetui.plausibility import (
    INTERVAL_MAX_H,
    INTERVAL_MIN_H,
    PRICE_MAX,
    PRICE_MIN,
    Key,
    escape,
    rate_cap,
)

log = logging.getLogger("hedgetui.plausibility")

# --------------------------------------------------------------------------- the gate's windows

NEXT_FUNDING_SLACK_MS = 60_000
"""A next-funding time may lag the local clock by this much (venues update it just after)."""
NEXT_FUNDING_AHEAD_MS = 25 * 3_600_000
"""A next-funding time further ahead than one day (plus an hour) is not the next one."""
SETTLEMENT_AGE_MS = 25 * 3_600_000
"""A classic ``Funding`` event may be a past settlement record (BitMEX's funding table)."""
BURST_GAP_MS = 60_000
"""Refusals of one (venue, field) this close together are one burst (logged once)."""


@dataclass(frozen=True, slots=True)
class Rules:
    """The gate's tunables (``[freshness]`` in the config)."""

    max_jump: float = 0.25  # fraction of the last good value
    jump_persist: int = 3  # values in a row at a new level before it is believed
    clock_window_ms: int = 300_000


_INF = float("inf")


class _Track:
    """One (venue, symbol, field) price: the last good value and a held-back new level.

    ``lo``..``hi`` is the fast path's window: inside the band and so close to the last good value
    that any value in it passes the full rule (see :meth:`Gate._believe`); empty (inf..-inf)
    before the first value and during a burst of refusals, so those go through the full rule.
    """

    __slots__ = ("burst", "hi", "high", "last", "lo", "low", "pending", "pending_n")

    def __init__(self, low: float, high: float) -> None:
        self.low = low
        self.high = high
        self.lo = _INF
        self.hi = -_INF
        self.last: float | None = None
        self.pending: float | None = None  # a jumped-to level, not yet believed
        self.pending_n = 0
        self.burst = 0  # values refused since the last good one


class _KeyState:
    __slots__ = ("cap", "fast_cap", "index", "mark", "rate_burst")

    def __init__(self, low: float, high: float, cap: float) -> None:
        self.mark = _Track(low, high)
        self.index = _Track(low, high)
        self.cap = cap
        self.fast_cap = cap  # -1 (no rate passes the fast check) during a burst of refusals
        self.rate_burst = 0


class Gate:
    """The stateful plausibility check the store runs on every event (see the module doc).

    ``bands``: the price band of each known (venue, symbol), index symbols included; any other
    symbol gets the wire band. Each method returns the event to store (the same object when all
    of it passes, a copy without the refused fields, or None when nothing is left).
    """

    def __init__(self, rules: Rules, bands: Mapping[Key, tuple[float, float]]) -> None:
        self.rules = rules
        self._bands = dict(bands)
        self._keys: dict[Key, _KeyState] = {}
        # The fast window's half-width k around an anchor a: for any last good value L in
        # a(1-k)..a(1+k) and any v in it, |v - L| <= 2ka <= j L exactly when k <= j / (2 + j).
        k = rules.max_jump / (2.0 + rules.max_jump)
        self._near_low = 1.0 - k
        self._near_high = 1.0 + k
        self._window = rules.clock_window_ms
        self.counts: dict[tuple[str, str], int] = {}
        """Values refused so far, per (venue, field)."""
        self._refused_at: dict[tuple[str, str], int] = {}  # the last refusal, for bursts
        self.funding_refused: set[Key] = set()
        """Keys whose latest funding was refused (their stored funding must age, not look live)."""

    def _state(self, key: Key) -> _KeyState:
        state = self._keys.get(key)
        if state is None:
            low, high = self._bands.get(key, (PRICE_MIN, PRICE_MAX))
            state = self._keys[key] = _KeyState(low, high, rate_cap(key[0]))
        return state

    def refused(self, venue: str) -> int:
        """Values refused from ``venue`` so far (every field)."""
        return sum(n for (v, _), n in self.counts.items() if v == venue)

    # ------------------------------------------------------------------ events

    def ticker(self, event: Ticker, now_ms: int) -> Ticker | None:
        """The hot path: the usual ticker passes with a few comparisons and no allocation."""
        venue, symbol, ts, mark, index, rate, predicted, next_time, hours = event
        if ts is not None and not now_ms - self._window <= ts <= now_ms + self._window:
            self._refuse_all(venue, symbol, ts, now_ms)
            if rate is not None:
                self.funding_refused.add((venue, symbol))
            return None
        key = (venue, symbol)
        state = self._keys.get(key) or self._state(key)
        ok = True
        if mark is not None:
            track = state.mark
            if track.lo <= mark <= track.hi:
                track.last = mark
            elif not self._price(track, key, "mark", mark):
                ok = False
                mark = None
        if index is not None:
            track = state.index
            if track.lo <= index <= track.hi:
                track.last = index
            elif not self._price(track, key, "index", index):
                ok = False
                index = None
        if rate is None:
            if ok:
                return event
            if mark is None and index is None:
                return None
            return event._replace(mark=mark, index=index)
        cap = state.fast_cap
        if (
            -cap <= rate <= cap
            and (predicted is None or -cap <= predicted <= cap)
            and (
                next_time is None
                or now_ms - NEXT_FUNDING_SLACK_MS <= next_time <= now_ms + NEXT_FUNDING_AHEAD_MS
            )
            and (hours is None or INTERVAL_MIN_H <= hours <= INTERVAL_MAX_H)
        ):
            if ok:
                return event
            return event._replace(mark=mark, index=index)
        funding = self._funding_fields(key, state, rate, predicted, next_time, hours, now_ms)
        if funding is None:
            if mark is None and index is None:
                return None
            return event._replace(
                mark=mark,
                index=index,
                funding_rate=None,
                predicted_rate=None,
                next_funding_time=None,
                interval_hours=None,
            )
        rate, predicted, next_time, hours = funding
        return event._replace(
            mark=mark,
            index=index,
            funding_rate=rate,
            predicted_rate=predicted,
            next_funding_time=next_time,
            interval_hours=hours,
        )

    def price_event(self, event: MarkPrice | IndexPrice, now_ms: int) -> bool:
        """Whether a classic mark or index event may be stored."""
        ts = event.ts
        key = (event.venue, event.symbol)
        if ts is not None and not now_ms - self._window <= ts <= now_ms + self._window:
            self._refuse_all(event.venue, event.symbol, ts, now_ms)
            return False
        state = self._keys.get(key) or self._state(key)
        price = event.price
        if type(event) is MarkPrice:
            track = state.mark
            if track.lo <= price <= track.hi:  # the fast window, as in :meth:`ticker`
                track.last = price
                return True
            return self._price(track, key, "mark", price)
        track = state.index
        if track.lo <= price <= track.hi:
            track.last = price
            return True
        return self._price(track, key, "index", price)

    def funding(self, event: Funding, now_ms: int) -> Funding | None:
        """A classic funding event to store (refused fields dropped), or None."""
        ts = event.ts
        key = (event.venue, event.symbol)
        if ts is not None and not (
            now_ms - max(self._window, SETTLEMENT_AGE_MS) <= ts <= now_ms + self._window
        ):
            self._refuse(key, "ts", ts, _time_reason(ts, now_ms), now_ms)
            self.funding_refused.add(key)
            return None
        state = self._keys.get(key) or self._state(key)
        fields = (event.rate, event.predicted_rate, event.next_funding_time, event.interval_hours)
        funding = self._funding_fields(key, state, *fields, now_ms)
        if funding is None:
            return None
        if funding == fields:
            return event
        rate, predicted, next_time, hours = funding
        return event._replace(
            rate=rate, predicted_rate=predicted, next_funding_time=next_time, interval_hours=hours
        )

    def position(self, event: PositionUpdate, now_ms: int) -> bool:
        """Whether an account position may be stored: its entry price must be plausible.

        (Its time is not checked: a venue stamps a position with its last change, days ago.)
        """
        entry = event.entry_price
        if entry is None:
            return True
        key = (event.venue, event.symbol)
        low, high = self._bands.get(key, (PRICE_MIN, PRICE_MAX))
        if low <= entry <= high:
            return True
        self._refuse(key, "entry_price", entry, f"outside {low:g}..{high:g}", now_ms)
        return False

    # ------------------------------------------------------------------ the rules

    def _price(self, track: _Track, key: Key, field: str, value: float) -> bool:
        """The full price rule: band, then jump with persistence. True: ``track.last`` is value."""
        if not track.low <= value <= track.high:
            track.pending, track.pending_n = None, 0
            return self._refuse_price(track, key, field, value, band=True)
        last = track.last
        jump = self.rules.max_jump
        if last is None or abs(value - last) <= jump * last:
            track.pending, track.pending_n = None, 0
            return self._accept_price(track, key, field, value)
        pending = track.pending
        if pending is not None and abs(value - pending) <= jump * pending:
            track.pending_n += 1
        else:
            track.pending, track.pending_n = value, 1
        if track.pending_n >= self.rules.jump_persist:
            log.warning(
                "%s %s %s: new level %r believed after %d values in a row (last good %r)",
                key[0],
                escape(key[1]),
                field,
                value,
                track.pending_n,
                last,
            )
            track.pending, track.pending_n = None, 0
            track.burst = 0
            self._believe(track, value)
            return True
        return self._refuse_price(track, key, field, value, band=False)

    def _accept_price(self, track: _Track, key: Key, field: str, value: float) -> bool:
        if track.burst:
            log.warning(
                "%s %s %s: plausible again (%r) after %d refused",
                key[0],
                escape(key[1]),
                field,
                value,
                track.burst,
            )
            track.burst = 0
        self._believe(track, value)
        return True

    def _believe(self, track: _Track, value: float) -> None:
        """``value`` is the last good one; the fast window is re-centred on it."""
        track.last = value
        track.lo = max(track.low, value * self._near_low)
        track.hi = min(track.high, value * self._near_high)

    def _refuse_price(
        self, track: _Track, key: Key, field: str, value: float, *, band: bool
    ) -> bool:
        if band:
            reason = f"outside {track.low:g}..{track.high:g}"
        else:
            reason = f"jumped more than {self.rules.max_jump:.0%} from {track.last!r}"
        track.burst += 1
        track.lo, track.hi = _INF, -_INF  # every value goes through the full rule until one passes
        self._count(key, field, value, reason, first=track.burst == 1)
        return False

    def _next_ok(self, next_time: int, now_ms: int) -> bool:
        return now_ms - NEXT_FUNDING_SLACK_MS <= next_time <= now_ms + NEXT_FUNDING_AHEAD_MS

    def _funding_fields(
        self,
        key: Key,
        state: _KeyState,
        rate: float,
        predicted: float | None,
        next_time: int | None,
        hours: float | None,
        now_ms: int,
    ) -> tuple[float, float | None, int | None, float | None] | None:
        """The funding fields to keep (a refused predicted rate or next time becomes None), or
        None when the rate or the interval is refused (the funding as a whole then ages)."""
        cap = state.cap
        refused = False
        if not -cap <= rate <= cap:
            refused = self._refuse_rate(key, state, "funding_rate", rate, f"beyond +-{cap:g}")
        if hours is not None and not INTERVAL_MIN_H <= hours <= INTERVAL_MAX_H:
            reason = f"outside {INTERVAL_MIN_H:g}..{INTERVAL_MAX_H:g} h"
            refused = self._refuse_rate(key, state, "interval_hours", hours, reason)
        if refused:
            self.funding_refused.add(key)
            return None
        if predicted is not None and not -cap <= predicted <= cap:
            self._refuse(key, "predicted_rate", predicted, f"beyond +-{cap:g}", now_ms)
            predicted = None
        if next_time is not None and not self._next_ok(next_time, now_ms):
            reason = _time_reason(next_time, now_ms)
            self._refuse(key, "next_funding_time", next_time, reason, now_ms)
            next_time = None
        if state.rate_burst:
            log.warning(
                "%s %s funding: plausible again after %d refused",
                key[0],
                escape(key[1]),
                state.rate_burst,
            )
            state.rate_burst = 0
            state.fast_cap = cap
        self.funding_refused.discard(key)
        return rate, predicted, next_time, hours

    def _refuse_rate(
        self, key: Key, state: _KeyState, field: str, value: float, reason: str
    ) -> bool:
        state.rate_burst += 1
        state.fast_cap = -1.0
        self._count(key, field, value, reason, first=state.rate_burst == 1)
        return True

    def _refuse_all(self, venue: str, symbol: str, ts: int, now_ms: int) -> None:
        """An event whose exchange time is implausible: none of its values is believed."""
        self._refuse((venue, symbol), "ts", ts, _time_reason(ts, now_ms), now_ms)

    def _refuse(self, key: Key, field: str, value: float, reason: str, now_ms: int) -> None:
        """Count and log a refusal of a field without a last good value to fall back on: a new
        burst when none of its kind came within :data:`BURST_GAP_MS`."""
        last = self._refused_at.get((key[0], field))
        self._refused_at[(key[0], field)] = now_ms
        first = last is None or not 0 <= now_ms - last <= BURST_GAP_MS
        self._count(key, field, value, reason, first=first)

    def _count(self, key: Key, field: str, value: float, reason: str, *, first: bool) -> None:
        venue = key[0]
        n = self.counts.get((venue, field), 0) + 1
        self.counts[(venue, field)] = n
        if first or n % 1000 == 0:
            log.warning(
                "%s %s %s: implausible value %s refused (%s; %d refused so far)",
                escape(venue),
                escape(key[1]),
                field,
                escape(repr(value)),
                reason,
                n,
            )


def _time_reason(ms: int, now_ms: int) -> str:
    return f"{(ms - now_ms) / 1000:+.0f} s from the local clock"
