"""The what-if panel's table: the hedge's PnL, margin and liquidation after each price move,
in as many columns as the width holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hedgetui import glyphs
from hedgetui.domain import HedgeView, ScenarioRow
from hedgetui.ui import format as fmt
from hedgetui.ui.styled import LABEL, STALE_STYLE, Line, Part, as_lines

WHAT_IF_MOVES: tuple[float, ...] = (-20.0, -10.0, -5.0, 5.0, 10.0, 20.0)


@dataclass(frozen=True, slots=True)
class WhatIfColumn:
    """One column of the what-if table.

    ``rank``: 0 is kept longest when the panel is narrow (move, then net PnL, then the
    liquidation distance, ...); ``tight`` is the width in the narrowest layout.
    """

    key: str
    title: str
    width: int
    tight: int
    rank: int


WHAT_IF_COLUMNS: tuple[WhatIfColumn, ...] = (
    WhatIfColumn("move", "move", 8, 8, 0),
    WhatIfColumn("price", "price", 10, 9, 3),
    WhatIfColumn("spot", "spot PnL", 10, 10, 5),
    WhatIfColumn("futures", "fut PnL", 10, 10, 6),
    WhatIfColumn("net", "net PnL", 10, 10, 1),
    WhatIfColumn("portfolio", "portfolio", 11, 11, 4),
    WhatIfColumn("liq", "liq dist", 11, 7, 2),
)
WHAT_IF_COLUMNS_KEYS: tuple[str, ...] = tuple(c.key for c in WHAT_IF_COLUMNS)
Layout = tuple[tuple[WhatIfColumn, int], ...]  # (column, width) in display order


def _layout_width(layout: Layout) -> int:
    return sum(width for _, width in layout) + len(layout) - 1 + len(fmt.STALE_GLYPH)


def what_if_layout(width: int) -> Layout:
    """The columns that fit ``width`` cells: all of them when there is room, else the least
    important ones go first (futures PnL, spot PnL, portfolio, price); move, net PnL and the
    liquidation distance always stay, at their tight widths if need be."""
    by_rank = sorted(WHAT_IF_COLUMNS, key=lambda c: c.rank)
    for count in range(len(by_rank), 2, -1):
        kept = {c.key for c in by_rank[:count]}
        for tight in (False, True):
            layout = tuple(
                (c, c.tight if tight else c.width) for c in WHAT_IF_COLUMNS if c.key in kept
            )
            if _layout_width(layout) <= width:
                return layout
    kept = {c.key for c in by_rank[:3]}
    return tuple((c, c.tight) for c in WHAT_IF_COLUMNS if c.key in kept)


def what_if_base(rows: Sequence[ScenarioRow]) -> float | None:
    """The mark price the rows were computed at (None without rows)."""
    for row in rows:
        if row.move_pct > -100:
            return row.price / (1 + row.move_pct / 100)
    return None


def what_if_header(layout: Layout) -> str:
    return " ".join(
        f"{column.title if width >= len(column.title) else column.key:>{width}}"
        for column, width in layout
    )


def _what_if_liq(row: ScenarioRow, width: int) -> str:
    tight = width < len(glyphs.text(fmt.UNREACHABLE))
    if row.liquidated:
        return "LIQ'D" if tight else "LIQUIDATED"
    distance = row.liquidation_distance_pct
    decimals = 1 if distance is not None and distance < 100 else 0
    return fmt.liq_distance(row.liquidation_state, distance, decimals=decimals, short=tight)


def what_if_row(row: ScenarioRow, layout: Layout, stale: bool, typed: bool = False) -> list[Part]:
    """One row of the what-if table with the columns of ``layout``.

    A row past the liquidation price says ``LIQUIDATED`` (``LIQ'D`` when narrow), in red.
    """
    style = STALE_STYLE if stale else ("b" if typed else "")
    cells: list[str] = []
    liq_cell = ""
    for column, width in layout:
        if column.key == "move":
            text = f"{'»' if typed else ' '}{row.move_pct:+6.1f}%"
        elif column.key == "price":
            text = fmt.price(row.price) if width >= 10 else f"{row.price:,.0f}"
        elif column.key == "spot":
            text = fmt.usd(row.spot_pnl_usd, signed=True)
        elif column.key == "futures":
            text = fmt.usd(row.futures_pnl_usd, signed=True)
        elif column.key == "net":
            text = fmt.usd(row.net_pnl_usd, signed=True)
        elif column.key == "portfolio":
            text = fmt.usd(row.portfolio_usd)
        else:
            text = liq_cell = _what_if_liq(row, width)
        cells.append(f"{glyphs.text(text):>{width}}")  # aligned as shown (ASCII mode)
    parts: list[Part] = [(" ".join(cells), style)]
    if row.liquidated and liq_cell:
        last = [c.key for c, _ in layout].index("liq")
        before = " ".join(cells[:last])
        after = " ".join(cells[last + 1 :])
        parts = [
            (before + " ", style),
            (cells[last], "b $error"),
            ((" " + after) if after else "", style),
        ]
    if stale:
        parts.append((fmt.STALE_GLYPH, "b $warning"))
    return parts


def what_if_table(
    hedge: HedgeView | None,
    rows: Sequence[ScenarioRow],
    typed: ScenarioRow | None,
    width: int,
) -> list[Line]:
    """The what-if panel's table for the panel's content ``width`` (columns drop to fit)."""
    title = f"What if {hedge.name} moves" if hedge else "What if"
    base = what_if_base(rows)
    lines: list[list[Part]] = [[(title, "b"), (f" from {fmt.price(base)}" if base else "", LABEL)]]
    if hedge is None or not rows:
        lines.append([("  no data yet (mark or position)", LABEL)])
        return as_lines(lines)
    layout = what_if_layout(width)
    lines.append([(what_if_header(layout), LABEL)])
    merged = sorted([*rows, *([typed] if typed else [])], key=lambda row: row.move_pct)
    for row in merged:
        lines.append(what_if_row(row, layout, hedge.stale, typed=row is typed))
    return as_lines(lines)


def kept_moves(rows: Sequence[ScenarioRow], count: int) -> tuple[ScenarioRow, ...]:
    """The ``count`` rows of the smallest moves (a fall before a rise of the same size), in
    their order: what a what-if panel short of rows shows (the layout budget's)."""
    if count >= len(rows):
        return tuple(rows)
    ranked = sorted(range(len(rows)), key=lambda i: (abs(rows[i].move_pct), rows[i].move_pct > 0))
    keep = set(ranked[: max(0, count)])
    return tuple(row for i, row in enumerate(rows) if i in keep)
