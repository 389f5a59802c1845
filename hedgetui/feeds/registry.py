"""Venue name -> adapter class."""

from __future__ import annotations

from hedgetui.feeds.adapter import VenueAdapter
from hedgetui.feeds.binance import BinanceAdapter
from hedgetui.feeds.bitmex import BitmexAdapter
from hedgetui.feeds.bybit import BybitAdapter
from hedgetui.feeds.deribit import DeribitAdapter
from hedgetui.feeds.kraken import KrakenAdapter
from hedgetui.feeds.okx import OkxAdapter

ADAPTERS: dict[str, type[VenueAdapter]] = {
    "bitmex": BitmexAdapter,
    "bybit": BybitAdapter,
    "binance": BinanceAdapter,
    "deribit": DeribitAdapter,
    "okx": OkxAdapter,
    "kraken": KrakenAdapter,
}


def get_adapter(venue: str) -> VenueAdapter:
    """A fresh adapter (with empty merge state) for ``venue``; ValueError names the known venues."""
    try:
        cls = ADAPTERS[venue.lower()]
    except KeyError:
        known = ", ".join(ADAPTERS)
        raise ValueError(f"unknown venue {venue!r} (known: {known})") from None
    return cls()
