"""Kraken Futures funding history: pure request builders and reply parsers (no I/O).

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

from datetime import datetime
from typing import Any

from hedgetui.history.funding.spacing import with_intervals
from hedgetui.history.model import FundingPayment, FundingRecord
from hedgetui.trading.orders import BadReply
from hedgetui.trading.venues.base import fnum

VENUE = "kraken"
RATES_PATH = "/derivatives/api/v4/historicalfundingrates"
ACCOUNT_LOG_PATH = "/api/history/v3/account-log"
FUNDING_INFO = "funding rate change"
LOG_PAGE = 500
DEFAULT_INTERVAL_HOURS = 1.0
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


def parse_rates(payload: Any, start_ms: int, end_ms: int) -> list[FundingRecord]:
    """The records with ``start_ms < time <= end_ms`` of a historicalfundingrates reply."""
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
    records = with_intervals(points, INTERVALS_HOURS, DEFAULT_INTERVAL_HOURS)
    return [r for r in records if start_ms < r.time_ms <= end_ms]


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
