"""OKX's funding history: the public funding-rate history and the account's funding bills.

`OkxFunding` serves `/api/v5/public/funding-rate-history` (newest first, `after`/`before`
fundingTime cursors, at most `HISTORY_PAGE_MAX` rows) and `/api/v5/account/bills-archive`
(type 8, one funding-fee bill per funding time since the position was set, at most
`BILLS_PAGE_MAX`), both reaching back three months, from the books' funding history
(`SimAccounts.funding`). `OkxApi` routes to them.
"""

from __future__ import annotations

from decimal import Decimal

from hedgetui.sim.rest.base import BadParam, dec, json_reply
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.listing import InstrumentSpec, instrument
from hedgetui.sim.rest.okx_replies import OkxReplies

HISTORY_PAGE_MAX = 400  # funding-rate-history: "The maximum is 400; The default is 400"
BILLS_PAGE_MAX = 100
HISTORY_KEPT_MS = 92 * 86_400_000  # both endpoints reach back three months


def _limit(raw: str | None, most: int) -> int:
    if not raw:
        return most
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise BadParam(f"Parameter limit error: 1 to {most}")
    return int(raw)


def _cursor(raw: str | None, default: int) -> int:
    if not raw:
        return default
    if not raw.lstrip("-").isdigit():
        raise BadParam(f"Parameter {raw!r} error: a Unix timestamp in milliseconds")
    return int(raw)


def _exact(value: float) -> str:
    """A float as OKX writes decimals (no exponent), reading back to the same float."""
    return format(Decimal(repr(value)), "f")


def _funding_row(inst_id: str, time_ms: int, rate: float) -> dict[str, str]:
    """One funding-rate-history row in the docs' order; the simulator's predicted and
    realised rates agree."""
    return {
        "formulaType": "withRate",
        "fundingRate": _exact(rate),
        "fundingTime": str(time_ms),
        "instId": inst_id,
        "instType": "SWAP",
        "method": "current_period",
        "realizedRate": _exact(rate),
    }


class OkxFunding(OkxReplies):
    """The funding-history endpoints of the simulated OKX API."""

    def funding_rate_history(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v5/public/funding-rate-history (instId; after/before: fundingTime cursors,
        exclusive; limit, default and most 400): newest first, the last three months only."""
        q = req.query_params()
        inst_id = q.get("instId") or ""
        if not inst_id:
            raise BadParam("Parameter instId can not be empty.")
        if instrument(self.venue, inst_id) is None:
            return json_reply({"code": "51001", "data": [], "msg": "Instrument ID does not exist."})
        limit = _limit(q.get("limit"), HISTORY_PAGE_MAX)
        now = self.now_ms()
        oldest = max(_cursor(q.get("before"), -1) + 1, now - HISTORY_KEPT_MS)
        newest = _cursor(q.get("after"), now + 1) - 1
        records = self.accounts.funding.records(self.venue, inst_id, oldest, newest, now)
        rows = [_funding_row(inst_id, r.time_ms, r.rate) for r in reversed(records)][:limit]
        return json_reply({"code": "0", "data": rows, "msg": ""})

    def bills_archive(self, req: HttpRequest) -> HttpResponse:
        """GET /api/v5/account/bills-archive (type=8: funding fees of instId; begin/end ts;
        after: a bill id, older bills; limit, most 100): the position's funding since it was
        set, newest first, one bill per funding time."""
        q = req.query_params()
        limit = _limit(q.get("limit"), BILLS_PAGE_MAX)
        inst_id = q.get("instId") or ""
        spec = instrument(self.venue, inst_id)
        if q.get("type") != "8" or spec is None:  # the simulator books no other bills
            return json_reply({"code": "0", "data": [], "msg": ""})
        now = self.now_ms()
        begin = max(_cursor(q.get("begin"), 0), now - HISTORY_KEPT_MS)
        end = _cursor(q.get("end"), now)
        pos = self.accounts.position_record(self.venue, spec.symbol)
        mark = self.mark(spec.symbol)
        value = pos.contracts * spec.contract_size / mark if mark > 0 else 0.0
        paid = self.accounts.funding.payments(
            self.venue, spec.symbol, lambda: value, pos.updated_ms, begin - 1, end, now
        )
        after = q.get("after")
        rows = [
            self.funding_bill(spec, record.time_ms, amount, pos.contracts, mark)
            for record, amount in reversed(paid)
        ]
        if after:
            rows = [r for r in rows if int(r["billId"]) < int(_cursor(after, 0))]
        return json_reply({"code": "0", "data": rows[:limit], "msg": ""})

    def funding_bill(
        self, spec: InstrumentSpec, time_ms: int, amount: float, contracts: float, mark: float
    ) -> dict[str, str]:
        """One funding-fee bill in the docs' field order (subType 174 income, 173 expense)."""
        return {
            "bal": dec(self.accounts.balance(self.venue, spec.coin)),
            "balChg": _exact(amount),
            "billId": str(time_ms * 10 + (0 if spec.coin == "BTC" else 1)),
            "ccy": spec.coin,
            "execType": "",
            "fee": "0",
            "from": "",
            "instId": spec.symbol,
            "instType": "SWAP",
            "mgnMode": "cross",
            "notes": "",
            "ordId": "",
            "pnl": _exact(amount),
            "posBal": "0",
            "posBalChg": "0",
            "px": dec(mark),
            "subType": "174" if amount >= 0 else "173",
            "sz": dec(abs(contracts)),
            "to": "",
            "ts": str(time_ms),
            "type": "8",
        }
