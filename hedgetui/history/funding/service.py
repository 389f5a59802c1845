"""Keep the funding history of the configured hedges up to date.

For every tracked series (a venue's funding rates of one symbol; an account's realised
payments of one symbol) the service loads the cache, fetches what is missing back to the
series' ``since_ms`` (default: ``lookback_days`` before now), then wakes at each funding time
(+ ``delay_s``, the venue's publication lag) and fetches what is new. A failure is retried
with exponential backoff (``retry_s`` doubling up to ``retry_max_s``); an expected record that
has not appeared yet is asked again after ``retry_s``. Each series keeps a status (last fetch,
last error, gaps) for the UI; ``subscribe(fn)`` is told the key of every series that changed.
The clock and the sleep are injected: tests advance time, never wait for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.history.funding.base import HOUR_MS, FundingHistoryClient, Gap, Sleep, find_gaps
from hedgetui.history.funding.cache import FundingCache
from hedgetui.history.model import FundingPayment, FundingSeries
from hedgetui.trading.orders import TradingError

log = logging.getLogger(__name__)

DAY_MS = 24 * HOUR_MS
Kind = Literal["rates", "payments"]


@dataclass(frozen=True, slots=True)
class SeriesKey:
    """``("rates", venue, symbol)`` or ``("payments", account, symbol)``."""

    kind: Kind
    owner: str
    symbol: str

    def describe(self) -> str:
        what = "funding rates" if self.kind == "rates" else "funding payments of account"
        return f"{what} {self.owner} {self.symbol}"


@dataclass(frozen=True, slots=True)
class RatesSpec:
    """Track ``venue``'s funding rates of ``symbol`` from ``since_ms`` (None: the lookback)."""

    venue: str
    symbol: str
    since_ms: int | None = None


@dataclass(frozen=True, slots=True)
class PaymentsSpec:
    """Track ``account``'s realised funding payments on ``symbol`` (its client is keyed by
    the account name in ``payment_clients``)."""

    account: str
    symbol: str
    since_ms: int | None = None


@dataclass(slots=True)
class SeriesStatus:
    """What the UI shows about one series."""

    last_fetch_ms: int | None = None  # the last fetch that worked
    last_error: str | None = None  # the last failure, one line (None once one works again)
    gaps: tuple[Gap, ...] = ()
    next_fetch_ms: int = 0
    failures: int = 0  # in a row
    since_ms: int = 0


@dataclass(slots=True)
class _Track:
    key: SeriesKey
    client: FundingHistoryClient
    since_ms: int | None
    status: SeriesStatus = field(default_factory=SeriesStatus)
    rates: FundingSeries = field(default_factory=FundingSeries)
    payments: list[FundingPayment] = field(default_factory=list)
    loaded: bool = False


Listener = Callable[[SeriesKey], None]


class FundingHistoryService:
    """Funding rates and payments of the hedges, fetched, cached and kept current."""

    def __init__(
        self,
        rate_clients: Mapping[str, FundingHistoryClient],
        rates: Sequence[RatesSpec],
        *,
        payment_clients: Mapping[str, FundingHistoryClient] | None = None,
        payments: Sequence[PaymentsSpec] = (),
        cache: FundingCache | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        lookback_days: float = 30.0,
        delay_s: float = 30.0,
        retry_s: float = 30.0,
        retry_max_s: float = 1800.0,
    ) -> None:
        self.clock = clock or SYSTEM_CLOCK
        self.sleep: Sleep = sleep or asyncio.sleep
        self.cache = cache if cache is not None else FundingCache()
        self.lookback_ms = int(lookback_days * DAY_MS)
        self.delay_ms = int(delay_s * 1000)
        self.retry_s = retry_s
        self.retry_max_s = retry_max_s
        self._clients = {
            **rate_clients,
            **{f"account:{k}": v for k, v in (payment_clients or {}).items()},
        }
        self._tracks: dict[SeriesKey, _Track] = {}
        for spec in rates:
            key = SeriesKey("rates", spec.venue, spec.symbol)
            client = rate_clients.get(spec.venue)
            if client is not None and key not in self._tracks:
                self._tracks[key] = _Track(key, client, spec.since_ms)
        for pay in payments:
            key = SeriesKey("payments", pay.account, pay.symbol)
            client = (payment_clients or {}).get(pay.account)
            if client is not None and key not in self._tracks:
                self._tracks[key] = _Track(key, client, pay.since_ms)
        self._listeners: list[Listener] = []

    # ------------------------------------------------------------------ what it hands out

    def keys(self) -> tuple[SeriesKey, ...]:
        return tuple(self._tracks)

    def subscribe(self, fn: Listener) -> Callable[[], None]:
        """Call ``fn(key)`` whenever a series changes (data or status); returns an
        unsubscribe function."""
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def series(self, venue: str, symbol: str) -> FundingSeries:
        """The funding records of ``venue``/``symbol`` known so far (empty when untracked)."""
        track = self._tracks.get(SeriesKey("rates", venue, symbol))
        return FundingSeries(list(track.rates.records)) if track else FundingSeries()

    def payments(self, account: str, symbol: str) -> list[FundingPayment]:
        track = self._tracks.get(SeriesKey("payments", account, symbol))
        return list(track.payments) if track else []

    def status(self, key: SeriesKey) -> SeriesStatus | None:
        track = self._tracks.get(key)
        return track.status if track else None

    # ------------------------------------------------------------------ running

    def now_ms(self) -> int:
        return int(self.clock.time() * 1000)

    async def run(self) -> None:
        """Fill every series, then wake when the next one is due, forever (cancel to stop)."""
        if not self._tracks:
            return
        await self.refresh()
        while True:
            due = min(t.status.next_fetch_ms for t in self._tracks.values())
            wait_s = max(0.0, (due - self.now_ms()) / 1000)
            await self.sleep(wait_s)
            now = self.now_ms()
            for track in list(self._tracks.values()):
                if track.status.next_fetch_ms <= now:
                    await self._sync(track, now)

    async def refresh(self) -> None:
        """Fetch every series now (the start, or a manual refresh)."""
        now = self.now_ms()
        for track in list(self._tracks.values()):
            await self._sync(track, now)

    async def aclose(self) -> None:
        for client in {id(c): c for c in self._clients.values()}.values():
            try:
                await client.aclose()
            except Exception:  # closing must not fail the shutdown
                log.debug("closing %s failed", client.venue, exc_info=True)

    # ------------------------------------------------------------------ one series

    def _load(self, track: _Track) -> None:
        track.loaded = True
        key = track.key
        if key.kind == "rates":
            cached = self.cache.load_rates(key.owner, key.symbol)
            if cached:
                track.rates.merge(cached)
        else:
            paid = self.cache.load_payments(key.owner, key.symbol)
            if paid:
                track.payments = paid

    async def _sync(self, track: _Track, now: int) -> None:
        if not track.loaded:
            self._load(track)
        key = track.key
        since = track.since_ms if track.since_ms is not None else now - self.lookback_ms
        status = track.status
        status.since_ms = since
        interval_h = track.client.interval_hours(key.symbol)
        step = int(interval_h * HOUR_MS)
        try:
            if key.kind == "rates":
                last = await self._sync_rates(track, since, now, step)
            else:
                last = await self._sync_payments(track, since, now)
        except Exception as exc:  # a venue's error, or anything unforeseen: one line, retried
            status.failures += 1
            status.last_error = (
                exc.describe()
                if isinstance(exc, TradingError)
                else f"{key.owner}: {type(exc).__name__}: {exc}"
            )
            backoff = min(self.retry_s * 2 ** (status.failures - 1), self.retry_max_s)
            status.next_fetch_ms = self.now_ms() + int(backoff * 1000)  # from the failure
            log.warning("%s: %s (retrying in %gs)", key.describe(), status.last_error, backoff)
            self._notify(key)
            return
        status.failures = 0
        status.last_error = None
        status.last_fetch_ms = now
        if key.kind == "rates":
            status.gaps = tuple(find_gaps(track.rates.records, interval_h, since, now))
        status.next_fetch_ms = self._next_due(last, now, step, expect=key.kind == "rates")
        self._notify(key)

    def _next_due(self, last: int | None, now: int, step: int, *, expect: bool) -> int:
        """The next funding time after ``now`` (+ the delay) on the grid of ``last``; sooner
        (``retry_s``) when the event due before now has not been published yet."""
        if step <= 0:
            return now + int(self.retry_max_s * 1000)
        if last is None:
            return now + step
        if expect and last + step + self.delay_ms <= now:  # expected, not there yet: ask again soon
            return now + int(self.retry_s * 1000)
        following = last + step * ((now - last) // step + 1)
        return following + self.delay_ms

    async def _sync_rates(self, track: _Track, since: int, now: int, step: int) -> int | None:
        key = track.key
        client = track.client
        records = track.rates.records
        windows: list[tuple[int, int]] = []
        if records and records[0].time_ms > since + 1.5 * step:
            windows.append((since, records[0].time_ms - 1))  # an earlier start than cached
        windows.append((max(since, records[-1].time_ms) if records else since, now))
        added = 0
        for start, end in windows:
            if end > start:
                added += track.rates.merge(await client.fetch_rates(key.symbol, start, end))
        if added:
            self.cache.store_rates(key.owner, key.symbol, track.rates.records)
        return track.rates.last_ms

    async def _sync_payments(self, track: _Track, since: int, now: int) -> int | None:
        key = track.key
        known = track.payments
        start = max(since, known[-1].time_ms) if known else since
        fresh = await track.client.fetch_payments(key.symbol, start, now)
        merged = {(p.time_ms, p.symbol): p for p in [*known, *fresh]}
        track.payments = sorted(merged.values(), key=lambda p: p.time_ms)
        if len(track.payments) != len(known):
            self.cache.store_payments(key.owner, key.symbol, track.payments)
        # payments are booked at funding times: wake on the venue's rate grid
        rates = self._tracks.get(SeriesKey("rates", track.client.venue, key.symbol))
        if rates is not None and rates.rates.last_ms is not None:
            return rates.rates.last_ms
        return track.payments[-1].time_ms if track.payments else None

    def _notify(self, key: SeriesKey) -> None:
        for fn in list(self._listeners):
            try:
                fn(key)
            except Exception:  # a broken listener must not stop the fetching
                log.exception("funding history listener %r failed", fn)
