"""A venue's rate-limit answer told apart from its other replies, by the venue's own checker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hedgetui.trading.orders import RateLimited, TradingError


def wait_when_throttled(
    check: Callable[[int, Any], object], status: int, payload: Any, wait_s: float
) -> float | None:
    """``wait_s`` when ``check`` (a venue's reply checker, raising the typed error of an error
    reply) calls this reply a rate limit; None for any other reply (its own error, if any, is
    raised later by the client's ``check_reply``)."""
    try:
        check(status, payload)
    except RateLimited:
        return wait_s
    except TradingError:
        return None
    return None
