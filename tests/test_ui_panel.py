"""Panel: repaints only the lines that changed, and what it paints is what it was given."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content

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
        before = [panel.render_line(y) for y in range(3)]
        assert panel.show(Content.assemble(*lines, ("\nNet    +$12\nLiq    none", "")))
        after = [panel.render_line(y) for y in range(3)]
        assert after[0] is before[0] and after[2] is before[2]  # cached, not re-rendered
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
