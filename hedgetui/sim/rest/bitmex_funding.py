"""BitMEX's funding history: the public funding events and the account's funding executions.

`BitmexFunding` serves `/api/v1/funding` (the funding events of a symbol on the recorded
row's shape) and `/api/v1/execution/tradeHistory` (the account's Funding executions), both
windowed by startTime/endTime, `count` (at most `HISTORY_MAX_COUNT`) from offset `start`,
optionally `reverse`, from the books' funding history (`SimAccounts.funding`). `BitmexApi`
routes to them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hedgetui.sim.rest.base import BadParam, iso_ms, json_reply, num, parse_float
from hedgetui.sim.rest.bitmex_replies import ACCOUNT, SATS, BitmexReplies
from hedgetui.sim.rest.http import HttpRequest, HttpResponse

HISTORY_MAX_COUNT = 500  # BitMEX API explorer: count "Number of results to fetch" (max 500)
EPOCH_2000_MS = 946_684_800_000  # fundingInterval is a duration written as a time after 2000


class BitmexFunding(BitmexReplies):
    """The funding-history endpoints of the simulated BitMEX API."""

    def _history_window(self, q: dict[str, str]) -> tuple[int, int, int, int, bool]:
        """(startTime ms, endTime ms, count, start offset, reverse) of a history query."""
        start = _time_param(q, "startTime", 0)
        end = _time_param(q, "endTime", self.now_ms())
        count = int(parse_float(q, "count", required=False) or 100)
        if not 1 <= count <= HISTORY_MAX_COUNT:
            raise BadParam(f"count must be between 1 and {HISTORY_MAX_COUNT}")
        offset = int(parse_float(q, "start", required=False) or 0)
        return start, end, count, max(offset, 0), q.get("reverse", "").lower() == "true"

    def funding(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v1/funding: the funding events of ``symbol`` (oldest first unless
        ``reverse``), ``count`` from offset ``start``, shaped on the recorded funding row."""
        q = req.query_params()
        start, end, count, offset, reverse = self._history_window(q)
        symbol = q.get("symbol") or "XBTUSD"
        records = self.funding_records(symbol, start, end)
        if reverse:
            records.reverse()
        rows = [
            {
                "timestamp": iso_ms(r.time_ms),
                "symbol": symbol,
                "fundingInterval": iso_ms(EPOCH_2000_MS + round(r.interval_hours * 3_600_000)),
                "fundingRate": r.rate,
                "fundingRateDaily": r.rate * 24 / r.interval_hours,
            }
            for r in records[offset : offset + count]
        ]
        return json_reply(rows)

    def trade_history(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v1/execution/tradeHistory: the account's executions; the simulator books
        only the funding ones (``execType: Funding``, ``execComm`` in XBt, positive = paid)."""
        q = req.query_params()
        start, end, count, offset, reverse = self._history_window(q)
        symbol = q.get("symbol") or "XBTUSD"
        pos = self.accounts.position_record(self.venue, symbol)
        rows = [
            {
                "execID": f"funding-{symbol}-{r.time_ms}",
                "account": ACCOUNT,
                "symbol": symbol,
                "lastQty": num(abs(pos.contracts)),
                "lastPx": self.mark(symbol),
                "execType": "Funding",
                "ordType": "Funding",
                "commission": r.rate,
                "execComm": -round(amount * SATS),
                "currency": "XBt",
                "settlCurrency": "XBt",
                "transactTime": iso_ms(r.time_ms),
                "timestamp": iso_ms(r.time_ms),
            }
            for r, amount in self.funding_payments(symbol, start, end)
        ]
        if reverse:
            rows.reverse()
        return json_reply(rows[offset : offset + count])


def _time_param(q: dict[str, str], name: str, default: int) -> int:
    """An ISO time (or epoch ms) query parameter, as BitMEX's startTime/endTime."""
    raw = q.get(name)
    if not raw:
        return default
    if raw.isdigit():
        return int(raw)
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise BadParam(f"{name} is not a valid time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return round(when.timestamp() * 1000)
