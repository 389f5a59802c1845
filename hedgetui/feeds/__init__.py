"""Live market data from the six inverse-perpetual venues.

``get_adapter(venue)`` gives the venue's URL, subscriptions, keep-alive rule and pure ``parse``;
``Feed`` runs the connection loop and pushes typed events (``hedgetui.domain``) to a sink.

The connection loop (and with it ``websockets``) is imported only when ``Feed`` is first used,
so parsing alone (``hedgetui decode``) stays light; its tuning and counters (``FeedConfig``,
``FeedStats``, ``backoff_delay``: ``feeds.loop_config``) need no ``websockets``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hedgetui.feeds.adapter import KeepAlive, VenueAdapter
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.loop_config import FeedConfig, FeedStats, backoff_delay
from hedgetui.feeds.registry import ADAPTERS, get_adapter

if TYPE_CHECKING:
    from hedgetui.feeds.base import Feed

_LAZY = ("Feed",)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from hedgetui.feeds import base

        return getattr(base, name)
    raise AttributeError(f"module 'hedgetui.feeds' has no attribute {name!r}")


__all__ = [
    "ADAPTERS",
    "Feed",
    "FeedConfig",
    "FeedParseError",
    "FeedStats",
    "KeepAlive",
    "VenueAdapter",
    "VenueErrorReply",
    "backoff_delay",
    "get_adapter",
]
