"""Binance COIN-M's funding history: the public funding rates and the account's funding fees.

`BinanceFunding` serves `/dapi/v1/fundingRate` and `/dapi/v1/income` (the FUNDING_FEE rows),
oldest first, windowed by startTime/endTime and `limit` (at most `HISTORY_MAX_LIMIT`; the
newest when no window is given), from the books' funding history (`SimAccounts.funding`).
`BinanceApi` routes to them.
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.base import BadParam, dec, json_reply, parse_float
from hedgetui.sim.rest.binance_replies import BinanceReplies
from hedgetui.sim.rest.http import HttpRequest, HttpResponse

HISTORY_MAX_LIMIT = 1000  # fundingRate and income: limit default 100, max 1000


class BinanceFunding(BinanceReplies):
    """The funding-history endpoints of the simulated Binance API."""

    def _history_window(self, p: dict[str, Any]) -> tuple[int, int, int, bool]:
        """(startTime, endTime, limit, newest) of a history query: without either time the
        newest ``limit`` rows are served."""
        limit = int(parse_float(p, "limit", required=False) or 100)
        if not 1 <= limit <= HISTORY_MAX_LIMIT:
            raise BadParam(f"limit must be between 1 and {HISTORY_MAX_LIMIT}")
        start = parse_float(p, "startTime", required=False)
        end = parse_float(p, "endTime", required=False)
        newest = start is None and end is None
        return int(start or 0), int(end or self.now_ms()), limit, newest

    def funding_rate(self, req: HttpRequest) -> HttpResponse:
        """GET /dapi/v1/fundingRate: ``{"symbol", "fundingTime", "fundingRate"}`` oldest first."""
        p = self.params(req)
        symbol = str(p.get("symbol") or "")
        if not symbol:
            raise BadParam(
                "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."
            )
        start, end, limit, newest = self._history_window(p)
        records = self.funding_records(symbol, start, end)
        records = records[-limit:] if newest else records[:limit]
        rows = [
            {"symbol": symbol, "fundingTime": r.time_ms, "fundingRate": f"{r.rate:.8f}"}
            for r in records
        ]
        return json_reply(rows)

    def income(self, req: HttpRequest) -> HttpResponse:
        """GET /dapi/v1/income: the account's income flow; the simulator books the
        FUNDING_FEE rows (``income`` signed for the account), oldest first."""
        p = self.params(req)
        symbol = str(p.get("symbol") or "BTCUSD_PERP")
        kind = str(p.get("incomeType") or "FUNDING_FEE")
        start, end, limit, newest = self._history_window(p)
        paid = self.funding_payments(symbol, start, end) if kind == "FUNDING_FEE" else []
        paid = paid[-limit:] if newest else paid[:limit]
        rows = [
            {
                "symbol": symbol,
                "incomeType": "FUNDING_FEE",
                "income": dec(amount, 8),
                "asset": symbol[:3],
                "info": "FUNDING_FEE",
                "time": r.time_ms,
                "tranId": str(r.time_ms // 1000),
                "tradeId": "",
            }
            for r, amount in paid
        ]
        return json_reply(rows)
