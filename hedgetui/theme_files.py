"""Where the dashboard's themes are: the shipped ``.tcss`` files and the user's own.

The shipped themes live in the top-level ``themes/`` folder of the source tree and install as
``hedgetui/themes/`` (``setup.py`` maps the package ``hedgetui.themes`` to that folder). A user
theme is ``<config dir>/themes/<name>.tcss``, where the config dir is the folder of the config
file in use (the user config dir when there is none). Pure paths: no Textual here (the config
checks ``display.theme`` with it); ``hedgetui.ui.user_themes`` parses a user theme's file.
"""

from __future__ import annotations

from pathlib import Path

SHIPPED_THEMES: tuple[str, ...] = ("dark", "light", "high-contrast")
"""In the order ``t`` cycles them; ``base.tcss`` holds the rules every theme shares."""
THEME_SUFFIX = ".tcss"


def shipped_dir() -> Path:
    """``hedgetui/themes`` when installed, the checkout's top-level ``themes/`` otherwise."""
    package = Path(__file__).resolve().parent
    installed = package / "themes"
    return installed if installed.is_dir() else package.parent / "themes"


def user_theme_dir(config_path: Path | None) -> Path:
    """``<config dir>/themes``: beside the config file in use, else in the user config dir."""
    if config_path is not None:
        return config_path.expanduser().resolve().parent / "themes"
    from hedgetui.config.paths import default_config_path

    return default_config_path().parent / "themes"


def user_themes(folder: Path) -> dict[str, Path]:
    """``name -> file`` of every ``*.tcss`` in ``folder`` (none when it is missing), by name;
    a file named like a shipped theme (or ``base``) is not a theme of its own."""
    try:
        files = sorted(p for p in folder.iterdir() if p.name.endswith(THEME_SUFFIX))
    except OSError:
        return {}
    taken = {*SHIPPED_THEMES, "base"}
    themes = {p.name.removesuffix(THEME_SUFFIX): p for p in files}
    return {name: path for name, path in themes.items() if name and name not in taken}
