"""`hedgetui completion bash|zsh|fish` and `hedgetui --version`: the scripts come from the parser,
so they list every sub-command and option; the bash one is sourced in a real bash and asked."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from hedgetui.cli import COMMANDS, build_parser, main
from hedgetui.shell_completion import SHELLS, script, spec_of


def _hedgetui(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hedgetui", *argv], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("shell", SHELLS)
def test_the_script_lists_every_sub_command_and_its_options(shell: str) -> None:
    r = _hedgetui("completion", shell)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    text = r.stdout
    spec = spec_of(build_parser())
    assert {c.name for c in spec.commands} == set(COMMANDS)
    for command in spec.commands:
        assert command.name in text
        for option in command.options:
            long_flag = next(f for f in option.flags if f.startswith("--"))
            assert (long_flag if shell != "fish" else f"-l {long_flag[2:]}") in text, long_flag


def test_a_command_added_later_is_in_the_scripts() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    later = sub.add_parser("frobnicate", description="a command from a later issue")
    later.add_argument("--wobble-level", choices=["low", "high"])
    for shell in SHELLS:
        text = script(shell, parser)
        assert "frobnicate" in text and "wobble-level" in text, shell


BASH = shutil.which("bash")


def _bash_complete(script_path: Path, words: list[str]) -> list[str]:
    """What the generated bash completion offers for ``words`` (the last one being typed)."""
    quoted = " ".join(f"'{w}'" for w in words)
    program = (
        f"source '{script_path}'\n"
        f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}\n"
        "_hedgetui\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    r = subprocess.run([BASH or "bash", "-c", program], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_bash_completes_sub_commands_options_and_choices(tmp_path: Path) -> None:
    path = tmp_path / "hedgetui.bash"
    path.write_text(_hedgetui("completion", "bash").stdout)
    assert set(_bash_complete(path, ["hedgetui", ""])) >= set(COMMANDS) | {"--version"}
    assert _bash_complete(path, ["hedgetui", "che"]) == ["check-config"]
    assert _bash_complete(path, ["hedgetui", "comp"]) == ["completion"]
    assert "--audit-log" in _bash_complete(path, ["hedgetui", "unwind", "--"])
    assert "--audit-log" not in _bash_complete(path, ["hedgetui", "calc", "--"])
    assert _bash_complete(path, ["hedgetui", "calc", "--side", ""]) == ["long", "short"]
    assert _bash_complete(path, ["hedgetui", "completion", "f"]) == []  # a positional's choices
    (tmp_path / "prices.csv").write_text("")
    assert _bash_complete(path, ["hedgetui", "sim", "--path", str(tmp_path / "pri")]) == [
        str(tmp_path / "prices.csv")
    ]


def test_version_is_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"hedgetui {version('hedgetui')}"


def test_top_level_help_has_examples() -> None:
    r = _hedgetui("--help")
    assert r.returncode == 0
    examples = r.stdout.split("examples:", 1)[1]
    assert "hedgetui demo" in examples and "hedgetui completion bash" in examples


def test_the_exit_code_table_has_every_sub_command() -> None:
    table = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    rows = {line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| `")}
    assert rows == {"`hedgetui` (dashboard)", *(f"`{name}`" for name in COMMANDS)}
