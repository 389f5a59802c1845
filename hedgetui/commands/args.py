"""Argument types shared by the sub-commands: numbers inside a finite range, one-line errors.

``float("nan")``, ``float("inf")`` and ``1e308`` all parse as floats; a speed of ``1e308``
overflows the simulator's clock and a ``--duration nan`` never ends, so every number a
command takes is read by :func:`finite_float` with the range that makes sense for it.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

EXIT_USAGE = 2  # a bad flag, a bad file, a bad config: nothing was done
MAX_SPEED = 1000.0  # scenario seconds per real second, for every command that runs the simulator
MAX_TICK_HZ = 100.0  # frames per second per instrument


def finite_float(lo: float, hi: float, *, lo_open: bool = True) -> Callable[[str], float]:
    """An argparse ``type``: a finite number in ``(lo, hi]`` (``[lo, hi]`` if not ``lo_open``)."""
    if lo == 0 and lo_open:
        wanted = f"a positive number no larger than {hi:g}"
    else:
        wanted = f"a number from {lo:g}{' (exclusive)' if lo_open else ''} to {hi:g}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not in_range(value, lo, hi, lo_open=lo_open):
            raise argparse.ArgumentTypeError(f"must be {wanted}, got {text!r}")
        return value

    parse.__name__ = "number"  # argparse's fallback message says "invalid number value"
    return parse


def in_range(value: float, lo: float, hi: float, *, lo_open: bool = True) -> bool:
    """``value`` is finite and inside the range (the same rule as :func:`finite_float`)."""
    above = value > lo if lo_open else value >= lo
    return math.isfinite(value) and above and value <= hi


def one_line_errors(parser: argparse.ArgumentParser, prog: str) -> None:
    """Usage mistakes print ``<prog>: error: <what>`` - one line, no usage block - and exit 2."""

    def error(message: str) -> NoReturn:
        sys.stderr.write(f"{prog}: error: {message} (see {prog} --help)\n")
        raise SystemExit(EXIT_USAGE)

    parser.error = error  # type: ignore[method-assign]


def add_demo_arguments(parser: argparse.ArgumentParser, demo_help: str) -> None:
    """``--config PATH``, ``--demo`` (``demo_help``), and the demo's ``--scenario``/``--speed``:
    the source options of the commands that run on a config or on the built-in simulator."""
    parser.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="config file (TOML)"
    )
    parser.add_argument("--demo", action="store_true", help=demo_help)
    parser.add_argument("--scenario", default="crash", help="demo scenario (default: crash)")
    parser.add_argument(
        "--speed",
        type=finite_float(0, MAX_SPEED),
        default=1.0,
        help="demo scenario speed-up (default: 1)",
    )


def add_ascii_flag(parser: argparse.ArgumentParser) -> None:
    """``--ascii`` of the commands that draw the dashboard (``args.ascii``)."""
    parser.add_argument(
        "--ascii",
        action="store_true",
        help="draw ASCII only: no box drawing, blocks or symbols (default: display.ascii; "
        "on by itself when the locale is not UTF-8)",
    )


def ascii_choice(args: argparse.Namespace) -> bool | None:
    """True for ``--ascii`` or a locale that is not UTF-8 (``hedgetui.glyphs.ASCII``, set by
    the entry point); None leaves it to the config's ``display.ascii``."""
    from hedgetui import glyphs

    return True if getattr(args, "ascii", False) or glyphs.ASCII else None


def theme_problem(theme: str | None, config_path: Path | None = None) -> str | None:
    """One line for a ``--theme`` that is neither shipped nor the user's
    (``--theme: unknown theme 'neon' (known: ...)``), or for a user theme file (in
    ``<config dir>/themes/``) the dashboard could not load (``theme 'x': <file>:<line>: ...``);
    None when all is well. Textual is imported only when there are user themes to parse."""
    from hedgetui.theme_files import SHIPPED_THEMES, user_theme_dir, user_themes

    folder = user_theme_dir(config_path)
    mine = user_themes(folder)
    known = (*SHIPPED_THEMES, *mine)
    if theme is not None and theme not in known:
        return (
            f"--theme: unknown theme {theme!r} (known: {', '.join(known)}; "
            f"a theme of your own: {folder}/<name>.tcss)"
        )
    if mine:
        from hedgetui.ui.user_themes import theme_file_problem

        for name, path in mine.items():
            problem = theme_file_problem(path)
            if problem is not None:
                return f"theme {name!r}: {problem}"
    return None
