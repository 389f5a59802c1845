"""The history screen's lines (key ``h``), pure: the funding rate, the cumulative carry and the
basis as charts, the carry figures, and where the history stands.

Drawn with the cards' block charts (:mod:`hedgetui.ui.charts`): one column a time bucket, the
rate and carry of the last event at or before the bucket's end; a bucket the funding history
does not cover (a gap, or before it starts) is left blank, never filled in. The basis is this
session's (the venues publish no history of it), one point a second. The figures are
:mod:`hedgetui.history.carry`'s. Fits 80x24; a taller screen grows the charts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from hedgetui.domain import HedgeView
from hedgetui.history.carry import (
    DAY_MS,
    HOUR_MS,
    CarryFigures,
    Exposure,
    WindowCarry,
    carry_totals,
    cumulative,
)
from hedgetui.history.model import FundingSeries
from hedgetui.ui import charts
from hedgetui.ui import format as fmt
from hedgetui.ui.styled import (
    LABEL,
    STALE_STYLE,
    Line,
    Part,
    as_lines,
    fitted,
    shown_length,
    value_parts,
)

LABEL_WIDTH = 9
FIXED_ROWS = 13  # title, header, 4 windows, 2 projections, portfolio, source, status, axis, footer
CHARTS = 3
DEFAULT_SPAN_MS = 30 * DAY_MS
GAP_FACTOR = 1.5


def day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


def stamp(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%m-%d %H:%M")


def exposure_of(hedge: HedgeView) -> Exposure | None:
    """The hedge's position now, as the carry math needs it (None while unknown)."""
    if hedge.side is None or hedge.contracts is None:
        return None
    return Exposure(hedge.side, hedge.contracts * hedge.contract_size, hedge.mark)


def buckets(
    points: Sequence[tuple[int, float]],
    start_ms: int,
    end_ms: int,
    columns: int,
    interval_hours: float,
) -> list[float | None]:
    """``columns`` values over ``(start_ms, end_ms]``: each the last point at or before its
    bucket's end, None where the last point is more than 1.5 intervals older (a gap)."""
    if columns <= 0 or end_ms <= start_ms:
        return []
    reach = interval_hours * HOUR_MS * GAP_FACTOR
    out: list[float | None] = []
    j = -1
    for i in range(columns):
        edge = start_ms + (end_ms - start_ms) * (i + 1) / columns
        while j + 1 < len(points) and points[j + 1][0] <= edge:
            j += 1
        out.append(points[j][1] if j >= 0 and edge - points[j][0] <= reach else None)
    return out


def gapped_chart(values: Sequence[float | None], rows: int) -> list[str]:
    """A block chart of ``values`` from their zero line, where a None column stays blank."""
    known = [v for v in values if v is not None]
    if not known:
        return [" " * len(values)] * max(1, rows)
    filled = [v if v is not None else known[0] for v in values]
    plot = charts.signed_chart(filled, len(filled), rows)
    return [
        "".join(" " if v is None else cell for v, cell in zip(values, row, strict=True))
        for row in plot
    ]


def chart_block(
    label: str,
    values: Sequence[float | None],
    rows: int,
    scale: Callable[[float], str],
    style: str,
) -> list[list[Part]]:
    plot = gapped_chart(values, rows)
    known = [v for v in values if v is not None]
    span = list(charts.signed_range(known)) if known else []
    labels = charts.chart_labels(f"{label:<{LABEL_WIDTH}}", span, len(span), rows, scale)
    return [[(side, LABEL), (row, style)] for side, row in zip(labels, plot, strict=True)]


def usd_scale(value: float) -> str:
    return fmt.usd_compact(value, signed=True)


def bps_scale(value: float) -> str:
    return f"{value:+.1f}bp"


NAME_WIDTH = 12


def cell(text: str, width: int, stale: bool = False) -> list[Part]:
    """``text`` right-aligned in ``width`` columns (its stale ``?`` inside them)."""
    pad = " " * max(0, width - len(text) - (1 if stale else 0))
    return [(pad, ""), *value_parts(text, stale)]


def _window_row(name: str, w: WindowCarry, coin: str) -> list[Part]:
    gap = not w.complete
    events = f"{w.events}" + (f" ({w.missing} missing)" if w.missing else "")
    return [
        (f"{name:<{NAME_WIDTH}}", LABEL),
        *cell(fmt.usd(w.usd, signed=True, decimals=2), 13, gap),
        *cell(fmt.coin(w.coin, decimals=5), 12, gap),
        (f" {coin:<4}", LABEL),
        *cell(fmt.pct(w.apr_pct, signed=True), 8),
        (f"  {events}", STALE_STYLE if gap else LABEL),
    ]


def figures_rows(carry: CarryFigures | None, coin: str) -> list[list[Part]]:
    """The table: each window, since when, then the next 7 and 30 days' projections."""
    header: list[Part] = [
        (f"{'window':<{NAME_WIDTH}}{'carry USD':>13}{'coin':>12}     {'avg/y':>8}  events", LABEL)
    ]
    rows = [header]
    windows = [] if carry is None else list(carry.windows)
    if carry is not None and carry.since is not None:
        windows.append(carry.since)
    for w in windows:
        name = w.label if w.label != "since" else f"since {day(w.start_ms)[5:]}"
        rows.append(_window_row(name, w, coin))
    if carry is None or not carry.windows:
        rows.append([("  no funding history yet", LABEL)])
    for days in (7, 30):
        now = None if carry is None else carry.projection(days, "current")
        avg = None if carry is None else carry.projection(days, "30d avg")
        rows.append(
            [
                (f"{f'next {days}d':<{NAME_WIDTH}}", LABEL),
                ("at current rate ", LABEL),
                *cell(fmt.usd(now.usd if now else None, signed=True), 9),
                ("   at 30d avg ", LABEL),
                *cell(fmt.usd(avg.usd if avg else None, signed=True), 9),
            ]
        )
    return rows


def cut(parts: list[Part], width: int) -> list[Part]:
    """``parts`` without its last parts until it fits ``width`` (whole parts: no number cut)."""
    kept = list(parts)
    while len(kept) > 1 and shown_length(kept) > width:
        kept.pop()
    return kept


def portfolio_row(hedges: Sequence[HedgeView]) -> list[Part]:
    """Every hedge's carry summed, window by window (``?``: some hedge's window has a gap,
    ``+N without`` history: hedges not counted)."""
    with_history = [(h.coin, h.carry) for h in hedges if h.carry is not None]
    totals = carry_totals(with_history)
    parts: list[Part] = [(f"{'portfolio':<{NAME_WIDTH}}", LABEL)]
    for label in ("24h", "7d", "30d"):
        amount = fmt.usd_compact(totals.usd.get(label), signed=True)
        parts += [
            (f"{label} ", LABEL),
            *value_parts(amount, label in totals.incomplete),
            ("  ", ""),
        ]
    without = len(hedges) - len(with_history)
    if without:
        parts.append((f"+{without} without history  ", LABEL))
    coins = totals.coin.get("7d", {})
    if coins:
        parts.append(("7d in coin ", LABEL))
        parts += [
            (f"{fmt.coin(amount, decimals=4)} {coin}  ", "") for coin, amount in coins.items()
        ]
    return parts


def history_lines(
    hedge: HedgeView,
    series: FundingSeries | None,
    basis: Sequence[float],
    status: str | None,
    now_ms: int,
    width: int,
    height: int,
    portfolio: Sequence[HedgeView] = (),
) -> list[Line]:
    """Every line of the history screen of ``hedge`` at ``width`` x ``height``;
    ``portfolio``: every hedge, for the totals row (none: no row)."""
    carry = hedge.carry
    exposure = exposure_of(hedge)
    records = series.records if series is not None else []
    hours = (carry.interval_hours if carry else None) or hedge.funding_interval_hours or 8.0
    since = carry.since if carry is not None else None
    start = since.start_ms if since is not None else now_ms - DEFAULT_SPAN_MS
    start = min(start, now_ms - DAY_MS)
    lines: list[list[Part]] = []
    where = "configured carry_since" if carry and carry.since_configured else "history start"
    size = "position unknown"
    if exposure is not None:
        size = f"{exposure.side} {fmt.usd(exposure.notional_usd)}"
    lines.append(
        fitted(
            width,
            [
                ("History ", "b"),
                (f"{hedge.name}  {hedge.venue} {hedge.symbol}  {size}  ", ""),
                (f"since {day(start)} ({where})", LABEL),
            ],
            [("History ", "b"), (f"{hedge.name}  {size}  since {day(start)}", "")],
        )
    )
    chart_w = max(8, width - LABEL_WIDTH)
    free = max(CHARTS, height - FIXED_ROWS)
    rows, spare = divmod(free, CHARTS)  # the rows left over go to the rate, then the carry
    rate_points = [(r.time_ms, r.rate) for r in records]
    rates = buckets(rate_points, start, now_ms, chart_w, hours)
    lines += chart_block(
        f"fund/{hours:g}h", rates, rows + (spare > 0), charts.rate_scale, "$chart-mark"
    )
    carried: list[float | None] = [None] * chart_w
    if exposure is not None and series is not None:
        carried = buckets(
            cumulative(series, exposure, start, now_ms), start, now_ms, chart_w, hours
        )
    lines += chart_block("carry $", carried, rows + (spare > 1), usd_scale, "")
    left, right = day(start), "now"
    lines.append([(" " * LABEL_WIDTH + left + right.rjust(max(0, chart_w - len(left))), LABEL)])
    session = [b for b in basis if math.isfinite(b)][-chart_w:]
    lines += chart_block("basis", session, rows, bps_scale, "$chart-mark")
    lines += figures_rows(carry, hedge.coin)
    if portfolio:
        lines.append(cut(portfolio_row(portfolio), width))
    source = (
        "realised payments (account)"
        if since and since.source == "paid"
        else ("estimate: the rates x the position as it is now")
    )
    lines.append([("figures: ", LABEL), (source, "")])
    last = f"last record {stamp(records[-1].time_ms)} UTC" if records else "no records"
    said = f"{status} · {last}" if status else last
    lines.append(fitted(width, [("history: ", LABEL), (said, "")], [(status or last, "")]))
    lines.append([("Esc back", LABEL)])
    return as_lines([fitted(width, line) for line in lines])
