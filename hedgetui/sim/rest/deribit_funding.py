"""Deribit's funding history: the hourly funding-rate history and the daily settlements.

`DeribitFunding` serves `public/get_funding_rate_history` (the shipped BTC-PERPETUAL hours
verbatim where they cover the time, else the simulator's synthetic hours, at most
`FUNDING_ROWS` a call) and `private/get_settlement_history_by_instrument` (the account's daily
08:00 UTC settlements with the funding they booked, paged by a `continuation` token), from the
books' funding history (`SimAccounts.funding`). `DeribitApi` routes to them.
"""

from __future__ import annotations

from typing import Any

from hedgetui.history.model import FundingRecord
from hedgetui.sim.rest.base import BadParam, coin, num
from hedgetui.sim.rest.deribit_hours import shipped_hours
from hedgetui.sim.rest.deribit_replies import DeribitReplies, number_param
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import InstrumentSpec, instrument

FUNDING_ROWS = 744  # a funding-history call returns at most 744 hours (31 days)
_DAY_MS = 86_400_000
_SETTLEMENT_HOUR_MS = 8 * 3_600_000  # Deribit settles daily at 08:00 UTC


class DeribitFunding(DeribitReplies):
    """The funding-history endpoints of the simulated Deribit API."""

    def funding_history(self, req: HttpRequest) -> HttpResponse:
        """public/get_funding_rate_history: the hours with start <= timestamp <= end (both
        required), oldest first, at most :data:`FUNDING_ROWS` (the newest of the range); the
        shipped BTC-PERPETUAL rows verbatim where they cover the time, else the simulator's
        synthetic hours (index = the current mark)."""
        p = self.rpc_params(req)
        spec = instrument(self.venue, str(p.get("instrument_name") or ""))
        if spec is None:
            return self.error(
                -32602, "Invalid params", {"reason": "wrong format", "param": "instrument_name"}
            )
        start = _timestamp(p, "start_timestamp")
        end = _timestamp(p, "end_timestamp")
        records = self.accounts.funding.records(self.venue, spec.symbol, start, end, self.now_ms())
        return self.ok(req, [self.hour_row(r, spec.symbol) for r in records[-FUNDING_ROWS:]])

    def hour_row(self, record: FundingRecord, symbol: str) -> dict[str, Any]:
        shipped = shipped_hours().get(record.time_ms) if symbol == "BTC-PERPETUAL" else None
        if shipped is not None and shipped.interest_1h == record.rate:
            index, prev, rate_8h = (
                shipped.index_price,
                shipped.prev_index_price,
                shipped.interest_8h,
            )
        else:
            index = prev = self.mark(symbol)
            rate_8h = record.rate * 8
        return {
            "timestamp": record.time_ms,
            "index_price": index,
            "prev_index_price": prev,
            "interest_8h": rate_8h,
            "interest_1h": record.rate,
        }

    def settlements(self, req: HttpRequest) -> HttpResponse:
        """private/get_settlement_history_by_instrument (type=settlement): the account's daily
        08:00 UTC settlements of the perpetual, newest first from ``search_start_timestamp``,
        ``count`` per page (default 20, at most 1000) with a ``continuation`` token; each
        carries ``funding``, the session's funding in coin (credited positive)."""
        p = self.rpc_params(req)
        spec = instrument(self.venue, str(p.get("instrument_name") or ""))
        if spec is None:
            return self.error(
                -32602, "Invalid params", {"reason": "wrong format", "param": "instrument_name"}
            )
        if str(p.get("type") or "settlement") != "settlement":
            return self.ok(req, {"settlements": [], "continuation": "none"})
        count = int(number_param(p, "count") or 20)
        if not 1 <= count <= 1000:
            raise BadParam("count must be between 1 and 1000")
        now = self.now_ms()
        newest = int(number_param(p, "search_start_timestamp") or now)
        if p.get("continuation"):
            newest = _continuation(str(p["continuation"]))
        pos = self.accounts.position_record(self.venue, spec.symbol)
        mark = self.mark(spec.symbol)
        value = pos.contracts * spec.contract_size / mark if mark > 0 else 0.0
        by_day: dict[int, float] = {}
        oldest = newest - count * _DAY_MS
        for record, amount in self.accounts.funding.payments(
            self.venue, spec.symbol, lambda: value, pos.updated_ms, oldest - _DAY_MS, newest, now
        ):
            day = _settlement_at(record.time_ms)
            if day <= min(newest, now):
                by_day[day] = by_day.get(day, 0.0) + amount
        days = sorted((d for d in by_day if d > oldest), reverse=True)[:count]
        rows = [self.settlement_row(spec, d, by_day[d], pos.contracts, mark) for d in days]
        more = len(days) == count and days[-1] > pos.updated_ms
        token = _token(days[-1] - 1) if more else "none"
        return self.ok(req, {"settlements": rows, "continuation": token})

    def settlement_row(
        self, spec: InstrumentSpec, day_ms: int, funding: float, contracts: float, mark: float
    ) -> dict[str, Any]:
        return {
            "type": "settlement",
            "timestamp": day_ms,
            "session_profit_loss": coin(funding),
            "profit_loss": 0,
            "position": num(contracts * spec.contract_size),
            "mark_price": mark,
            "instrument_name": spec.symbol,
            "index_price": mark,
            "funding": coin(funding),
        }


def _settlement_at(time_ms: int) -> int:
    """The daily 08:00 UTC settlement that books the funding accrued at ``time_ms``."""
    return -((_SETTLEMENT_HOUR_MS - time_ms) // _DAY_MS) * _DAY_MS + _SETTLEMENT_HOUR_MS


def _token(before_ms: int) -> str:
    return f"t{before_ms}"


def _continuation(token: str) -> int:
    if not token.startswith("t") or not token[1:].isdigit():
        raise BadParam("continuation is not a token this server issued")
    return int(token[1:])


def _timestamp(params: dict[str, Any], name: str) -> int:
    value = number_param(params, name)
    if value is None:
        raise BadParam(f"missing {name}")
    return int(value)
