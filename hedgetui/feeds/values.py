"""Tiny, fast converters from wire values (JSON numbers or numeric strings) to checked floats/ints.

Each raises :class:`FeedParseError` with the field name, so a bad frame gets a clear message.
Types are exact: a JSON number or a numeric string is a number, a bool never is (``true`` is
not 1.0). Each value must also lie in its wire band (``hedgetui.plausibility``): a price in
``PRICE_MIN..PRICE_MAX``, a rate within the venue's cap, a funding interval within
``INTERVAL_MIN_H..INTERVAL_MAX_H`` hours, a timestamp within ``TIME_MIN_MS..TIME_MAX_MS``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hedgetui.feeds.errors import FeedParseError
from hedgetui.plausibility import (
    DEFAULT_RATE_CAP,
    INTERVAL_MAX_H,
    INTERVAL_MIN_H,
    PRICE_MAX,
    PRICE_MIN,
    TIME_MAX_MS,
    TIME_MIN_MS,
    escape,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TIMESPAN_ZERO = datetime(2000, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_HOUR = timedelta(hours=1)


def number(value: object, field: str) -> float:
    """A JSON number or a numeric string as a float (may be NaN or inf); never a bool."""
    kind = type(value)
    if kind is float:
        return value  # type: ignore[return-value]
    if kind is int or kind is str:
        try:
            return float(value)  # type: ignore[arg-type]
        except (ValueError, OverflowError):
            pass
    raise FeedParseError(f"{field} is not a number: {shown(value)}")


def price(value: object, field: str) -> float:
    """A price in the wire band (a positive, finite number of USD per coin)."""
    p = number(value, field)
    if not PRICE_MIN <= p <= PRICE_MAX:  # also false for NaN
        raise FeedParseError(f"{field} is not a plausible price: {shown(value)}")
    return p


def rate(value: object, field: str, cap: float = DEFAULT_RATE_CAP) -> float:
    """A funding rate (fraction per interval; may be negative or zero) at most ``cap`` in size."""
    r = number(value, field)
    if not -cap <= r <= cap:  # also false for NaN
        raise FeedParseError(f"{field} is not a plausible rate (cap {cap:g}): {shown(value)}")
    return r


def opt_rate(value: object, field: str, cap: float = DEFAULT_RATE_CAP) -> float | None:
    """A rate, or None when the field is absent, null or ``""``."""
    if value is None or value == "":
        return None
    return rate(value, field, cap)


def interval_hours(value: object, field: str) -> float:
    """A funding interval in hours, within ``INTERVAL_MIN_H..INTERVAL_MAX_H``."""
    h = number(value, field)
    return checked_interval(h, field, value)


def checked_interval(hours: float, field: str, value: object) -> float:
    """``hours`` when it is a plausible funding interval, else FeedParseError showing ``value``."""
    if not INTERVAL_MIN_H <= hours <= INTERVAL_MAX_H:
        raise FeedParseError(f"{field} is not a plausible funding interval: {shown(value)}")
    return hours


def millis(value: object, field: str) -> int | None:
    """Epoch milliseconds from an int, float or digit string; None for absent/``""``/0."""
    if value is None or value == "":
        return None
    kind = type(value)
    if kind is int:
        t: int = value  # type: ignore[assignment]
    elif kind is str or kind is float:
        try:
            t = int(value)  # type: ignore[call-overload]
        except (ValueError, OverflowError):
            raise FeedParseError(
                f"{field} is not a millisecond timestamp: {shown(value)}"
            ) from None
    else:
        raise FeedParseError(f"{field} is not a millisecond timestamp: {shown(value)}")
    return None if t == 0 else checked_millis(t, field)


def checked_millis(t: int, field: str) -> int:
    """``t`` when it is a plausible epoch-ms time (2010..2100), else FeedParseError."""
    if not TIME_MIN_MS <= t <= TIME_MAX_MS:
        raise FeedParseError(f"{field} is out of range: {shown(t)}")
    return t


def shown(value: object) -> str:
    """A value as error messages show it: its repr, escaped, at most 40 characters."""
    return escape(f"{value!r:.40}")


def iso_millis(value: object, field: str) -> int | None:
    """Epoch ms from an ISO-8601 string such as ``2021-12-18T20:03:05.000Z``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FeedParseError(f"{field} is not an ISO time: {shown(value)}")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise FeedParseError(f"{field} is not an ISO time: {shown(value)}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return checked_millis((dt - _EPOCH) // _MS, field)


def timespan_hours(value: object, field: str) -> float | None:
    """A BitMEX funding interval as a timespan (time after 2000-01-01) in hours:
    ``2000-01-01T08:00:00.000Z`` -> 8; it must be a plausible interval."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise FeedParseError(f"{field} is not a timespan: {shown(value)}")
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise FeedParseError(f"{field} is not a timespan: {shown(value)}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return checked_interval((dt - _TIMESPAN_ZERO) / _HOUR, field, value)


def excerpt(frame: str | bytes, limit: int = 120) -> str:
    """A short, printable excerpt of a frame for logs and error messages: line breaks become
    spaces, other control characters (ESC sequences) and bidi overrides are escaped."""
    text = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
    text = text[: limit * 2].replace("\n", " ").replace("\r", " ")
    text = escape(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
