"""`[keys]` rebinds the dashboard's actions by id: the new key works, the old one does not, `?`
shows the keys in force; every binding has an id the registry knows, with its default keys."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from textual.binding import Binding

from hedgetui.clock import ManualClock
from hedgetui.config import ConfigError, load_settings, parse_settings
from hedgetui.demo.portfolio import demo_settings
from hedgetui.keymap import ACTIONS, split_keys
from hedgetui.store import Store
from hedgetui.ui.adjust_screen import AdjustScreen
from hedgetui.ui.alerts_panel import AlertsPanel
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.history_screen import HistoryScreen
from hedgetui.ui.key_actions import DashboardKeys
from hedgetui.ui.layout import DashboardScreen
from hedgetui.ui.order_dialog import OrderDialog
from hedgetui.ui.screens import HelpScreen
from hedgetui.ui.stress_screen import StressScreen
from hedgetui.ui.unwind_screen import UnwindScreen
from tests.ui.test_ui_dashboard import COMPACT

BOUND = (
    DashboardKeys,
    DashboardScreen,
    AlertsPanel,
    HelpScreen,
    OrderDialog,
    UnwindScreen,
    AdjustScreen,
    HistoryScreen,
    StressScreen,
)


def test_every_binding_has_an_id_with_the_registrys_default_keys() -> None:
    keys_by_id: dict[str, list[str]] = {}
    for cls in BOUND:
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding) and binding.id, (cls, binding)
            keys_by_id.setdefault(binding.id, []).extend(split_keys(binding.key))
    assert {i: set(k) for i, k in keys_by_id.items()} == {
        i: set(split_keys(a.keys)) for i, a in ACTIONS.items()
    }


def _app(keys: dict[str, str]) -> HedgeApp:
    settings = dataclasses.replace(demo_settings(60_000.0, 3_000.0, {}), keys=keys)
    return HedgeApp(Store(settings, clock=ManualClock()))


async def test_a_rebound_key_works_and_the_old_one_does_not() -> None:
    app = _app({"help": "f2", "history": "g"})
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = dict(app.help_keys)
        assert rows["f2"] == "this help" and rows["g"].startswith("funding history")
        assert "h" not in rows and "? / F1" not in rows
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)


def _load(tmp_path: Path, keys: str) -> ConfigError:
    path = tmp_path / "hedgetui.toml"
    path.write_text("[display]\ntheme = 'dark'\n\n[keys]\n" + keys)
    with pytest.raises(ConfigError) as exc:
        parse_settings(path.read_text(), path=path)
    return exc.value


def test_keys_are_read_from_the_config(tmp_path: Path) -> None:
    settings = parse_settings("[keys]\nquit = 'ctrl+x'\nnext-hedge = 'n, down'\n")
    assert dict(settings.keys) == {"quit": "ctrl+x", "next-hedge": "n, down"}
    assert settings.sources["keys.quit"] != "default"


def test_an_unknown_action_is_an_error_naming_the_key(tmp_path: Path) -> None:
    err = str(_load(tmp_path, "quit = 'x'\nfly = 'f'\n"))
    assert "keys.fly" in err and ":6" in err and "unknown action 'fly'" in err
    assert len(err.splitlines()) == 1


def test_a_conflict_is_an_error_naming_the_key(tmp_path: Path) -> None:
    err = str(_load(tmp_path, "quit = 'w'\n"))
    assert "keys.quit" in err and "'w' is also the key of 'what-if'" in err
    err = str(_load(tmp_path, "unwind-25 = 'escape'\n"))
    assert "keys.unwind-25" in err and "order-close" in err and "unwind screen" in err


def test_the_same_key_on_two_screens_is_no_conflict() -> None:
    settings = parse_settings("[keys]\nquit = 'b'\n")  # `b` is the adjust dialog's, elsewhere
    assert settings.keys["quit"] == "b"


def test_textual_own_keys_and_empty_keys_are_errors(tmp_path: Path) -> None:
    assert "Textual's own key" in str(_load(tmp_path, "quit = 'ctrl+p'\n"))
    assert "must be a key" in str(_load(tmp_path, "quit = 'a,,b'\n"))
    assert "must be a key" in str(_load(tmp_path, "quit = 3\n"))


def test_check_config_shows_the_keys_in_force(tmp_path: Path) -> None:
    from hedgetui.config.report import setting_rows

    path = tmp_path / "hedgetui.toml"
    path.write_text('[keys]\nquit = "ctrl+x"\n')
    rows = {row.key: row for row in setting_rows(load_settings(path, {}))}
    assert rows["keys.quit"].value == "ctrl+x" and rows["keys.quit"].source.endswith(":2")
    assert rows["keys.what-if"].value == "w" and rows["keys.what-if"].source == "default"
    assert {k for k in rows if k.startswith("keys.")} == {f"keys.{a}" for a in ACTIONS}
