"""The compact layout's hedge table: a header, a row per hedge, and the order back to its band.

Each row fits 80 columns: the hedge's name gets the width it needs (cut with ``~`` when the
panel is too narrow, :func:`fit_name`), then the venue and right-aligned numeric cells whose
numbers give way to shorter forms of themselves, never to a cut. A hedge outside its band gets
a second line with its suggested order (:func:`suggestion_row`, worded by
:func:`suggestion_words`, which the card shares). Pure functions of the view and the width.
"""

from __future__ import annotations

from collections.abc import Sequence

from hedgetui import glyphs
from hedgetui.config import AlertSettings
from hedgetui.domain import DashboardView, HedgeView
from hedgetui.ui import format as fmt
from hedgetui.ui.danger import DANGER_STYLE, hedge_danger, liquidation_danger, not_fresh
from hedgetui.ui.styled import LABEL, STALE_STYLE, Line, Part, as_lines, fitted, line_parts


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
    fund_stale = stale or not_fresh(hedge.funding_freshness)
    mark_stale = not_fresh(hedge.mark_freshness)
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
