"""`hedgetui` with no sub-command: the live dashboard from the config, on the real venues."""

from __future__ import annotations

import argparse
import os
import sys

from hedgetui.commands.args import add_ascii_flag, ascii_choice, theme_problem


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=None,
        help="config file (default: $HEDGETUI_CONFIG, then the user config dir)",
    )
    parser.add_argument(
        "--theme",
        default=None,
        help="dark, light, high-contrast or a theme of your own (default: display.theme)",
    )
    add_ascii_flag(parser)


def run(args: argparse.Namespace) -> int:
    from hedgetui.config import ConfigError, load_settings, resolve_config_path
    from hedgetui.config.paths import searched_paths

    cli_path = getattr(args, "config", None)
    theme = getattr(args, "theme", None)
    path = resolve_config_path(cli_path, os.environ)
    problem = theme_problem(theme, path)
    if problem is not None:
        print(f"hedgetui: {problem}", file=sys.stderr)
        return 2
    if path is None:
        print("hedgetui: no config file found. Looked at:", file=sys.stderr)
        for place in searched_paths(cli_path, os.environ):
            print(f"  {place}", file=sys.stderr)
        print(
            "Try `hedgetui demo` (no config, no keys, no network), or copy the example config "
            "(examples/hedgetui.toml) there and check it with `hedgetui check-config`.",
            file=sys.stderr,
        )
        return 2
    try:
        settings = load_settings(path, os.environ)
    except ConfigError as exc:
        print(f"hedgetui: {exc}", file=sys.stderr)
        return 2
    if not settings.hedges:
        print(f"hedgetui: {path}: no [[hedges]] configured: nothing to watch", file=sys.stderr)
        return 2

    from hedgetui import event_loop
    from hedgetui.runtime import Runtime
    from hedgetui.ui.launch import run_dashboard

    return event_loop.run(
        run_dashboard(
            Runtime(settings, funding_history=True), theme=theme, ascii=ascii_choice(args)
        )
    )
