"""The layout budget: how the dashboard's rows are shared between its regions at one size.

Pure: sizes and counts in, region heights out (:func:`plan`), testable without Textual. Every
region has a minimum and a priority. The minimums always come first (the chrome lines, the hedge
rows, each card's numbers and the what-if input); the rows left are then granted one ask at a
time in priority order, so when rows are short the lowest-priority asks go without:

1. the worst alert (one row of the alerts list);
1b. in the compact table, the line under each hedge outside its band that says what brings it
   back (``table_rows.suggestion_row``; the card says it too);
2. each card's funding second line and carry;
3. two more alerts;
4. each card's gauges (distance to liquidation, buffer);
5. the what-if table's moves (wide layout; in the compact one the what-if sits beside the card
   and shows as many moves as the card's height leaves it);
6. each card's mark and funding sparklines;
7. the rest of the alerts;
8. taller mark and funding charts in the cards: a big screen uses its height.

Alerts that get no row fold into the list's "+N more". The numbers of a card (mark, net, hedge
ratio, liquidation, buffer, funding) are never shed: the selected card is the hedge in danger
when its critical alert fires, and the compact table shows every hedge's distance too.
"""

from __future__ import annotations

from dataclasses import dataclass

CHROME_ROWS = 3  # the status line, the totals line, the footer
ALERTS_FRAME = 2  # the alerts region's top border and its summary line (with "+N more")
CARD_FRAME = 2  # a card's top and bottom border
CARD_CORE = 6  # Mark, Net, Hedge, Liq, Buffer, Fund: never shed
CARD_NUMBERS = 8  # + the funding's per-day line and the carry
CARD_GAUGES = 10  # + the distance and buffer gauges
CARD_FULL = 12  # + the mark and funding sparklines
WHAT_IF_FRAME = 5  # border (2), title, column header, the input
WHAT_IF_MOVES = 6  # the moves of the full what-if table
WHAT_IF_MIN_MOVES = 2
ALERTS_SOON = 3  # alerts listed before the cards get their gauges
CARD_MIN_WIDTH = 40  # a card is never laid out narrower (wide layout)
COMPACT_BELOW_COLUMNS = 120  # narrower terminals always get the compact layout


@dataclass(frozen=True, slots=True)
class Plan:
    """The rows of each region for one size (see :func:`plan`)."""

    compact: bool
    columns: int  # cards side by side (wide layout)
    card_rows: int  # content lines of each card: the card sheds lines or grows its charts to fit
    what_if_moves: int  # move rows of the what-if table (the typed move comes on top)
    alert_rows: int  # alerts listed; the others fold into "+N more"
    spare: int  # rows nobody asked for (the layout leaves them blank)
    short: int  # rows missing for the minimums (0 unless the terminal is too small)
    suggestion_rows: int = 0  # compact table: lines under out-of-band hedges (their orders)

    @property
    def alerts_height(self) -> int:
        """The alerts region's height (frame included) when it is mounted."""
        return ALERTS_FRAME + self.alert_rows


def wide_grid(width: int, hedges: int) -> tuple[int, int]:
    """(columns, rows) of the wide layout's cards: the fewest rows of cards that
    ``CARD_MIN_WIDTH`` allows, shared out evenly (4 cards at 120 columns are 2x2, not 3 and a
    lone one beside two empty slots); the cards fill each row in turn."""
    count = max(1, hedges)
    most = max(1, min(count, width // CARD_MIN_WIDTH))
    rows = -(-count // most)
    return -(-count // rows), rows


def wide_fits(width: int, height: int, hedges: int, *, alerts_panel: bool = True) -> bool:
    """Whether the wide layout fits: every card with its numbers and gauges, the what-if with
    its minimum moves, and room for ``ALERTS_SOON`` alerts."""
    if width < COMPACT_BELOW_COLUMNS:
        return False
    _, rows = wide_grid(width, hedges)
    alerts = ALERTS_FRAME + ALERTS_SOON if alerts_panel else 0
    needed = CHROME_ROWS + alerts + rows * (CARD_FRAME + CARD_GAUGES)
    return height >= needed + WHAT_IF_FRAME + WHAT_IF_MIN_MOVES


def plan(
    width: int,
    height: int,
    hedges: int,
    alerts: int,
    *,
    typed: bool = False,
    alerts_panel: bool = True,
    suggestions: int = 0,
) -> Plan:
    """Share ``height`` rows between the regions for ``hedges`` hedges and ``alerts`` active
    alerts (``typed``: the what-if shows a typed move as well; ``alerts_panel``: the alerts
    region is mounted; ``suggestions``: hedges outside their band, each asking for a line
    under its row of the compact table)."""
    alerts = max(0, alerts) if alerts_panel else 0
    typed_row = 1 if typed else 0
    compact = not wide_fits(width, height, hedges, alerts_panel=alerts_panel)
    if compact:
        columns, card_bands = 1, 1
        fixed = CHROME_ROWS + 1 + max(1, hedges)  # + the table: header and a row per hedge
        what_if_min = 0  # beside the card: it takes the card's height
    else:
        columns, card_bands = wide_grid(width, hedges)
        fixed = CHROME_ROWS
        what_if_min = WHAT_IF_FRAME + WHAT_IF_MIN_MOVES + typed_row
    if alerts_panel:
        fixed += ALERTS_FRAME
    left = height - fixed - what_if_min - card_bands * (CARD_FRAME + CARD_CORE)
    short = max(0, -left)
    left = max(0, left)
    card_rows, alert_rows, moves = CARD_CORE, 0, WHAT_IF_MIN_MOVES

    def grant(wanted: int, cost: int) -> int:
        """Up to ``wanted`` units of ``cost`` rows each, as many as the rows left pay for."""
        nonlocal left
        units = max(0, min(wanted, left // cost)) if cost else wanted
        left -= units * cost
        return units

    alert_rows += grant(min(alerts, 1), 1)
    suggestion_rows = grant(max(0, suggestions), 1) if compact else 0
    card_rows += grant(CARD_NUMBERS - card_rows, card_bands)
    alert_rows += grant(min(alerts, ALERTS_SOON) - alert_rows, 1)
    card_rows += grant(CARD_GAUGES - card_rows, card_bands)
    if not compact:
        moves += grant(WHAT_IF_MOVES - moves, 1)
    card_rows += grant(CARD_FULL - card_rows, card_bands)
    alert_rows += grant(alerts - alert_rows, 1)
    if card_rows == CARD_FULL:
        card_rows += grant(left // card_bands, card_bands)
    if compact:  # the what-if beside the card: the card's height, less its frame and a typed row
        moves = max(1, min(WHAT_IF_MOVES, CARD_FRAME + card_rows - WHAT_IF_FRAME - typed_row))
    return Plan(compact, columns, card_rows, moves, alert_rows, left, short, suggestion_rows)
