"""Live account data (position, balance) over each venue's PRIVATE websocket stream.

``AccountStream(client, watched, sink)`` logs in with the account's (read-only is enough)
keys, subscribes, resyncs over REST on every (re)connect and pushes ``PositionUpdate`` /
``BalanceUpdate``. ``private_parser(venue, contract_sizes)`` is the pure frame parser and
``hedgetui.account_streams.auth`` the pure login-message builders.
"""

from __future__ import annotations

from hedgetui.account_streams.logins import (
    LoginRefused,
    Watched,
    private_venue,
    watched_instrument,
)
from hedgetui.account_streams.parsers import AccountEvent, PrivateParser, private_parser
from hedgetui.account_streams.stream import ACCOUNT_FEED_CONFIG, AccountStream

__all__ = [
    "ACCOUNT_FEED_CONFIG",
    "AccountEvent",
    "AccountStream",
    "LoginRefused",
    "PrivateParser",
    "Watched",
    "private_parser",
    "private_venue",
    "watched_instrument",
]
