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

from collections.abc import Callable, Sequence
from enum import IntEnum

from hedgetui import glyphs
from hedgetui.config import AlertSettings
from hedgetui.domain import (
    DashboardView,
    FeedState,
    FeedView,
    Freshness,
    HedgeView,
    TotalsView,
)
from hedgetui.ui import format as fmt
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


class Danger(IntEnum):
    OK = 0
    WARN = 1
    CRIT = 2


DANGER_STYLE = {Danger.OK: "$success", Danger.WARN: "$warning", Danger.CRIT: "b $error"}
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
    """Danger from the distance to liquidation; None when unknown (no report)."""
    report = hedge.report
    if report is None:
        return None
    dist = report.liquidation_distance_pct
    if dist is None:
        return Danger.OK  # no liquidation price at all
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
) -> list[Line]:
    """The full card of one hedge (also the detail panel in the compact layout).

    ``marks`` and ``fundings`` are the sparkline histories, oldest first.
    """
    r = hedge.report
    stale = hedge.stale
    fund_stale = stale or _not_fresh(hedge.funding_freshness)
    idx_stale = _not_fresh(hedge.index_freshness) or _not_fresh(hedge.mark_freshness)
    bar_w = max(4, width - 8)
    liq_d = liquidation_danger(hedge, alerts)
    buf_d = buffer_danger(hedge, alerts)
    liq_style = DANGER_STYLE[liq_d] if liq_d is not None and not stale else ""
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
        ratio_style = "$success" if hedge.hedge_ratio_in_band else "$warning"
    target = ""
    if hedge.target_hedge_ratio is not None:
        target = f"  target {hedge.target_hedge_ratio:.2f}±{hedge.hedge_band or 0:.2f}"
    ratio_parts = line_parts(
        ("Hedge  ", LABEL),
        value_parts(fmt.ratio(r.hedge_ratio if r else None), stale, ratio_style),
    )
    lines.append(fitted(width, [*ratio_parts, (target, LABEL)], ratio_parts))
    if r is not None and r.liquidation_price is None:
        lines.append(line_parts(("Liq    ", LABEL), value_parts("none", stale, liq_style)))
    else:
        distance = r.liquidation_distance_pct if r else None
        lines.append(
            fitted(
                width,
                *(
                    line_parts(
                        ("Liq    ", LABEL),
                        value_parts(price(r.liquidation_price if r else None), stale, liq_style),
                        ("  ", ""),
                        value_parts(
                            fmt.liq_distance(distance) if r else fmt.NO_DATA,
                            stale,
                            liq_style,
                        ),
                    )
                    for price in PRICES
                ),
            )
        )
    liq_fraction = None
    liq_usd = ""
    if r is not None:
        distance = r.liquidation_distance_pct
        if distance is None or fmt.liq_unreachable(distance):
            liq_fraction = 1.0
        else:  # full bar at twice the warning distance
            liq_fraction = distance / (2 * alerts.liq_distance_warn_pct)
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
    if hedge.margin_buffer_pct_of_equity is not None:
        buf_fraction = hedge.margin_buffer_pct_of_equity / 100
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
    carried = hedge.funding_carried_usd
    lines.append(
        fitted(
            width,
            *(
                line_parts(
                    ("Carry  ", LABEL),
                    (usd, ""),
                    ("  basis ", LABEL),
                    value_parts(fmt.bps(hedge.basis_bps), idx_stale),
                )
                for usd in (
                    fmt.usd(carried, signed=True, decimals=2),
                    fmt.usd(carried, signed=True),
                    fmt.usd_compact(carried, signed=True),
                )
            ),
        )
    )
    spark_w = max(4, width - 7)
    lines.append(line_parts(("mark   ", LABEL), (fmt.sparkline(marks, spark_w), "$accent")))
    lines.append(line_parts(("fund   ", LABEL), (fmt.sparkline(fundings, spark_w), "")))
    return as_lines(lines)


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
    buf_d = buffer_danger(hedge, alerts)
    marker = ("▶ ", "b $accent") if selected else ("  ", "")
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
        fmt.liq_distance(r.liquidation_distance_pct, decimals=0, short=True)
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


def hedge_table(
    view: DashboardView,
    alerts: Sequence[AlertSettings],
    selected: int,
    width: int = TABLE_FIXED + NAME_MIN_WIDTH,
) -> list[Line]:
    """The compact layout's table for a panel ``width`` columns wide: a row per hedge."""
    names = name_width([h.name for h in view.hedges], width)
    lines = [[(table_header(names), LABEL)]]
    for i, hedge in enumerate(view.hedges):
        lines.append(hedge_row(hedge, alerts[i], i == selected, names))
    if not view.hedges:
        lines.append([("  no hedges configured", LABEL)])
    return as_lines(lines)


def _feed_parts(feed: FeedView, narrow: bool) -> list[Part]:
    if feed.state is FeedState.LIVE and feed.freshness is Freshness.FRESH:
        glyph, style = "●", "$success"
    elif feed.state is FeedState.LIVE and feed.freshness is Freshness.DELAYED:
        glyph, style = "●", "$warning"
    elif feed.state is FeedState.CONNECTING and feed.freshness is Freshness.NONE:
        glyph, style = "◌", LABEL
    else:
        glyph, style = "✖", "b $error"
    state = "" if feed.state is FeedState.LIVE else f" {feed.state.value}"
    age = fmt.age(feed.last_message_age)
    age_style = STALE_STYLE if feed.freshness in (Freshness.STALE, Freshness.NONE) else ""
    gap = " " if narrow else "  "
    name = f"{'' if narrow else ' '}{feed.venue}{state} "
    return [(glyph, style), (name, ""), (age, age_style), (gap, "")]


def status_bar(view: DashboardView, width: int = 200) -> list[Line]:
    """Every feed: a coloured glyph, its name, its state when not live, the age of its data."""
    narrow = width < 100
    parts: list[Part] = [] if narrow else [("hedgetui ", "b $accent")]
    for feed in view.feeds:
        parts.extend(_feed_parts(feed, narrow))
    return as_lines([parts])


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
