"""`hedgetui check-config [PATH] [--json]`: validate the config and show every effective setting.

Exit 0 when valid (also when there is no config file: the defaults are shown, with the
places searched); exit 1 when it is valid but will not work here (an account's key variable
is unset, its credentials file missing), each reason on stderr naming the variable or file;
exit 2 with one line on stderr for any mistake (an unknown ``--theme`` too), never a traceback.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="config file to check (default: --config, $HEDGETUI_CONFIG, then the user config dir)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the settings as JSON (value + source per key)"
    )
    parser.add_argument(
        "--theme",
        default=argparse.SUPPRESS,  # keeps `hedgetui --theme X check-config`'s value
        help="check this theme too (as the dashboard's --theme would use it)",
    )


def run(args: argparse.Namespace) -> int:
    import json
    import os
    import sys

    from hedgetui.commands.args import theme_problem
    from hedgetui.config import ConfigError, load_settings, resolve_config_path
    from hedgetui.config.paths import searched_paths
    from hedgetui.config.report import account_warnings, setting_rows, settings_json

    cli_path = args.path if args.path else getattr(args, "config", None)
    env = dict(os.environ)
    path = resolve_config_path(cli_path, env)
    problem = theme_problem(getattr(args, "theme", None), path)
    if problem is not None:
        print(f"hedgetui: config error: {problem}", file=sys.stderr)
        return 2
    try:
        settings = load_settings(path, env)
    except ConfigError as exc:
        print(f"hedgetui: config error: {exc}", file=sys.stderr)
        return 2
    warnings = account_warnings(settings, env)
    code = 1 if warnings else 0

    if args.json:
        out = settings_json(settings)
        if path is None:
            out["searched"] = searched_paths(cli_path, env)
        out["warnings"] = warnings
        print(json.dumps(out, indent=2))
        _warn(warnings)
        return code

    if path is None:
        print("No config file found; showing the defaults. Searched:")
        for place in searched_paths(cli_path, env):
            print(f"  {place}")
    else:
        print(f"Config {path} is valid.")
    print("Source: 'line N' of that file, 'env HEDGETUI_*' (wins over the file), or 'default'.")
    print()
    rows = setting_rows(settings)
    file_prefix = f"file {path}:"
    sources = [
        "line " + r.source[len(file_prefix) :] if r.source.startswith(file_prefix) else r.source
        for r in rows
    ]
    key_width = max(len(r.key) for r in rows)
    value_width = min(max(len(r.shown) for r in rows), 32)
    for row, source in zip(rows, sources, strict=True):
        print(f"{row.key:<{key_width}}  {row.shown:<{value_width}}  {source}")
    _warn(warnings)
    return code


def _warn(warnings: list[str]) -> None:
    import sys

    sys.stdout.flush()
    for line in warnings:
        print(f"hedgetui check-config: warning: {line}", file=sys.stderr)
