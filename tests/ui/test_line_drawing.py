"""The dashboard's own lines as segments: exact widths, styles worked out once, kept bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style as RichStyle

from hedgetui.ui.line_drawing import StyleTable, line_segments

STYLE_NAMES = ("", "dim", "crit", "ok")
parts = st.tuples(
    st.text(alphabet=st.sampled_from("a0.$ -€日本…"), max_size=8), st.sampled_from(STYLE_NAMES)
)


def rich_style(name: str) -> RichStyle:
    return RichStyle(bold=name == "crit", dim=name == "dim", italic=name == "ok")


@given(line=st.lists(parts, max_size=6), width=st.integers(0, 40))
def test_a_line_is_exactly_its_width_in_its_styles(line: list[tuple[str, str]], width: int) -> None:
    table = StyleTable(rich_style)
    segments = line_segments(line, width, table)
    assert sum(segment.cell_length for segment in segments) == width
    text = "".join(segment.text for segment in segments)
    whole = "".join(part for part, _ in line)
    if Segment(whole).cell_length <= width:
        assert text.rstrip(" ") == whole.rstrip(" ")
    elif width:  # cut: what fits, then the ellipsis
        assert text.endswith("…")
    if Segment(whole).cell_length <= width:  # every character in its part's style
        assert cells(segments)[: len(cells_of(line))] == cells_of(line)


def cells(segments: list[Segment]) -> list[tuple[str, RichStyle | None]]:
    return [(char, segment.style) for segment in segments for char in segment.text]


def cells_of(line: list[tuple[str, str]]) -> list[tuple[str, RichStyle | None]]:
    return [(char, rich_style(name)) for text, name in line for char in text]


def test_each_style_is_made_once_and_remade_after_clear() -> None:
    made: list[str] = []

    def make(name: str) -> RichStyle:
        made.append(name)
        return rich_style(name)

    table = StyleTable(make)
    line = [("BTC ", "dim"), ("60,000", "crit"), (" ok", "dim")]
    first = table.segments(line)
    again = table.segments(line)
    assert again == first
    assert [segment.style for segment in first] == [
        rich_style("dim"),
        rich_style("crit"),
        rich_style("dim"),
    ]
    assert made == ["dim", "crit"]
    table.clear()  # a theme change: the styles and the segments drawn in them are forgotten
    table.segments(line)
    assert made == ["dim", "crit", "dim", "crit"]


def test_kept_segments_stay_bounded() -> None:
    table = StyleTable(rich_style)
    for n in range(3 * StyleTable.SEGMENTS_KEPT):
        (segment,) = table.segments([(f"{n:,}", "ok")])
        assert segment == Segment(f"{n:,}", rich_style("ok"))
        assert len(table._segments) <= StyleTable.SEGMENTS_KEPT
