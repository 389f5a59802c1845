"""Pure rendering of views into styled text: one function per screen area.

Widgets only call these and push the result to the screen, so what a widget shows is a function
of the snapshot (and the width), testable without a terminal. Colours are Textual theme
variables (``$success``, ``$warning``, ``$error``) so every theme restyles them.

The what-if panel's table is drawn by :mod:`hedgetui.ui.what_if`, the styled parts and the
stale rule are :mod:`hedgetui.ui.styled`'s.

Stale rule: a number derived from an input that is stale (or missing) is dimmed and followed by
``?``; "no data" is ``—``. A stale value never looks like a fresh one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import IntEnum
from typing import NamedTuple

from hedgetui import glyphs
from hedgetui.config import AlertSettings
from hedgetui.domain import (
    DashboardView,
    FeedFailure,
    FeedState,
    FeedView,
    Freshness,
    HedgeView,
    LiquidationState,
    TotalsView,
    shown_failure,
)
from hedgetui.ui import charts
from hedgetui.ui import format as fmt
from hedgetui.ui.styled import (
    LABEL,
    STALE_STYLE,
    Line,
    Part,
    as_lines,
    fitted,
    line_parts,
    shown_length,
    value_parts,
)


class Danger(IntEnum):
    OK = 0
    WARN = 1
    CRIT = 2


DANGER_STYLE = {Danger.OK: "$success", Danger.WARN: "$sev-warn", Danger.CRIT: "b $sev-crit"}
DANGER_CLASS = {Danger.OK: "-ok", Danger.WARN: "-warn", Danger.CRIT: "-crit"}


def card_state(danger: Danger | None, stale: bool, selected: bool) -> str:
    """The CSS classes of a hedge card in this state, space-separated (``card -crit -selected``).

    Stale wins over danger: a danger colour computed from stale input must not look current.
    """
    classes = ["card"]
    if stale:
        classes.append("-stale")
    elif danger is not None:
        classes.append(DANGER_CLASS[danger])
    if selected:
        classes.append("-selected")
    return " ".join(classes)


CARD_MIN_WIDTH = 20
"""The narrowest content a card's lines are laid out for (before a card knows its size)."""
CARD_STATE_CLASSES = ("-ok", "-warn", "-crit", "-stale", "-selected")
"""Every class :func:`card_state` may add to ``card``."""


def liquidation_danger(hedge: HedgeView, alerts: AlertSettings) -> Danger | None:
    """Danger from the liquidation state and the (signed) distance; None when unknown."""
    report = hedge.report
    if report is None:
        return None
    state = report.liquidation_state
    if state in (LiquidationState.PAST, LiquidationState.BELOW_MAINTENANCE):
        return Danger.CRIT
    dist = report.liquidation_distance_pct
    if state is LiquidationState.NONE or dist is None:
        return Danger.OK  # no liquidation price within a 10x move
    if dist < alerts.liq_distance_crit_pct:
        return Danger.CRIT
    if dist < alerts.liq_distance_warn_pct:
        return Danger.WARN
    return Danger.OK


def buffer_danger(hedge: HedgeView, alerts: AlertSettings) -> Danger | None:
    report = hedge.report
    if report is None:
        return None
    pct = hedge.margin_buffer_pct_of_equity
    if pct is None or pct < alerts.margin_buffer_crit_pct:
        return Danger.CRIT  # no equity left is the worst case, not "unknown"
    if pct < alerts.margin_buffer_warn_pct:
        return Danger.WARN
    return Danger.OK


def hedge_danger(hedge: HedgeView, alerts: AlertSettings) -> Danger | None:
    levels = [d for d in (liquidation_danger(hedge, alerts), buffer_danger(hedge, alerts)) if d]
    if hedge.report is None:
        return None
    return max(levels, default=Danger.OK)


ROOM_FULL_WITHOUT_LEVELS_PCT = 30.0  # twice the default 15% warning distance


def room_fraction(hedge: HedgeView, alerts: AlertSettings) -> float | None:
    """The card's one danger scale: the room left before liquidation, 0..1.

    1 at twice the warning distance or more (twice the critical one if larger; 30% with
    both set to 0) (and when there is no liquidation within a 10x
    move), 0 at or past the liquidation price or below maintenance; None without a report.
    Both gauges of a card are drawn on it (see ``hedge_card``).
    """
    r = hedge.report
    if r is None:
        return None
    if r.liquidation_state is LiquidationState.NONE:
        return 1.0
    distance = r.liquidation_distance_pct
    if distance is None or r.liquidation_state is not LiquidationState.AHEAD:
        return 0.0
    full_at = 2 * max(alerts.liq_distance_warn_pct, alerts.liq_distance_crit_pct)
    if full_at <= 0:  # both levels set to 0 (alerts off): the default warning level's scale
        full_at = ROOM_FULL_WITHOUT_LEVELS_PCT
    return max(0.0, min(1.0, distance / full_at))


def _not_fresh(freshness: Freshness) -> bool:
    return freshness in (Freshness.STALE, Freshness.NONE)


def hedge_title(hedge: HedgeView, width: int | None = None) -> str:
    """A card's border title, within ``width`` characters (the card's content width, less the
    space either side of the title): the venue, then the symbol, then the side give way, and
    a name longer than all the room is cut with ``~``; never a cut inside a word."""
    side = hedge.side or "?"
    tag = "STALE · " if hedge.stale else ""  # first, so a narrow border never cuts it off
    name, venue, symbol = hedge.name, hedge.venue, hedge.symbol
    titles = (
        f"{tag}{name} · {venue} {symbol} {side}",
        f"{tag}{name} · {symbol} {side}",
        f"{tag}{name} · {venue} {side}",
        f"{tag}{name} {side}",
        f"{tag}{name}",
    )
    if width is None:
        return titles[0]
    room = width - 2
    title = fmt.first_fit(room, *titles)
    return title if len(title) <= room else tag + fit_name(name, room - len(tag)).rstrip()


def card_look(
    hedge: HedgeView, alerts: AlertSettings, selected: bool, width: int | None = None
) -> tuple[str, str]:
    """A hedge card's title (:func:`hedge_title` for a card ``width`` wide inside) and its
    classes (:func:`card_state`), for either layout."""
    return hedge_title(hedge, width), card_state(hedge_danger(hedge, alerts), hedge.stale, selected)


PRICES: tuple[Callable[[float | None], str], ...] = (fmt.price, lambda v: fmt.price_fit(v, 0))
"""A card's price as it fits: in full, then three significant digits (``1.25M``)."""


def _compact_price(value: float | None) -> str:
    return fmt.price_fit(value, 0)


def hedge_card(
    hedge: HedgeView,
    alerts: AlertSettings,
    width: int,
    marks: Sequence[float] = (),
    fundings: Sequence[float] = (),
    rows: int | None = None,
) -> list[Line]:
    """The full card of one hedge (also the detail panel in the compact layout).

    ``marks`` and ``fundings`` are the sparkline histories, oldest first, one point a second,
    the last one still moving with the live price: the charts draw the closed seconds only
    (:func:`closed_points`), so a tall chart changes once a second, not on every tick (the live
    price is the number on the Mark line). ``rows``: the lines
    the layout budget gives the card (:mod:`hedgetui.ui.budget`); fewer than the card has shed
    its lines in ``CARD_SHED_ORDER`` (sparklines, then gauges, then the carry and the funding's
    second line), more grow the sparklines into taller charts.
    """
    r = hedge.report
    stale = hedge.stale
    fund_stale = stale or _not_fresh(hedge.funding_freshness)
    idx_stale = _not_fresh(hedge.index_freshness) or _not_fresh(hedge.mark_freshness)
    bar_w = max(4, width - 8)
    liq_d = liquidation_danger(hedge, alerts)
    liq_style = DANGER_STYLE[liq_d] if liq_d is not None and not stale else ""
    # the buffer is worth the price move it absorbs: its gauge and % share the worse danger
    buf_d = hedge_danger(hedge, alerts)
    buf_style = DANGER_STYLE[buf_d] if buf_d is not None and not stale else ""
    mark_stale = _not_fresh(hedge.mark_freshness)
    lines: list[list[Part]] = []
    lines.append(
        fitted(
            width,
            *(
                line_parts(
                    ("Mark   ", LABEL),
                    value_parts(price(hedge.mark), mark_stale, "b"),
                    ("  idx ", LABEL),
                    value_parts(price(hedge.index), _not_fresh(hedge.index_freshness)),
                )
                for price in PRICES
            ),
            line_parts(
                ("Mark   ", LABEL), value_parts(_compact_price(hedge.mark), mark_stale, "b")
            ),
        )
    )
    coin = hedge.coin
    lines.append(
        fitted(
            width,
            *(
                line_parts(
                    ("Net    ", LABEL),
                    value_parts(fmt.coin(r.net_exposure_coin if r else None, decimals=d), stale),
                    (f" {coin}  ", LABEL),
                    value_parts(usd(r.net_exposure_usd if r else None, signed=True), stale),
                )
                for d, usd in ((4, fmt.usd), (4, fmt.usd_compact), (2, fmt.usd_compact))
            ),
        )
    )
    ratio_style = ""
    if hedge.hedge_ratio_in_band is not None:
        ratio_style = "$success" if hedge.hedge_ratio_in_band else "$sev-warn"
    target = ""
    if hedge.target_hedge_ratio is not None:
        target = f"  target {hedge.target_hedge_ratio:.2f}±{hedge.hedge_band or 0:.2f}"
    ratio_parts = line_parts(
        ("Hedge  ", LABEL),
        value_parts(fmt.ratio(r.hedge_ratio if r else None), stale, ratio_style),
    )
    if hedge.suggestion is not None and not stale:  # out of band: what brings it back
        forms = [[*ratio_parts, ("  ", ""), (w, "$sev-warn")] for w in suggestion_words(hedge)]
        lines.append(fitted(width, *forms, ratio_parts))
    else:
        lines.append(fitted(width, [*ratio_parts, (target, LABEL)], ratio_parts))
    if r is not None and r.liquidation_price is None:
        words = fmt.liq_distance(r.liquidation_state, None)
        if r.liquidation_state is LiquidationState.BELOW_MAINTENANCE and len(words) + 7 > width:
            words = "below maint."  # "already below maintenance" on a narrow card
        lines.append(line_parts(("Liq    ", LABEL), value_parts(words, stale, liq_style)))
    else:
        lines.append(
            fitted(
                width,
                *(
                    line_parts(
                        ("Liq    ", LABEL),
                        value_parts(price(r.liquidation_price if r else None), stale, liq_style),
                        ("  ", ""),
                        value_parts(
                            fmt.liq_distance(r.liquidation_state, r.liquidation_distance_pct)
                            if r
                            else fmt.NO_DATA,
                            stale,
                            liq_style,
                        ),
                    )
                    for price in PRICES
                ),
            )
        )
    liq_fraction = room_fraction(hedge, alerts)
    liq_usd = ""
    if r is not None and r.liquidation_distance_usd is not None:
        liq_usd = fmt.usd(r.liquidation_distance_usd)
        if bar_w - len(liq_usd) < 8:
            liq_usd = fmt.usd_compact(r.liquidation_distance_usd)
    liq_bar_w = bar_w - len(liq_usd) - (1 if stale and liq_usd else 0)  # and its "?"
    lines.append(
        line_parts(
            ("  dist ", LABEL),
            (fmt.bar(liq_fraction, liq_bar_w), STALE_STYLE if stale else liq_style),
            value_parts(f" {liq_usd}", stale) if liq_usd else [],
        )
    )
    buffer_pct = value_parts(fmt.pct(hedge.margin_buffer_pct_of_equity), stale, buf_style)
    lines.append(
        fitted(
            width,
            *(
                line_parts(
                    ("Buffer ", LABEL),
                    value_parts(fmt.coin(r.margin_buffer_coin if r else None, signed=False), stale),
                    (f" {coin} ", LABEL),
                    value_parts(usd(r.margin_buffer_usd if r else None), stale),
                    ("  ", ""),
                    buffer_pct,
                )
                for usd in (fmt.usd, fmt.usd_compact)
            ),
            line_parts(
                ("Buffer ", LABEL),
                value_parts(fmt.usd_compact(r.margin_buffer_usd if r else None), stale),
                ("  ", ""),
                buffer_pct,
            ),
        )
    )
    buf_fraction = None
    if r is not None and liq_fraction is not None:
        # never fuller than the distance bar: one danger scale for both gauges (no equity left,
        # where the store leaves the % unset, is an empty gauge)
        share = hedge.margin_buffer_pct_of_equity
        buf_fraction = min(0.0 if share is None else share / 100, liq_fraction)
    lines.append(
        line_parts(
            ("  buf  ", LABEL), (fmt.bar(buf_fraction, bar_w), STALE_STYLE if stale else buf_style)
        )
    )
    hours = hedge.funding_interval_hours or 8
    fund_rate = value_parts(fmt.rate(hedge.funding_rate), _not_fresh(hedge.funding_freshness))
    per_interval = hedge.funding_usd_per_interval
    lines.append(
        fitted(
            width,
            *(
                line_parts(
                    ("Fund   ", LABEL),
                    fund_rate,
                    (f"/{hours:g}h  ", LABEL),
                    value_parts(usd, fund_stale),
                )
                for usd in (
                    fmt.usd(per_interval, signed=True, decimals=2),
                    fmt.usd(per_interval, signed=True),
                    fmt.usd_compact(per_interval, signed=True),
                )
            ),
        )
    )
    next_in = value_parts(
        fmt.countdown(hedge.next_funding_in_s), _not_fresh(hedge.funding_freshness)
    )
    apr = value_parts(fmt.pct(hedge.funding_apr_pct, signed=True), fund_stale)
    per_day = [
        value_parts(usd(hedge.funding_usd_per_day, signed=True), fund_stale)
        for usd in (fmt.usd, fmt.usd_compact)
    ]
    lines.append(
        fitted(
            width,
            *(
                line_parts(("       ", ""), day, ("/d APR ", LABEL), apr, (" in ", LABEL), next_in)
                for day in per_day
            ),
            line_parts(("       ", ""), per_day[1], ("/d ", LABEL), apr, (" in ", LABEL), next_in),
            line_parts(("       ", ""), per_day[1], ("/d  in ", LABEL), next_in),
        )
    )
    basis = value_parts(fmt.bps(hedge.basis_bps), idx_stale)
    from_history = carry_forms(hedge, basis)
    carried = hedge.funding_carried_usd
    lines.append(
        fitted(
            width,
            *from_history,
            *(
                line_parts(("Carry  ", LABEL), (usd, ""), ("  basis ", LABEL), basis)
                for usd in (
                    ()
                    if from_history
                    else (
                        fmt.usd(carried, signed=True, decimals=2),
                        fmt.usd(carried, signed=True),
                        fmt.usd_compact(carried, signed=True),
                    )
                )
            ),
        )
    )
    spark_w = max(4, width - 7)
    extra = 0 if rows is None else rows - len(lines) - 2
    mark_rows, fund_rows = charts.chart_heights(extra)
    for label, history, style, height, scale in (
        ("mark   ", marks, "$chart-mark", mark_rows, charts.price_scale),
        ("fund   ", fundings, "", fund_rows, charts.rate_scale),
    ):
        points = closed_points(history)
        plot = charts.chart(points, spark_w, height)
        labels = charts.chart_labels(label, points, spark_w, height, scale)
        lines.extend(
            line_parts((side, LABEL), (row, style)) for side, row in zip(labels, plot, strict=True)
        )
    out = as_lines(lines)
    return out if rows is None else charts.shed(out, rows, CARD_SHED_ORDER)


def carry_forms(hedge: HedgeView, basis: list[Part]) -> list[list[Part]]:
    """The card's carry line from the funding history, longest first: the last 7 days' carry
    and its average annualised rate, the next 30 days' at the current rate, the basis:
    ``Carry  7d -$412 (-6.1%/y) · next 30d -$1.8k  basis 3.1bp``; empty without a history
    (the line then shows the funding carried while running). A week with funding events
    missing is dimmed and marked ``?``: a gap is never shown as a whole week."""
    carry = hedge.carry
    week = None if carry is None else carry.window("7d")
    if carry is None or week is None or week.events == 0:
        return []
    gap = not week.complete
    amount = value_parts(fmt.usd_compact(week.usd, signed=True), gap)
    apr = value_parts(fmt.pct(week.apr_pct, signed=True), gap)
    ahead = carry.projection(30, "current") or carry.projection(30, "30d avg")
    head: list[Part] = [("Carry  ", LABEL), ("7d ", LABEL), *amount]
    rate: list[Part] = [(" (", LABEL), *apr, ("/y)", LABEL)]
    month: list[Part] = []
    if ahead is not None:
        month = [(" · next 30d ", LABEL), (fmt.usd_compact(ahead.usd, signed=True), "")]
    tail = [("  basis ", LABEL), *basis]
    forms = [[*head, *rate, *month, *tail], [*head, *rate, *month]]
    if month:  # a narrow card: the week and the month ahead, without the rate
        forms.append([*head, *month])
    return [*forms, [*head, *rate, *tail], [*head, *rate], head]


def closed_points(history: Sequence[float]) -> Sequence[float]:
    """A history without its last point (the second still open, which follows every tick),
    or the one point there is."""
    return history[:-1] if len(history) > 1 else history


def suggestion_words(hedge: HedgeView) -> list[str]:
    """The hedge's suggested order (``HedgeView.suggestion``) as it may be shown, longest
    first: ``sell 1,200 → 0.50``, ``sell 1.20M → 0.50`` (three significant digits), then
    without the ratio after; empty when there is none."""
    s = hedge.suggestion
    if s is None:
        return []
    full = s.words()
    count = f"{s.contracts:,.10g}"
    short = fmt.price_compact(s.contracts) if s.contracts >= 1000 else count
    forms = [full, f"{s.side} {short} → {s.ratio_after:.2f}", f"{s.side} {count}"]
    forms.append(f"{s.side} {short}")
    return list(dict.fromkeys(forms))  # in order, each once


CARD_SHED_ORDER = ("fund   ", "mark   ", "  buf  ", "  dist ", "Carry  ", "       ")
"""The labels of a card's lines in the order they go when the card is short of rows: the
sparklines, the gauges, the carry, the funding's second line. The numbers stay."""


# (title, width) of the right-aligned numeric cells of the compact hedge table; each cell is
# preceded by one space, and a stale value's "?" fits inside its cell. A number too wide for
# its cell gives way to a shorter form of itself (``$14.8k``: format.usd_fit), never to a cut.
TABLE_CELLS: tuple[tuple[str, int], ...] = (
    ("mark", 10),
    ("net USD", 9),
    ("ratio", 10),
    ("liq%", 7),
    ("buf%", 6),
    ("fund/day", 8),
)
VENUE_WIDTH = 7  # the longest venue name (binance, deribit)
NAME_MIN_WIDTH = 9
TABLE_FIXED = 2 + 1 + VENUE_WIDTH + sum(1 + w for _, w in TABLE_CELLS)
"""Every column of a table row but the hedge's name: marker, gaps, venue and numbers."""
ABBREVIATED = "~"
"""Ends a hedge name cut to its column (docs/dashboard.md): names get the width they need."""


def name_width(names: Sequence[str], width: int) -> int:
    """The name column: as wide as the longest name, within what ``width`` leaves for it."""
    longest = max((len(name) for name in names), default=0)
    return max(NAME_MIN_WIDTH, min(longest, width - TABLE_FIXED))


def fit_name(name: str, width: int) -> str:
    """``name`` padded to ``width``, or its first ``width - 1`` characters and ``~``."""
    width = max(1, width)
    if len(name) > width:
        name = name[: max(0, width - 1)] + ABBREVIATED
    return f"{name:<{width}}"


def table_header(names_width: int = NAME_MIN_WIDTH) -> str:
    cells = "".join(f" {t:>{w}}" for t, w in TABLE_CELLS)
    return f"  {'hedge':<{names_width}} {'venue':<{VENUE_WIDTH}}{cells}"


def hedge_row(
    hedge: HedgeView, alerts: AlertSettings, selected: bool, names_width: int = NAME_MIN_WIDTH
) -> list[Part]:
    """One compact row of the hedge table (fits 80 columns), the name in ``names_width``."""
    r = hedge.report
    stale = hedge.stale
    liq_d = liquidation_danger(hedge, alerts)
    buf_d = hedge_danger(hedge, alerts)  # the buffer shares the worse danger, as on the card
    marker = ("▶ ", "b $select") if selected else ("  ", "")
    fund_stale = stale or _not_fresh(hedge.funding_freshness)
    mark_stale = _not_fresh(hedge.mark_freshness)
    widths = [w for _, w in TABLE_CELLS]

    def room(index: int, is_stale: bool) -> int:
        return widths[index] - (1 if is_stale else 0)  # the "?" of a stale value

    def cell(index: int, text: str, is_stale: bool, style: str = "") -> list[Part]:
        shown = glyphs.text(text)  # aligned as shown: ">=10x" is one wider than "≥10×"
        shown += fmt.STALE_GLYPH if is_stale and text != fmt.NO_DATA else ""
        pad = " " * max(1, widths[index] + 1 - len(shown))
        s = STALE_STYLE if is_stale else (LABEL if text == fmt.NO_DATA else style)
        return [(pad + shown, s)]

    liq_text = (
        fmt.liq_distance(r.liquidation_state, r.liquidation_distance_pct, decimals=0, short=True)
        if r is not None
        else fmt.NO_DATA
    )
    buf = hedge.margin_buffer_pct_of_equity
    buf_text = fmt.first_fit(
        room(4, stale), fmt.pct(buf, decimals=0), "<-99%" if buf and buf < 0 else ">999%"
    )
    return line_parts(
        marker,
        (fit_name(hedge.name, names_width) + " ", "b" if selected else ""),
        (f"{hedge.venue[:VENUE_WIDTH]:<{VENUE_WIDTH}}", LABEL),
        cell(0, fmt.price_fit(hedge.mark, room(0, mark_stale)), mark_stale),
        cell(
            1,
            fmt.usd_fit(r.net_exposure_usd if r else None, room(1, stale), signed=True),
            stale,
        ),
        cell(2, fmt.ratio(r.hedge_ratio if r else None, short=True), stale),
        cell(3, liq_text, stale, DANGER_STYLE[liq_d] if liq_d is not None else ""),
        cell(
            4,
            buf_text,
            stale,
            DANGER_STYLE[buf_d] if buf_d is not None else "",
        ),
        cell(
            5,
            fmt.usd_fit(hedge.funding_usd_per_day, room(5, fund_stale), signed=True),
            fund_stale,
        ),
    )


SUGGESTION_LABEL = "to band "
"""Starts a hedge row's second line: the order that brings the hedge back into its band."""


def suggestion_row(hedge: HedgeView, names_width: int, width: int) -> list[Part] | None:
    """The line under an out-of-band hedge's row, its suggested order under the venue
    column (``to band sell 1,200 → 0.50``); None when it has none (or its data is stale)."""
    if hedge.suggestion is None or hedge.stale:
        return None
    indent = (" " * (2 + names_width + 1), "")
    forms = [[indent, (SUGGESTION_LABEL, LABEL), (w, "$sev-warn")] for w in suggestion_words(hedge)]
    return fitted(width, *forms)


def suggestion_count(view: DashboardView) -> int:
    """How many hedge rows have a suggestion line under them (:func:`suggestion_row`)."""
    return sum(1 for h in view.hedges if h.suggestion is not None and not h.stale)


def hedge_table(
    view: DashboardView,
    alerts: Sequence[AlertSettings],
    selected: int,
    width: int = TABLE_FIXED + NAME_MIN_WIDTH,
    suggestions: int | None = None,
) -> list[Line]:
    """The compact layout's table for a panel ``width`` columns wide: a row per hedge, and
    under a hedge outside its band the order that brings it back (the first ``suggestions``
    of them: the rows the layout budget gives them; None: all)."""
    names = name_width([h.name for h in view.hedges], width)
    lines = [[(table_header(names), LABEL)]]
    room = len(view.hedges) if suggestions is None else suggestions
    for i, hedge in enumerate(view.hedges):
        lines.append(hedge_row(hedge, alerts[i], i == selected, names))
        note = suggestion_row(hedge, names, width) if room > 0 else None
        if note is not None:
            lines.append(note)
            room -= 1
    if not view.hedges:
        lines.append([("  no hedges configured", LABEL)])
    return as_lines(lines)


def _feed_glyph(feed: FeedView) -> Part:
    if feed.state is FeedState.LIVE and feed.freshness is Freshness.FRESH:
        return "●", "$success"
    if feed.state is FeedState.LIVE and feed.freshness is Freshness.DELAYED:
        return "●", "$warning"
    if feed.state is FeedState.CONNECTING and feed.freshness is Freshness.NONE:
        return "◌", LABEL
    return "✖", "b $error"


def _feed_parts(feed: FeedView, narrow: bool) -> list[Part]:
    glyph = _feed_glyph(feed)
    state = "" if feed.state is FeedState.LIVE else f" {feed.state.value}"
    age = fmt.age(feed.last_message_age)
    age_style = STALE_STYLE if feed.freshness in (Freshness.STALE, Freshness.NONE) else ""
    gap = " " if narrow else "  "
    name = f"{'' if narrow else ' '}{feed.venue}{state} "
    return [glyph, (name, ""), (age, age_style), (gap, "")]


def retry_words(failure: FeedFailure, now: float) -> str:
    """``12s`` (whole seconds, rounded up: no digits flicker) until the next attempt; ``0s``
    when it is due; empty when none is planned."""
    if failure.retry_at is None:
        return ""
    return fmt.countdown(math.ceil(max(0.0, failure.retry_at - now)))


class _Failed(NamedTuple):
    glyph: Part
    name: str
    failure: FeedFailure
    order: int  # its place among the failed entries (the last fallback words some of them)


def _failed_parts(
    run: Sequence[_Failed], now: float, narrow: bool, level: int, worded: frozenset[int]
) -> list[Part]:
    """``✖okx refused ↻12s`` per entry (level 0); adjacent entries with the same words share
    them, with the earliest retry (1); without the retry (2); the glyph and name only, with the
    words of the entries in ``worded`` (3)."""
    parts: list[Part] = []
    lead = "" if narrow else " "
    gap = " " if narrow else "  "
    shared: list[FeedFailure] = []  # the entries since the last words, sharing the next ones
    for i, (glyph, name, failure, order) in enumerate(run):
        parts += [glyph, (f"{lead}{name}", "")]
        shared.append(failure)
        following = run[i + 1].failure.short if i + 1 < len(run) else None
        if level >= 3:
            words = f" {failure.short}" if order in worded else ""
            parts += [(words, "b $error"), (gap, "")] if words else [(gap, "")]
            continue
        if level >= 1 and following == failure.short:
            parts.append((" ", ""))
            continue
        words = f" {failure.short}"
        retries = [f.retry_at for f in shared if f.retry_at is not None]
        if level <= 1 and retries:
            words += f" ↻{retry_words(replace(failure, retry_at=min(retries)), now)}"
        parts += [(words, "b $error"), (gap, "")]
        shared = []
    return parts


def status_bar(view: DashboardView, width: int = 200) -> list[Line]:
    """Every feed: a coloured glyph, its name, its state when not live, the age of its data;
    a feed or account stream that is down says why in a word and when it retries
    (``✖okx refused ↻12s``). When the line is too narrow for every reason, feeds down for the
    same reason side by side share it, then the retry times go, then the reasons of those that
    do not fit (from the right)."""
    narrow = width < 100
    items: list[list[Part] | _Failed] = []
    failed = 0
    for feed in view.feeds:
        failure = shown_failure(feed.state, feed.failure)
        if failure is None:
            items.append(_feed_parts(feed, narrow))
        else:
            items.append(_Failed(_feed_glyph(feed), feed.venue, failure, failed))
            failed += 1
    for account in view.accounts:
        failure = shown_failure(account.state, account.failure)
        if failure is not None:
            items.append(_Failed(("✖", "b $error"), f"acct {account.name}", failure, failed))
            failed += 1

    def line(level: int, worded: frozenset[int] = frozenset()) -> list[Part]:
        parts: list[Part] = [] if narrow else [("hedgetui ", "b $select")]
        run: list[_Failed] = []
        for item in [*items, []]:
            if isinstance(item, _Failed):
                run.append(item)
                continue
            parts += _failed_parts(run, view.at, narrow, level, worded) + item
            run = []
        return parts

    def fits(parts: list[Part]) -> bool:
        return shown_length(parts) <= width + 1  # the trailing gap may be cut

    for level in range(3):
        parts = line(level)
        if fits(parts):
            return as_lines([parts])
    worded: frozenset[int] = frozenset()
    for index in range(failed):  # the words of as many as fit, left to right
        if fits(line(3, worded | {index})):
            worded |= {index}
    return as_lines([line(3, worded)])


def totals_bar(totals: TotalsView, wide: bool, width: int | None = None) -> list[Line]:
    """Totals across hedges within ``width``: money gives way to ``$14.8k`` forms, then the
    carried funding goes, the amounts per coin show 2 decimals, then go, before anything
    would be cut."""
    stale = totals.stale

    def parts(usd: Callable[..., str], coins: int | None, carried: bool) -> list[Part]:
        """``coins``: the decimals of the amounts per coin (None: no amounts)."""
        out: list[Part] = [("TOTAL ", "b")]
        out += [("net ", LABEL), *value_parts(usd(totals.net_exposure_usd, signed=True), stale)]
        if coins is not None:
            for coin_name, amount in sorted(totals.net_exposure_by_coin.items()):
                amount_text = fmt.coin(amount, decimals=coins)
                out += [(f" {coin_name} ", LABEL), *value_parts(amount_text, stale)]
        out += [("  buffer ", LABEL), *value_parts(usd(totals.margin_buffer_usd), stale)]
        out += [
            ("  fund ", LABEL),
            *value_parts(usd(totals.funding_usd_per_day, signed=True), stale),
        ]
        out += [("/d", LABEL)]
        if carried:
            out += [("  carried ", LABEL), (usd(totals.funding_carried_usd, signed=True), "")]
        if stale:
            out += [("  STALE", "b $warning")]
        return out

    full = parts(fmt.usd, 4, wide)
    if width is None:
        return as_lines([full])
    return as_lines(
        [
            fitted(
                width,
                full,
                parts(fmt.usd_compact, 4, wide),
                parts(fmt.usd_compact, 4, False),
                parts(fmt.usd_compact, 2, False),
                parts(fmt.usd_compact, None, False),
            )
        ]
    )
