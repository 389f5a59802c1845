"""Deribit funding history: pure request builders and reply parsers (no I/O).

Rates: ``GET /api/v2/public/get_funding_rate_history`` (``instrument_name``,
``start_timestamp``, ``end_timestamp``, all required) answers one row per hour,
``{"timestamp", "index_price", "prev_index_price", "interest_8h", "interest_1h"}``, oldest first
[Deribit API reference, "public/get_funding_rate_history", and its JSON-RPC example]. A call
returns at most 744 rows (31 days of hours): ccxt's Deribit client pages by 744 hourly entries
and deribit/deribit-api-clients issue #59 reports a month as the most one call gives; so a
longer range is asked for in windows of at most 744 hours.

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

from typing import Any

from hedgetui.history.model import FundingPayment, FundingRecord
from hedgetui.trading.orders import BadReply
from hedgetui.trading.venues.base import fnum

VENUE = "deribit"
RATES_PATH = "/api/v2/public/get_funding_rate_history"
SETTLEMENTS_PATH = "/api/v2/private/get_settlement_history_by_instrument"
HOUR_MS = 3_600_000
MAX_ROWS = 744  # hourly rows one call returns at most (31 days)
SETTLEMENT_PAGE = 1000  # the documented maximum ``count``
INTERVAL_HOURS = 1.0


def rate_windows(start_ms: int, end_ms: int) -> list[tuple[int, int]]:
    """``(start, end]`` cut into windows of at most :data:`MAX_ROWS` hours, oldest first."""
    span = MAX_ROWS * HOUR_MS
    windows: list[tuple[int, int]] = []
    lo = start_ms
    while lo < end_ms:
        hi = min(lo + span, end_ms)
        windows.append((lo, hi))
        lo = hi
    return windows


def rates_params(symbol: str, start_ms: int, end_ms: int) -> dict[str, str]:
    """The query of one window; Deribit's bounds are inclusive, so ask from ``start_ms + 1``
    (a record at ``start_ms`` belongs to the window before)."""
    return {
        "instrument_name": symbol,
        "start_timestamp": str(start_ms + 1),
        "end_timestamp": str(end_ms),
    }


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
