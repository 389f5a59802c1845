"""Pure rendering of a hedge into its card: the title, the classes, the lines.

Widgets only call these and push the result to the screen, so what a card shows is a function
of the snapshot (and the width), testable without a terminal. Colours are Textual theme
variables (``$success``, ``$warning``, ``$error``) so every theme restyles them.

The compact layout's table is drawn by :mod:`hedgetui.ui.table_rows`, the status and totals
bars by :mod:`hedgetui.ui.bars`, the what-if panel's table by :mod:`hedgetui.ui.what_if`; the
danger levels are :mod:`hedgetui.ui.danger`'s, the styled parts and the stale rule
:mod:`hedgetui.ui.styled`'s.

Stale rule: a number derived from an input that is stale (or missing) is dimmed and followed by
``?``; "no data" is ``—``. A stale value never looks like a fresh one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hedgetui.config import AlertSettings
from hedgetui.domain import HedgeView, LiquidationState
from hedgetui.ui import charts
from hedgetui.ui import format as fmt
from hedgetui.ui.danger import (
    DANGER_CLASS,
    DANGER_STYLE,
    Danger,
    hedge_danger,
    liquidation_danger,
    not_fresh,
    room_fraction,
)
from hedgetui.ui.styled import (
    LABEL,
    STALE_STYLE,
    Line,
    Part,
    as_lines,
    fitted,
    line_parts,
    value_parts,
)
from hedgetui.ui.table_rows import fit_name, suggestion_words


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
    fund_stale = stale or not_fresh(hedge.funding_freshness)
    idx_stale = not_fresh(hedge.index_freshness) or not_fresh(hedge.mark_freshness)
    bar_w = max(4, width - 8)
    liq_d = liquidation_danger(hedge, alerts)
    liq_style = DANGER_STYLE[liq_d] if liq_d is not None and not stale else ""
    # the buffer is worth the price move it absorbs: its gauge and % share the worse danger
    buf_d = hedge_danger(hedge, alerts)
    buf_style = DANGER_STYLE[buf_d] if buf_d is not None and not stale else ""
    mark_stale = not_fresh(hedge.mark_freshness)
    lines: list[list[Part]] = []
    lines.append(
        fitted(
            width,
            *(
                line_parts(
                    ("Mark   ", LABEL),
                    value_parts(price(hedge.mark), mark_stale, "b"),
                    ("  idx ", LABEL),
                    value_parts(price(hedge.index), not_fresh(hedge.index_freshness)),
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
    fund_rate = value_parts(fmt.rate(hedge.funding_rate), not_fresh(hedge.funding_freshness))
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
        fmt.countdown(hedge.next_funding_in_s), not_fresh(hedge.funding_freshness)
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
        rows_drawn = charts.labelled_chart(
            label, tuple(closed_points(history)), spark_w, height, scale
        )
        lines.extend([(side, LABEL), (row, style)] for side, row in rows_drawn)
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


CARD_SHED_ORDER = ("fund   ", "mark   ", "  buf  ", "  dist ", "Carry  ", "       ")
"""The labels of a card's lines in the order they go when the card is short of rows: the
sparklines, the gauges, the carry, the funding's second line. The numbers stay."""
