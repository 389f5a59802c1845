"""The event loop every command runs on: uvloop where it is installed, else asyncio's own.

The dashboard wakes up dozens of times a second (each feed's frames, Textual's timers and
message queues, the screen updates), and the standard loop spends most of a wake-up in Python.
uvloop runs the same asyncio code on libuv, in C, and takes about a tenth off the feeds' CPU
(docs/performance.md). It does not build on Windows, where the standard loop is used.

``HEDGETUI_EVENT_LOOP=asyncio`` selects the standard loop anyway: worth a try before reporting
a bug that might be the loop's. The choice is made once per command, from the environment.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TextIO, TypeVar

ENV_VAR = "HEDGETUI_EVENT_LOOP"
CHOICES = ("auto", "uvloop", "asyncio")

T = TypeVar("T")
LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def choose_loop(env: Mapping[str, str], warn: TextIO | None = None) -> tuple[str, LoopFactory]:
    """``(name, factory)`` of the loop ``env`` asks for; falls back to asyncio with a warning.

    A value it does not know, or uvloop asked for but not installed, is written to ``warn``
    (stderr by default) and the command goes on with the loop it can have.
    """
    out = sys.stderr if warn is None else warn
    raw = env.get(ENV_VAR, "")
    choice = raw.strip().lower() or "auto"
    if choice not in CHOICES:
        print(
            f"hedgetui: {ENV_VAR}={raw!r} is not one of {', '.join(CHOICES)}; using auto",
            file=out,
        )
        choice = "auto"
    if choice != "asyncio":
        try:
            import uvloop
        except ImportError:
            if choice == "uvloop":
                print(
                    f"hedgetui: {ENV_VAR}=uvloop but uvloop is not installed "
                    "(pip install uvloop; it does not build on Windows); using asyncio",
                    file=out,
                )
        else:
            return "uvloop", uvloop.new_event_loop
    return "asyncio", asyncio.new_event_loop


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    """``uvloop`` or ``asyncio``: which implementation ``loop`` is (for reports)."""
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def run(main: Coroutine[Any, Any, T], env: Mapping[str, str] | None = None) -> T:
    """``asyncio.run(main)`` on the loop :func:`choose_loop` picks from ``env`` (os.environ)."""
    env = os.environ if env is None else env
    _name, factory = choose_loop(env)
    if env.get("HEDGETUI_DEBUG_STATS"):  # benchmarks/soak.py: the process reports on itself
        from hedgetui.debug_stats import wrap

        main = wrap(main, env)
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)
