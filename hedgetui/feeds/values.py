"""Tiny, fast converters from wire values (JSON numbers or numeric strings) to checked floats/ints.

Each raises :class:`FeedParseError` with the field name, so a bad frame gets a clear message.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hedgetui.feeds.errors import FeedParseError

_INF = float("inf")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TIMESPAN_ZERO = datetime(2000, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_HOUR = timedelta(hours=1)


def price(value: object, field: str) -> float:
    """A positive, finite price."""
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise FeedParseError(f"{field} is not a number: {value!r:.40}") from None
    if not 0.0 < p < _INF:  # also false for NaN
        raise FeedParseError(f"{field} is not a positive finite price: {value!r:.40}")
    return p


def rate(value: object, field: str) -> float:
    """A finite rate (fraction; may be negative or zero)."""
    try:
        r = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise FeedParseError(f"{field} is not a number: {value!r:.40}") from None
    if not -_INF < r < _INF:
        raise FeedParseError(f"{field} is not a finite rate: {value!r:.40}")
    return r


def opt_rate(value: object, field: str) -> float | None:
    """A rate, or None when the field is absent, null or ``""``."""
    if value is None or value == "":
        return None
    return rate(value, field)


def millis(value: object, field: str) -> int | None:
    """Epoch milliseconds from an int, float or digit string; None for absent/``""``/0."""
    if value is None or value == "":
        return None
    try:
        t: int = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise FeedParseError(f"{field} is not a millisecond timestamp: {value!r:.40}") from None
    if t <= 0:
        return None
    if t > 10**14:  # year ~5138: not a millisecond time
        raise FeedParseError(f"{field} is out of range: {value!r:.40}")
    return t


def iso_millis(value: object, field: str) -> int | None:
    """Epoch ms from an ISO-8601 string such as ``2021-12-18T20:03:05.000Z``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FeedParseError(f"{field} is not an ISO time: {value!r:.40}")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise FeedParseError(f"{field} is not an ISO time: {value!r:.40}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return (dt - _EPOCH) // _MS


def timespan_hours(value: object, field: str) -> float | None:
    """A BitMEX timespan (time after 2000-01-01) in hours: ``2000-01-01T08:00:00.000Z`` -> 8."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FeedParseError(f"{field} is not a timespan: {value!r:.40}")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise FeedParseError(f"{field} is not a timespan: {value!r:.40}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return (dt - _TIMESPAN_ZERO) / _HOUR


def excerpt(frame: str | bytes, limit: int = 120) -> str:
    """A short, printable excerpt of a frame for logs and error messages."""
    text = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."
