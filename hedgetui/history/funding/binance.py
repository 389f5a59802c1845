"""Binance COIN-M funding history.

Rates: ``GET /dapi/v1/fundingRate?symbol&startTime&endTime&limit`` (public), rows
``{"symbol", "fundingTime", "fundingRate"}`` oldest first, ``limit`` at most :data:`PAGE`
(1000; default 100) [Binance COIN-M "Get Funding Rate History of Perpetual Futures"]; the next
page starts 1 ms after the last ``fundingTime``.

Payments: ``GET /dapi/v1/income?symbol&incomeType=FUNDING_FEE&startTime&endTime&limit`` (signed,
USER_DATA), rows ``{"symbol", "incomeType", "income", "asset", "time", "tranId"}`` oldest first,
``income`` signed for the account (positive: received); paged like the rates.

Rate limit: HTTP 429 (code -1003) or 418 (IP ban) with ``Retry-After`` seconds [rest.md Binance
COIN-M "Rate limits"]; the client waits that long (an absent header: ``default_wait_s``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hedgetui.history.funding.base import (
    FundingHistoryClient,
    Page,
    PageRequest,
    profile_interval_hours,
    require_list,
    wait_from_headers,
)
from hedgetui.history.model import FundingPayment, FundingRecord
from hedgetui.trading.credentials import Credentials
from hedgetui.trading.orders import BadReply
from hedgetui.trading.venues import binance as trading
from hedgetui.trading.venues.base import fnum

VENUE = "binance"
PAGE = 1000


def _window(
    path: str, symbol: str, start_ms: int, end_ms: int, *extra: tuple[str, str]
) -> PageRequest:
    params = (
        ("symbol", symbol),
        *extra,
        ("startTime", str(start_ms + 1)),
        ("endTime", str(end_ms)),
        ("limit", str(PAGE)),
    )
    return PageRequest(path, params)


def _next(request: PageRequest, rows: list[Any], last_ms: int | None) -> PageRequest | None:
    if len(rows) < PAGE or last_ms is None:
        return None
    return request.replace(startTime=str(last_ms + 1))


def rates_request(symbol: str, start_ms: int, end_ms: int) -> PageRequest:
    return _window("/dapi/v1/fundingRate", symbol, start_ms, end_ms)


def parse_rates(payload: Any, request: PageRequest, symbol: str) -> Page[FundingRecord]:
    interval_hours = profile_interval_hours(VENUE, symbol)
    rows = require_list(payload, "fundingRate", VENUE)
    records = []
    for row in rows:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"fundingRate row is not an object: {str(row)[:80]}")
        records.append(
            FundingRecord(
                int(fnum(row.get("fundingTime"), "fundingTime", VENUE)),
                fnum(row.get("fundingRate"), "fundingRate", VENUE),
                interval_hours,
            )
        )
    last = max((r.time_ms for r in records), default=None)
    return Page(records, _next(request, rows, last))


def payments_request(symbol: str, start_ms: int, end_ms: int) -> PageRequest:
    return _window("/dapi/v1/income", symbol, start_ms, end_ms, ("incomeType", "FUNDING_FEE"))


def parse_payments(payload: Any, request: PageRequest, symbol: str) -> Page[FundingPayment]:
    rows = require_list(payload, "income", VENUE)
    payments = []
    for row in rows:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"income row is not an object: {str(row)[:80]}")
        if row.get("incomeType") != "FUNDING_FEE":
            continue
        payments.append(
            FundingPayment(
                int(fnum(row.get("time"), "time", VENUE)),
                fnum(row.get("income"), "income", VENUE),
                str(row.get("asset") or "BTC"),
                str(row.get("symbol") or symbol),
            )
        )
    times = [int(fnum(r.get("time"), "time", VENUE)) for r in rows if isinstance(r, dict)]
    return Page(payments, _next(request, rows, max(times, default=None)))


def rate_limit_wait(
    status: int, payload: Any, headers: Mapping[str, str], now_s: float
) -> float | None:
    return wait_from_headers(headers) if status in (418, 429) else None


def signed_headers(
    credentials: Credentials, request: PageRequest, now_s: float
) -> tuple[str, dict[str, str]]:
    query = trading.signed_query(credentials, dict(request.params), int(now_s * 1000))
    return query, {"X-MBX-APIKEY": credentials.api_key.reveal()}


class BinanceFundingHistory(FundingHistoryClient):
    venue = VENUE
    default_url = trading.BinanceClient.default_url
    rates_request = staticmethod(rates_request)
    parse_rates = staticmethod(parse_rates)
    payments_request = staticmethod(payments_request)
    parse_payments = staticmethod(parse_payments)
    check_reply = staticmethod(trading.check_error)
    rate_limit_wait = staticmethod(rate_limit_wait)
    signed_headers = staticmethod(signed_headers)
