"""What every venue adapter provides: URLs, subscriptions, the keep-alive rule and ``parse``.

An adapter instance is cheap and holds only the per-symbol merge state that delta streams need
(Bybit ticker deltas, BitMEX table updates); create one per connection/decoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from hedgetui.domain import MarketEvent
from hedgetui.feeds.errors import FeedParseError
from hedgetui.feeds.frames import JsonFrameParser
from hedgetui.feeds.values import excerpt


@dataclass(frozen=True, slots=True)
class KeepAlive:
    """How a venue wants an idle connection kept open.

    ``message``: application-level ping sent every ``interval_s`` (text ``ping`` or JSON), or None.
    ``protocol_ping``: send websocket protocol pings every ``interval_s`` (websockets does this).
    ``answers_test_request``: the venue sends heartbeat requests that must be answered
    (Deribit ``test_request`` -> ``public/test``); see :meth:`VenueAdapter.answer`.
    """

    interval_s: float
    message: str | None = None
    protocol_ping: bool = False
    answers_test_request: bool = False


class VenueAdapter(JsonFrameParser[MarketEvent]):
    """Base class of the venue adapters. ``parse`` is pure apart from the merge state."""

    name: str = ""
    mainnet_url: str = ""
    testnet_url: str = ""
    keepalive: KeepAlive = KeepAlive(interval_s=20.0)

    def default_url(self, testnet: bool = False) -> str:
        return self.testnet_url if testnet else self.mainnet_url

    def connect_url(self, base_url: str, symbols: Sequence[str]) -> str:
        """The URL to open; most venues use the endpoint as is and subscribe after connecting."""
        return base_url

    def subscribe_messages(self, symbols: Sequence[str]) -> list[str]:
        """Text frames to send right after every (re)connect."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget merge state (called on every reconnect, before the new snapshot arrives)."""

    def index_symbol(self, symbol: str) -> str:
        """The ``symbol`` that IndexPrice events for this instrument carry."""
        return symbol

    def answer(self, frame: str | bytes) -> str | None:
        """A reply the venue demands for this frame (heartbeat test requests), else None."""
        return None


def unexpected(msg: object) -> FeedParseError:
    """The error for a well-formed JSON message of a kind the adapter does not know."""
    return FeedParseError(f"unexpected message: {excerpt(orjson.dumps(msg), 80)}")
