"""Panel: repaints only the lines that changed, and what it paints is what it was given."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from textual.geometry import Region

from hedgetui.ui.widgets import Panel


class PanelApp(App[None]):
    CSS = "Panel { text-wrap: nowrap; }"

    def compose(self) -> ComposeResult:
        yield Panel(id="p")


def painted(panel: Panel) -> list[str]:
    return [panel.render_line(y).text.rstrip() for y in range(len(panel.shown_text.splitlines()))]


async def test_only_changed_lines_are_rendered_again() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 10)) as pilot:
        panel = app.query_one(Panel)
        lines = [("Mark   ", "$text-muted"), ("60,000.0", "b")]
        panel.show(Content.assemble(*lines, ("\nNet    +$0\nLiq    none", "")))
        await pilot.pause()
        assert painted(panel) == ["Mark   60,000.0", "Net    +$0", "Liq    none"]
        whole = Region(0, 0, *panel.region.size)
        before = panel.render_lines(whole)
        assert panel.show(Content.assemble(*lines, ("\nNet    +$12\nLiq    none", "")))
        after = panel.render_lines(whole)
        assert after[0] is before[0] and after[2] is before[2]  # kept, not drawn again
        assert after[1] is not before[1]
        assert painted(panel) == ["Mark   60,000.0", "Net    +$12", "Liq    none"]
        assert not panel.show(Content.assemble(*lines, ("\nNet    +$12\nLiq    none", "")))


async def test_styles_reach_the_screen_and_long_lines_end_in_an_ellipsis() -> None:
    app = PanelApp()
    async with app.run_test(size=(20, 5)) as pilot:
        panel = app.query_one(Panel)
        panel.show(Content.assemble(("ok ", ""), ("bold", "b"), (" " + "x" * 30, "")))
        await pilot.pause()
        strip = panel.render_line(0)
        assert strip.cell_length == 20
        assert strip.text.endswith("…")
        bold = [seg for seg in strip if seg.text == "bold"]
        assert bold and bold[0].style is not None and bold[0].style.bold


async def test_a_new_line_count_relays_out() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 10)) as pilot:
        panel = app.query_one(Panel)
        panel.show(Content("one"))
        await pilot.pause()
        assert panel.size.height == 1
        panel.show(Content("one\ntwo\nthree"))
        await pilot.pause()
        assert panel.size.height == 3
        assert painted(panel) == ["one", "two", "three"]


class CardApp(App[None]):
    CSS = "Panel { border: round $accent; border-title-align: left; padding: 0 1; }"

    def compose(self) -> ComposeResult:
        yield Panel(id="p")


@pytest.mark.textual_fast
async def test_a_changed_line_is_drawn_exactly_as_the_styles_cache_draws_it(no_color: bool) -> None:
    """Lines redrawn between the frame's own edges equal a full redraw by Textual, line filters
    included (ANSI colours to truecolor always; monochrome under NO_COLOR)."""
    app = CardApp()
    async with app.run_test(size=(30, 8)) as pilot:
        panel = app.query_one(Panel)
        panel.border_title = "BTC hedge"
        panel.show([(("Mark   ", "$text-muted"), ("60,000.0", "b")), (("Net    +$0", ""),)])
        await pilot.pause()
        whole = Region(0, 0, *panel.region.size)
        before = panel.render_lines(whole)
        changed = (("Mark   ", "ansi_red"), ("61,234.5", "b $error"), (" idx", "dim"))
        panel.show([changed, (("Net    +$0", ""),)])
        fast = panel.render_lines(whole)
        assert fast[1] is not before[1] and fast[2] is before[2]  # only the changed line
        assert "61,234.5" in fast[1].text
        panel.refresh()  # anything but a line update: Textual's styles cache draws it all
        full = panel.render_lines(whole)
        assert full[1] is not fast[1]
        assert [list(strip) for strip in fast] == [list(strip) for strip in full]
        app.theme = "textual-light"  # a new theme redraws the frame in its colours
        await pilot.pause()
        light = panel.render_lines(whole)
        assert [list(strip) for strip in light] != [list(strip) for strip in full]
        assert light[0].text.startswith("╭─ BTC hedge ─")
