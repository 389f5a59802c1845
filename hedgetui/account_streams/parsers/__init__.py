"""Pure parsers of each venue's PRIVATE websocket messages -> PositionUpdate / BalanceUpdate.

One parser per connection: ``parse(frame)`` returns the events in one frame and raises only
``FeedParseError`` (``VenueErrorReply`` for the venue's own error replies, e.g. a refused
login). Replies that carry no account data (auth ok, subscribe acks, pongs) give ``[]``.

Only the instruments passed in ``contract_sizes`` (symbol -> USD per contract) produce
position events; balances are reported for every coin the venue sends. Signs follow the
venue's own convention and end up as signed contracts (negative = short).
"""

from __future__ import annotations

from collections.abc import Mapping

from hedgetui.account_streams.parsers.base import AccountEvent, ListenKeyExpired, PrivateParser
from hedgetui.account_streams.parsers.binance import BinancePrivateParser
from hedgetui.account_streams.parsers.bitmex import BitmexPrivateParser
from hedgetui.account_streams.parsers.bybit import BybitPrivateParser
from hedgetui.account_streams.parsers.deribit import DeribitPrivateParser
from hedgetui.account_streams.parsers.kraken import KrakenPrivateParser
from hedgetui.account_streams.parsers.okx import OkxPrivateParser

__all__ = [
    "PARSERS",
    "AccountEvent",
    "BinancePrivateParser",
    "BitmexPrivateParser",
    "BybitPrivateParser",
    "DeribitPrivateParser",
    "KrakenPrivateParser",
    "ListenKeyExpired",
    "OkxPrivateParser",
    "PrivateParser",
    "private_parser",
]

PARSERS: dict[str, type[PrivateParser]] = {
    cls.venue: cls
    for cls in (
        BitmexPrivateParser,
        BybitPrivateParser,
        BinancePrivateParser,
        DeribitPrivateParser,
        OkxPrivateParser,
        KrakenPrivateParser,
    )
}


def private_parser(
    venue: str, contract_sizes: Mapping[str, float], account: str | None = None
) -> PrivateParser:
    """A fresh parser for ``venue``; ValueError names the known venues."""
    try:
        cls = PARSERS[venue.lower()]
    except KeyError:
        raise ValueError(f"unknown venue {venue!r} (known: {', '.join(PARSERS)})") from None
    return cls(contract_sizes, account)
