"""One small signed REST client per venue (place, look up by client id, position, balance)."""

from __future__ import annotations

from typing import Any

from hedgetui.trading.venues.base import VenueClient
from hedgetui.trading.venues.binance import BinanceClient
from hedgetui.trading.venues.bitmex import BitmexClient
from hedgetui.trading.venues.bybit import BybitClient
from hedgetui.trading.venues.deribit import DeribitClient
from hedgetui.trading.venues.kraken import KrakenClient
from hedgetui.trading.venues.okx import OkxClient

CLIENTS: dict[str, type[VenueClient]] = {
    "bitmex": BitmexClient,
    "bybit": BybitClient,
    "binance": BinanceClient,
    "deribit": DeribitClient,
    "okx": OkxClient,
    "kraken": KrakenClient,
}


def make_client(venue: str, *args: Any, **kwargs: Any) -> VenueClient:
    """``make_client("bybit", credentials, base_url=..., clock=...)``."""
    try:
        cls = CLIENTS[venue]
    except KeyError:
        raise ValueError(
            f"no trading client for venue {venue!r}; known: {', '.join(CLIENTS)}"
        ) from None
    return cls(*args, **kwargs)


__all__ = ["CLIENTS", "VenueClient", "make_client"]
