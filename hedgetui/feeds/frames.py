"""The one JSON-frame parsing shape shared by market-data adapters and private-stream parsers.

``parse(frame)`` decodes the frame once with orjson and hands the message to ``_parse``; a
text ``pong`` (BitMEX, OKX keep-alive reply) gives no events, and any slip while reading the
message becomes a :class:`FeedParseError`, the only exception a parser may raise.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import orjson

from hedgetui.feeds.errors import FeedParseError
from hedgetui.feeds.values import excerpt

E = TypeVar("E")

_loads = orjson.loads  # bound once: parse runs for every frame
_JSONDecodeError = orjson.JSONDecodeError


class JsonFrameParser(Generic[E]):
    def parse(self, frame: str | bytes) -> list[E]:
        """Turn one raw frame into events. Raises only :class:`FeedParseError`."""
        try:
            msg = _loads(frame)
        except _JSONDecodeError:
            if frame == "pong" or frame == b"pong":  # text keep-alive reply
                return []
            raise FeedParseError(f"not JSON: {excerpt(frame, 60)!r}") from None
        try:
            return self._parse(msg)
        except FeedParseError:
            raise
        except KeyError as exc:
            raise FeedParseError(f"missing field {exc}") from None
        except (TypeError, AttributeError, IndexError, ValueError, OverflowError) as exc:
            raise FeedParseError(f"bad value or shape: {exc!s:.80}") from None

    def _parse(self, msg: Any) -> list[E]:
        raise NotImplementedError
