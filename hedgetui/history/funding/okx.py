"""OKX funding history: pure request builders and reply parsers, and the client that
binds them to the shared paging loop (:mod:`hedgetui.history.funding.base`).

Rates: ``GET /api/v5/public/funding-rate-history`` (``instId``; ``after`` = return records
earlier than this ``fundingTime``; ``before`` = newer; ``limit``), newest first, the last three
months only; 10 requests per 2 s per IP and instrument [OKX API v5, "Get funding rate history"].
The page size was 100 and is 400 in later versions of the page: we ask for 100, which both
accept. Each row: ``fundingRate`` (the rate predicted for that settlement), ``realizedRate``
(the rate actually charged at ``fundingTime``: the one we keep; ``fundingRate`` only when a row
has no ``realizedRate``), ``fundingTime`` (ms string), ``method``, ``formulaType``.
The rows say nothing about the interval: OKX settles every 8 h by default and may shorten it
for an instrument, so a record's interval is the spacing to the settlement before it (when that
is one of OKX's intervals, 1/2/4/6/8 h), else the interval of its neighbour, else 8 h.

Realised funding: ``GET /api/v5/account/bills-archive`` (the last three months, 5 requests per
2 s per user; ``type=8`` funding fee, ``instType=SWAP``, ``instId``, ``begin``/``end`` ms,
``after`` = bill id cursor, ``limit`` up to 100), newest first; a funding bill has ``subType``
173 (expense) or 174 (income), ``pnl`` the signed amount ("You may refer to pnl for the fee
payment"), ``balChg`` the balance change, ``ccy`` the coin, ``ts`` ms [OKX API v5, "Get bills
details (last 3 months)"].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from hedgetui.history.funding.base import FundingHistoryClient, Page, PageRequest
from hedgetui.history.funding.spacing import with_intervals
from hedgetui.history.funding.throttle import wait_when_throttled
from hedgetui.history.model import FundingPayment, FundingRecord
from hedgetui.trading.credentials import Credentials
from hedgetui.trading.orders import BadReply
from hedgetui.trading.venues.base import famount, fnum
from hedgetui.trading.venues.okx import check_error, signed_headers

VENUE = "okx"
RATES_PATH = "/api/v5/public/funding-rate-history"
BILLS_PATH = "/api/v5/account/bills-archive"
PAGE = 100
DEFAULT_INTERVAL_HOURS = 8.0
INTERVALS_HOURS = (1.0, 2.0, 4.0, 6.0, 8.0)
FUNDING_BILL_TYPE = "8"
FUNDING_SUBTYPES = {"173", "174"}
RATE_WINDOW_S = 2.0  # both endpoints' limits are counted over 2 seconds


def rates_params(symbol: str, start_ms: int, end_ms: int) -> dict[str, str]:
    """The newest page of ``(start_ms, end_ms]``: records earlier than ``end_ms + 1`` and newer
    than ``start_ms``, newest first; the next page moves ``after`` to the oldest one seen."""
    return {
        "instId": symbol,
        "after": str(end_ms + 1),
        "before": str(start_ms),
        "limit": str(PAGE),
    }


def _rate_of(row: dict[str, Any]) -> float:
    realized = row.get("realizedRate")
    if realized not in (None, ""):
        return fnum(realized, "realizedRate", VENUE)
    return fnum(row.get("fundingRate"), "fundingRate", VENUE)


def parse_rate_rows(rows: list[Any], symbol: str) -> list[tuple[int, float]]:
    """``(fundingTime, rate)`` of the rows of ``symbol`` (a reply's ``data``), time order."""
    found: list[tuple[int, float]] = []
    for row in rows:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"funding history row is not an object: {str(row)[:80]}")
        if row.get("instId") not in (None, symbol):
            continue
        found.append((int(fnum(row.get("fundingTime"), "fundingTime", VENUE)), _rate_of(row)))
    found.sort()
    return found


def parse_rates(rows: list[Any], symbol: str) -> list[FundingRecord]:
    """The records of a reply's ``data`` (rows of ``symbol`` only), time order."""
    return with_intervals(parse_rate_rows(rows, symbol), INTERVALS_HOURS, DEFAULT_INTERVAL_HOURS)


def bills_params(
    symbol: str, start_ms: int, end_ms: int, after_bill: str | None = None
) -> dict[str, str]:
    params = {
        "instType": "SWAP",
        "instId": symbol,
        "type": FUNDING_BILL_TYPE,
        "begin": str(start_ms + 1),
        "end": str(end_ms),
        "limit": str(PAGE),
    }
    if after_bill:
        params["after"] = after_bill
    return params


def parse_bills(rows: list[Any], symbol: str) -> tuple[list[FundingPayment], str | None]:
    """``(funding payments, the oldest bill id on the page)`` of one bills page."""
    payments: list[FundingPayment] = []
    last_id: str | None = None
    for row in rows:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"bill row is not an object: {str(row)[:80]}")
        if row.get("billId") not in (None, ""):
            last_id = str(row["billId"])
        if str(row.get("type")) != FUNDING_BILL_TYPE or row.get("instId") != symbol:
            continue
        if str(row.get("subType")) not in FUNDING_SUBTYPES:
            continue
        amount = famount(row.get("pnl"))
        if amount is None:
            amount = fnum(row.get("balChg"), "balChg", VENUE)
        time_ms = int(fnum(row.get("ts"), "ts", VENUE))
        payments.append(FundingPayment(time_ms, amount, str(row.get("ccy") or ""), symbol))
    return payments, last_id


class OkxFundingHistory(FundingHistoryClient):
    """OKX: funding-rate history (``realizedRate``) and the account's funding-fee bills."""

    venue = VENUE
    default_url = "https://www.okx.com"
    default_wait_s: ClassVar[float] = RATE_WINDOW_S

    def interval_hours(self, symbol: str) -> float:
        """8 h, OKX's default (a shortened interval only adds records: never a false gap)."""
        return DEFAULT_INTERVAL_HOURS

    def rates_request(self, symbol: str, start_ms: int, end_ms: int) -> PageRequest:
        return PageRequest(RATES_PATH, tuple(rates_params(symbol, start_ms, end_ms).items()))

    def parse_rates(self, payload: Any, request: PageRequest, symbol: str) -> Page[FundingRecord]:
        rows = check_error(200, payload)
        records = parse_rates(rows, symbol)
        if len(rows) < PAGE or not records:
            return Page(records)
        return Page(records, request.replace(after=str(records[0].time_ms)))

    def payments_request(self, symbol: str, start_ms: int, end_ms: int) -> PageRequest:
        return PageRequest(BILLS_PATH, tuple(bills_params(symbol, start_ms, end_ms).items()))

    def parse_payments(
        self, payload: Any, request: PageRequest, symbol: str
    ) -> Page[FundingPayment]:
        rows = check_error(200, payload)
        payments, last_bill = parse_bills(rows, symbol)
        if len(rows) < PAGE or last_bill is None:
            return Page(payments)
        return Page(payments, request.replace(after=last_bill))

    def check_reply(self, status: int, payload: Any) -> None:
        check_error(status, payload)

    def rate_limit_wait(
        self, status: int, payload: Any, headers: Mapping[str, str], now_s: float
    ) -> float | None:
        """50011 (HTTP 429 or 200): the limits are counted over 2 s, so wait one window."""
        return wait_when_throttled(check_error, status, payload, RATE_WINDOW_S)

    def signed_headers(
        self, credentials: Credentials, request: PageRequest, now_s: float
    ) -> tuple[str, dict[str, str]]:
        query = request.query
        return query, signed_headers(credentials, now_s, "GET", f"{request.path}?{query}", "")
