"""Small pure helpers shared by the private-stream parsers: numbers, coins, timestamps.

Types are exact (a bool is never a number) and values lie in the wire bands of
``hedgetui.plausibility``: a price in ``PRICE_MIN..PRICE_MAX``, a timestamp in
``TIME_MIN_MS..TIME_MAX_MS``, any amount at most :data:`AMOUNT_MAX` in size.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from hedgetui.feeds.errors import FeedParseError
from hedgetui.feeds.values import checked_millis, shown
from hedgetui.plausibility import PRICE_MAX, PRICE_MIN

AMOUNT_MAX = 1e18
"""No contract count, balance (satoshis included) or margin is larger than this."""

_COIN_ALIASES = {"XBT": "BTC", "XBT:USD": "BTC"}


def coin_name(raw: object) -> str:
    """``XBt``/``XBT``/``btc`` -> ``BTC``: the coin as the rest of hedgetui names it."""
    text = str(raw).strip().upper()
    return _COIN_ALIASES.get(text, text)


def number(value: Any, field: str) -> float:
    """A finite number sent as a JSON number or a numeric string; anything else is an error."""
    if type(value) is not str and type(value) is not int and type(value) is not float:
        raise FeedParseError(f"{field} is not a number: {shown(value)}")
    try:
        result = float(value)
    except (ValueError, OverflowError):
        raise FeedParseError(f"{field} is not a number: {shown(value)}") from None
    if not math.isfinite(result):
        raise FeedParseError(f"{field} is not finite: {shown(value)}")
    if not -AMOUNT_MAX <= result <= AMOUNT_MAX:
        raise FeedParseError(f"{field} is out of range: {shown(value)}")
    return result


def price_or_none(value: Any, field: str) -> float | None:
    """A price where the venue sends ``""``, ``null`` or ``0`` for "none" (no entry, no liq).

    Any other value must be a plausible price (``PRICE_MIN..PRICE_MAX``; ``5e-324`` is not).
    """
    if value is None or value == "":
        return None
    result = number(value, field)
    if result <= 0:
        return None
    if not PRICE_MIN <= result <= PRICE_MAX:
        raise FeedParseError(f"{field} is not a plausible price: {shown(value)}")
    return result


def optional_number(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    return number(value, field)


def millis(value: Any) -> int | None:
    """Epoch milliseconds from a number or numeric string; None when absent."""
    if value is None or value == "":
        return None
    return checked_millis(int(number(value, "timestamp")), "timestamp")


def iso_millis(value: Any) -> int | None:
    """BitMEX ISO-8601 (``2021-12-18T21:53:44.928Z``) -> epoch milliseconds."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise FeedParseError(f"bad timestamp {shown(value)}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FeedParseError(f"bad timestamp {shown(value)}") from None
    return checked_millis(int(moment.timestamp() * 1000), "timestamp")
