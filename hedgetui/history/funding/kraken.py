"""Kraken Futures funding history: pure request builders and reply parsers, and the client that
binds them to the shared paging loop (:mod:`hedgetui.history.funding.base`).

Rates: ``GET /derivatives/api/v4/historicalfundingrates?symbol=PI_XBTUSD`` answers the whole
history of the contract in one reply, ``{"rates": [{"timestamp": ISO-8601, "fundingRate",
"relativeFundingRate"}, ...], "result": "success", "serverTime"}``, oldest first [Kraken
Futures API, "Historical funding rates"]. ``fundingRate`` is an absolute amount per contract
(for PI_XBTUSD in XBT per 1-USD contract); ``relativeFundingRate`` is the fraction of the
position's value for one funding period, the figure we keep (the ticker feed's
``relative_funding_rate`` likewise, see ``hedgetui.feeds.kraken``). Kraken's current
perpetual spec funds every hour; recordings from 2019-22 show a 4-hour grid. A record's interval
is therefore the spacing to the record before it when that is 1 h or 4 h, else its neighbour's,
else 1 h. No pagination: one call, then the range asked for is cut out here.

Realised funding: ``GET /api/history/v3/account-log`` (``since``/``before`` ms, ``from``/``to``
log ids, ``sort``, ``count``, ``info``) lists the account's balance changes, newest first; a
funding booking has ``info: "funding rate change"``, ``realized_funding`` the amount credited
(signed, in ``asset``; equal to ``new_balance - old_balance`` in the docs' example) and
``contract`` the contract, lower case [Kraken Futures API, "Get account log", and the
account-log feed's documented example].
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import count
from typing import Any, ClassVar

from hedgetui.history.funding.base import FundingHistoryClient, Page, PageRequest
from hedgetui.history.funding.spacing import with_intervals
from hedgetui.history.funding.throttle import wait_when_throttled
from hedgetui.history.model import FundingPayment, FundingRecord
from hedgetui.trading.credentials import Credentials
from hedgetui.trading.orders import BadReply
from hedgetui.trading.venues.base import fnum
from hedgetui.trading.venues.kraken import check_error, signed_headers

VENUE = "kraken"
RATES_PATH = "/derivatives/api/v4/historicalfundingrates"
ACCOUNT_LOG_PATH = "/api/history/v3/account-log"
FUNDING_INFO = "funding rate change"
LOG_PAGE = 500
DEFAULT_INTERVAL_HOURS = 1.0
# apiLimitExceeded names no wait: the derivatives API's cost budget is counted over 10 s and
# the history API's refills 100 tokens per 10 minutes [rest.md, Kraken rate limits, from
# JKorf/Kraken.Net; exact docs figures unconfirmed], so wait 10 s before asking again.
LIMIT_WAIT_S = 10.0
INTERVALS_HOURS = (1.0, 4.0)


def iso_ms(text: Any, field: str) -> int:
    """``2022-06-28T00:00:00.000Z`` (or without the fraction) -> epoch ms."""
    if not isinstance(text, str):
        raise BadReply(VENUE, f"field {field!r} is not a time: {text!r}")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadReply(VENUE, f"field {field!r} is not a time: {text!r}") from None
    if moment.tzinfo is None:
        raise BadReply(VENUE, f"field {field!r} has no time zone: {text!r}")
    return round(moment.timestamp() * 1000)


def rates_params(symbol: str) -> dict[str, str]:
    return {"symbol": symbol}


def parse_rates(payload: Any) -> list[FundingRecord]:
    """Every record of a historicalfundingrates reply, time order (the client keeps the range
    asked for)."""
    rows = payload.get("rates") if isinstance(payload, dict) else None
    if not isinstance(rows, list):
        raise BadReply(VENUE, f"historicalfundingrates reply has no rates: {str(payload)[:80]}")
    points: list[tuple[int, float]] = []
    for row in rows:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"funding rate row is not an object: {str(row)[:80]}")
        time_ms = iso_ms(row.get("timestamp"), "timestamp")
        rate = fnum(row.get("relativeFundingRate"), "relativeFundingRate", VENUE)
        points.append((time_ms, rate))
    points.sort()
    return with_intervals(points, INTERVALS_HOURS, DEFAULT_INTERVAL_HOURS)


def account_log_params(start_ms: int, end_ms: int, to_id: int | None = None) -> dict[str, str]:
    """One page, newest first, of funding bookings in ``(start_ms, end_ms]``; ``to_id`` (the
    oldest id of the page before) continues downwards (an id seen twice is dropped)."""
    params = {
        "since": str(start_ms + 1),
        "before": str(end_ms + 1),
        "sort": "desc",
        "count": str(LOG_PAGE),
        "info": FUNDING_INFO,
    }
    if to_id is not None:
        params["to"] = str(to_id)
    return params


def parse_account_log(
    payload: Any, symbol: str
) -> tuple[list[tuple[int, FundingPayment]], int | None, int]:
    """``([(log id, payment)], the smallest id on the page, rows on the page)``."""
    rows = payload.get("logs") if isinstance(payload, dict) else None
    if not isinstance(rows, list):
        raise BadReply(VENUE, f"account-log reply has no logs: {str(payload)[:80]}")
    found: list[tuple[int, FundingPayment]] = []
    smallest: int | None = None
    for row in rows:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"account-log row is not an object: {str(row)[:80]}")
        log_id = int(fnum(row.get("id"), "id", VENUE))
        smallest = log_id if smallest is None else min(smallest, log_id)
        if row.get("info") != FUNDING_INFO:
            continue
        if str(row.get("contract") or "").upper() != symbol.upper():
            continue
        amount = fnum(row.get("realized_funding"), "realized_funding", VENUE)
        coin = str(row.get("asset") or "").upper()
        coin = "BTC" if coin == "XBT" else coin
        when = iso_ms(row.get("date"), "date")
        found.append((log_id, FundingPayment(when, amount, coin, symbol)))
    return found, smallest, len(rows)


def check_reply(status: int, payload: Any) -> None:
    """A good history reply carries its list (``rates``, ``logs``; the history API sends no
    ``result``); anything else is Kraken's error reply, typed."""
    if (
        isinstance(payload, dict)
        and "error" not in payload
        and payload.get("result", "success") == "success"
        and ("rates" in payload or "logs" in payload)
    ):
        return
    check_error(status, payload)
    raise BadReply(VENUE, f"unexpected reply: {str(payload)[:120]}", http=status)


class KrakenFundingHistory(FundingHistoryClient):
    """Kraken Futures: historical funding rates (relative, hourly) and the account log's
    funding bookings."""

    venue = VENUE
    default_url = "https://futures.kraken.com"
    default_wait_s: ClassVar[float] = LIMIT_WAIT_S

    _nonces = count(1)

    def interval_hours(self, symbol: str) -> float:
        return DEFAULT_INTERVAL_HOURS

    def rates_request(self, symbol: str, start_ms: int, end_ms: int) -> PageRequest:
        return PageRequest(RATES_PATH, tuple(rates_params(symbol).items()))

    def parse_rates(self, payload: Any, request: PageRequest, symbol: str) -> Page[FundingRecord]:
        check_reply(200, payload)
        return Page(parse_rates(payload))  # the whole history in one reply

    def payments_request(self, symbol: str, start_ms: int, end_ms: int) -> PageRequest:
        return PageRequest(ACCOUNT_LOG_PATH, tuple(account_log_params(start_ms, end_ms).items()))

    def parse_payments(
        self, payload: Any, request: PageRequest, symbol: str
    ) -> Page[FundingPayment]:
        check_reply(200, payload)
        found, smallest, rows = parse_account_log(payload, symbol)
        payments = [payment for _id, payment in found]
        below = request.param("to")
        if rows < LOG_PAGE or smallest is None or (below is not None and smallest >= int(below)):
            return Page(payments)
        return Page(payments, request.replace(to=str(smallest)))

    def check_reply(self, status: int, payload: Any) -> None:
        check_reply(status, payload)

    def rate_limit_wait(
        self, status: int, payload: Any, headers: Mapping[str, str], now_s: float
    ) -> float | None:
        return wait_when_throttled(check_reply, status, payload, LIMIT_WAIT_S)

    def signed_headers(
        self, credentials: Credentials, request: PageRequest, now_s: float
    ) -> tuple[str, dict[str, str]]:
        query = request.query
        nonce = f"{int(now_s * 1000)}{next(self._nonces):04d}"
        return query, signed_headers(credentials, query, nonce, request.path)
