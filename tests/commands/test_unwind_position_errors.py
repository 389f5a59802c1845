"""`hedgetui unwind` when the position cannot be used: a flat account is "no open position"
at once, and a failed read says what failed (the venue's auth message, a 5xx, a refused
connection with its URL) as soon as it is known, never after the whole data wait.

The live path (config -> runtime -> account client) against the simulator over loopback;
the data wait is made an hour long, so a test that waited for it would time out.
"""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hedgetui.cli import build_parser
from hedgetui.commands import unwind
from hedgetui.commands.unwind import unwind_main
from hedgetui.sim import Simulator, start_simulator
from hedgetui.sim.rest import RestServer, SimAccounts, start_rest_server
from hedgetui.sim.rest.base import HTML_500
from hedgetui.sim.rest.http import HttpRequest, HttpResponse, HttpServer
from tests.trading.test_unwind_secrets import KEY, SECRET, config

BOUND_S = 60.0  # far below the hour-long data wait


@pytest.fixture(autouse=True)
def long_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unwind, "WAIT_FOR_DATA_S", 3600.0)
    monkeypatch.setenv("HT_TEST_KEY", KEY)
    monkeypatch.setenv("HT_TEST_SECRET", SECRET)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with await start_simulator(venues=["bybit"], scenario="calm", tick_hz=10) as sim:
        yield sim


async def long_bybit(sim: Simulator, api_key: str) -> tuple[SimAccounts, RestServer]:
    """A 20,000-contract long on the simulator's bybit REST side, accepting ``api_key``."""
    books = SimAccounts()
    books.set_position("bybit", "BTCUSD", 20_000, sim.price("BTC")[0], collateral=1.0)
    rest = await start_rest_server(
        "bybit",
        accounts=books,
        mark=lambda s: sim.price("BTC")[0],
        api_key=api_key,
        api_secret=SECRET,
    )
    return books, rest


async def run(tmp_path: Path, sim: Simulator, rest_url: str, *argv: str) -> tuple[int, str]:
    cfg = config(tmp_path / "c.toml", sim.ws_url("bybit"), rest_url, tmp_path / "a.jsonl")
    args = build_parser().parse_args(
        ["unwind", "--config", str(cfg), "--hedge", "lev", "--yes", *argv]
    )
    out = io.StringIO()
    code = await asyncio.wait_for(unwind_main(args, out=out), BOUND_S)
    return code, out.getvalue()


async def test_after_a_full_unwind_the_next_run_says_there_is_no_position(
    tmp_path: Path, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    books, rest = await long_bybit(sim, KEY)
    try:
        code, _ = await run(tmp_path, sim, rest.url, "--fraction", "1")
        assert code == 0, capsys.readouterr().err
        assert books.position("bybit", "BTCUSD") == 0
        capsys.readouterr()
        code, _ = await run(tmp_path, sim, rest.url, "--fraction", "1")
    finally:
        await rest.close()
    assert code == 1
    err = capsys.readouterr().err
    assert err == "hedgetui unwind: refused: hedge 'lev': there is no open position\n"
    assert len(books.orders("bybit")) == 1


async def test_a_wrong_key_says_the_venue_rejected_it(
    tmp_path: Path, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    books, rest = await long_bybit(sim, "another-key")  # not the key the config reads
    try:
        code, _ = await run(tmp_path, sim, rest.url, "--fraction", "0.5")
    finally:
        await rest.close()
    assert code == 1
    err = capsys.readouterr().err
    assert (
        f"hedge 'lev': the position is unknown: reading it from {rest.url} failed: "
        "bybit: authentication failed [10003]: API key is invalid." in err
    )
    assert books.orders("bybit") == []


async def test_a_5xx_says_the_venue_failed(
    tmp_path: Path, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    async def broken(_: HttpRequest) -> HttpResponse:
        return HttpResponse(
            502, HTML_500.replace(b"500 Internal Server Error", b"502 Bad Gateway"), "text/html"
        )

    server = HttpServer(broken)
    await server.start("127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.port}"
    try:
        code, _ = await run(tmp_path, sim, url, "--fraction", "0.5")
    finally:
        await server.close()
    assert code == 1
    err = capsys.readouterr().err
    assert f"the position is unknown: reading it from {url} failed: " in err
    assert "bybit: venue server error (HTTP 502): <html>" in err and "502 Bad Gateway" in err


async def test_a_refused_connection_names_the_url(
    tmp_path: Path, sim: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    code, _ = await run(tmp_path, sim, url, "--fraction", "0.5")
    assert code == 1
    err = capsys.readouterr().err
    assert (
        f"the position is unknown: reading it from {url} failed: bybit: no reply: "
        f"could not connect to {url} for GET /v5/position/list: connection refused" in err
    )


@pytest.mark.parametrize("flag", ["--fraction", "--contracts", "--limit-offset-bps"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_numbers_are_one_line_and_exit_2(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from hedgetui.cli import main

    size = [] if flag != "--limit-offset-bps" else ["--fraction", "0.5"]
    code = main(["unwind", "--demo", "--hedge", "btc-core", *size, f"{flag}={value}", "--yes"])
    assert code == 2
    err = capsys.readouterr().err
    assert err == f"hedgetui unwind: {flag}: must be a finite number, got {value}\n"


def test_the_dialog_names_why_its_account_gives_no_position(tmp_path: Path) -> None:
    """The dashboard's service reads the account's health from the store: its source's
    last error is the reason shown, not "no account data yet"."""
    from hedgetui.clock import ManualClock
    from hedgetui.config import HedgeSettings, Settings
    from hedgetui.domain import FeedState, FeedStatus, MarkPrice
    from hedgetui.runtime.unwind import service_for_store
    from hedgetui.store import Store
    from hedgetui.trading.audit import AuditLog
    from hedgetui.trading.service import Refused

    clock = ManualClock()
    hedge = HedgeSettings(name="core", coin="BTC", venue="bybit", symbol="BTCUSD", account="acct")
    settings = Settings(hedges=(hedge,))
    store = Store(settings, clock=clock)
    store.apply(MarkPrice("bybit", "BTCUSD", 60_000.0, int(clock.time() * 1000)))
    service = service_for_store(settings, store, client=None, audit=AuditLog(tmp_path / "a"))
    with pytest.raises(Refused, match=r"no account data yet"):
        service.check("core")
    said = "bybit: authentication failed [10003]: API key is invalid."
    store.account_status("acct", FeedStatus("bybit", FeedState.DOWN, last_error=said))
    with pytest.raises(Refused) as info:
        service.check("core")
    assert (
        str(info.value) == f"hedge 'core': the position is unknown: account 'acct' is down: {said}"
    )
