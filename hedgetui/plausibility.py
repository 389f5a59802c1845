"""Plausibility: the rules every market and account value must meet before the store keeps it.

Two layers use the same numbers defined here:

* **the wire bands** (stateless), enforced by the feed adapters and the account-stream parsers
  while they read a frame (``hedgetui.feeds.values``): a price is a number in
  [:data:`PRICE_MIN`, :data:`PRICE_MAX`] USD, a funding rate at most the venue's cap
  (:data:`RATE_CAPS`) in size, a funding interval in [:data:`INTERVAL_MIN_H`,
  :data:`INTERVAL_MAX_H`] hours, a timestamp in [:data:`TIME_MIN_MS`, :data:`TIME_MAX_MS`]. A bool
  is never a number. A frame that breaks them is malformed (the feed counts and logs it).
* **the gate** (:class:`~hedgetui.plausibility_gate.Gate`, stateful, in
  ``hedgetui.plausibility_gate``), which the store runs on every event it applies:
  a price must lie in its instrument's band (:func:`price_band`: one tick .. 10^8 ticks) and
  within ``max_jump_pct`` of the last good value of the same (venue, symbol, field); a jump is
  held back until ``jump_persist`` values in a row stand at the new level, so a real crash gets
  through (late by that many values) while a single wild print does not. An exchange time must
  lie within ``clock_window_s`` of the local clock (a funding settlement record may be up to
  ``SETTLEMENT_AGE_MS`` old); a next-funding time must not be more than
  ``NEXT_FUNDING_SLACK_MS`` in the past nor more than ``NEXT_FUNDING_AHEAD_MS`` ahead (the
  gate's windows, in ``hedgetui.plausibility_gate``).

A value the gate refuses is dropped from its event (the other fields are kept), counted per
(venue, field) and logged once per burst (logger ``hedgetui.plausibility``) with venue, symbol,
field and value, escaped. The store then keeps the last good value with its old receive time, so
the input ages to delayed and stale: it goes stale rather than wrong.

Pure: no I/O, no UI or network library.
"""

from __future__ import annotations

from collections.abc import Mapping

Key = tuple[str, str]  # (venue, symbol)

# --------------------------------------------------------------------------- the wire bands

PRICE_MIN = 1e-8
"""USD per coin: below this no quoted coin trades (and 5e-324 is not a price)."""
PRICE_MAX = 1e9
"""USD per coin: above any coin's price (BitMEX's "no liquidation" 1e8 still fits)."""

TIME_MIN_MS = 1_262_304_000_000
"""2010-01-01 UTC in epoch ms: older than any of these venues (recorded samples start 2019)."""
TIME_MAX_MS = 4_102_444_800_000
"""2100-01-01 UTC in epoch ms."""

INTERVAL_MIN_H = 0.25
INTERVAL_MAX_H = 24.0
"""Funding intervals seen in practice are 1, 2, 4 and 8 h; a quarter hour .. a day is sane."""

RATE_CAPS: Mapping[str, float] = {
    # Per funding interval, as a fraction; each is a generous bound above the venue's documented
    # cap, so a real extreme rate passes and 1e30 does not.
    "bitmex": 0.05,  # cap 75% x (IM - MM) per interval (0.375% at the base risk limit)
    "bybit": 0.05,  # per-symbol upper/lowerFundingRate in instruments-info (well below 5%)
    "binance": 0.05,  # /dapi/v1/fundingInfo: adjustedFundingRateCap 2.5% for BTCUSD_PERP
    "deribit": 0.05,  # funding_8h, capped per instrument (about 0.5% per 8 h)
    "okx": 0.05,  # cap/floor per instrument (BTC bounds +-0.375% in the older formula)
    "kraken": 0.01,  # per hour; instruments API maxRelativeFundingRate 0.001 for PF_XBTUSD
}
DEFAULT_RATE_CAP = 0.05
"""The cap for a venue not in :data:`RATE_CAPS`."""

_TICKS_ABOVE = 1e8  # an instrument's price band: one tick .. 10^8 ticks


def rate_cap(venue: str) -> float:
    """The largest funding rate (per interval, either sign) accepted from ``venue``."""
    return RATE_CAPS.get(venue, DEFAULT_RATE_CAP)


def price_band(tick_size: float | None) -> tuple[float, float]:
    """The plausible prices of an instrument with this tick: one tick .. 10^8 ticks (in the
    wire band). BTC with a 0.5 tick: 0.5 .. 5e7 USD; ETH with a 0.01 tick: 0.01 .. 1e6 USD.
    ``None`` (an instrument without a profile): the wire band.
    """
    if tick_size is None or not tick_size > 0:
        return PRICE_MIN, PRICE_MAX
    return max(PRICE_MIN, tick_size), min(PRICE_MAX, tick_size * _TICKS_ABOVE)


def escape(text: str) -> str:
    """``text`` with control and bidi-override characters shown as ``\\xNN``/``\\uNNNN``."""
    return text.translate(_ESCAPES)


def _escape_table() -> dict[int, str]:
    table = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
    for c in (0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[c] = f"\\u{c:04x}"
    return table


_ESCAPES = _escape_table()
