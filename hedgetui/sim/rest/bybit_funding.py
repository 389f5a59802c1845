"""Bybit's funding history: the public funding-rate history and the account's transaction log.

`BybitFunding` serves `/v5/market/funding/history` (newest first, at most `FUNDING_PAGE`
rows up to `endTime`) and `/v5/account/transaction-log` (the inverse positions' SETTLEMENT
rows, newest first, `LOG_PAGE` a page with cursor paging, a window of at most seven days),
from the books' funding history (`SimAccounts.funding`). `BybitApi` routes to them.
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.base import BadParam, dec, parse_float
from hedgetui.sim.rest.bybit_replies import BybitReplies
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import INSTRUMENTS

FUNDING_PAGE = 200  # /v5/market/funding/history limit [1, 200]
LOG_PAGE = 50  # /v5/account/transaction-log limit [1, 50]
LOG_WINDOW_MS = 7 * 24 * 3_600_000


class BybitFunding(BybitReplies):
    """The funding-history endpoints of the simulated Bybit API."""

    def funding_history(self, req: HttpRequest) -> HttpResponse:
        """GET /v5/market/funding/history: newest first, at most ``limit`` (1..200) up to
        ``endTime``; ``startTime`` alone is an error (the docs' tip)."""
        p = self.params(req)
        self._category(p)
        symbol = str(p.get("symbol") or "")
        if not symbol:
            raise BadParam("symbol is required")
        limit = int(parse_float(p, "limit", required=False) or FUNDING_PAGE)
        if not 1 <= limit <= FUNDING_PAGE:
            raise BadParam(f"limit must be in [1, {FUNDING_PAGE}]")
        start = parse_float(p, "startTime", required=False)
        end = parse_float(p, "endTime", required=False)
        if start is not None and end is None:
            raise BadParam("endTime is required when startTime is given")
        records = self.funding_records(symbol, int(start or 0), int(end or self.now_ms()))
        rows = [
            {"symbol": symbol, "fundingRate": dec(r.rate), "fundingRateTimestamp": str(r.time_ms)}
            for r in reversed(records[-limit:])
        ]
        return self.envelope(0, "OK", {"category": "inverse", "list": rows})

    def transaction_log(self, req: HttpRequest) -> HttpResponse:
        """GET /v5/account/transaction-log: the simulator books the SETTLEMENT (funding) rows
        of the inverse positions, newest first, ``limit`` 1..50 a page, ``cursor`` paging,
        ``endTime - startTime`` at most 7 days."""
        p = self.params(req)
        self._category(p)
        limit = int(parse_float(p, "limit", required=False) or 20)
        if not 1 <= limit <= LOG_PAGE:
            raise BadParam(f"limit must be in [1, {LOG_PAGE}]")
        now = self.now_ms()
        end = int(parse_float(p, "endTime", required=False) or now)
        start = int(parse_float(p, "startTime", required=False) or end - LOG_WINDOW_MS)
        if end - start > LOG_WINDOW_MS:
            raise BadParam("endTime - startTime must be <= 7 days")
        currency = str(p.get("currency") or "BTC")
        kind = str(p.get("type") or "SETTLEMENT")
        rows: list[dict[str, Any]] = []
        for symbol, spec in INSTRUMENTS[self.venue].items():
            if spec.coin != currency or kind != "SETTLEMENT":
                continue
            size = self.accounts.position(self.venue, symbol)
            for r, amount in self.funding_payments(symbol, start, end):
                rows.append(
                    {
                        "id": f"{r.time_ms}_{symbol}",
                        "symbol": symbol,
                        "category": "inverse",
                        "side": "Buy" if size > 0 else "Sell",
                        "transactionTime": str(r.time_ms),
                        "type": "SETTLEMENT",
                        "qty": dec(abs(size)),
                        "size": dec(size),
                        "currency": currency,
                        "tradePrice": dec(self.mark(symbol)),
                        "funding": dec(amount, 10),
                        "fee": "0",
                        "cashFlow": "0",
                        "change": dec(amount, 10),
                        "cashBalance": dec(self.accounts.balance(self.venue, currency), 10),
                        "feeRate": dec(r.rate if size > 0 else -r.rate, 10),
                        "bonusChange": "",
                        "tradeId": "",
                        "orderId": "",
                        "orderLinkId": "",
                    }
                )
        rows.sort(key=lambda row: int(row["transactionTime"]), reverse=True)
        try:
            offset = int(str(p.get("cursor") or "0"))
        except ValueError:
            raise BadParam("cursor is not valid") from None
        page = rows[offset : offset + limit]
        more = offset + limit < len(rows)
        cursor = str(offset + limit) if more else ""
        return self.envelope(0, "OK", {"nextPageCursor": cursor, "list": page})
