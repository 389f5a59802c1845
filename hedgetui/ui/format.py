"""Pure number formatting for the dashboard (and for tests that compare what is on screen).

Every function returns the exact string the UI shows, so a test can format a risk-engine value
with the same function and look for it in the rendered screen. ``None`` always renders as
``NO_DATA`` (an em dash), never as a number that might look safe.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from hedgetui.domain import LIQUIDATION_WORDS, LiquidationState
from hedgetui.risk.report import long_leverage

NO_DATA = "—"
STALE_GLYPH = "?"
SPARK_CHARS = "▁▂▃▄▅▆▇█"


def usd(value: float | None, *, signed: bool = False, decimals: int = 0) -> str:
    """``$300,000`` / ``+$1,234`` / ``-$12``; thousands separators."""
    if value is None or not math.isfinite(value):
        return NO_DATA
    text = f"${abs(value):,.{decimals}f}"
    if value < 0 and round(abs(value), decimals) != 0:
        return "-" + text
    return ("+" + text) if signed else text


def price(value: float | None) -> str:
    """A price with a precision that suits its size (``60,000.0``, ``3,000.00``)."""
    if value is None or not math.isfinite(value):
        return NO_DATA
    decimals = 1 if abs(value) >= 10_000 else 2
    return f"{value:,.{decimals}f}"


def coin(value: float | None, *, decimals: int = 4, signed: bool = True) -> str:
    if value is None or not math.isfinite(value):
        return NO_DATA
    if round(value, decimals) == 0:
        value = 0.0  # no "-0.0000"
    return f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}"


def pct(value: float | None, *, decimals: int = 1, signed: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return NO_DATA
    return f"{value:+.{decimals}f}%" if signed else f"{value:.{decimals}f}%"


def rate(value: float | None) -> str:
    """A funding rate per interval as a percentage with 4 decimals (``+0.0100%``)."""
    if value is None or not math.isfinite(value):
        return NO_DATA
    return f"{value * 100:+.4f}%"


def usd_compact(value: float | None, *, signed: bool = False) -> str:
    """``$14.8k`` / ``+$1.48M`` / ``-$2.10B``: three significant digits, for a narrow cell.

    Below $1,000 it is :func:`usd` itself. The abbreviations (k, M, B, T) are listed in
    docs/dashboard.md.
    """
    if value is None or not math.isfinite(value):
        return NO_DATA
    size = abs(value)
    if round(size) < 1000:
        return usd(value, signed=signed)
    for suffix, unit in (("k", 1e3), ("M", 1e6), ("B", 1e9), ("T", 1e12)):
        scaled = size / unit
        digits = 2 if scaled < 9.995 else 1 if scaled < 99.95 else 0
        if round(scaled, digits) < 1000 or suffix == "T":
            text = f"${scaled:,.{digits}f}{suffix}"
            break
    if value < 0:
        return "-" + text
    return ("+" + text) if signed else text


def first_fit(width: int, *texts: str) -> str:
    """The first of ``texts`` at most ``width`` characters long, else the shortest: a cell
    gives way to a shorter form of its number, never to a number cut short."""
    for text in texts:
        if len(text) <= width:
            return text
    return min(texts, key=len)


def usd_fit(value: float | None, width: int, *, signed: bool = False, decimals: int = 0) -> str:
    """:func:`usd` when it fits ``width``, then without cents, then :func:`usd_compact`."""
    return first_fit(
        width,
        usd(value, signed=signed, decimals=decimals),
        usd(value, signed=signed),
        usd_compact(value, signed=signed),
    )


def price_compact(value: float | None) -> str:
    """A price too wide for its cell: ``1.25M``, ``14.9T`` (three significant digits)."""
    text = usd_compact(value)
    return text if text == NO_DATA else text.replace("$", "", 1)


def price_fit(value: float | None, width: int) -> str:
    """:func:`price` when it fits ``width``, then whole units, then :func:`price_compact`."""
    if value is None or not math.isfinite(value):
        return NO_DATA
    return first_fit(width, price(value), f"{value:,.0f}", price_compact(value))


def leverage(value: float) -> str:
    """``3.0x``, ``15.3x``, ``150x``; ``>999x`` beyond (equity all but gone)."""
    if value >= 999.5:
        return ">999x"
    return f"{value:.1f}x" if value < 99.95 else f"{value:.0f}x"


def ratio(value: float | None, *, short: bool = False) -> str:
    """The hedge ratio (``1.000``), or for a long, which hedges nothing, its leverage on the
    coins held: ``lev 3.0x long`` (``lev 3.0x`` when ``short``;
    :func:`hedgetui.risk.long_leverage`)."""
    if value is None or not math.isfinite(value):
        return NO_DATA
    lev = long_leverage(value)
    if lev is not None:
        return f"lev {leverage(lev)}" + ("" if short else " long")
    return f"{value:.3f}"


def bps(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return NO_DATA
    return f"{value:+.1f}bp"


def age(seconds: float | None) -> str:
    """How old the last message is: ``0.4s``, ``12s``, ``3m``, ``2h``."""
    if seconds is None:
        return "no data"
    if seconds < 1:
        return "<1s"  # live: no digits flickering at every repaint
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.0f}h"


def countdown(seconds: float | None) -> str:
    """``7h59m`` / ``12m05s`` / ``42s`` until the next funding."""
    if seconds is None:
        return NO_DATA
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def sparkline(values: Sequence[float], width: int) -> str:
    """The last ``width`` values as block characters, scaled between their min and max."""
    if width <= 0:
        return ""
    data = list(values)[-width:]
    if not data:
        return ""
    low, high = min(data), max(data)
    span = high - low
    top = len(SPARK_CHARS) - 1
    if span <= 0:
        return SPARK_CHARS[top // 2] * len(data)
    return "".join(SPARK_CHARS[round((v - low) / span * top)] for v in data)


def bar(fraction: float | None, width: int) -> str:
    """A horizontal gauge ``█████░░░░░`` filled to ``fraction`` (0..1, clamped)."""
    if width <= 0:
        return ""
    if fraction is None or not math.isfinite(fraction):
        return "·" * width
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


# The one liquidation rule (``hedgetui.risk.liquidation``) decides the state; these are its
# words on the dashboard. A liquidation the price would have to move more than 10x to reach is
# not a risk anyone manages: it is "none", like a position no price liquidates.
UNREACHABLE = LIQUIDATION_WORDS[LiquidationState.NONE]
UNREACHABLE_SHORT = "≥10×"
BELOW_MAINTENANCE = LIQUIDATION_WORDS[LiquidationState.BELOW_MAINTENANCE]
BELOW_MAINTENANCE_SHORT = "<maint"
PAST = "PAST"


def liq_distance(
    state: LiquidationState,
    distance_pct: float | None,
    *,
    decimals: int = 1,
    short: bool = False,
) -> str:
    """Distance to liquidation as shown everywhere on the dashboard, from the one state.

    ``none``: ``none (≥10×)`` (``≥10×`` when ``short``); ``ahead``: the percentage; ``past``:
    ``PAST -9.6%`` (the negative percentage alone when ``short``); ``below_maintenance``:
    ``already below maintenance`` (``<maint`` when ``short``). The caller shows ``NO_DATA``
    when there is no risk report to take the state from.
    """
    if state is LiquidationState.BELOW_MAINTENANCE:
        return BELOW_MAINTENANCE_SHORT if short else BELOW_MAINTENANCE
    if state is LiquidationState.NONE or distance_pct is None:
        return UNREACHABLE_SHORT if short else UNREACHABLE
    text = pct(distance_pct, decimals=decimals)
    if state is LiquidationState.PAST and not short:
        return f"{PAST} {text}"
    return text
