"""PLACEHOLDER: replaced by the real command before landing."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise SystemExit("hedgetui: this command is not built yet")
