"""Ctrl-C during `hedgetui unwind`: a real subprocess, a real SIGINT, the simulator on loopback.

At the typed confirmation it ends at once and nothing is sent; while the order is in flight
(the simulator executes it but holds the reply) it looks the order up by its client id,
prints and audits the outcome with the id, and a second Ctrl-C prints "outcome unknown:
check with <venue>, <symbol>, <client order id>". Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hedgetui.sim import start_simulator
from hedgetui.sim.rest import RestServer, SimAccounts
from tests.commands.test_unwind_position_errors import long_bybit
from tests.conftest import REPO_DIR
from tests.trading.test_unwind_secrets import KEY, SECRET, config

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")

LIMIT_S = 30.0  # every wait is bounded; generous for a loaded machine
IN_FLIGHT_S = 1.0
"""The audit's "send" line is written just before the request goes out: a Ctrl-C right after
it can land before the venue has the order (then "not placed" is the right answer, but not the
case under test). The demo holds its reply 120 s, so after this grace the order is in flight."""


def events(audit: Path) -> list[dict[str, Any]]:
    if not audit.exists():
        return []
    return [json.loads(line) for line in audit.read_text().splitlines() if line.strip()]


def names(audit: Path) -> list[str]:
    return [e["event"] for e in events(audit)]


async def until_event(
    audit: Path, event: str, proc: asyncio.subprocess.Process, *, after: str | None = None
) -> None:
    """Until ``event`` is in the audit log (after the first ``after`` entry, if given)."""
    for _ in range(int(LIMIT_S / 0.05)):
        seen = names(audit)
        if after is not None:
            seen = seen[seen.index(after) + 1 :] if after in seen else []
        if event in seen:
            return
        if proc.returncode is not None:
            raise AssertionError(f"exited {proc.returncode} before {event!r}: {names(audit)}")
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {event!r} in the audit log within {LIMIT_S}s: {names(audit)}")


async def start(
    *argv: str, env: dict[str, str] | None = None, stdin: int = asyncio.subprocess.PIPE
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hedgetui",
        "unwind",
        *argv,
        stdin=stdin,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=REPO_DIR,
        env={**os.environ, **(env or {})},
    )


async def finish(proc: asyncio.subprocess.Process) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(proc.communicate(), LIMIT_S)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("stdin", ["pipe", "terminal"])
async def test_ctrl_c_at_the_prompt_ends_at_once_and_sends_nothing(
    tmp_path: Path, stdin: str
) -> None:
    """stdin a pipe, or a terminal (a pty) as a user's shell gives it; nothing is typed."""
    audit = tmp_path / "audit.jsonl"
    argv = ("--demo", "--hedge", "btc-core", "--contracts", "1000", "--audit-log", str(audit))
    if stdin == "terminal":
        import pty

        controller, terminal = pty.openpty()
        try:
            proc = await start(*argv, stdin=terminal)
        finally:
            os.close(terminal)
    else:
        controller = -1
        proc = await start(*argv)
    try:
        await _interrupt_at_the_prompt(proc, audit)
    finally:
        if controller >= 0:
            os.close(controller)


async def _interrupt_at_the_prompt(proc: asyncio.subprocess.Process, audit: Path) -> None:
    assert proc.stderr is not None
    seen = b""
    while b"Type the symbol" not in seen:  # the prompt is up (no newline after it)
        chunk = await asyncio.wait_for(proc.stderr.read(200), LIMIT_S)
        assert chunk, f"stderr closed before the prompt: {seen!r}"
        seen += chunk
    proc.send_signal(signal.SIGINT)  # stdin stays open: nothing is ever typed
    code, _out, err = await finish(proc)
    err = seen.decode() + err
    assert code == 130, err
    assert "interrupted at the confirmation: nothing sent." in err
    assert names(audit) == ["plan", "aborted"]
    aborted = events(audit)[-1]
    assert aborted["step"] == "confirmation" and aborted["client_order_id"]
    assert "Traceback" not in err


async def test_ctrl_c_while_the_demo_order_is_in_flight_settles_it(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    proc = await start(
        "--demo",
        "--hedge",
        "btc-core",
        "--fraction",
        "0.5",
        "--yes",
        "--audit-log",
        str(audit),
        env={"HEDGETUI_DEMO_ORDER_REPLY_DELAY_S": "120"},
    )
    await until_event(audit, "send", proc)
    await asyncio.sleep(IN_FLIGHT_S)  # the request reaches the venue, which holds the reply
    proc.send_signal(signal.SIGINT)
    code, out, err = await finish(proc)
    assert code == 130, err
    cid = next(e for e in events(audit) if e["event"] == "send")["client_order_id"]
    assert f"interrupted while order {cid} was being sent; looking it up on bitmex" in err
    assert f"interrupted: order {cid}: filled" in err
    assert "filled" in out and "position now" in out
    log = events(audit)
    assert [e["event"] for e in log].count("send") == 1 and "retry" not in names(audit)
    assert "interrupted" in names(audit) and "status_found" in names(audit)
    result = log[-1]
    assert result["event"] == "result" and result["interrupted"] is True
    assert result["status"] == "filled" and result["client_order_id"] == cid


@dataclass
class Venue:
    books: SimAccounts
    rest: RestServer
    config: Path


@asynccontextmanager
async def bybit_holding_the_reply(tmp_path: Path, audit: Path) -> AsyncIterator[Venue]:
    """A live config's bybit account on the simulator, which executes the next order at
    once and holds its reply for two minutes."""
    async with await start_simulator(venues=["bybit"], scenario="calm", tick_hz=10) as sim:
        books, rest = await long_bybit(sim, KEY)
        books.inject("bybit", "timeout", delay=120.0)
        try:
            yield Venue(
                books, rest, config(tmp_path / "c.toml", sim.ws_url("bybit"), rest.url, audit)
            )
        finally:
            await rest.close()


KEYS = {"HT_TEST_KEY": KEY, "HT_TEST_SECRET": SECRET}
HALF = ("--hedge", "lev", "--fraction", "0.5", "--yes")


async def test_in_flight_order_is_settled_and_the_book_has_one_order(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    async with bybit_holding_the_reply(tmp_path, audit) as venue:
        proc = await start("--config", str(venue.config), *HALF, env=KEYS)
        await until_event(audit, "send", proc)
        proc.send_signal(signal.SIGINT)
        code, _out, err = await finish(proc)
    assert code == 130, err
    cid = next(e for e in events(audit) if e["event"] == "send")["client_order_id"]
    assert f"interrupted: order {cid}: filled" in err
    orders = venue.books.orders("bybit")
    assert len(orders) == 1 and orders[0]["client_id"] == cid
    assert venue.books.position("bybit", "BTCUSD") == 10_000
    assert events(audit)[-1]["status"] == "filled"


async def test_a_second_ctrl_c_stops_the_lookup_and_says_what_to_check(tmp_path: Path) -> None:
    """The venue becomes unreachable with the order in flight: the lookups fail; the second
    Ctrl-C ends the wait and names the venue, the symbol and the client order id."""
    audit = tmp_path / "audit.jsonl"
    async with bybit_holding_the_reply(tmp_path, audit) as venue:
        proc = await start("--config", str(venue.config), *HALF, env=KEYS)
        try:
            await until_event(audit, "send", proc)
        finally:
            await venue.rest.close()  # the held reply is lost; every lookup is refused now
        await until_event(audit, "lost_reply", proc)
        proc.send_signal(signal.SIGINT)
        # a lookup of the settling failed: the first Ctrl-C was handled; now the second
        await until_event(audit, "status_check_failed", proc, after="interrupted")
        proc.send_signal(signal.SIGINT)
        code, _out, err = await finish(proc)
    assert code == 130, err
    cid = next(e for e in events(audit) if e["event"] == "send")["client_order_id"]
    expected = (
        f"outcome unknown: check with bybit for an order on BTCUSD with client order id {cid}"
    )
    assert expected in err
    last = events(audit)[-1]
    assert last["event"] == "outcome_unknown" and last["client_order_id"] == cid
    assert last["venue"] == "bybit" and last["symbol"] == "BTCUSD"
    assert len(venue.books.orders("bybit")) == 1  # it was executed once, never resent


# ---------------------------------------------------------------- the pieces, in process


async def test_race_cancels_the_awaited_step_on_ctrl_c() -> None:
    from hedgetui.commands.interrupts import Interrupted, Interrupts

    interrupts = Interrupts()
    assert await interrupts.race(asyncio.sleep(0, result="done")) == "done"
    cancelled = asyncio.Event()

    async def step() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    asyncio.get_running_loop().call_later(0.05, interrupts.fire)
    with pytest.raises(Interrupted):
        await asyncio.wait_for(interrupts.race(step()), LIMIT_S)
    assert cancelled.is_set()
    interrupts.fire()  # a press between two steps interrupts the next one, which never starts
    started: list[bool] = []

    async def never() -> None:
        started.append(True)

    with pytest.raises(Interrupted):
        await interrupts.race(never())
    assert started == [] and interrupts.count == 2
    assert await interrupts.race(asyncio.sleep(0, result=1)) == 1  # each press counts once


async def test_line_reader_reads_lines_through_the_loop() -> None:
    from hedgetui.commands.interrupts import LineReader

    read_end, write_end = os.pipe()
    try:
        reader = LineReader(read_end)
        pending = asyncio.ensure_future(reader.readline())
        await asyncio.sleep(0.05)
        assert not pending.done()  # waiting on the loop, not blocking it
        os.write(write_end, b"XBTUSD\nsecond\r\nlast")
        assert await asyncio.wait_for(pending, LIMIT_S) == "XBTUSD"
        assert await reader.readline() == "second"
        os.close(write_end)
        write_end = -1
        assert await asyncio.wait_for(reader.readline(), LIMIT_S) == "last"
        assert await reader.readline() == ""
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
