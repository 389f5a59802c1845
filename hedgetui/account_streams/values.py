"""Small pure helpers shared by the private-stream parsers: numbers, coins, timestamps."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from hedgetui.feeds.errors import FeedParseError

_COIN_ALIASES = {"XBT": "BTC", "XBT:USD": "BTC"}


def coin_name(raw: object) -> str:
    """``XBt``/``XBT``/``btc`` -> ``BTC``: the coin as the rest of hedgetui names it."""
    text = str(raw).strip().upper()
    return _COIN_ALIASES.get(text, text)


def number(value: Any, field: str) -> float:
    """A finite number sent as a JSON number or a numeric string; anything else is an error."""
    if isinstance(value, bool):
        raise FeedParseError(f"{field} is not a number: {value!r}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise FeedParseError(f"{field} is not a number: {value!r:.40}") from None
    if not math.isfinite(result):
        raise FeedParseError(f"{field} is not finite: {value!r:.40}")
    return result


def price_or_none(value: Any, field: str) -> float | None:
    """A price where the venue sends ``""``, ``null`` or ``0`` for "none" (no entry, no liq)."""
    if value is None or value == "":
        return None
    result = number(value, field)
    return result if result > 0 else None


def optional_number(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    return number(value, field)


def millis(value: Any) -> int | None:
    """Epoch milliseconds from a number or numeric string; None when absent."""
    if value is None or value == "":
        return None
    return int(number(value, "timestamp"))


def iso_millis(value: Any) -> int | None:
    """BitMEX ISO-8601 (``2021-12-18T21:53:44.928Z``) -> epoch milliseconds."""
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise FeedParseError(f"bad timestamp {value!r:.40}") from None
    return int(moment.timestamp() * 1000)
