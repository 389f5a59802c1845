"""`hedgetui demo` and `hedgetui` (dashboard) refuse bad input with one clear line, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hedgetui.cli import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--scenario", "nosuch"], "--scenario: unknown scenario 'nosuch'"),
        (["demo", "--speed", "0"], "--speed: must be > 0"),
        (["demo", "--speed", "fast"], "--speed: not a number: 'fast'"),
        (["demo", "--speed", "nan"], "--speed: must be > 0"),
        (["demo", "--theme", "purple"], "--theme: unknown theme 'purple'"),
        (["demo", "--tick-hz", "-1"], "--tick-hz: must be > 0"),
    ],
)
def test_demo_bad_input(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_dashboard_without_config_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HEDGETUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main([]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "hedgetui" / "config.toml") in err
    assert "hedgetui demo" in err
    assert "examples/hedgetui.toml" in err


def test_dashboard_config_error_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[display]\ntheme = "dark"\nrefresh_hz = 99\n')
    assert main(["--config", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "display.refresh_hz" in err
    assert ":3" in err  # the line of the bad key


def test_dashboard_bad_theme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--theme", "neon"]) == 2
    assert "--theme: unknown theme 'neon'" in capsys.readouterr().err


def test_demo_bad_scenario_in_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hedgetui", "demo", "--scenario", "nosuch"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("hedgetui demo: --scenario: unknown scenario 'nosuch'")
    assert "Traceback" not in result.stderr


def test_demo_exits_when_the_terminal_hangs_up() -> None:
    """SSH drops / tmux pane dies: closing the pty master must end the process, not spin."""
    import os
    import pty
    import select
    import time

    pid, master = pty.fork()
    if pid == 0:  # the child: the demo on a pseudo-terminal, as a person would run it
        os.environ["TERM"] = "xterm-256color"
        os.execv(sys.executable, [sys.executable, "-m", "hedgetui", "demo", "--scenario", "calm"])
    # forkpty's master fd is inheritable: a subprocess that any other thread of this test process
    # starts meanwhile would keep the terminal open and the hang-up would never happen.
    os.set_inheritable(master, False)
    try:
        seen = b""
        deadline = time.monotonic() + 30
        while b"btc-core" not in seen and time.monotonic() < deadline:  # wait for a frame
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
        assert b"btc-core" in seen, seen[-500:]
    finally:
        os.close(master)  # hang up
    deadline = time.monotonic() + 15
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        raise AssertionError("the demo kept running after its terminal went away")
    assert status is not None
