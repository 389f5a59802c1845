"""The one error type a venue adapter's ``parse`` may raise, and its error-reply subclass."""

from __future__ import annotations


class FeedParseError(ValueError):
    """A frame that is not valid JSON, has an unexpected shape, or carries a bad value.

    The message says what was wrong; the connection loop counts these frames as
    ``malformed``, logs a short excerpt and carries on.
    """


class VenueErrorReply(FeedParseError):
    """The venue answered with an error (bad subscription, unknown symbol, ...).

    Recorded as the feed's ``last_error`` rather than counted as malformed.
    """
