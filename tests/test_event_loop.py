"""The commands' event loop: uvloop by default, asyncio's own on request or without uvloop."""

from __future__ import annotations

import asyncio
import io
import os
import sys

import pytest

from hedgetui.event_loop import ENV_VAR, choose_loop, loop_name, run

pytest.importorskip("uvloop")  # a dependency wherever it builds (not on Windows)


async def running_loop_name() -> str:
    return loop_name(asyncio.get_running_loop())


def test_uvloop_by_default() -> None:
    warn = io.StringIO()
    assert choose_loop({}, warn)[0] == "uvloop"
    assert run(running_loop_name(), env={}) == "uvloop"
    assert warn.getvalue() == ""


@pytest.mark.parametrize("value", ["asyncio", " ASYNCIO "])
def test_the_standard_loop_on_request(value: str) -> None:
    warn = io.StringIO()
    assert choose_loop({ENV_VAR: value}, warn)[0] == "asyncio"
    assert run(running_loop_name(), env={ENV_VAR: value}) == "asyncio"
    assert warn.getvalue() == ""


@pytest.mark.parametrize("value", ["uvloop", "auto", ""])
def test_uvloop_asked_for_or_automatic(value: str) -> None:
    assert run(running_loop_name(), env={ENV_VAR: value}) == "uvloop"


def test_an_unknown_value_is_named_and_the_default_used() -> None:
    warn = io.StringIO()
    name, _factory = choose_loop({ENV_VAR: "trio"}, warn)
    assert name == "uvloop"
    assert warn.getvalue() == (
        f"hedgetui: {ENV_VAR}='trio' is not one of auto, uvloop, asyncio; using auto\n"
    )


def test_without_uvloop_the_standard_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # `import uvloop` raises ImportError
    quiet = io.StringIO()
    assert choose_loop({}, quiet)[0] == "asyncio"
    assert quiet.getvalue() == ""  # nothing was asked for: no warning
    assert run(running_loop_name(), env={}) == "asyncio"
    warn = io.StringIO()
    assert choose_loop({ENV_VAR: "uvloop"}, warn)[0] == "asyncio"
    assert "uvloop is not installed" in warn.getvalue()
    assert warn.getvalue().endswith("using asyncio\n")


def test_run_returns_the_result_and_raises_the_error() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def fail() -> None:
        raise ValueError("bad scenario")

    assert run(answer(), env={}) == 42
    with pytest.raises(ValueError, match="bad scenario"):
        run(fail(), env={})


async def test_the_tests_run_on_the_commands_loop() -> None:
    """tests/conftest.py hands pytest-asyncio the loop the commands choose."""
    assert await running_loop_name() == choose_loop(os.environ)[0]
