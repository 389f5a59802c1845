"""The dashboard's cell widths: Rich's own, without filling Rich's cache with our texts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cached_cell_len, cell_len

from hedgetui.ui import format as fmt
from hedgetui.ui.cells import ONE_CELL, text_cells
from hedgetui.ui.charts import chart

OURS = "".join(sorted(ONE_CELL))
TEXTS = st.text(alphabet=st.sampled_from("abc 0123,.$%+-?\t\x1b" + OURS + "日本é🔎\u0301"))


@given(TEXTS)
def test_a_text_takes_the_cells_rich_counts(text: str) -> None:
    assert text_cells(text) == cell_len(text)


def test_every_glyph_we_draw_is_known_to_take_one_cell() -> None:
    assert set(fmt.SPARK_CHARS) <= ONE_CELL
    assert {"●", "▶", "·", "—", "█", "╭", "│"} <= ONE_CELL
    assert "🔎" not in ONE_CELL and all(cell_len(c) == 1 for c in ONE_CELL)
    assert not any(c.isascii() and not c.isprintable() for c in ONE_CELL)


def test_numbers_stale_marks_and_chart_rows_leave_rich_s_cache_alone() -> None:
    """Rich keeps every text it measures (up to 4096): the dashboard's ever-new numbers and
    chart rows filled that cache, and with it the dashboard's memory."""
    texts = [f"{60_000 + n / 10:,.1f}" for n in range(300)]
    texts += [f"{fmt.STALE_GLYPH}", "  dist ", "Mark   ", "—", "+$1,234?"]
    texts += chart([float(n % 17) for n in range(60)], 60, 8)
    before = cached_cell_len.cache_info().currsize
    for text in texts:
        text_cells(text)
    assert cached_cell_len.cache_info().currsize == before
