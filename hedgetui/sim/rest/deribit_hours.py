"""The shipped Deribit BTC-PERPETUAL hourly funding file, row by row, for the simulator's
``public/get_funding_rate_history`` (served verbatim: every field of every row as shipped)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from hedgetui.history.model import FundingRecord
from hedgetui.sim.scenarios import DATA_DIR

DERIBIT_BTC_1H = "funding_deribit_btc-perpetual_1h_2020-02_2020-04.csv"


@dataclass(frozen=True, slots=True)
class HourRow:
    """One row of Deribit's funding-rate history: the hour ending at ``timestamp``."""

    timestamp: int
    index_price: float
    prev_index_price: float
    interest_1h: float
    interest_8h: float

    def record(self) -> FundingRecord:
        """Deribit's hourly accrual as a record: 1 h, the hour's interest."""
        return FundingRecord(self.timestamp, self.interest_1h, 1.0)


@cache
def shipped_hours() -> dict[int, HourRow]:
    """The shipped rows by time (Python reads each number back to the same float, so the
    JSON the simulator writes carries the file's values unchanged)."""
    with (DATA_DIR / DERIBIT_BTC_1H).open(newline="") as f:
        rows = [
            HourRow(
                int(r["timestamp_ms"]),
                float(r["index_price"]),
                float(r["prev_index_price"]),
                float(r["interest_1h"]),
                float(r["interest_8h"]),
            )
            for r in csv.DictReader(f)
        ]
    return {row.timestamp: row for row in sorted(rows, key=lambda r: r.timestamp)}


def shipped_hour_records() -> tuple[FundingRecord, ...]:
    return tuple(row.record() for row in shipped_hours().values())
