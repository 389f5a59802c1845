"""The real crashes shipped with the simulator, as price bars and funding records.

Read as package data (``hedgetui/sim/data/``) without importing ``hedgetui.sim`` (only the
commands and the demo may): the dashboard's palette needs them too. Prices: Binance spot
BTCUSDT 1-minute OHLC. Funding: BitMEX XBTUSD 8 h (inverse, the real thing) for Black Thursday;
Binance USDⓈ-M BTCUSDT 8 h for the others, a LINEAR contract's funding, labelled a stand-in.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

from hedgetui.history.model import FundingRecord, PriceBar


@dataclass(frozen=True, slots=True)
class Crash:
    name: str
    title: str
    price_file: str
    funding_file: str
    funding_label: str


_BITMEX = "BitMEX XBTUSD 8h (inverse)"
_BINANCE = "Binance USDⓈ-M BTCUSDT 8h (linear: a stand-in)"
_BINANCE_FILE = "funding_binance_usdm_btcusdt_8h_event-windows.csv"

CRASHES: tuple[Crash, ...] = (
    Crash(
        "black-thursday",
        "Black Thursday, 2020-03-12",
        "btcusdt_spot_binance_1m_2020-03-12_black-thursday.csv",
        "funding_bitmex_xbtusd_8h_2020-01_2020-06.csv",
        _BITMEX,
    ),
    Crash(
        "may19",
        "the May 19 crash, 2021-05-19",
        "btcusdt_spot_binance_1m_2021-05-19_may19-crash.csv",
        _BINANCE_FILE,
        _BINANCE,
    ),
    Crash(
        "celsius",
        "Celsius, 2022-06-13",
        "btcusdt_spot_binance_1m_2022-06-13_celsius.csv",
        _BINANCE_FILE,
        _BINANCE,
    ),
    Crash(
        "ftx",
        "FTX, 2022-11-09",
        "btcusdt_spot_binance_1m_2022-11-09_ftx.csv",
        _BINANCE_FILE,
        _BINANCE,
    ),
)
CRASH_NAMES = tuple(c.name for c in CRASHES)
PRICE_SOURCE = "Binance spot BTCUSDT 1-minute OHLC"


def crash(name: str) -> Crash:
    """The shipped crash ``name``; ``ValueError`` (one line, the known names) otherwise."""
    for c in CRASHES:
        if c.name == name:
            return c
    raise ValueError(f"unknown history {name!r}; known: {', '.join(CRASH_NAMES)}")


def _rows(file: str) -> list[dict[str, str]]:
    data = resources.files("hedgetui").joinpath("sim", "data", file).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(data)))


def _iso_ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


@cache
def crash_bars(name: str) -> tuple[PriceBar, ...]:
    """The crash's 1-minute bars (no funding rate on them: see :func:`crash_funding`)."""
    return tuple(
        PriceBar(
            int(r["open_time_ms"]),
            float(r["open"]),
            float(r["high"]),
            float(r["low"]),
            float(r["close"]),
        )
        for r in _rows(crash(name).price_file)
    )


@cache
def crash_funding(name: str) -> tuple[FundingRecord, ...]:
    """The funding records of the crash's funding file (every row; the engine keeps those on
    the path)."""
    return tuple(
        FundingRecord(_iso_ms(r["time_utc"]), float(r["funding_rate"]), float(r["interval_hours"]))
        for r in _rows(crash(name).funding_file)
    )
