"""Kraken Futures' funding history: the public funding rates and the account log's bookings.

`KrakenFunding` serves `/derivatives/api/v4/historicalfundingrates` (a contract's whole
history, oldest first, in one reply) and `/api/history/v3/account-log` (one `funding rate
change` booking per funding time the positions paid or got, `count` a page), from the books'
funding history (`SimAccounts.funding`). `KrakenApi` routes to them.
"""

from __future__ import annotations

from typing import Any

from hedgetui.sim.rest.base import BadParam, coin, iso_ms, json_reply, parse_float
from hedgetui.sim.rest.http import HttpRequest, HttpResponse
from hedgetui.sim.rest.kraken_replies import KrakenReplies
from hedgetui.sim.rest.listing import INSTRUMENTS, InstrumentSpec, instrument

FUNDING_INFO = "funding rate change"
ACCOUNT_UID = "f7d5571c-6d10-4cf1-944a-048d25682ed0"


class KrakenFunding(KrakenReplies):
    """The funding-history endpoints of the simulated Kraken Futures API."""

    def historical_funding_rates(self, req: HttpRequest) -> HttpResponse:
        """GET /derivatives/api/v4/historicalfundingrates?symbol=: the contract's whole history
        (the simulator keeps 400 days), oldest first, in one reply."""
        spec = instrument(self.venue, str(self.params(req).get("symbol") or ""))
        if spec is None:
            return self.request_error("contractNotFound", 400)
        now = self.now_ms()
        mark = self.mark(spec.symbol)
        rows = [
            {
                "timestamp": iso_ms(r.time_ms),
                # the absolute rate: XBT per 1-USD contract for one period
                "fundingRate": r.rate * spec.contract_size / mark,
                "relativeFundingRate": r.rate,
            }
            for r in self.accounts.funding.records(self.venue, spec.symbol, 0, now, now)
        ]
        return json_reply({"rates": rows, "result": "success", "serverTime": self.server_time()})

    def account_log(self, req: HttpRequest) -> HttpResponse:
        """GET /api/history/v3/account-log (since/before ms, from/to ids inclusive, sort, count,
        info): the funding bookings of the account's positions (the only entries the simulator
        logs), ``count`` per page (default 500)."""
        p = self.params(req)
        count = int(parse_float(p, "count", required=False) or 500)
        if not 1 <= count <= 100_000:
            raise BadParam("count out of range")
        info = p.get("info")
        if info not in (None, "", FUNDING_INFO):
            return json_reply({"accountUid": ACCOUNT_UID, "logs": []})
        now = self.now_ms()
        since = int(parse_float(p, "since", required=False) or 0)
        before = int(parse_float(p, "before", required=False) or now + 1)
        logs: list[dict[str, Any]] = []
        for spec in INSTRUMENTS[self.venue].values():
            logs.extend(self.funding_bookings(spec, since, before, now))
        low = parse_float(p, "from", required=False)
        high = parse_float(p, "to", required=False)
        logs = [
            row
            for row in logs
            if (low is None or row["id"] >= low) and (high is None or row["id"] <= high)
        ]
        logs.sort(key=lambda row: int(row["id"]), reverse=p.get("sort", "desc") != "asc")
        return json_reply({"accountUid": ACCOUNT_UID, "logs": logs[:count]})

    def funding_bookings(
        self, spec: InstrumentSpec, since: int, before: int, now: int
    ) -> list[dict[str, Any]]:
        """One ``funding rate change`` booking per funding time the position paid or got."""
        pos = self.accounts.position_record(self.venue, spec.symbol)
        mark = self.mark(spec.symbol)
        value = pos.contracts * spec.contract_size / mark if mark > 0 else 0.0
        paid = self.accounts.funding.payments(
            self.venue, spec.symbol, lambda: value, pos.updated_ms, since - 1, before - 1, now
        )
        ccy = "xbt" if spec.coin == "BTC" else spec.coin.lower()
        balance = self.accounts.balance(self.venue, spec.coin)
        rows = []
        for record, amount in paid:
            rows.append(
                {
                    "id": record.time_ms // 1000 * 10 + (0 if spec.coin == "BTC" else 1),
                    "date": iso_ms(record.time_ms),
                    "asset": ccy,
                    "info": FUNDING_INFO,
                    "booking_uid": f"sim-{spec.symbol.lower()}-{record.time_ms}",
                    "margin_account": f"f-{ccy}:usd",
                    "old_balance": coin(balance),
                    "new_balance": coin(balance + amount),
                    "old_average_entry_price": 0.0,
                    "new_average_entry_price": 0.0,
                    "trade_price": 0.0,
                    "mark_price": mark,
                    "realized_pnl": 0.0,
                    "fee": 0.0,
                    "execution": "",
                    "collateral": ccy,
                    "funding_rate": record.rate * spec.contract_size / mark,
                    "realized_funding": amount,
                    "conversion_spread_percentage": 0.0,
                    "liquidation_fee": 0.0,
                    "contract": spec.symbol.lower(),
                }
            )
        return rows
