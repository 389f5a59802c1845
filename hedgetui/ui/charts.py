"""Charts of a card's history: the one-line sparkline grown to several rows on a big screen,
and which of a card's lines go first when the card has fewer rows than lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, lru_cache

from hedgetui.ui import format as fmt
from hedgetui.ui.styled import Line


def chart(values: Sequence[float], width: int, rows: int) -> list[str]:
    """The last ``width`` values as a block chart ``rows`` high, top row first, scaled between
    their min and max. One row is exactly :func:`hedgetui.ui.format.sparkline`."""
    rows = max(1, rows)
    data = list(values)[-width:] if width > 0 else []
    if not data:
        return [""] * rows
    top = len(fmt.SPARK_CHARS) * rows - 1
    low, high = min(data), max(data)
    span = high - low
    if span <= 0:
        columns = [_column(top // 2, rows)] * len(data)
    else:
        columns = [_column(round((v - low) / span * top), rows) for v in data]
    return ["".join(row) for row in zip(*columns, strict=True)]


def signed_range(values: Sequence[float]) -> tuple[float, float]:
    """The range a signed chart of ``values`` spans: theirs, stretched to include zero."""
    return min(0.0, *values), max(0.0, *values)


def signed_chart(values: Sequence[float], width: int, rows: int) -> list[str]:
    """The last ``width`` values as bars from a zero line, ``rows`` high, top row first: a
    positive value rises from the line (in eighths of a row), a negative one hangs below it,
    so the sign of a funding rate or a carry reads at a glance. The zero line sits on the row
    boundary nearest its place in :func:`signed_range`."""
    rows = max(1, rows)
    data = list(values)[-width:] if width > 0 else []
    if not data:
        return [""] * rows
    low, high = signed_range(data)
    span = high - low
    if span <= 0:
        return [" " * len(data)] * (rows - 1) + ["▁" * len(data)]
    zero = round(-low / span * rows)  # rows below the zero line
    steps = len(fmt.SPARK_CHARS)
    columns = []
    for v in data:
        eighths = round(abs(v) / span * rows * steps)
        columns.append(_signed_column(zero, eighths if v >= 0 else -eighths, rows))
    return ["".join(row) for row in zip(*columns, strict=True)]


_HANGING = " ▔▔▀▀▀██"
"""A cell filled from its top by 0..7 eighths (block characters only grow from the bottom)."""


@cache
def _signed_column(zero: int, eighths: int, rows: int) -> tuple[str, ...]:
    """One column of :func:`signed_chart`: ``eighths`` above the line ``zero`` rows up (below it
    when negative), top row first; a value too small to fill an eighth still marks the line."""
    steps = len(fmt.SPARK_CHARS)
    cells = []
    for row in range(rows - 1, -1, -1):
        if eighths >= 0 and row >= zero:
            fill = min(steps, max(0, eighths - steps * (row - zero)))
            mark = row == zero and fill == 0
            cells.append(fmt.SPARK_CHARS[fill - 1] if fill > 0 else ("▁" if mark else " "))
        elif eighths < 0 and row < zero:
            fill = min(steps, max(0, -eighths - steps * (zero - 1 - row)))
            mark = row == zero - 1 and fill == 0
            cells.append(_HANGING[fill] if fill < steps else "█" if fill else " ")
            if mark:
                cells[-1] = "▔"
        else:
            cells.append(" ")
    return tuple(cells)


@cache
def _column(level: int, rows: int) -> tuple[str, ...]:
    """One column of a chart ``rows`` high filled to ``level`` eighths of a row (0: one
    eighth), top row first (a repaint joins cached columns instead of computing cells)."""
    steps = len(fmt.SPARK_CHARS)
    cells = []
    for row in range(rows - 1, -1, -1):
        fill = min(steps, level + 1 - steps * row)
        cells.append(fmt.SPARK_CHARS[fill - 1] if fill > 0 else " ")
    return tuple(cells)


def chart_labels(
    label: str, values: Sequence[float], width: int, rows: int, scale: Callable[[float], str]
) -> list[str]:
    """The label column beside a chart ``rows`` high: ``label`` on the top row, then, when the
    chart has three rows or more, its high (second row) and low (bottom row) as ``scale``
    writes them, each cut to the label's width."""
    out = [label] + [""] * (max(1, rows) - 1)
    data = list(values)[-width:] if width > 0 else []
    if rows >= 3 and data:
        out[1], out[-1] = scale(max(data)), scale(min(data))
    size = len(label)
    return [f"{text[:size]:<{size}}" for text in out]


CHARTS_KEPT = 16
"""Labelled charts kept by :func:`labelled_chart`: a screen shows two per hedge."""


@lru_cache(CHARTS_KEPT)
def labelled_chart(
    label: str,
    values: tuple[float, ...],
    width: int,
    rows: int,
    scale: Callable[[float], str],
) -> tuple[tuple[str, str], ...]:
    """(label column, chart row) for each row of :func:`chart` and :func:`chart_labels`.

    A card is drawn again on every tick, but its charts show closed seconds only, so they
    change once a second: kept by their points, the other nine draws of a second cost one
    hash of the points instead of a chart (a tenth of the dashboard's CPU at 200x50).
    """
    plot = chart(values, width, rows)
    return tuple(zip(chart_labels(label, values, width, rows, scale), plot, strict=True))


def price_scale(value: float) -> str:
    """A price in at most six characters: ``60.1k``, ``2,401``, ``0.5123``."""
    if abs(value) >= 10_000:
        return f"{value / 1000:.1f}k"
    if abs(value) >= 1_000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def rate_scale(value: float) -> str:
    """A funding rate (a fraction per interval) in percent: ``-0.11%``."""
    return f"{value * 100:+.2f}%"


def chart_heights(extra: int) -> tuple[int, int]:
    """(mark, funding) chart rows when a card has ``extra`` rows beyond its one-line
    sparklines: two thirds to the mark, a third to the funding."""
    extra = max(0, extra)
    fund = extra // 3
    return 1 + extra - fund, 1 + fund


def shed(lines: Sequence[Line], rows: int, order: Sequence[str]) -> list[Line]:
    """``lines`` cut to ``rows``: the lines whose first part's text is ``order[0]`` go first,
    then ``order[1]``'s, and so on; lines no label names are kept (when that is still too many,
    the last lines go)."""
    kept = list(lines)
    for label in order:
        if len(kept) <= rows:
            break
        for i in range(len(kept) - 1, -1, -1):
            if kept[i] and kept[i][0][0] == label:
                del kept[i]
                break
    return kept[: max(0, rows)]
