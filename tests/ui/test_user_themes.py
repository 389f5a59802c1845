"""User themes: `<config dir>/themes/<name>.tcss`, written from a shipped theme, chosen by name
(`display.theme`, `--theme`, `t`); an unknown or broken one is one line naming the file."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.color import Color

from hedgetui.clock import ManualClock
from hedgetui.commands.args import theme_problem
from hedgetui.config import ConfigError, load_settings
from hedgetui.demo.portfolio import demo_settings
from hedgetui.store import Store
from hedgetui.theme_files import SHIPPED_THEMES, shipped_dir, user_theme_dir, user_themes
from hedgetui.ui.app import HedgeApp
from hedgetui.ui.user_themes import theme_file_problem
from tests.ui.test_ui_dashboard import COMPACT

NEON_STATUS = "#ff00ff"


def _neon(config_dir: Path, css: str | None = None) -> Path:
    """The way docs/dashboard.md says: copy dark.tcss, rename its class, change a colour."""
    folder = config_dir / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    if css is None:
        css = (shipped_dir() / "dark.tcss").read_text().replace("theme-dark", "theme-neon")
        css = css.replace(
            "#status { background: $panel; }", f"#status {{ background: {NEON_STATUS}; }}"
        )
    path = folder / "neon.tcss"
    path.write_text(css)
    return path


def _config(config_dir: Path, theme: str) -> Path:
    path = config_dir / "config.toml"
    path.write_text(f'[display]\ntheme = "{theme}"\n')
    return path


def test_the_shipped_themes_are_in_the_top_level_folder() -> None:
    assert shipped_dir() == Path(__file__).resolve().parents[2] / "themes"
    assert {p.stem for p in shipped_dir().glob("*.tcss")} == {*SHIPPED_THEMES, "base"}


async def test_a_user_theme_is_loaded_by_name_and_cycled_by_t(tmp_path: Path) -> None:
    theme_file = _neon(tmp_path)
    settings = load_settings(_config(tmp_path, "neon"), {})
    assert settings.display.theme == "neon"
    themes = user_themes(user_theme_dir(settings.path))
    assert themes == {"neon": theme_file}
    store = Store(
        dataclasses.replace(demo_settings(60_000.0, 3_000.0, {}), display=settings.display),
        clock=ManualClock(),
    )
    app = HedgeApp(store, user_themes=themes)
    async with app.run_test(size=COMPACT) as pilot:
        await pilot.pause()
        assert app.hedge_theme == "neon" and app.has_class("theme-neon")
        assert app.query_one("#status").styles.background == Color.parse(NEON_STATUS)
        seen = []
        for _ in range(len(SHIPPED_THEMES) + 1):
            await pilot.press("t")
            seen.append(app.hedge_theme)
        assert seen == [*SHIPPED_THEMES, "neon"]
        await pilot.pause()
        assert app.query_one("#status").styles.background == Color.parse(NEON_STATUS)


def test_an_unknown_theme_is_an_error_naming_the_folder(tmp_path: Path) -> None:
    _neon(tmp_path)
    with pytest.raises(ConfigError) as exc:
        load_settings(_config(tmp_path, "neno"), {})
    message = str(exc.value)
    assert "display.theme" in message and "'neon'" in message and "did you mean 'neon'" in message
    assert str(tmp_path / "themes") in message
    problem = theme_problem("purple", tmp_path / "config.toml")
    assert problem is not None and "unknown theme 'purple'" in problem and "neon" in problem


@pytest.mark.parametrize(
    ("css", "words"),
    [
        (
            "HedgeApp.theme-neon #status {\n  background: red;\n  colr: blue;\n}\n",
            ":3: Invalid CSS property 'colr'",
        ),
        (
            "HedgeApp.theme-neon #status {\n\n  background: $nope;\n}\n",
            ":3: reference to undefined variable '$nope'",
        ),
        ("HedgeApp.theme-neon #status { background: red; }\n}}} {\n", ":2: Expected"),
        ("\xff\xfe", "not valid UTF-8"),
    ],
)
def test_a_broken_theme_is_one_line_naming_the_file_and_line(
    tmp_path: Path, css: str, words: str
) -> None:
    path = _neon(tmp_path, "")
    path.write_bytes(css.encode("latin-1") if css.startswith("\xff") else css.encode())
    problem = theme_file_problem(path)
    assert problem is not None and problem.startswith(str(path)), problem
    assert words in problem and "\n" not in problem, problem


def test_a_shipped_theme_copied_is_no_problem(tmp_path: Path) -> None:
    assert theme_file_problem(_neon(tmp_path)) is None


def test_check_config_names_a_broken_theme_file_in_one_line(tmp_path: Path) -> None:
    path = _neon(tmp_path, "HedgeApp.theme-neon #status {\n  colr: blue;\n}\n")
    config = _config(tmp_path, "neon")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEDGETUI_")}
    r = subprocess.run(
        [sys.executable, "-m", "hedgetui", "check-config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [
        f"hedgetui: config error: theme 'neon': {path}:2: Invalid CSS property 'colr'. "
        "Did you mean 'color'?"
    ]
