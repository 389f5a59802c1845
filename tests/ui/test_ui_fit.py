"""Text is never cut inside a number: each cell and card line gives way to a shorter form.

Rows, cards and titles are rendered for adversarial values (huge USD, long names, long venue
symbols, stale tags) at the compact layout's widths, then drawn the way a panel draws them
(``line_segments`` cuts a line too long for its panel with ``…``): nothing may be cut.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from hedgetui.alerts.report import hedge_block
from hedgetui.config import AlertSettings
from hedgetui.domain import Freshness, HedgeView, TotalsView
from hedgetui.ui import bars, render, table_rows
from hedgetui.ui import format as fmt
from tests.ui.test_ui_dashboard import scripted_store

ALERTS = AlertSettings()
TABLE_WIDTHS = (79, 80, 76)  # the compact table beside a scrollbar, without one, a narrow one
CARD_WIDTHS = (34, 36, 40)  # the compact detail card's content (38 wide less border/padding)
LONG_NAME = "btc-long-term-treasury-1"  # 24 characters


def demo_hedges() -> list[HedgeView]:
    store, _ = scripted_store()
    return list(store.snapshot().hedges)


def adversarial(hedge: HedgeView, stale: bool) -> HedgeView:
    """``hedge`` with values far past any calm market's, on a long venue symbol."""
    assert hedge.report is not None
    report = dataclasses.replace(
        hedge.report,
        net_exposure_coin=-12_345.678,
        net_exposure_usd=-1_484_012_345.0,
        margin_buffer_coin=24_680.1234,
        margin_buffer_usd=1_484_000_000.0,
        liquidation_price=14_924_999_759_304.68,
        liquidation_distance_pct=24.87,
        liquidation_distance_usd=148_400_000.0,
        hedge_ratio=-1234.5,
    )
    return dataclasses.replace(
        hedge,
        name=LONG_NAME,
        symbol="ETH-USD-SWAP",
        report=report,
        mark=9_876_543.21,
        index=9_876_000.0,
        funding_rate=-0.012345,
        funding_usd_per_interval=-1_234_567.89,
        funding_usd_per_day=-14_840_000.0,
        funding_apr_pct=-1352.3,
        next_funding_in_s=2 * 3600 + 5 * 60 + 7,
        funding_carried_usd=-98_765_432.1,
        basis_bps=-1234.5,
        margin_buffer_pct_of_equity=-4321.0,
        mark_freshness=Freshness.STALE if stale else hedge.mark_freshness,
    )


def text(line: render.Line | list[render.Part]) -> str:
    return "".join(part for part, _ in line)


CUT_NUMBER = re.compile(r"[0-9.,$%]…|…[0-9.,$%]")


def assert_fits(lines: list[str], width: int) -> None:
    for line in lines:
        assert len(line) <= width, f"{len(line)} > {width}: {line!r}"
        assert not CUT_NUMBER.search(line), line


@pytest.mark.parametrize("stale", [False, True], ids=["fresh", "stale"])
@pytest.mark.parametrize("width", TABLE_WIDTHS)
def test_table_rows_never_cut_a_number(width: int, stale: bool) -> None:
    hedges = [adversarial(h, stale) for h in demo_hedges()]
    view = dataclasses.replace(scripted_store()[0].snapshot(), hedges=tuple(hedges))
    lines = [text(line) for line in table_rows.hedge_table(view, [ALERTS] * len(hedges), 0, width)]
    assert_fits(lines, width)
    header, row = lines[0], lines[1]
    assert row.index(hedges[0].venue) == header.index("venue")
    for title, cell_width in table_rows.TABLE_CELLS:  # every cell right-aligned under its title
        end = header.index(title) + len(title)
        assert row[end - 1] != " ", (title, row)
        assert row[end - cell_width - 1] == " ", (title, row)
    assert "$1.48B" in row and "$14.8M" in row and "lev >999x" in row


def test_names_get_the_width_they_need_or_a_documented_abbreviation() -> None:
    hedges = demo_hedges()
    named = [dataclasses.replace(h, name=LONG_NAME[: 10 + i]) for i, h in enumerate(hedges)]
    view = dataclasses.replace(scripted_store()[0].snapshot(), hedges=tuple(named))
    at_80 = [text(line) for line in table_rows.hedge_table(view, [ALERTS] * 4, 0, 80)]
    assert all(h.name in line for h, line in zip(named, at_80[1:], strict=True))
    longest = [dataclasses.replace(h, name=LONG_NAME) for h in hedges]
    view = dataclasses.replace(view, hedges=tuple(longest))
    at_76 = [text(line) for line in table_rows.hedge_table(view, [ALERTS] * 4, 0, 76)]
    assert_fits(at_76, 76)
    keep = 76 - table_rows.TABLE_FIXED - 1  # the column less the "~"
    assert keep >= 9  # 80 columns less a scrollbar and a margin still show 9 characters
    assert all(f"{LONG_NAME[:keep]}{table_rows.ABBREVIATED} " in line for line in at_76[1:])


@pytest.mark.parametrize("stale", [False, True], ids=["fresh", "stale"])
@pytest.mark.parametrize("width", CARD_WIDTHS)
def test_card_lines_and_title_never_cut_a_number(width: int, stale: bool) -> None:
    for hedge in demo_hedges():
        wild = adversarial(hedge, stale)
        lines = [text(line) for line in render.hedge_card(wild, ALERTS, width)]
        assert_fits(lines, width)
        joined = "\n".join(lines)
        assert "in 2h05m" in joined, joined
        title = render.hedge_title(wild, width)
        assert len(title) <= width - 2 and "…" not in title, title
        calm = render.hedge_title(hedge, width)
        assert calm.startswith(hedge.name) and calm.endswith(str(hedge.side)), calm


def test_an_okx_card_title_drops_the_venue_before_cutting_the_symbol() -> None:
    eth = next(h for h in demo_hedges() if h.symbol == "ETH-USD-SWAP")
    assert render.hedge_title(eth, 34) == "eth-half · ETH-USD-SWAP short"
    assert render.hedge_title(eth, 60) == "eth-half · okx ETH-USD-SWAP short"


def test_compact_money_keeps_three_digits_and_never_rounds_into_a_wider_form() -> None:
    assert fmt.usd_compact(14_840) == "$14.8k"
    assert fmt.usd_compact(-1_484_000, signed=True) == "-$1.48M"
    assert fmt.usd_compact(999_600) == "$1.00M"
    assert fmt.usd_compact(99_999) == "$100k"
    assert fmt.usd_compact(950, signed=True) == "+$950"
    assert fmt.usd_fit(14_840.0, 8, signed=True) == "+$14,840"
    assert fmt.usd_fit(1_484_000.0, 8, signed=True) == "+$1.48M"
    assert fmt.price_fit(14_924_999_759_304.68, 10) == "14.9T"


def test_a_long_without_spot_says_its_leverage_not_a_ratio() -> None:
    """The demo's btc-lev is a 3x long with no spot: ``lev 3.0x long``, no ``-3.000``."""
    store, _ = scripted_store()
    view = store.snapshot()
    lev = next(h for h in view.hedges if h.side == "long")
    assert lev.report is not None and lev.report.hedge_ratio is not None
    shown = f"lev {-lev.report.hedge_ratio:.1f}x"
    row = text(table_rows.hedge_row(lev, ALERTS, False))
    card = "\n".join(text(line) for line in render.hedge_card(lev, ALERTS, 34))
    status = "\n".join(hedge_block(lev))
    assert shown in row and f"{shown} long" in card and f"{shown} long" in status
    for screen in (row, card, status):
        assert f"{lev.report.hedge_ratio:.2f}" not in screen
    short = next(h for h in view.hedges if h.name == "btc-core")
    assert "1.000" in text(table_rows.hedge_row(short, ALERTS, False))
    assert fmt.ratio(-15.294) == "lev 15.3x long" and fmt.ratio(-15.294, short=True) == "lev 15.3x"


@pytest.mark.parametrize("wide", [False, True], ids=["compact", "wide"])
def test_the_totals_line_gives_way_before_it_is_cut(wide: bool) -> None:
    """``fund +$104?/…`` was seen at 80 columns: the totals line is 78 wide inside there."""
    totals = TotalsView(
        net_exposure_usd=95_196_000.0,
        net_exposure_by_coin={"BTC": 1_334.1, "ETH": 5_001.0},
        margin_buffer_usd=340_000_000.0,
        funding_usd_per_day=-1_040_000.0,
        funding_carried_usd=-12_345_678.0,
        stale=True,
    )
    line = text(bars.totals_bar(totals, wide, 78)[0])
    assert_fits([line], 78)
    assert line.endswith("STALE") and "fund -$1.04M?/d" in line, line
    calm = TotalsView(95_066.0, {"BTC": 1.3341, "ETH": 5.001}, 339_794.0, 113.0, 0.0, False)
    stalled = dataclasses.replace(calm, net_exposure_usd=95_196.0, stale=True)  # docs' capture
    assert text(bars.totals_bar(stalled, False, 78)[0]) == (
        "TOTAL net +$95.2k? BTC +1.33? ETH +5.00?  buffer $340k?  fund +$113?/d  STALE"
    )
    room = 118 if wide else 78  # the wide layout starts at 120 columns
    assert text(bars.totals_bar(calm, wide, room)[0]) == text(bars.totals_bar(calm, wide)[0])
