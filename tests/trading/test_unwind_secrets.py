"""A known secret must appear in no log, no stdout/stderr, no screen and no audit entry.

Runs `check-config`, a real (loopback) unwind through the config -> runtime -> account path
including a failed attempt with the wrong key, and the unwind dialog, all with one secret.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from hedgetui.cli import build_parser, main
from hedgetui.commands.unwind import unwind_main
from hedgetui.sim import Simulator, start_simulator
from hedgetui.sim.rest import RestServer, SimAccounts, start_rest_server
from hedgetui.trading.credentials import Credentials, Secret
from hedgetui.trading.orders import AuthError
from hedgetui.trading.venues import make_client

KEY = "known-test-key-7f3a"
SECRET = "a25vd24tdGVzdC1zZWNyZXQtZG8tbm90LWxlYWs="  # base64, like a Kraken secret
PASSPHRASE = "known-pass-phrase-91"


def config(path: Path, ws_url: str, rest_url: str, audit: Path, *, enabled: bool = True) -> Path:
    path.write_text(
        f"""
[venues.bybit]
ws_url = "{ws_url}"
rest_url = "{rest_url}"

[trading]
enabled = {str(enabled).lower()}
audit_log = "{audit}"

[[accounts]]
name = "bybit-main"
venue = "bybit"
api_key_env = "HT_TEST_KEY"
api_secret_env = "HT_TEST_SECRET"
permissions = "trade"

[[hedges]]
name = "lev"
coin = "BTC"
venue = "bybit"
account = "bybit-main"
"""
    )
    return path


@asynccontextmanager
async def bybit_account(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[Simulator, RestServer, SimAccounts]]:
    """The config's Bybit on loopback: its market data, and the signed REST side of an account
    holding a 20,000-contract long whose keys are in HT_TEST_KEY / HT_TEST_SECRET."""
    monkeypatch.setenv("HT_TEST_KEY", KEY)
    monkeypatch.setenv("HT_TEST_SECRET", SECRET)
    books = SimAccounts()
    async with await start_simulator(venues=["bybit"], scenario="calm", tick_hz=10) as sim:
        books.set_position("bybit", "BTCUSD", 20_000, sim.price("BTC")[0], collateral=1.0)
        rest = await start_rest_server(
            "bybit",
            accounts=books,
            mark=lambda s: sim.price("BTC")[0],
            api_key=KEY,
            api_secret=SECRET,
            passphrase=PASSPHRASE,
        )
        try:
            yield sim, rest, books
        finally:
            await rest.close()


async def test_the_secret_leaks_nowhere(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    audit = tmp_path / "audit.jsonl"
    async with bybit_account(monkeypatch) as (sim, rest, books):
        cfg = config(tmp_path / "c.toml", sim.ws_url("bybit"), rest.url, audit)
        assert main(["check-config", str(cfg)]) == 0
        # A lost reply, then the retry path: every step is logged and audited.
        books.inject("bybit", "lost_reply")
        args = build_parser().parse_args(
            [
                "unwind",
                "--config",
                str(cfg),
                "--hedge",
                "lev",
                "--fraction",
                "0.5",
                "--yes",
                "--json",
            ]
        )
        out = io.StringIO()
        assert await unwind_main(args, out=out) == 0
        assert books.position("bybit", "BTCUSD") == 10_000
        assert len(books.orders("bybit")) == 1
        # An auth failure whose error text would carry the (wrong) secret if not redacted.
        wrong = Credentials("x", Secret(KEY), Secret(SECRET[::-1]), Secret(PASSPHRASE))
        client = make_client("bybit", wrong, base_url=rest.url)
        with pytest.raises(AuthError) as info:
            await client.position("BTCUSD", 1.0)
        await client.aclose()
        logging.getLogger("hedgetui").error("auth failed: %s", info.value)
    captured = capsys.readouterr()
    everything = [
        out.getvalue(),
        captured.out,
        captured.err,
        caplog.text,
        audit.read_text(),
        str(info.value),
    ]
    assert '"status": "filled"' in out.getvalue()
    assert "lost_reply" in audit.read_text() and "status_found" in audit.read_text()
    for text in everything:
        for secret in (SECRET, SECRET[::-1], KEY):
            assert secret not in text


async def test_the_dialog_screen_never_shows_the_secret(tmp_path: Path) -> None:
    from hedgetui.demo.trading import demo_trading
    from hedgetui.sim.rest import DEMO_API_KEY, DEMO_API_SECRET
    from hedgetui.ui.unwind_screen import UnwindScreen
    from tests.ui.test_unwind_screen import Host

    books = SimAccounts()
    async with demo_trading("btc-core", accounts=books, audit_log=tmp_path / "a.jsonl") as demo:
        await demo.poller.poll_once()
        app = Host(UnwindScreen(demo.service, "btc-core"))
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.press("2")
            await pilot.pause()
            await pilot.press(*"XBTUSD", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.export_screenshot()
        assert "filled" in screen
        for secret in (DEMO_API_SECRET, DEMO_API_KEY):
            assert secret not in screen
            assert secret not in (tmp_path / "a.jsonl").read_text()


async def test_the_dashboard_and_its_dialog_never_show_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The dashboard builds the dialog's client from the env keys of the config's account."""
    from textual.widgets import Static

    from hedgetui.config import load_settings
    from hedgetui.domain import MarkPrice
    from hedgetui.store import Store
    from hedgetui.ui.app import HedgeApp
    from hedgetui.ui.unwind_screen import UnwindScreen

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("HT_TEST_KEY", KEY)
    monkeypatch.setenv("HT_TEST_SECRET", SECRET)
    books = SimAccounts()
    books.set_position("bybit", "BTCUSD", 20_000, 60_000.0, collateral=1.0)
    rest = await start_rest_server(
        "bybit", accounts=books, mark=lambda s: 60_000.0, api_key=KEY, api_secret=SECRET
    )
    try:
        cfg = config(tmp_path / "c.toml", "ws://127.0.0.1:9", rest.url, tmp_path / "a.jsonl")
        store = Store(load_settings(cfg, {}))
        store.apply(MarkPrice("bybit", "BTCUSD", 60_000.0, None))
        app = HedgeApp(store)
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            await pilot.press("u")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, UnwindScreen)
            assert dialog.service.client is not None  # the keys were found in the env
            refusal = str(dialog.query_one("#unwind-refusal", Static).render())
            screens = [app.export_screenshot()]  # refused: no account data polled yet
            await pilot.press("escape")
            await pilot.pause()
            screens.append(app.export_screenshot())
    finally:
        await rest.close()
    assert "position is unknown" in refusal
    for text in [*screens, refusal, caplog.text]:
        assert SECRET not in text and KEY not in text
