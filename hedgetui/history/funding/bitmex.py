"""BitMEX funding history.

Rates: ``GET /api/v1/funding?symbol&startTime&endTime&count&start&reverse=false`` (public),
rows ``{"timestamp", "symbol", "fundingInterval", "fundingRate", "fundingRateDaily"}`` oldest
first; paged by the ``start`` offset, :data:`PAGE` rows at a time (BitMEX API explorer:
``count`` "Number of results to fetch", ``start`` "Starting point for results").
``fundingInterval`` is a duration written as a time after 2000-01-01 (``...T08:00`` = 8 h).

Payments: ``GET /api/v1/execution/tradeHistory`` filtered on ``execType: Funding`` (signed): one
row per funding event of the position, ``execComm`` in the settlement currency's smallest unit
(XBt for XBTUSD), positive when the account paid.

Rate limit: HTTP 429 with ``Retry-After`` and ``X-RateLimit-Reset`` (unix seconds) [rest.md
BitMEX "Rate limits", BMXBLOG]; the client waits until the reset.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hedgetui.history.funding.base import (
    HOUR_MS,
    FundingHistoryClient,
    Page,
    PageRequest,
    require_list,
    seconds_or_default,
    wait_from_headers,
)
from hedgetui.history.model import FundingPayment, FundingRecord
from hedgetui.trading.credentials import Credentials
from hedgetui.trading.orders import BadReply
from hedgetui.trading.venues import bitmex as trading
from hedgetui.trading.venues.base import fnum

VENUE = "bitmex"
PAGE = 500
_EPOCH_2000_MS = 946_684_800_000
_SATS = {"XBt": 1e8, "Gwei": 1e9, "USDt": 1e6}


def iso(ms: int) -> str:
    """``2020-03-12T04:00:00.000Z`` (BitMEX's timestamps)."""
    when = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_time(text: Any, field: str) -> int:
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise BadReply(VENUE, f"field {field!r} is not a time: {str(text)[:40]!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return round(when.timestamp() * 1000)


def rates_request(symbol: str, start_ms: int, end_ms: int) -> PageRequest:
    params = (
        ("symbol", symbol),
        ("startTime", iso(start_ms + 1)),
        ("endTime", iso(end_ms)),
        ("count", str(PAGE)),
        ("start", "0"),
        ("reverse", "false"),
    )
    return PageRequest("/api/v1/funding", params)


def _next_offset(request: PageRequest, rows: list[Any]) -> PageRequest | None:
    if len(rows) < PAGE:
        return None
    return request.replace(start=str(int(request.param("start") or 0) + len(rows)))


def parse_rates(payload: Any, request: PageRequest, symbol: str) -> Page[FundingRecord]:
    rows = require_list(payload, "funding", VENUE)
    records = []
    for row in rows:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"funding row is not an object: {str(row)[:80]}")
        interval = row.get("fundingInterval")
        hours = (
            (parse_time(interval, "fundingInterval") - _EPOCH_2000_MS) / HOUR_MS
            if interval
            else 8.0
        )
        records.append(
            FundingRecord(
                parse_time(row.get("timestamp"), "timestamp"),
                fnum(row.get("fundingRate"), "fundingRate", VENUE),
                hours,
            )
        )
    return Page(records, _next_offset(request, rows))


def payments_request(symbol: str, start_ms: int, end_ms: int) -> PageRequest:
    params = (
        ("symbol", symbol),
        ("filter", json.dumps({"execType": "Funding"}, separators=(",", ":"))),
        ("startTime", iso(start_ms + 1)),
        ("endTime", iso(end_ms)),
        ("count", str(PAGE)),
        ("start", "0"),
        ("reverse", "false"),
    )
    return PageRequest("/api/v1/execution/tradeHistory", params)


def parse_payments(payload: Any, request: PageRequest, symbol: str) -> Page[FundingPayment]:
    rows = require_list(payload, "tradeHistory", VENUE)
    payments = []
    for row in rows:
        if not isinstance(row, dict) or row.get("execType") != "Funding":
            continue
        unit = str(row.get("settlCurrency") or row.get("currency") or "XBt")
        scale = _SATS.get(unit, 1e8)
        coin = "BTC" if unit == "XBt" else unit.upper().rstrip("T")
        payments.append(
            FundingPayment(
                parse_time(row.get("transactTime") or row.get("timestamp"), "transactTime"),
                -fnum(row.get("execComm"), "execComm", VENUE) / scale,
                coin,
                str(row.get("symbol") or symbol),
            )
        )
    return Page(payments, _next_offset(request, rows))


def rate_limit_wait(
    status: int, payload: Any, headers: Mapping[str, str], now_s: float
) -> float | None:
    """429: until ``X-RateLimit-Reset`` (unix seconds), else ``Retry-After``."""
    if status != 429:
        return None
    reset = headers.get("x-ratelimit-reset")
    if reset is not None:
        return seconds_or_default(reset, now_s=now_s)
    return wait_from_headers(headers)


def signed_headers(
    credentials: Credentials, request: PageRequest, now_s: float
) -> tuple[str, dict[str, str]]:
    query = request.query
    path = f"{request.path}?{query}"
    return query, trading.signed_headers(credentials, "GET", path, "", now_s)


class BitmexFundingHistory(FundingHistoryClient):
    venue = VENUE
    default_url = trading.BitmexClient.default_url
    rates_request = staticmethod(rates_request)
    parse_rates = staticmethod(parse_rates)
    payments_request = staticmethod(payments_request)
    parse_payments = staticmethod(parse_payments)
    check_reply = staticmethod(trading.check_error)
    rate_limit_wait = staticmethod(rate_limit_wait)
    signed_headers = staticmethod(signed_headers)
