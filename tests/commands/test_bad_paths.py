"""Every path a sub-command accepts, given each kind of bad path: one line on stderr naming it,
the exit code docs/cli.md documents for bad input, never a traceback, never a hang.

The paths are found in the parser (an option whose metavar is PATH, FILE, CSV or DIR, and the
positional files), so a path option added later fails :func:`test_every_path_argument_is_covered`
until it has a row here.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from hedgetui.cli import build_parser
from hedgetui.shell_completion import DIR_METAVARS, FILE_METAVARS, spec_of

BOUND_S = 60.0
UNWIND_DEMO = ["unwind", "--demo", "--hedge", "btc-lev", "--fraction", "0.1", "--yes"]
ADJUST_DEMO = ["adjust", "--demo", "--hedge", "btc-lev", "--by=-100", "--yes"]
Argv = Callable[[str, Path], list[str]]

# (command, option or positional) -> (argv with the path, what the path is: "in", "out", "dir")
PATHS: dict[tuple[str, str], tuple[Argv, str]] = {
    ("", "--config"): (lambda p, _t: ["--config", p], "in"),
    ("check-config", "path"): (lambda p, _t: ["check-config", p], "in"),
    ("decode", "file"): (lambda p, _t: ["decode", "--venue", "bybit", p], "in"),
    ("demo", "--replay"): (lambda p, _t: ["demo", "--replay", p], "in"),
    ("sim", "--path"): (lambda p, _t: ["sim", "--path", p], "in"),
    ("sim", "--replay"): (lambda p, _t: ["sim", "--replay", p], "in"),
    ("sim", "--tls"): (lambda p, _t: ["sim", "--tls", p], "dir"),
    ("record", "--config"): (
        lambda p, t: ["record", "--config", p, "-o", str(t / "out.jsonl.gz")],
        "in",
    ),
    ("record", "--output"): (lambda p, _t: ["record", "--demo", "--duration", "1", "-o", p], "out"),
    ("watch", "--config"): (lambda p, _t: ["watch", "--config", p], "in"),
    ("status", "--config"): (lambda p, _t: ["status", "--config", p], "in"),
    ("unwind", "--config"): (
        lambda p, _t: ["unwind", "--config", p, "--hedge", "h", "--fraction", "0.5", "--dry-run"],
        "in",
    ),
    ("unwind", "--audit-log"): (lambda p, _t: [*UNWIND_DEMO, "--audit-log", p], "out"),
    ("adjust", "--config"): (
        lambda p, _t: ["adjust", "--config", p, "--hedge", "h", "--to", "1", "--dry-run"],
        "in",
    ),
    ("adjust", "--audit-log"): (lambda p, _t: [*ADJUST_DEMO, "--audit-log", p], "out"),
    ("doctor", "--config"): (lambda p, _t: ["doctor", "--config", p], "in"),
    ("stress", "--config"): (lambda p, _t: ["stress", "--config", p], "in"),
    ("stress", "--path"): (lambda p, _t: ["stress", "--demo", "--path", p], "in"),
    ("stress", "--recording"): (lambda p, _t: ["stress", "--demo", "--recording", p], "in"),
}
# The exit code of bad input (docs/cli.md): 2, but status keeps 3 ("unknown") for monitoring.
BAD_INPUT_EXIT = {"status": 3}


def _missing(tmp: Path) -> Path:
    return tmp / "no-such-file"


def _directory(tmp: Path) -> Path:
    (tmp / "a-dir").mkdir()
    return tmp / "a-dir"


def _binary(tmp: Path) -> Path:
    path = tmp / "binary.dat"
    path.write_bytes(bytes(range(256)) * 8)
    return path


def _under_a_file(tmp: Path) -> Path:
    (tmp / "a-file").write_text("x")
    return tmp / "a-file" / "inside"


def _unreadable(tmp: Path) -> Path:
    path = tmp / "unreadable.csv"
    path.write_text("time,mark,index,funding_rate\n0,1,1,0\n")
    path.chmod(0)
    return path


def _a_file(tmp: Path) -> Path:
    (tmp / "a-file").write_text("x")
    return tmp / "a-file"


KINDS: dict[str, dict[str, Callable[[Path], Path]]] = {
    "in": {
        "missing": _missing,
        "a directory": _directory,
        "binary": _binary,
        "under a file": _under_a_file,
        "unreadable": _unreadable,
    },
    "out": {"a directory": _directory, "under a file": _under_a_file},
    "dir": {"a file": _a_file, "under a file": _under_a_file},
}
CASES = [
    (command, option, kind)
    for (command, option), (_argv, role) in PATHS.items()
    for kind in KINDS[role]
]


def _path_arguments(parser: argparse.ArgumentParser) -> set[tuple[str, str]]:
    found = set()
    spec = spec_of(parser)
    for option in spec.options:
        if option.value in ("file", "dir"):
            found.add(("", option.flags[-1]))
    for command in spec.commands:
        for option in command.options:
            if option.value in ("file", "dir"):
                found.add((command.name, option.flags[-1]))
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command_parser in sub.choices.items():
        for action in command_parser._actions:
            if not action.option_strings and action.metavar in FILE_METAVARS | DIR_METAVARS:
                found.add((name, action.dest))
    return found


def test_every_path_argument_is_covered() -> None:
    assert _path_arguments(build_parser()) == set(PATHS)


@pytest.mark.parametrize(("command", "option", "kind"), CASES)
def test_a_bad_path_is_one_line_and_the_documented_exit_code(
    command: str, option: str, kind: str, tmp_path: Path
) -> None:
    if kind == "unreadable" and os.geteuid() == 0:
        pytest.skip("root reads a file of mode 000")
    build, role = PATHS[(command, option)]
    bad = KINDS[role][kind](tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEDGETUI_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")  # no user config, no user themes
    r = subprocess.run(
        [sys.executable, "-m", "hedgetui", *build(str(bad), tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        timeout=BOUND_S,  # a hang fails here
    )
    err = r.stderr
    assert "Traceback" not in err, err
    assert r.returncode == BAD_INPUT_EXIT.get(command, 2), (r.returncode, err)
    assert len(err.strip().splitlines()) == 1, err
    named = {str(bad), bad.name, str(bad.parent)}
    assert any(n in err for n in named), err
