"""Bad input anywhere: one line on stderr, the documented exit code (2), no traceback, no hang.

Each case runs ``hedgetui`` as a real subprocess with a time bound (a FIFO as config used to
hang forever, ``--duration nan`` never ended).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

EXIT_USAGE = 2
BOUND_S = 30.0


def _deep_toml(tmp: Path) -> list[str]:
    path = tmp / "deep.toml"
    path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    return ["check-config", str(path)]


def _huge_config(tmp: Path) -> list[str]:
    path = tmp / "config.toml"
    path.write_text("# a log file given by mistake\n" * 100_000)  # ~3 MiB of valid TOML
    return ["check-config", str(path)]


def _fifo_config(tmp: Path) -> list[str]:
    path = tmp / "config.fifo"
    os.mkfifo(path)  # nobody ever writes: opening it for reading used to block forever
    return ["watch", "--config", str(path)]


def _binary_config(tmp: Path) -> list[str]:
    path = tmp / "config.toml"
    path.write_bytes(bytes(range(256)) * 8)
    return ["check-config", str(path)]


def _binary_csv(tmp: Path) -> list[str]:
    path = tmp / "scenario.csv"
    path.write_bytes(b"time,mark,index,funding_rate\n" + bytes(range(256)) * 8)
    return ["sim", "--path", str(path)]


def _nul_csv(tmp: Path) -> list[str]:
    path = tmp / "scenario.csv"
    path.write_bytes(b"time,mark,index,funding_rate\n0,1\0,1,0\n")
    return ["sim", "--path", str(path)]


def _binary_credentials(tmp: Path) -> list[str]:
    creds = tmp / "keys.toml"
    creds.write_bytes(b"\xff\xfe" + bytes(range(256)) * 4)
    creds.chmod(0o600)
    cfg = tmp / "config.toml"
    cfg.write_text(
        f'[[accounts]]\nname = "acct"\nvenue = "bybit"\ncredentials_file = "{creds}"\n\n'
        '[[hedges]]\nname = "h"\ncoin = "BTC"\nvenue = "bybit"\nsymbol = "BTCUSD"\n'
        'account = "acct"\nspot = 1\n'
    )
    return ["unwind", "--config", str(cfg), "--hedge", "h", "--fraction", "0.5", "--dry-run"]


UNWIND_DEMO = ["unwind", "--demo", "--hedge", "btc-lev", "--fraction", "0.1", "--yes"]


def _audit_log_is_a_directory(tmp: Path) -> list[str]:
    return [*UNWIND_DEMO, "--audit-log", str(tmp)]


def _audit_log_under_a_file(tmp: Path) -> list[str]:
    blocker = tmp / "not-a-dir"
    blocker.write_text("")
    return [*UNWIND_DEMO, "--audit-log", str(blocker / "logs" / "audit.jsonl")]


def _audit_log_is_a_fifo(tmp: Path) -> list[str]:
    fifo = tmp / "audit.fifo"
    os.mkfifo(fifo)  # no reader: opening it for writing used to block forever
    return [*UNWIND_DEMO, "--audit-log", str(fifo)]


def _args(*argv: str) -> Callable[[Path], list[str]]:
    return lambda _tmp: list(argv)


CASES: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "deeply nested TOML": (_deep_toml, "nested too deeply"),
    "/dev/zero as config": (_args("check-config", "/dev/zero"), "character device"),
    "a FIFO as config": (_fifo_config, "FIFO"),
    "a 3 MiB config": (_huge_config, "more than the 1.0 MiB a config file may be"),
    "a directory as config": (_args("check-config", "/"), "is a directory"),
    "a binary config": (_binary_config, "not valid UTF-8"),
    "a binary scenario CSV": (_binary_csv, "not valid UTF-8"),
    "a CSV with a NUL byte": (_nul_csv, "NUL byte"),
    "/dev/zero as scenario CSV": (_args("sim", "--path", "/dev/zero"), "character device"),
    "a binary credentials file": (_binary_credentials, "credentials file"),
    "watch --speed 1e308": (_args("watch", "--demo", "--speed", "1e308"), "--speed"),
    "sim --speed 1e308": (_args("sim", "--speed", "1e308"), "--speed"),
    "sim --tick-hz inf": (_args("sim", "--tick-hz", "inf"), "--tick-hz"),
    "watch --duration nan": (_args("watch", "--demo", "--duration", "nan"), "--duration"),
    "watch --interval nan": (_args("watch", "--demo", "--interval", "nan"), "--interval"),
    "status --timeout inf": (_args("status", "--demo", "--timeout", "inf"), "--timeout"),
    "calc --entry 1e308": (
        _args("calc", "--side", "long", "--contracts", "1", "--entry", "1e308"),
        "--entry",
    ),
    "an audit log that is a directory": (_audit_log_is_a_directory, "audit log"),
    "an audit log under a file": (_audit_log_under_a_file, "not a directory"),
    "an audit log that is a FIFO": (_audit_log_is_a_fifo, "audit log"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_and_exit_2(case: str, tmp_path: Path) -> None:
    build, words = CASES[case]
    argv = build(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEDGETUI_")}
    started = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-m", "hedgetui", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=BOUND_S,  # a hang fails here
    )
    elapsed = time.monotonic() - started
    err = r.stderr
    assert "Traceback" not in err, err
    assert r.returncode == EXIT_USAGE, (r.returncode, err)
    assert len(err.strip().splitlines()) == 1, err
    assert words.lower() in err.lower(), err
    assert elapsed < BOUND_S
