"""`hedgetui completion bash|zsh|fish`: print a shell completion script.

The script is generated from the same parser ``hedgetui`` parses its arguments with
(:mod:`hedgetui.shell_completion`), so it lists every sub-command and option there is.
"""

from __future__ import annotations

import argparse
import sys

SHELLS = ("bash", "zsh", "fish")  # hedgetui.shell_completion.SHELLS, without importing it here


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="the shell to write the script for")
    parser.epilog = (
        "install: bash: `hedgetui completion bash > ~/.local/share/bash-completion/completions/"
        "hedgetui`; zsh: `hedgetui completion zsh > ~/.zfunc/_hedgetui` (with ~/.zfunc on "
        "$fpath); fish: `hedgetui completion fish > ~/.config/fish/completions/hedgetui.fish`"
    )


def run(args: argparse.Namespace) -> int:
    from hedgetui.cli import build_parser
    from hedgetui.shell_completion import script

    sys.stdout.write(script(args.shell, build_parser()))
    return 0
