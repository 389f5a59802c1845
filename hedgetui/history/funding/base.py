"""What every venue's funding-history client shares: the paging loop, the rate-limit wait,
gap detection and the plausibility filter.

A venue module supplies pure pieces and a small subclass binding them:

- ``rates_request(symbol, start_ms, end_ms) -> PageRequest`` and
  ``parse_rates(payload, request, symbol) -> Page[FundingRecord]`` (the page's ``next`` is the
  request of the following page, or None when the window is done);
- the same two for the account's realised payments (signed, read-only endpoint);
- ``check_reply(status, payload)``: raise the typed error of an error reply
  (:mod:`hedgetui.trading.orders`; the venue's trading module already has one);
- ``rate_limit_wait(status, payload, headers, now_s)``: how long the venue says to wait when
  this reply is its rate-limit answer (None: it is not one);
- ``signed_headers(request, now_s)``: the query and headers of a signed request.

The base runs the loop: it sends each page through :func:`send_request` (the trading
clients' transport: typed errors, secrets redacted), waits what the venue said on a rate-limit
answer (through the injected ``sleep``, bounded by ``max_wait_s`` and ``max_retries``),
drops implausible records with a specific warning, and reports the gaps it finds
(:func:`find_gaps`) in ``last_gaps`` and the log instead of hiding them.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import urlencode

import httpx

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.history.model import FundingPayment, FundingRecord, plausible_record
from hedgetui.trading.credentials import Credentials, redact
from hedgetui.trading.orders import BadReply, RateLimited, TradingError
from hedgetui.trading.venues.base import send_request

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
HOUR_MS = 3_600_000
DEFAULT_WAIT_S = 1.0  # a rate-limit answer that does not say how long to wait
MAX_PAGES = 1_000  # a venue that keeps answering "more" is a bug, not a reason to loop forever


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One GET of a history endpoint: the path and its parameters in the order sent."""

    path: str
    params: tuple[tuple[str, str], ...]
    until_ms: int = 0  # not sent: the end of the whole window, for venues that page by window

    @property
    def query(self) -> str:
        return urlencode(self.params)

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)

    def replace(self, **changes: str) -> PageRequest:
        """The same request with these parameters set (kept in place, or appended)."""
        done: set[str] = set()
        params: list[tuple[str, str]] = []
        for key, value in self.params:
            if key in changes:
                params.append((key, changes[key]))
                done.add(key)
            else:
                params.append((key, value))
        params.extend((k, v) for k, v in changes.items() if k not in done)
        return PageRequest(self.path, tuple(params), self.until_ms)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """The items of one reply and the request of the next page (None: the window is done)."""

    items: list[T]
    next: PageRequest | None = None


@dataclass(frozen=True, slots=True)
class Gap:
    """Funding events missing between two known times: ``missing`` intervals after
    ``after_ms`` and before ``before_ms`` where the venue's interval says there are some."""

    after_ms: int
    before_ms: int
    missing: int

    def describe(self) -> str:
        return (
            f"{self.missing} funding record(s) missing between {utc(self.after_ms)} "
            f"and {utc(self.before_ms)}"
        )


def utc(ms: int) -> str:
    """``2020-03-12T08:00Z``: a funding time as people read it."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%MZ")


def profile_interval_hours(venue: str, symbol: str) -> float:
    """The venue profile's funding interval of ``symbol``; 8 h for one the profiles do not
    list."""
    from hedgetui.venues import get_instrument

    try:
        return get_instrument(venue, symbol).funding_interval_hours
    except (KeyError, ValueError):
        return 8.0


class HistoryUnavailable(TradingError):
    """The history cannot be fetched here (no credentials for payments, too many pages)."""

    kind = "unavailable"


def find_gaps(
    records: Sequence[FundingRecord], interval_hours: float, start_ms: int, end_ms: int
) -> list[Gap]:
    """The stretches of ``(start_ms, end_ms]`` longer than 1.5 intervals without a record.

    A venue may shorten its interval (more records: no gap); a stretch at either end shorter
    than 1.5 intervals is the grid's offset or the next event not yet published.
    """
    step = interval_hours * HOUR_MS
    if step <= 0 or end_ms <= start_ms:
        return []
    times = sorted(r.time_ms for r in records if start_ms < r.time_ms <= end_ms)
    edges = [start_ms, *times, end_ms]
    gaps: list[Gap] = []
    for after, before in itertools.pairwise(edges):
        span = before - after
        if span > 1.5 * step:
            inner = after in times and before in times
            missing = round(span / step) - (1 if inner else 0)
            if missing > 0:
                gaps.append(Gap(after, before, missing))
    return gaps


def wait_from_headers(headers: Mapping[str, str]) -> float:
    """``Retry-After`` (seconds, the HTTP standard); :data:`DEFAULT_WAIT_S` when the reply
    does not say (or says nonsense)."""
    return seconds_or_default(headers.get("retry-after"))


def seconds_or_default(raw: str | float | None, *, scale: float = 1.0, now_s: float = 0.0) -> float:
    """``raw / scale - now_s`` seconds (a duration, or with ``now_s`` a reset time), at least 0;
    :data:`DEFAULT_WAIT_S` when ``raw`` is missing or not a finite number."""
    if raw is None:
        return DEFAULT_WAIT_S
    try:
        seconds = float(raw) / scale - now_s
    except ValueError:
        return DEFAULT_WAIT_S
    return max(0.0, seconds) if math.isfinite(seconds) else DEFAULT_WAIT_S


class FundingHistoryClient(ABC):
    """One venue's funding-rate history (public) and an account's realised payments (signed)."""

    venue: ClassVar[str]
    default_url: ClassVar[str]
    default_wait_s: ClassVar[float] = DEFAULT_WAIT_S  # a rate-limit answer that does not say

    def __init__(
        self,
        *,
        base_url: str | None = None,
        credentials: Credentials | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        http: httpx.AsyncClient | None = None,
        timeout_s: float = 10.0,
        max_retries: int = 5,
        max_wait_s: float = 60.0,
    ) -> None:
        self.base_url = (base_url or self.default_url).rstrip("/")
        self.credentials = credentials
        self.clock = clock or SYSTEM_CLOCK
        self.sleep: Sleep = sleep or asyncio.sleep
        self.max_retries = max_retries
        self.max_wait_s = max_wait_s
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout_s)
        self.requests = 0  # requests sent (tests count them)
        self.waited_s = 0.0  # total time waited on rate-limit answers
        self.last_gaps: list[Gap] = []
        self.last_dropped = 0

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> FundingHistoryClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ what a venue supplies

    def interval_hours(self, symbol: str) -> float:
        """The instrument's funding interval (gap detection, the service's wake-ups)."""
        return profile_interval_hours(self.venue, symbol)

    @abstractmethod
    def rates_request(self, symbol: str, start_ms: int, end_ms: int) -> PageRequest: ...

    @abstractmethod
    def parse_rates(
        self, payload: Any, request: PageRequest, symbol: str
    ) -> Page[FundingRecord]: ...

    @abstractmethod
    def payments_request(self, symbol: str, start_ms: int, end_ms: int) -> PageRequest: ...

    @abstractmethod
    def parse_payments(
        self, payload: Any, request: PageRequest, symbol: str
    ) -> Page[FundingPayment]: ...

    @abstractmethod
    def check_reply(self, status: int, payload: Any) -> None:
        """Raise the typed error of an error reply; return for a good one."""

    @abstractmethod
    def rate_limit_wait(
        self, status: int, payload: Any, headers: Mapping[str, str], now_s: float
    ) -> float | None:
        """Seconds the venue says to wait when this is its rate-limit answer; else None."""

    @abstractmethod
    def signed_headers(
        self, credentials: Credentials, request: PageRequest, now_s: float
    ) -> tuple[str, dict[str, str]]:
        """The query string and headers of ``request`` signed with ``credentials``."""

    # ------------------------------------------------------------------ the API

    async def fetch_rates(self, symbol: str, start_ms: int, end_ms: int) -> list[FundingRecord]:
        """The funding events with ``start_ms < time_ms <= end_ms``, time-ordered; implausible
        ones dropped (warned), gaps reported in ``last_gaps`` and the log."""
        raw = await self._pages(self.rates_request(symbol, start_ms, end_ms), symbol, False)
        kept: dict[int, FundingRecord] = {}
        dropped = 0
        for record in raw:
            if not start_ms < record.time_ms <= end_ms:
                continue
            if not plausible_record(record):
                dropped += 1
                log.warning(
                    "%s %s: dropped an implausible funding record (time %d, rate %r, "
                    "interval %r h)",
                    self.venue,
                    symbol,
                    record.time_ms,
                    record.rate,
                    record.interval_hours,
                )
                continue
            kept[record.time_ms] = record
        records = sorted(kept.values(), key=lambda r: r.time_ms)
        self.last_dropped = dropped
        self.last_gaps = find_gaps(records, self.interval_hours(symbol), start_ms, end_ms)
        for gap in self.last_gaps:
            log.warning("%s %s: %s", self.venue, symbol, gap.describe())
        return records

    async def fetch_payments(self, symbol: str, start_ms: int, end_ms: int) -> list[FundingPayment]:
        """The account's realised funding payments on ``symbol`` in ``(start_ms, end_ms]``."""
        if self.credentials is None:
            raise HistoryUnavailable(self.venue, "no API keys: realised payments need an account")
        raw = await self._pages(self.payments_request(symbol, start_ms, end_ms), symbol, True)
        kept = {
            (p.time_ms, p.symbol): p
            for p in raw
            if start_ms < p.time_ms <= end_ms and math.isfinite(p.amount)
        }
        return sorted(kept.values(), key=lambda p: p.time_ms)

    # ------------------------------------------------------------------ the loop

    async def _pages(self, first: PageRequest, symbol: str, signed: bool) -> list[Any]:
        items: list[Any] = []
        request: PageRequest | None = first
        pages = 0
        while request is not None:
            pages += 1
            if pages > MAX_PAGES:
                raise HistoryUnavailable(self.venue, f"more than {MAX_PAGES} pages for {symbol}")
            payload = await self._get(request, signed)
            parse = self.parse_payments if signed else self.parse_rates
            try:
                page: Page[Any] = parse(payload, request, symbol)
            except (ArithmeticError, TypeError, ValueError) as exc:  # e.g. a time of "inf"
                raise BadReply(self.venue, f"unreadable {request.path} reply: {exc}") from None
            items.extend(page.items)
            request = page.next
        return items

    def _redact(self, text: str) -> str:
        return redact(text, self.credentials.secrets()) if self.credentials else text

    async def _get(self, request: PageRequest, signed: bool) -> Any:
        """One page, waiting and retrying (bounded) on the venue's rate-limit answer."""
        attempt = 0
        while True:
            query = request.query
            headers: dict[str, str] = {}
            if signed:
                assert self.credentials is not None
                query, headers = self.signed_headers(self.credentials, request, self.clock.time())
            self.requests += 1
            try:
                status, payload, reply_headers = await send_request(
                    self._http,
                    self.venue,
                    self.base_url,
                    "GET",
                    request.path,
                    query=query,
                    headers=headers,
                    redact=self._redact,
                )
                wait = self.rate_limit_wait(status, payload, reply_headers, self.clock.time())
            except RateLimited:  # a 429 that is not JSON: the venue did not say how long
                wait = self.default_wait_s
            if wait is None:
                try:
                    self.check_reply(status, payload)
                except TradingError as exc:
                    exc.message = self._redact(exc.message)
                    exc.args = (exc.describe(),)
                    raise
                return payload
            attempt += 1
            if attempt > self.max_retries:
                raise RateLimited(
                    self.venue, f"gave up after {self.max_retries} waits as the venue asked"
                )
            if wait > self.max_wait_s:
                raise RateLimited(
                    self.venue, f"the venue asks to wait {wait:g}s, more than {self.max_wait_s:g}s"
                )
            log.info("%s: rate limited; waiting %.3gs as the venue says", self.venue, wait)
            self.waited_s += wait
            await self.sleep(wait)


def require_list(payload: Any, what: str, venue: str) -> list[Any]:
    if not isinstance(payload, list):
        raise BadReply(venue, f"{what} reply is not a list: {str(payload)[:120]}")
    return payload


__all__ = [
    "FundingHistoryClient",
    "Gap",
    "HistoryUnavailable",
    "Page",
    "PageRequest",
    "find_gaps",
    "profile_interval_hours",
    "require_list",
    "seconds_or_default",
    "wait_from_headers",
]
