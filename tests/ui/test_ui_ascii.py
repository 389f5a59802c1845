"""ASCII mode: every character on screen is ASCII, the glyphs' twins read as they should,
and a locale that is not UTF-8 turns it on by itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hedgetui import glyphs
from hedgetui.alerts.report import hedge_block
from hedgetui.clock import ManualClock
from hedgetui.demo.trading import demo_trading
from hedgetui.ui import format as fmt
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.unwind_screen import UnwindScreen
from tests.ui.test_ui_dashboard import screen_text, scripted_store


@pytest.fixture(autouse=True)
def unicode_after() -> Iterator[None]:
    yield
    glyphs.use_ascii(False)  # the mode is the process's: never leak it into another test


def non_ascii(screen: str) -> set[str]:
    return {char for char in screen if ord(char) >= 128}


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_dashboard_in_ascii_mode_draws_ascii_only(size: tuple[int, int]) -> None:
    store, _ = scripted_store(history_s=30)
    app = HedgeApp(store, ascii=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.refresh_view()
        await pilot.pause()
        screen = screen_text(app)
        assert not non_ascii(screen), non_ascii(screen)
        assert "*bitmex" in screen.replace("* ", "*")  # the live feed's dot
        assert ">=10x" in screen  # btc-core's unreachable liquidation, not ">10x" or "_10_"
        assert "lev 5.0x" in screen  # btc-lev, the long
        assert "+-" in screen and "|" in screen  # the cards' borders
        assert "#" in screen  # gauges
        if size == (80, 24):
            assert "> btc-core" in screen  # the selected row's marker
            assert "Enter" in screen  # the what-if input's hint
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = screen_text(app)
        assert "Keys" in help_screen and not non_ascii(help_screen), non_ascii(help_screen)
        await pilot.press("escape")
    assert not glyphs.ASCII  # the app turned it off as it ended


async def test_the_unwind_dialog_in_ascii_mode(tmp_path: Path) -> None:
    clock = ManualClock()
    async with demo_trading("btc-lev", audit_log=tmp_path / "a.jsonl", clock=clock) as demo:
        await demo.poller.poll_once()
        app = HedgeApp(
            demo.store,
            ascii=True,
            unwind_factory=lambda name: UnwindScreen(demo.service, name),
        )
        async with app.run_test(size=(80, 23)) as pilot:
            app.selected = demo.store.hedge_names().index("btc-lev")
            await pilot.press("u")
            await pilot.pause()
            await pilot.press("2")
            await pilot.pause()
            screen = screen_text(app)
            assert "SIMULATOR" in screen and "SELL" in screen
            assert not non_ascii(screen), non_ascii(screen)


def test_every_glyph_of_the_dashboard_has_an_ascii_twin() -> None:
    """The glyphs the formats and the feed line use are in the table (not the ``?`` net)."""
    used = set(fmt.SPARK_CHARS + fmt.NO_DATA + fmt.UNREACHABLE + fmt.bar(0.5, 4) + "●◌✖▶»⏎·±")
    assert {c for c in used if ord(c) >= 128} <= set(glyphs.TWINS)
    assert glyphs.ascii_text(fmt.UNREACHABLE) == "none (>=10x)"
    assert glyphs.ascii_text(fmt.sparkline([1, 2, 3, 4, 5, 6, 7, 8], 8)) == "_.-:=+*#"
    assert all(len(twin) == 1 for twin in glyphs.CELL_TWINS.values())
    assert glyphs.ascii_cells("╭─ a ─╮ ≥10× 漢") == "+- a -+ >10x ??"
    # the command palette's search icon (Textual's, two cells wide) keeps its two cells
    assert glyphs.ascii_cells("🔎 stress") == ">  stress"


def test_the_status_text_in_ascii_mode() -> None:
    store, _ = scripted_store()
    lines = [line for h in store.snapshot().hedges for line in hedge_block(h)]
    assert any("±" in line for line in lines)  # the band, in UTF-8
    ascii_lines = [glyphs.ascii_text(line) for line in lines]
    assert any("+/-" in line for line in ascii_lines) and not non_ascii("".join(ascii_lines))


@pytest.mark.parametrize(
    ("env", "utf8_mode", "forced", "expected"),
    [
        ({"LANG": "C.UTF-8"}, False, False, True),
        ({"LANG": "en_US.utf8"}, False, False, True),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, False, False, False),
        ({"LANG": "en_US.ISO-8859-1"}, False, False, False),
        ({"LC_CTYPE": "de_DE.UTF-8", "LANG": "C"}, False, False, True),
        ({}, False, False, False),
        ({"LC_CTYPE": "C.UTF-8"}, True, False, False),  # PEP 538 coerced a C locale
        ({"LANG": "C.UTF-8", "PYTHONUTF8": "1"}, True, True, True),
    ],
)
def test_which_locales_are_utf8(
    env: dict[str, str], utf8_mode: bool, forced: bool, expected: bool
) -> None:
    assert glyphs.utf8_locale(env, utf8_mode=utf8_mode, utf8_forced=forced) is expected


@pytest.mark.parametrize("locale", [{"LANG": "C", "LC_ALL": "C"}, {"LANG": "C"}])
def test_a_c_locale_makes_the_commands_write_ascii(locale: dict[str, str]) -> None:
    """``status --demo`` (the same text as the dashboard's hedges) in a real subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONUTF8"))}
    args = [sys.executable, "-m", "hedgetui", "status", "--demo"]
    utf8 = subprocess.run(
        args, env={**env, "LANG": "C.UTF-8"}, capture_output=True, timeout=60, check=False
    )
    assert "±".encode() in utf8.stdout, utf8.stdout[-400:]
    out = subprocess.run(args, env={**env, **locale}, capture_output=True, timeout=60, check=False)
    assert out.stdout and out.stdout.isascii(), out.stdout[-400:]
    assert b"+/-" in out.stdout and out.stderr.isascii()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty: Linux")
def test_the_demo_on_a_pty_under_a_c_locale_writes_ascii_only() -> None:
    """``LANG=C LC_ALL=C hedgetui demo`` on a real terminal: every byte it writes is ASCII
    (escape sequences are), and the twins are on screen: the choice is automatic."""
    from tests.ui.test_input_driver import Demo

    demo = Demo({"LANG": "C", "LC_ALL": "C", "LC_CTYPE": "", "PYTHONUTF8": ""})
    try:
        assert demo.read_until(b"btc-core", 30), demo.seen[-500:]
        assert demo.read_until(b">=10x", 15), demo.seen[-500:]
        demo.drain(1.0)
        assert demo.seen.isascii(), sorted({b for b in demo.seen if b >= 128})
        text = re.sub(rb"\x1b\[[0-9;?>$]*[A-Za-z]", b"", demo.seen)  # the characters only
        assert b"lev 3.0x" in text and b"*bitmex" in text, text[-800:]
    finally:
        demo.close()


def test_ascii_mode_is_chosen_by_flag_config_or_locale() -> None:
    import dataclasses

    from hedgetui.cli import build_parser
    from hedgetui.commands.args import ascii_choice
    from hedgetui.store import Store

    parser = build_parser()
    assert ascii_choice(parser.parse_args(["--ascii"])) is True
    assert ascii_choice(parser.parse_args(["demo", "--ascii"])) is True
    assert ascii_choice(parser.parse_args(["demo"])) is None  # the config decides
    glyphs.use_ascii(True)  # what the entry point does for a locale that is not UTF-8
    assert ascii_choice(parser.parse_args([])) is True
    glyphs.use_ascii(False)
    store, _ = scripted_store()
    display = dataclasses.replace(store.settings.display, ascii=True)
    configured = Store(dataclasses.replace(store.settings, display=display))
    assert HedgeApp(configured).ascii and not HedgeApp(store).ascii
    assert glyphs.ASCII  # set as the app is made: its widgets' texts are composed in ASCII


def test_display_ascii_in_the_config_file_and_the_environment(tmp_path: Path) -> None:
    from hedgetui.config import load_settings

    path = tmp_path / "hedgetui.toml"
    hedge = (
        '[[hedges]]\ncoin = "BTC"\nvenue = "bitmex"\n'
        '[hedges.position]\nside = "short"\ncontracts = 100\nentry = 60000\ncollateral = 0.1\n'
    )
    path.write_text("[display]\nascii = true\n\n" + hedge)
    assert load_settings(path, {}).display.ascii is True
    path.write_text(hedge)
    assert load_settings(path, {}).display.ascii is False
    assert load_settings(path, {"HEDGETUI_DISPLAY__ASCII": "true"}).display.ascii is True


def test_the_status_line_fits_in_ascii_mode_too() -> None:
    """Its retry glyph is three characters in ASCII (``↻`` -> ``(r)``): the feeds' status line
    measures what is shown, so it still fits (and keeps as many reasons as fit)."""
    from dataclasses import replace

    from hedgetui.domain import FailureKind, FeedFailure, FeedState
    from hedgetui.ui import bars
    from tests.feeds.test_feed_failures import feed, view

    venues = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")
    kinds = (FailureKind.DNS, FailureKind.REFUSED, FailureKind.TLS) * 2
    down = view(
        feeds=tuple(
            replace(feed(v), state=FeedState.DOWN, failure=FeedFailure(k, "x", retry_at=12.0))
            for v, k in zip(venues, kinds, strict=True)
        )
    )
    glyphs.use_ascii(True)
    for width in range(78, 201):
        [line] = bars.status_bar(down, width)
        shown = "".join(text for text, _ in line)
        assert shown.isascii() and len(shown.rstrip()) <= width, (width, shown)
    [wide] = bars.status_bar(down, 200)
    assert "x bitmex dns (r)12s" in "".join(text for text, _ in wide)


def test_alert_rows_in_ascii_mode_use_the_long_twins() -> None:
    """An alert's title in the list reads ``>=10x`` in ASCII mode, not the one-cell ``>10x`` the
    screen-wide filter would make of it."""
    from hedgetui.alerts.model import Alert, AlertState, Severity
    from hedgetui.ui.alerts_panel import alert_row

    alert = Alert(
        key="liq_divergence:btc-core",
        rule="liq_divergence",
        hedge="btc-core",
        venue="bitmex",
        state=AlertState.FIRING,
        severity=Severity.CRITICAL,
        title="btc-core liquidation none (≥10×) · venue says 41,000",
        message="",
        value=None,
        threshold=None,
        since=100.0,
    )
    glyphs.use_ascii(True)
    _, what, _ = alert_row(alert, 110.0)
    assert str(what) == "btc-core liquidation none (>=10x) - venue says 41,000"
    glyphs.use_ascii(False)
    _, what, _ = alert_row(alert, 110.0)
    assert "(≥10×)" in str(what)
