"""The bottom of the crash at every size the issue names, with 0, 1, 5 and 12 alerts firing,
in the dark theme and in 16 colours: SVG snapshots, and what must hold in every one of them.

Nothing is clipped (every line of the screen within its width, every card's bottom border
drawn, every hedge's name on screen), no scrollbar, the CRIT line on screen and the
liquidation distance of the hedge in danger (btc-lev, 5.6% away) visible. Regenerate with
``pytest tests/ui/test_crash_layout.py --snapshot-update`` and look at the pictures.

16 colours: Textual draws in true colour; a terminal with 16 colours (``TERM=screen``,
``TERM=linux``) gets each colour as Rich writes it there, the nearest of the 16. The app under
:class:`SixteenColours` draws that on the screen, so the SVG is what such a terminal shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual.color import Color
from textual.filter import LineFilter
from textual.pilot import Pilot

from hedgetui.alerts.model import Severity
from hedgetui.domain import MarkPrice
from hedgetui.ui import format as fmt
from hedgetui.ui.alerts_panel import severity_style
from hedgetui.ui.app import TOAST_MAX_S, HedgeApp
from hedgetui.ui.layout import CHART_COLOURS, SEVERITY_COLOURS, THEME_NAMES
from hedgetui.ui.screens import HelpScreen
from tests.ui.crash_bottom import ALERT_COUNTS, IN_DANGER, crash_panel, crash_store
from tests.ui.test_ui_dashboard import screen_text

SIZES = {"80x23": (80, 23), "80x24": (80, 24), "120x40": (120, 40), "200x50": (200, 50)}
SCROLLBAR_GLYPHS = set("▁▂▃▄▅▆▇█▉▊▋▌▍▎▏")
CARD_BOTTOMS = ("╰", "┗", "╚", "└")  # round, heavy (critical), double, plain
NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
ANSI16 = (*NAMES, *(f"bright_{name}" for name in NAMES))


@cache
def sixteen(color: RichColor | None) -> RichColor | None:
    """``color`` as a 16-colour terminal shows it: the one of the 16 Rich writes for it."""
    if color is None or color.is_default:
        return color
    number = color.downgrade(ColorSystem.STANDARD).number
    assert number is not None
    return RichColor.from_triplet(ColorTriplet(*DEFAULT_TERMINAL_THEME.ansi_colors[number]))


class SixteenColours(LineFilter):
    """Every colour of a line as a 16-colour terminal draws it."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, _sixteen_style(style), control) for text, style, control in segments]


@cache
def _sixteen_style(style: Style | None) -> Style | None:
    if style is None:
        return None
    return style + Style.from_color(sixteen(style.color), sixteen(style.bgcolor))


SIXTEEN = SixteenColours()


class SixteenColourApp(HedgeApp):
    def get_line_filters(self) -> Sequence[LineFilter]:
        return [*super().get_line_filters(), SIXTEEN]


def crash_app(alerts: int, colours: str) -> HedgeApp:
    store, _, engine = crash_store(alerts)
    app_class = SixteenColourApp if colours == "16" else HedgeApp
    return app_class(store, theme="dark", alerts_panel=crash_panel(store, engine))


async def check_screen(pilot: Pilot[None], alerts: int) -> None:
    """What must hold at the crash bottom, at any size and with any number of alerts."""
    app = pilot.app
    assert isinstance(app, HedgeApp)
    await pilot.pause()
    await pilot.pause()
    width, height = app.size
    lines = screen_text(app).splitlines()
    assert len(lines) == height
    assert all(len(line) <= width for line in lines)
    assert app.plan.short == 0
    drawn = [w for w in app.screen.query("*") if w.styles.scrollbar_visibility != "hidden"]
    assert not any(w.show_vertical_scrollbar or w.show_horizontal_scrollbar for w in drawn)
    assert not any(line[width - 1 :] in SCROLLBAR_GLYPHS for line in lines if len(line) >= width)
    view = app.last_view
    assert view is not None
    for hedge in view.hedges:
        assert any(hedge.name in line for line in lines), hedge.name
    bottoms = sum(line.count(corner) for line in lines for corner in CARD_BOTTOMS)
    cards = 1 if app.compact else len(view.hedges)
    assert bottoms >= cards + (0 if app.compact else 1)  # + the what-if's, below the cards
    danger = next(h for h in view.hedges if h.name == IN_DANGER)
    assert danger.report is not None
    state, distance = danger.report.liquidation_state, danger.report.liquidation_distance_pct
    row = next(line for line in lines if f"{IN_DANGER} " in line and "bybit" in line)
    shown = fmt.liq_distance(state, distance) in "\n".join(lines) or (
        app.compact and fmt.liq_distance(state, distance, decimals=0, short=True) in row
    )
    assert shown
    assert not app.screen.query("Toast")  # the list says it: no toast over the screen
    crit = [line for line in lines if "CRIT" in line]
    if alerts:
        assert any(f"{IN_DANGER} liquidation distance" in line for line in crit)
        assert app.store.hedge_names()[app.selected] == IN_DANGER  # selected when it fired
        shown_alerts = app.plan.alert_rows
        if shown_alerts < alerts:
            assert any(f"+{alerts - shown_alerts} more" in line for line in lines)
    else:
        assert not crit


@pytest.mark.parametrize("colours", ["dark", "16"])
@pytest.mark.parametrize("alerts", ALERT_COUNTS)
@pytest.mark.parametrize("size", list(SIZES))
def test_crash_bottom(snap_compare: Any, size: str, alerts: int, colours: str) -> None:
    app = crash_app(alerts, colours)

    async def run_before(pilot: Pilot[None]) -> None:
        await check_screen(pilot, alerts)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("theme", THEME_NAMES)
def test_severities_are_yellow_and_red_in_16_colours(theme: str) -> None:
    """WARN yellow, CRIT red where Rich writes 16 colours, in every theme: the labels of the
    alerts list, and ``$sev-warn`` / ``$sev-crit`` (card borders, danger values). The themes'
    own ``$warning`` and the ANSI yellow/red the list used came out bright red and magenta."""
    colours = SEVERITY_COLOURS[theme]

    def name(color: RichColor | None) -> str:
        assert color is not None
        number = color.downgrade(ColorSystem.STANDARD).number
        assert number is not None
        return ANSI16[number]

    assert name(RichColor.parse(colours["sev-warn"])) in ("yellow", "bright_yellow")
    assert name(RichColor.parse(colours["sev-crit"])) in ("red", "bright_red")
    warn = Style.parse(severity_style(Severity.WARNING, colours))
    crit = Style.parse(severity_style(Severity.CRITICAL, colours))
    assert name(warn.bgcolor) in ("yellow", "bright_yellow") and warn.bold
    assert name(crit.bgcolor) in ("red", "bright_red") and crit.bold
    assert name(crit.color) in ("white", "bright_white")
    # the selected hedge's marker and title and the footer's keys: never red, which is danger's
    select = RichColor.parse(CHART_COLOURS[theme]["select"])
    assert name(select) not in ("red", "bright_red", "magenta", "bright_magenta")


async def test_the_hedge_in_danger_is_selected_once_per_firing() -> None:
    """Its critical alert firing selects it; the user's selection after that stays while the
    alert keeps firing (a repeat after the cooldown too); the next firing selects it again."""
    store, clock, engine = crash_store(1)
    panel = crash_panel(store, engine)
    app = HedgeApp(store, alerts_panel=panel)
    names = store.hedge_names()

    def bybit(mark: float) -> None:
        store.apply(MarkPrice("bybit", "BTCUSD", mark, int(clock.time() * 1000)))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert names[app.selected] == IN_DANGER
        await pilot.press("up")
        await pilot.pause()
        assert names[app.selected] != IN_DANGER
        clock.advance(store.settings.alerts.cooldown_s + 1)
        bybit(47_900.0)
        panel.evaluate_now()  # still firing, repeated after the cooldown
        await pilot.pause()
        assert names[app.selected] != IN_DANGER
        bybit(56_000.0)  # 19% away: clear of the warning too (a jump the store accepts)
        panel.evaluate_now()  # resolved
        bybit(47_900.0)
        panel.evaluate_now()  # fires again
        await pilot.pause()
        assert names[app.selected] == IN_DANGER


async def test_one_notification_at_a_time_and_short() -> None:
    store, _, _ = crash_store(0)
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.notify("first", timeout=30)
        app.notify("second", timeout=30)
        await pilot.pause()
        shown = list(app._notifications)
        assert [n.message for n in shown] == ["second"]
        assert shown[0].timeout <= TOAST_MAX_S


async def test_no_toast_over_a_dialog() -> None:
    store, _, _ = crash_store(0)
    app = HedgeApp(store, mount_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")  # key feedback: a toast
        await pilot.pause()
        assert list(app._notifications)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert not list(app._notifications) and not app.screen.query("Toast")
