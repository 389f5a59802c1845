"""Entry point: `hedgetui [SUB-COMMAND] ...`.

Each sub-command lives in its own module under ``hedgetui.commands`` exposing
``add_arguments(parser)`` and ``run(args) -> int``. Command modules import only the
standard library at module level (heavy imports go inside ``run``), so building the
parser stays cheap and `hedgetui calc` never pays for Textual.

Bad input is one line on stderr and exit 2 (``EXIT_USAGE``): a usage mistake
(``hedgetui watch: error: argument --speed: ...``), and an ``InputError`` a command raises
about something the user gave (an audit log path that cannot be opened), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol

from hedgetui import glyphs
from hedgetui.commands.args import EXIT_USAGE, one_line_errors
from hedgetui.files import InputError

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "calc": ("hedgetui.commands.calc", "inverse-contract risk math for one position"),
    "check-config": ("hedgetui.commands.check_config", "validate the config and show it"),
    "doctor": ("hedgetui.commands.doctor", "check each venue and account, step by step"),
    "decode": ("hedgetui.commands.decode", "decode recorded websocket frames to events"),
    "demo": ("hedgetui.commands.demo", "the dashboard on the built-in exchange simulator"),
    "sim": ("hedgetui.commands.sim", "run the exchange simulator on loopback"),
    "record": ("hedgetui.commands.record", "write the raw frames of the public feeds to a file"),
    "watch": ("hedgetui.commands.watch", "feeds + alerts with no UI (headless)"),
    "status": ("hedgetui.commands.status", "one snapshot of every hedge; monitoring exit code"),
    "unwind": ("hedgetui.commands.unwind", "reduce-only close of a hedge, with preview"),
    "adjust": ("hedgetui.commands.adjust", "move a hedge to a target ratio (either direction)"),
    "stress": (
        "hedgetui.commands.stress",
        "replay a real crash or a price path through the hedges",
    ),
    "completion": ("hedgetui.commands.completion", "print a shell completion script"),
}
DASHBOARD_MODULE = "hedgetui.commands.dashboard"
EXAMPLES = """\
examples:
  hedgetui demo                          the dashboard on the built-in simulator (no keys)
  hedgetui check-config                  validate the config and show what it sets
  hedgetui doctor                        check each venue and account, step by step
  hedgetui                               the dashboard on the config's venues
  hedgetui status --json                 one snapshot of every hedge, for scripts
  hedgetui watch --metrics 9108          feeds and alerts without a UI, for Prometheus
  hedgetui unwind --hedge btc --fraction 0.5 --dry-run
  hedgetui stress --history ftx          your hedges through a real crash (FTX, 2022)
  hedgetui calc --side short --contracts 1000 --entry 60000
  hedgetui completion bash > ~/.local/share/bash-completion/completions/hedgetui

`hedgetui COMMAND --help` shows a command's options; docs/cli.md lists every exit code."""


def _version() -> str:
    """The installed distribution's version; the source tree's when run from a checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hedgetui")
    except PackageNotFoundError:
        from hedgetui import __version__

        return __version__


class CommandModule(Protocol):
    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _load(module: str) -> CommandModule:
    loaded: CommandModule = importlib.import_module(module)
    return loaded


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hedgetui",
        description="Watch and manage a spot position hedged with inverse perpetual futures.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hedgetui {_version()}")
    _load(DASHBOARD_MODULE).add_arguments(parser)
    one_line_errors(parser, "hedgetui")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        _load(module).add_arguments(p)
        one_line_errors(p, f"hedgetui {name}")
        p.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    module = getattr(args, "_module", DASHBOARD_MODULE)
    if not glyphs.utf8_locale():  # the terminal shows glyphs as "_": write their ASCII twins
        glyphs.use_ascii(True)
        sys.stdout = glyphs.AsciiStream(sys.stdout)
        sys.stderr = glyphs.AsciiStream(sys.stderr)
    try:
        return _load(module).run(args)
    except InputError as exc:  # a file or value the user gave, found unusable mid-command
        name = f"hedgetui {args.command}" if getattr(args, "command", None) else "hedgetui"
        print(f"{name}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
