"""Deribit funding history: pure request builders and reply parsers, and the client that binds
them to the shared paging loop (:mod:`hedgetui.history.funding.base`).

Rates: ``GET /api/v2/public/get_funding_rate_history`` (``instrument_name``,
``start_timestamp``, ``end_timestamp``, all required) answers one row per hour,
``{"timestamp", "index_price", "prev_index_price", "interest_8h", "interest_1h"}``, oldest first
[Deribit API reference, "public/get_funding_rate_history", and its JSON-RPC example]. A call
returns at most 744 rows (31 days of hours): ccxt's Deribit client pages by 744 hourly entries
and deribit/deribit-api-clients issue #59 reports a month as the most one call gives. So after a
full reply the rest of the range is asked for: before the reply's oldest hour when the reply
reached the range's end, else after its newest (whichever end the venue kept).

Deribit's funding accrues continuously; ``interest_1h`` is what the hour ending at
``timestamp`` accrued, as a fraction of the position's value (positive: longs pay shorts), and
``interest_8h`` is the same rate scaled to 8 hours. One row becomes one
:class:`FundingRecord` at ``timestamp`` with ``interval_hours=1`` and ``rate=interest_1h``.

Realised funding: ``GET /api/v2/private/get_settlement_history_by_instrument``
(``instrument_name``, ``type=settlement``, ``count`` up to 1000, ``continuation``,
``search_start_timestamp`` = the latest time to return from), newest first; a perpetual's daily
settlement row carries ``funding``, the session's funding in the base coin, positive when
credited to the account [Deribit API reference, the ``settlement`` object: "funding (in base
currency; settlement for perpetual product only)"].
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import count
from typing import Any, ClassVar

from hedgetui.history.funding.base import FundingHistoryClient, Page, PageRequest
from hedgetui.history.funding.throttle import wait_when_throttled
from hedgetui.history.model import FundingPayment, FundingRecord
from hedgetui.trading.credentials import Credentials
from hedgetui.trading.orders import BadReply
from hedgetui.trading.signing import deribit_authorization
from hedgetui.trading.venues.base import fnum
from hedgetui.trading.venues.deribit import check_error

VENUE = "deribit"
RATES_PATH = "/api/v2/public/get_funding_rate_history"
SETTLEMENTS_PATH = "/api/v2/private/get_settlement_history_by_instrument"
HOUR_MS = 3_600_000
MAX_ROWS = 744  # hourly rows one call returns at most (31 days)
SETTLEMENT_PAGE = 1000  # the documented maximum ``count``
INTERVAL_HOURS = 1.0


def rates_params(symbol: str, start_ms: int, end_ms: int) -> dict[str, str]:
    """The query for ``(start_ms, end_ms]``; Deribit's bounds are inclusive, so ask from
    ``start_ms + 1`` (a record at ``start_ms`` belongs to the range before)."""
    return {
        "instrument_name": symbol,
        "start_timestamp": str(start_ms + 1),
        "end_timestamp": str(end_ms),
    }


def rest_of_range(
    records: list[FundingRecord], start_ms: int, end_ms: int
) -> tuple[int, int] | None:
    """After a full reply (:data:`MAX_ROWS` rows), the part of ``(start_ms, end_ms]`` it did
    not cover, as ``(start, end)`` of the next request; None when the reply was not full (the
    range is done). Whichever end of the range the venue kept, the next request asks the
    other: before the oldest row when the reply reached the range's end, else after the
    newest."""
    if len(records) < MAX_ROWS:
        return None
    oldest, newest = records[0].time_ms, records[-1].time_ms
    rest = (start_ms, oldest - 1) if newest > end_ms - HOUR_MS else (newest, end_ms)
    return rest if rest[0] < rest[1] else None


def parse_rates(result: Any) -> list[FundingRecord]:
    """The ``result`` array of get_funding_rate_history, as records (any order in, time order
    out). A row without a readable ``timestamp`` or ``interest_1h`` is a bad reply."""
    if not isinstance(result, list):
        raise BadReply(VENUE, f"get_funding_rate_history result is not a list: {str(result)[:80]}")
    records: list[FundingRecord] = []
    for row in result:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"funding history row is not an object: {str(row)[:80]}")
        time_ms = int(fnum(row.get("timestamp"), "timestamp", VENUE))
        rate = fnum(row.get("interest_1h"), "interest_1h", VENUE)
        records.append(FundingRecord(time_ms, rate, INTERVAL_HOURS))
    records.sort(key=lambda r: r.time_ms)
    return records


def settlements_params(
    symbol: str, search_start_ms: int, continuation: str | None = None
) -> dict[str, str]:
    params = {
        "instrument_name": symbol,
        "type": "settlement",
        "count": str(SETTLEMENT_PAGE),
        "search_start_timestamp": str(search_start_ms),
    }
    if continuation:
        params["continuation"] = continuation
    return params


def parse_settlements(
    result: Any, symbol: str, coin: str
) -> tuple[list[FundingPayment], str | None, int | None]:
    """``(payments, continuation, oldest time on the page)`` of one settlement-history page.

    Only ``settlement`` rows of ``symbol`` that carry ``funding`` become payments; the
    continuation is None when Deribit says there is no more (``"none"`` or absent)."""
    if not isinstance(result, dict) or not isinstance(result.get("settlements"), list):
        raise BadReply(VENUE, f"settlement history has no settlements: {str(result)[:80]}")
    payments: list[FundingPayment] = []
    oldest: int | None = None
    for row in result["settlements"]:
        if not isinstance(row, dict):
            raise BadReply(VENUE, f"settlement row is not an object: {str(row)[:80]}")
        time_ms = int(fnum(row.get("timestamp"), "timestamp", VENUE))
        oldest = time_ms if oldest is None else min(oldest, time_ms)
        if row.get("type") != "settlement" or row.get("instrument_name") != symbol:
            continue
        if row.get("funding") is None:
            continue
        amount = fnum(row["funding"], "funding", VENUE)
        payments.append(FundingPayment(time_ms, amount, coin, symbol))
    token = result.get("continuation")
    more = str(token) if token not in (None, "", "none") else None
    return payments, more, oldest


def _coin(symbol: str) -> str:
    """BTC-PERPETUAL -> BTC (a perpetual settles in its base coin)."""
    return symbol.split("-", 1)[0].split("_", 1)[0]


class DeribitFundingHistory(FundingHistoryClient):
    """Deribit: hourly funding accruals, and the daily settlements' realised funding."""

    venue = VENUE
    default_url = "https://www.deribit.com"
    # 10028 too_many_requests names no wait; Deribit's limits are credits that refill
    # continuously (rest.md, Deribit rate limits), so ask again after a second.
    default_wait_s: ClassVar[float] = 1.0

    _nonces = count(1)

    def interval_hours(self, symbol: str) -> float:
        return INTERVAL_HOURS

    def rates_request(self, symbol: str, start_ms: int, end_ms: int) -> PageRequest:
        return PageRequest(RATES_PATH, tuple(rates_params(symbol, start_ms, end_ms).items()))

    def parse_rates(self, payload: Any, request: PageRequest, symbol: str) -> Page[FundingRecord]:
        records = parse_rates(check_error(200, payload))
        start = int(request.param("start_timestamp") or 1) - 1
        end = int(request.param("end_timestamp") or 0)
        rest = rest_of_range(records, start, end)
        follow = self.rates_request(symbol, *rest) if rest is not None else None
        return Page(records, follow)

    def payments_request(self, symbol: str, start_ms: int, end_ms: int) -> PageRequest:
        params = settlements_params(symbol, end_ms)
        return PageRequest(SETTLEMENTS_PATH, tuple(params.items()), since_ms=start_ms)

    def parse_payments(
        self, payload: Any, request: PageRequest, symbol: str
    ) -> Page[FundingPayment]:
        payments, more, oldest = parse_settlements(check_error(200, payload), symbol, _coin(symbol))
        if more is None or oldest is None or oldest <= request.since_ms:
            return Page(payments)
        return Page(payments, request.replace(continuation=more))

    def check_reply(self, status: int, payload: Any) -> None:
        check_error(status, payload)

    def rate_limit_wait(
        self, status: int, payload: Any, headers: Mapping[str, str], now_s: float
    ) -> float | None:
        return wait_when_throttled(check_error, status, payload, self.default_wait_s)

    def signed_headers(
        self, credentials: Credentials, request: PageRequest, now_s: float
    ) -> tuple[str, dict[str, str]]:
        query = request.query
        uri = f"{request.path}?{query}"
        stamp = int(now_s * 1000)
        auth = deribit_authorization(
            credentials.api_key.reveal(),
            credentials.api_secret.reveal(),
            stamp,
            f"{stamp}{next(self._nonces):04d}",
            "GET",
            uri,
            "",
        )
        return query, {"Authorization": auth}
