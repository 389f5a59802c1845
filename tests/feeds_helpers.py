"""Shared helpers for the feed tests: loading sample frames as the wire would carry them."""

from __future__ import annotations

from pathlib import Path

import orjson

from hedgetui.domain import Funding, IndexPrice, MarketEvent, MarkPrice
from tests.conftest import SAMPLES_DIR

# sample folder -> venue name
FOLDER_VENUE = {
    "bitmex": "bitmex",
    "bybit": "bybit",
    "binance_coinm": "binance",
    "deribit": "deribit",
    "okx": "okx",
    "kraken_futures": "kraken",
}


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES_DIR.glob("*/*") if p.is_file())


def sample_name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def wire_frame(path: Path) -> bytes:
    """The sample as one compact frame (pretty-printed JSON compacted; text frames as they are)."""
    raw = path.read_bytes()
    if path.suffix == ".txt":
        return raw.strip()
    return orjson.dumps(orjson.loads(raw))


def as_tuple(event: MarketEvent) -> tuple[object, ...]:
    if isinstance(event, MarkPrice):
        return ("mark", event.symbol, event.price, event.ts)
    if isinstance(event, IndexPrice):
        return ("index", event.symbol, event.price, event.ts)
    assert isinstance(event, Funding)
    return (
        "funding",
        event.symbol,
        event.rate,
        event.predicted_rate,
        event.next_funding_time,
        event.ts,
        event.interval_hours,
    )
