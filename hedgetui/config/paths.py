"""Where the config file is: ``--config`` > ``$HEDGETUI_CONFIG`` > the user config dir."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import platformdirs

ENV_CONFIG = "HEDGETUI_CONFIG"


def default_config_path() -> Path:
    """``config.toml`` in the platform's user config dir (``~/.config/hedgetui`` on Linux)."""
    return Path(platformdirs.user_config_dir("hedgetui")) / "config.toml"


def default_state_dir() -> Path:
    """Where logs live by default (``~/.local/state/hedgetui`` on Linux)."""
    return Path(platformdirs.user_state_dir("hedgetui"))


def resolve_config_path(cli_path: str | Path | None, env: Mapping[str, str]) -> Path | None:
    """The config file to load, or ``None`` for "defaults only".

    An explicit ``--config`` or ``$HEDGETUI_CONFIG`` is returned even when the file does not
    exist (loading it then reports the missing file); the default location only if it exists.
    """
    if cli_path is not None and str(cli_path) != "":
        return Path(cli_path).expanduser()
    from_env = env.get(ENV_CONFIG, "")
    if from_env:
        return Path(from_env).expanduser()
    default = default_config_path()
    return default if default.is_file() else None


def searched_paths(cli_path: str | Path | None, env: Mapping[str, str]) -> list[str]:
    """Human-readable list of the places looked at, for "no config found" messages."""
    places = []
    places.append(f"--config/PATH: {cli_path}" if cli_path else "--config/PATH: not given")
    from_env = env.get(ENV_CONFIG, "")
    places.append(f"${ENV_CONFIG}: {from_env}" if from_env else f"${ENV_CONFIG}: not set")
    default = default_config_path()
    state = "found" if default.is_file() else "not found"
    places.append(f"default: {default} ({state})")
    return places
