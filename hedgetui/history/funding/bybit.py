"""Bybit (v5, inverse) funding history.

Rates: ``GET /v5/market/funding/history?category=inverse&symbol&startTime&endTime&limit``
(public), ``result.list`` of ``{"symbol", "fundingRate", "fundingRateTimestamp"}`` NEWEST
first, ``limit`` 1..200 (default 200); passing only ``startTime`` is an error, so both are sent
[bybit-exchange/docs ``docs/v5/market/history-fund-rate.mdx``]. A full page continues with
``endTime`` 1 ms before its oldest record.

Payments: ``GET /v5/account/transaction-log?accountType=UNIFIED&category=inverse&currency=BTC
&type=SETTLEMENT&startTime&endTime&limit=50[&cursor]`` (signed): ``funding`` is signed for the
account ("positive value means receiving funding fee"); ``endTime - startTime`` may not exceed
7 days, so the window is asked 7 days at a time, each followed through ``nextPageCursor``
[``docs/v5/account/transaction-log.mdx``].

Rate limit: retCode 10006 "Too many visits!" (HTTP 200) with ``X-Bapi-Limit-Reset-Timestamp``
(ms) [rest.md Bybit "Rate limits", BYDOCS ``rate-limit/rate-limit.mdx``]; the client waits
until then.
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
    seconds_or_default,
)
from hedgetui.history.model import FundingPayment, FundingRecord
from hedgetui.trading.credentials import Credentials
from hedgetui.trading.orders import BadReply
from hedgetui.trading.venues import bybit as trading
from hedgetui.trading.venues.base import fnum

VENUE = "bybit"
PAGE = 200
LOG_PAGE = 50
LOG_WINDOW_MS = 7 * 24 * 3_600_000
RATE_LIMITED = 10006


def _result_list(payload: Any, what: str) -> list[Any]:
    result = payload.get("result") if isinstance(payload, dict) else None
    if not isinstance(result, dict):
        raise BadReply(VENUE, f"{what} reply has no result: {str(payload)[:120]}")
    return require_list(result.get("list"), what, VENUE)


def rates_request(symbol: str, start_ms: int, end_ms: int) -> PageRequest:
    params = (
        ("category", "inverse"),
        ("symbol", symbol),
        ("startTime", str(start_ms + 1)),
        ("endTime", str(end_ms)),
        ("limit", str(PAGE)),
    )
    return PageRequest("/v5/market/funding/history", params)


def parse_rates(payload: Any, request: PageRequest, symbol: str) -> Page[FundingRecord]:
    interval_hours = profile_interval_hours(VENUE, symbol)
    rows = _result_list(payload, "funding history")
    records = []
    for row in rows:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"funding row is not an object: {str(row)[:80]}")
        records.append(
            FundingRecord(
                int(fnum(row.get("fundingRateTimestamp"), "fundingRateTimestamp", VENUE)),
                fnum(row.get("fundingRate"), "fundingRate", VENUE),
                interval_hours,
            )
        )
    start = int(request.param("startTime") or 0)
    oldest = min((r.time_ms for r in records), default=None)
    if len(rows) < PAGE or oldest is None or oldest <= start:
        return Page(records, None)
    return Page(records, request.replace(endTime=str(oldest - 1)))


def payments_request(symbol: str, start_ms: int, end_ms: int) -> PageRequest:
    return _log_window(symbol, start_ms + 1, end_ms)


def _log_window(symbol: str, first_ms: int, until_ms: int) -> PageRequest:
    params = (
        ("accountType", "UNIFIED"),
        ("category", "inverse"),
        ("currency", symbol.removesuffix("USD") or "BTC"),
        ("type", "SETTLEMENT"),
        ("startTime", str(first_ms)),
        ("endTime", str(min(first_ms + LOG_WINDOW_MS, until_ms))),
        ("limit", str(LOG_PAGE)),
    )
    return PageRequest("/v5/account/transaction-log", params, until_ms)


def parse_payments(payload: Any, request: PageRequest, symbol: str) -> Page[FundingPayment]:
    rows = _result_list(payload, "transaction log")
    payments = []
    for row in rows:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"transaction row is not an object: {str(row)[:80]}")
        if row.get("type") != "SETTLEMENT" or row.get("symbol") != symbol:
            continue
        payments.append(
            FundingPayment(
                int(fnum(row.get("transactionTime"), "transactionTime", VENUE)),
                fnum(row.get("funding") or 0, "funding", VENUE),
                str(row.get("currency") or "BTC"),
                symbol,
            )
        )
    result = payload.get("result") if isinstance(payload, dict) else None
    cursor = str(result.get("nextPageCursor") or "") if isinstance(result, dict) else ""
    if cursor and rows:
        return Page(payments, request.replace(cursor=cursor))
    window_end = int(request.param("endTime") or 0)
    if window_end < request.until_ms:
        return Page(payments, _log_window(symbol, window_end + 1, request.until_ms))
    return Page(payments, None)


def rate_limit_wait(
    status: int, payload: Any, headers: Mapping[str, str], now_s: float
) -> float | None:
    """retCode 10006: until ``X-Bapi-Limit-Reset-Timestamp`` (ms)."""
    if not isinstance(payload, dict) or payload.get("retCode") != RATE_LIMITED:
        return None
    reset = headers.get("x-bapi-limit-reset-timestamp")
    return seconds_or_default(reset, scale=1000, now_s=now_s)


def check_reply(status: int, payload: Any) -> None:
    trading.check_error(status, payload)


def signed_headers(
    credentials: Credentials, request: PageRequest, now_s: float
) -> tuple[str, dict[str, str]]:
    query = request.query
    return query, trading.signed_headers(credentials, int(now_s * 1000), query)


class BybitFundingHistory(FundingHistoryClient):
    venue = VENUE
    default_url = trading.BybitClient.default_url
    rates_request = staticmethod(rates_request)
    parse_rates = staticmethod(parse_rates)
    payments_request = staticmethod(payments_request)
    parse_payments = staticmethod(parse_payments)
    check_reply = staticmethod(check_reply)
    rate_limit_wait = staticmethod(rate_limit_wait)
    signed_headers = staticmethod(signed_headers)
