"""What a partial screen update writes to the terminal (hedgetui.ui.screen_update).

A terminal emulator (pyte) plays the written bytes: a written cell must show what the screen
holds, and every changed cell must be written.
"""

from __future__ import annotations

import pyte
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from hedgetui.ui.textual_fast import CroppedChopsUpdate, cropped

WIDTH = 24
UNTOUCHED = "~"  # what a cell shows before the update (never in the strips)
STYLES = (
    None,
    Style(color="#ff0000"),
    Style(bgcolor="#0000ff", bold=True),
    Style(color="#00ff00", bgcolor="#101010"),
)
CONSOLE = Console(color_system="truecolor", force_terminal=True, width=WIDTH)


def terminal(rows: int = 1) -> tuple[pyte.Screen, pyte.ByteStream]:
    screen = pyte.Screen(WIDTH, rows)
    stream = pyte.ByteStream(screen)
    stream.feed(("\x1b[H" + UNTOUCHED * WIDTH * rows).encode())
    return screen, stream


def cells(strip: Strip) -> list[tuple[str, str]]:
    """(character, foreground) of each cell as a terminal shows ``strip`` ('' right of a wide
    character)."""
    out: list[tuple[str, str]] = []
    for text, style, _ in strip:
        colour = style.color.triplet.hex[1:] if style and style.color else "default"
        for char in text:
            out.append((char, colour))
            if Segment(char).cell_length == 2:
                out.append(("", colour))
    return out


def shown(screen: pyte.Screen, y: int = 0) -> list[tuple[str, str]]:
    return [(screen.buffer[y][x].data, screen.buffer[y][x].fg) for x in range(WIDTH)]


def one_line_update(strip: Strip, spans: list[tuple[int, int]], x: int = 0) -> ChopsUpdate:
    """A partial update of line 0, which holds one chop (``strip``) starting at ``x``."""
    end = x + strip.cell_length
    return ChopsUpdate([{x: strip}], [(0, x1, x2) for x1, x2 in spans], [[end]])


def write(update: ChopsUpdate) -> str:
    output = cropped(update)
    assert isinstance(output, CroppedChopsUpdate)
    return output.render_segments(CONSOLE)


ROW = Strip(  # WIDTH cells
    [
        Segment("│", STYLES[1]),
        Segment("Mark ", STYLES[2]),
        Segment("60,065.2", STYLES[3]),  # cells 6-13
        Segment("  ", None),
        Segment("idx 1.5", STYLES[1]),
        Segment("│", STYLES[1]),
    ]
)


def test_only_the_segments_overlapping_a_span_are_written() -> None:
    output = write(one_line_update(ROW, [(8, 10)]))  # two cells inside "60,065.2"
    assert output.startswith("\x1b[1;7H")  # the cursor to the segment's first cell
    assert "60,065.2" in output
    for other in ("Mark", "idx", "│"):
        assert other not in output
    screen, stream = terminal()
    stream.feed(output.encode())
    assert shown(screen)[6:14] == cells(ROW)[6:14]
    assert "".join(char for char, _ in shown(screen)[:6]) == UNTOUCHED * 6
    assert "".join(char for char, _ in shown(screen)[14:]) == UNTOUCHED * 10


def test_a_span_covering_the_whole_chop_writes_it_as_textual_does() -> None:
    update = one_line_update(ROW, [(0, WIDTH)])
    output = write(update)
    assert output == "\x1b[1;1H" + ROW.render(CONSOLE)
    assert ChopsUpdate.render_segments(update, CONSOLE) == output


def test_two_spans_on_a_line_move_the_cursor_to_each() -> None:
    output = write(one_line_update(ROW, [(7, 9), (20, 21)]))
    assert output.count("\x1b[1;") == 2
    assert "60,065.2" in output and "idx 1.5" in output and "Mark" not in output


def test_a_chop_that_starts_inside_the_line() -> None:
    """A chop's cells count from its own x (a widget right of another)."""
    strip = Strip([Segment("ab", STYLES[1]), Segment("cd", STYLES[2])])
    output = write(one_line_update(strip, [(12, 13)], x=10))
    assert output.startswith("\x1b[1;13H")  # "cd" starts at cell 12
    assert "cd" in output and "ab" not in output


def test_a_wide_character_is_never_cut() -> None:
    strip = Strip([Segment("ab"), Segment("価格", STYLES[1]), Segment("cd")])
    output = write(one_line_update(strip, [(4, 5)]))  # the right half of 格
    assert output.startswith("\x1b[1;3H")  # from the segment's first cell
    assert "価格" in output


def test_lines_and_chops_outside_the_spans_are_not_written() -> None:
    strip = Strip([Segment("x" * 8)])
    update = ChopsUpdate(
        [{0: strip, 8: strip, 16: None}, {0: strip, 8: strip, 16: strip}],
        [(1, 9, 10)],
        [[8, 16, 24], [8, 16, 24]],
    )
    output = write(update)
    assert output == "\x1b[2;9H" + "x" * 8


def test_other_updates_are_left_as_they_are() -> None:
    full = LayoutUpdate([[ROW]], Region(0, 0, WIDTH, 1))
    assert cropped(full) is full
    assert cropped(None) is None


texts = st.text(alphabet="abc xyz·█░価格", min_size=1, max_size=6)
segments = st.lists(st.tuples(texts, st.sampled_from(STYLES)), min_size=1, max_size=8)


@st.composite
def rows_and_spans(draw: st.DrawFn) -> tuple[Strip, list[tuple[int, int]]]:
    parts = draw(segments)
    strip = Strip([Segment(text, style) for text, style in parts])
    width = min(WIDTH, strip.cell_length)
    strip = strip.crop(0, width)
    edges = sorted(draw(st.sets(st.integers(0, width), min_size=2, max_size=6)))
    spans = [(x1, x2) for x1, x2 in zip(edges[::2], edges[1::2], strict=False) if x2 > x1]
    return strip, spans or [(0, width)]


@settings(max_examples=300, deadline=None)
@given(rows_and_spans())
def test_every_changed_cell_is_written_and_every_written_cell_is_right(
    case: tuple[Strip, list[tuple[int, int]]],
) -> None:
    strip, spans = case
    screen, stream = terminal()
    stream.feed(write(one_line_update(strip, spans)).encode())
    expected = cells(strip)
    on_screen = shown(screen)
    for x, cell in enumerate(expected):
        if any(x1 <= x < x2 for x1, x2 in spans):
            assert on_screen[x] == cell, f"cell {x} of span not written"
        elif on_screen[x][0] != UNTOUCHED:
            assert on_screen[x] == cell, f"cell {x} written wrong"
