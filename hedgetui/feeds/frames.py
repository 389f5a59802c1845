"""The one JSON-frame parsing shape shared by market-data adapters and private-stream parsers.

``parse(frame)`` decodes the frame once with orjson and hands the message to ``_parse``; a
text ``pong`` (BitMEX, OKX keep-alive reply) gives no events, and any slip while reading the
message becomes a :class:`FeedParseError`, the only exception a parser may raise.

A venue adapter may give ``_fast`` a fast path for its most frequent frame: it reads the usual
shape strictly and returns its events, or None for any other message; any slip (one of
:data:`READ_ERRORS`: a missing or empty field, a bad value) is a None too. ``parse`` then hands
the message to :meth:`JsonFrameParser.parse_message`, the general path, which reads it
tolerantly or reports what is wrong. The fast path must therefore change no state before it can
no longer fail, and give exactly what the general path gives.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import orjson

from hedgetui.feeds.errors import FeedParseError
from hedgetui.feeds.values import excerpt

E = TypeVar("E")

_loads = orjson.loads  # bound once: parse runs for every frame
_JSONDecodeError = orjson.JSONDecodeError

READ_ERRORS = (
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    ValueError,
    OverflowError,
    RecursionError,
)
"""What reading an unexpected message can raise (catch :class:`FeedParseError` first: it is a
``ValueError``). ``RecursionError``: a value nested ~1000 deep (orjson accepts 1024 levels) put
into an error message (``repr``/``str`` of it)."""


def read_error(exc: Exception) -> FeedParseError:
    """The :class:`FeedParseError` for a slip (one of :data:`READ_ERRORS`) reading a message."""
    if isinstance(exc, KeyError):
        return FeedParseError(f"missing field {exc}")
    if isinstance(exc, RecursionError):
        return FeedParseError("a value is nested too deeply")
    return FeedParseError(f"bad value or shape: {exc!s:.80}")


def undecodable(frame: str | bytes) -> list[Any]:
    """A frame orjson could not decode: no events for a text ``pong``, else FeedParseError."""
    if frame == "pong" or frame == b"pong":  # text keep-alive reply
        return []
    raise FeedParseError(f"not JSON: {excerpt(frame, 60)!r}") from None


class JsonFrameParser(Generic[E]):
    def parse(self, frame: str | bytes) -> list[E]:
        """Turn one raw frame into events. Raises only :class:`FeedParseError`."""
        try:
            msg = _loads(frame)
        except _JSONDecodeError:
            return undecodable(frame)
        try:
            events = self._fast(msg)
        except READ_ERRORS:
            events = None
        return self.parse_message(msg) if events is None else events

    def _fast(self, msg: Any) -> list[E] | None:
        """The events of the venue's usual frame read strictly, or None (see the module doc)."""
        return None

    def parse_message(self, msg: Any) -> list[E]:
        """Events from one decoded message by the general path (``parse`` without the decoding)."""
        try:
            return self._parse(msg)
        except FeedParseError:
            raise
        except READ_ERRORS as exc:
            raise read_error(exc) from None

    def _parse(self, msg: Any) -> list[E]:
        raise NotImplementedError
