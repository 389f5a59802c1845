"""Why a feed is down, in words: one test per failure kind, each against a loopback server that
produces it (a closed port, the simulator closing with a code, answering the upgrade with 403,
rejecting an unknown symbol, serving a certificate the client does not trust, a name pinned
away by HEDGETUI_RESOLVE, a refused account login). Each checks the words on the dashboard's
status line (``bars.status_bar`` at 80 columns) and in ``hedgetui status``, text and
``--json``; the account test also reads the connection log and looks for the secret in it.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import stat
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from hedgetui.cli import main
from hedgetui.config import load_settings
from hedgetui.domain import DashboardView, FailureKind, FeedFailure, FeedState
from hedgetui.runtime import Runtime
from hedgetui.sim import start_simulator
from hedgetui.sim.private.server import start_private_server
from hedgetui.sim.rest import SimAccounts
from hedgetui.sim.rest.accounts import DEMO_API_KEY, DEMO_API_SECRET
from hedgetui.sim.tls import SimCA, make_test_ca
from hedgetui.ui.bars import status_bar
from tests.alerts_views import feed, view
from tests.feeds.test_feeds_live import wait_until

pytestmark = pytest.mark.timeout(60)

STATUS_TIMEOUT = "0.6"  # seconds `status` waits: every failure here happens in milliseconds
WRONG_SECRET = "d3JvbmctYnV0LWxvbmctZW5vdWdoLXNlY3JldA=="


@pytest.fixture(autouse=True)
def _own_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The connection log goes to the test's own XDG state dir; no proxy, no CA of a run."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    for var in ("SSL_CERT_FILE", "HEDGETUI_RESOLVE", "HEDGETUI_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    return state


def write_config(
    path: Path, venue: str, ws_url: str, *, coin: str = "BTC", symbol: str = "", extra: str = ""
) -> Path:
    sym = f'symbol = "{symbol}"\n' if symbol else ""
    path.write_text(
        f"""
[venues.{venue}]
ws_url = "{ws_url}"
{extra}
[[hedges]]
name = "h"
coin = "{coin}"
venue = "{venue}"
{sym}position = {{ side = "short", contracts = 1000, entry = 60000, leverage = 2 }}
"""
    )
    return path


def line_text(view: DashboardView, width: int = 80) -> str:
    [line] = status_bar(view, width)
    return "".join(text for text, _ in line)


async def status_line(cfg: Path, has_failure: Callable[[DashboardView], bool]) -> str:
    """The dashboard's status line at 80 columns once the runtime of ``cfg`` shows a failure."""
    async with Runtime(load_settings(cfg)) as rt:
        await wait_until(lambda: has_failure(rt.store.snapshot()), within=10.0)
        view = rt.store.snapshot()
    text = line_text(view)
    assert len(text.rstrip()) <= 80, text
    return text


def feed_failed(
    venue: str, kind: FailureKind, retry: bool = True
) -> Callable[[DashboardView], bool]:
    def check(view: DashboardView) -> bool:
        feed = next(f for f in view.feeds if f.venue == venue)
        failure = feed.failure
        return (
            failure is not None
            and failure.kind is kind
            and (not retry or failure.retry_at is not None)
        )

    return check


async def status(
    cfg: Path, capsys: pytest.CaptureFixture[str], *, json_out: bool
) -> tuple[int, str]:
    args = ["status", "--config", str(cfg), "--timeout", STATUS_TIMEOUT]
    # `main` runs its own event loop: it gets a thread while the servers serve here
    code = await asyncio.to_thread(main, [*args, "--json"] if json_out else args)
    return code, capsys.readouterr().out


def _retry_ok(failure: dict[str, object], at: float) -> bool:
    retry_at = failure["retry_at"]
    return retry_at is None or (isinstance(retry_at, float) and retry_at > at - 1.0)


async def check_status(
    cfg: Path,
    capsys: pytest.CaptureFixture[str],
    venue: str,
    kind: FailureKind,
    reason: str,
) -> None:
    """``status --json``: the feed's failure {kind, reason, retry_at} beside last_error;
    ``status``: one line ``feed <venue> <state>: <reason>[; retry at HH:MM:SS (in Ns)]``."""
    code, out = await status(cfg, capsys, json_out=True)
    data = json.loads(out)
    assert code == data["exit_code"] == 3
    [feed] = [f for f in data["feeds"] if f["venue"] == venue]
    failure = feed["failure"]
    assert failure["kind"] == kind.value, failure
    assert re.fullmatch(reason, failure["reason"]), failure
    assert feed["last_error"] == failure["reason"]
    assert _retry_ok(failure, data["at"]), failure
    code, out = await status(cfg, capsys, json_out=False)
    assert code == 3
    pattern = (
        rf"feed {venue} (down|connecting|live|stale): {reason}"
        r"(; retry at \d\d:\d\d:\d\d \(in \d+s\)|; retrying now)?"
    )
    lines = [line for line in out.splitlines() if line.startswith(f"feed {venue} ")]
    assert len(lines) == 1 and re.fullmatch(pattern, lines[0]), out


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- the kinds


async def test_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    cfg = write_config(tmp_path / "c.toml", "bybit", f"ws://127.0.0.1:{port}/v5/public/inverse")
    line = await status_line(cfg, feed_failed("bybit", FailureKind.REFUSED))
    assert re.search(r"✖bybit refused ↻\d+s", line), line
    reason = rf"connection refused by 127\.0\.0\.1:{port}"
    await check_status(cfg, capsys, "bybit", FailureKind.REFUSED, reason)


async def test_unresolvable_name_via_the_resolve_hook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEDGETUI_RESOLVE", "okx.venue.test=")
    cfg = write_config(tmp_path / "c.toml", "okx", "wss://okx.venue.test:8443/ws/v5/public")
    line = await status_line(cfg, feed_failed("okx", FailureKind.DNS))
    assert re.search(r"✖okx dns ↻\d+s", line), line
    reason = (
        r"name does not resolve: okx\.venue\.test "
        r"\(Name or service not known, by HEDGETUI_RESOLVE\)"
    )
    await check_status(cfg, capsys, "okx", FailureKind.DNS, reason)


async def test_a_pinned_name_connects_to_its_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same hook pins a host to an address: the feed streams from the simulator under a
    venue-like name that no DNS knows."""
    async with await start_simulator(venues=["okx"], scenario="calm") as sim:
        url = sim.ws_url("okx").replace("127.0.0.1", "okx.venue.test")
        monkeypatch.setenv("HEDGETUI_RESOLVE", "okx.venue.test=127.0.0.1")
        cfg = write_config(tmp_path / "c.toml", "okx", url)
        async with Runtime(load_settings(cfg)) as rt:
            await wait_until(lambda: rt.store.snapshot().feeds[0].state.value == "live")
            assert rt.store.snapshot().feeds[0].failure is None


async def test_closed_by_the_venue_with_a_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with await start_simulator(venues=["kraken"], scenario="calm") as sim:
        await sim.fault(
            "kraken", "accept_then_close", enabled=1, code=1013, reason="try again later"
        )
        cfg = write_config(tmp_path / "c.toml", "kraken", sim.ws_url("kraken"))
        line = await status_line(cfg, feed_failed("kraken", FailureKind.CLOSED))
        assert re.search(r"✖kraken closed 1013 ↻\d+s", line), line
        reason = r"closed by the venue \(code 1013: try again later\)"
        await check_status(cfg, capsys, "kraken", FailureKind.CLOSED, reason)


async def test_http_status_on_upgrade(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async with await start_simulator(venues=["okx"], scenario="calm") as sim:
        await sim.fault("okx", "reject_upgrade", status=403)
        cfg = write_config(tmp_path / "c.toml", "okx", sim.ws_url("okx"))
        line = await status_line(cfg, feed_failed("okx", FailureKind.HTTP))
        assert re.search(r"✖okx http 403 ↻\d+s", line), line
        reason = r"HTTP 403 Forbidden on the websocket upgrade"
        await check_status(cfg, capsys, "okx", FailureKind.HTTP, reason)


async def test_subscription_rejected_for_a_delisted_symbol(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """OKX answers a subscription to an instrument it does not list with its own error
    (60018); the feed stays connected (resubscribing would not help: no retry time) and says
    so while the index of the same coin streams."""
    async with await start_simulator(venues=["okx"], scenario="calm") as sim:
        await sim.fault("okx", "delist", symbol="ETH-USD-SWAP")
        cfg = write_config(
            tmp_path / "c.toml", "okx", sim.ws_url("okx"), coin="ETH", symbol="ETH-USD-SWAP"
        )
        line = await status_line(cfg, feed_failed("okx", FailureKind.REJECTED, retry=False))
        assert re.search(r"[●◌✖]okx rejected ", line) and "↻" not in line, line
        reason = r"subscription rejected: okx error 60018: .*instId:ETH-USD-SWAP doesn't exist.*"
        await check_status(cfg, capsys, "okx", FailureKind.REJECTED, reason)


@pytest.fixture(scope="module")
def untrusted_ca(tmp_path_factory: pytest.TempPathFactory) -> SimCA:
    return make_test_ca(tmp_path_factory.mktemp("untrusted-ca"))


async def test_tls_certificate_not_trusted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], untrusted_ca: SimCA
) -> None:
    """The simulator serves wss:// with a certificate of a CA the client was never told of."""
    sim = await start_simulator(
        venues=["deribit"], scenario="calm", tls=untrusted_ca.server_context()
    )
    async with sim:
        cfg = write_config(tmp_path / "c.toml", "deribit", sim.ws_url("deribit"))
        line = await status_line(cfg, feed_failed("deribit", FailureKind.TLS))
        assert re.search(r"✖deribit tls ↻\d+s", line), line
        reason = r"TLS certificate not trusted: .+"
        await check_status(cfg, capsys, "deribit", FailureKind.TLS, reason)


# --------------------------------------------------------------------------- accounts


@asynccontextmanager
async def bybit_with_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str
) -> AsyncIterator[Path]:
    """A config whose Bybit market data and private stream are the simulator's, with the
    account's secret in HT_FEEDS_SECRET; the connection log at tmp_path/conn.log."""
    monkeypatch.setenv("HT_FEEDS_KEY", DEMO_API_KEY)
    monkeypatch.setenv("HT_FEEDS_SECRET", secret)
    books = SimAccounts()
    async with await start_simulator(venues=["bybit"], scenario="calm") as sim:
        private = await start_private_server("bybit", accounts=books, mark=lambda s: 60_000.0)
        try:
            cfg = tmp_path / "c.toml"
            cfg.write_text(
                f"""
[venues.bybit]
ws_url = "{sim.ws_url("bybit")}"
rest_url = "http://127.0.0.1:{closed_port()}"
private_ws_url = "{private.url}"

[logging]
connection_log = "{tmp_path / "conn.log"}"

[[accounts]]
name = "main"
venue = "bybit"
api_key_env = "HT_FEEDS_KEY"
api_secret_env = "HT_FEEDS_SECRET"

[[hedges]]
name = "h"
coin = "BTC"
venue = "bybit"
account = "main"
"""
            )
            yield cfg
        finally:
            await private.close()


async def test_auth_failed_on_an_account_stream_and_the_secret_stays_out_of_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with bybit_with_account(tmp_path, monkeypatch, WRONG_SECRET) as cfg:

        def auth_failed(view: DashboardView) -> bool:  # while the market feed streams
            failure = view.accounts[0].failure if view.accounts else None
            live = view.feeds[0].state is FeedState.LIVE
            return live and failure is not None and failure.kind is FailureKind.AUTH

        line = await status_line(cfg, auth_failed)
        assert re.search(r"✖acct main auth( ↻\d+s)?", line), line
        assert "●bybit" in line  # the market feed itself is fine
        _, out = await status(cfg, capsys, json_out=True)
        data = json.loads(out)
        [account] = data["accounts"]
        assert account["name"] == "main" and account["failure"]["kind"] == "auth"
        assert "Invalid sign" in account["failure"]["reason"]
        assert account["failure"]["reason"].startswith("auth failed: ")
        _, out = await status(cfg, capsys, json_out=False)
        [said] = [s for s in out.splitlines() if s.startswith("account main (bybit) down: ")]
        assert "auth failed: " in said and "Invalid sign" in said, out
    log = tmp_path / "conn.log"
    text = log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert "account:main: down: auth failed: " in text, text
    assert "bybit: connected to ws://127.0.0.1:" in text and "bybit: live: data flowing" in text
    for secret in (WRONG_SECRET, DEMO_API_SECRET):
        assert secret not in text


async def test_a_good_login_is_logged_and_leaks_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with (
        bybit_with_account(tmp_path, monkeypatch, DEMO_API_SECRET) as cfg,
        Runtime(load_settings(cfg)) as rt,
    ):
        await wait_until(lambda: "logged in" in _read(tmp_path / "conn.log"))
        assert rt.store.snapshot().accounts[0].failure is None
    text = (tmp_path / "conn.log").read_text()
    assert "account:main: logged in" in text and "account:main: stopped" in text
    assert DEMO_API_SECRET not in text and "listen" not in text


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


# --------------------------------------------------------------------------- pure parts


def test_six_feeds_down_fit_80_columns() -> None:
    venues = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")
    base = view(feeds=tuple(feed(v) for v in venues))

    def down(*kinds: tuple[FailureKind, int | None]) -> DashboardView:
        feeds = tuple(
            replace(f, state=FeedState.DOWN, failure=FeedFailure(k, "x", code, retry_at=12.0))
            for f, (k, code) in zip(base.feeds, kinds, strict=True)
        )
        return replace(base, feeds=feeds)

    same = down(*[(FailureKind.DNS, None)] * 6)
    assert line_text(same) == "✖bitmex ✖bybit ✖binance ✖deribit ✖okx ✖kraken dns ↻12s "
    assert line_text(same, 200).count(" dns ↻12s") == 6  # wide: each says it
    mixed = down(
        (FailureKind.DNS, None),
        (FailureKind.REFUSED, None),
        (FailureKind.HTTP, 403),
        (FailureKind.CLOSED, 1013),
        (FailureKind.TLS, None),
        (FailureKind.REJECTED, None),
    )
    for width in (80, 100, 120, 200):
        assert len(line_text(mixed, width).rstrip()) <= width
    # six different reasons do not fit 80 columns: the glyphs and names stay, with the words of
    # as many as fit from the left (all of them are in `hedgetui status` and the connection log)
    assert line_text(mixed) == (
        "✖bitmex dns ✖bybit refused ✖binance http 403 ✖deribit closed 1013 ✖okx ✖kraken "
    )
    assert "binance http 403" in line_text(mixed, 120)
    one = replace(base, feeds=(*base.feeds[:5], down(*[(FailureKind.REFUSED, None)] * 6).feeds[5]))
    assert line_text(one).endswith("✖kraken refused ↻12s ")


async def test_an_account_that_logs_in_again_no_longer_says_auth_failed() -> None:
    """The venue refuses the login until its key matches; the next login clears the failure."""
    from hedgetui.account_streams import AccountStream, watched_instrument
    from hedgetui.feeds.loop_config import FeedConfig
    from hedgetui.sim.private.base import SimCredentials
    from hedgetui.trading.credentials import Credentials, Secret
    from hedgetui.trading.venues import make_client

    server = await start_private_server(
        "bybit",
        accounts=SimAccounts(),
        mark=lambda s: 60_000.0,
        credentials=SimCredentials(api_secret=WRONG_SECRET),
    )
    demo = Credentials("demo", Secret(DEMO_API_KEY), Secret(DEMO_API_SECRET), Secret(""))
    client = make_client("bybit", demo, base_url=f"http://127.0.0.1:{closed_port()}")
    fast = FeedConfig(backoff_initial_s=0.02, backoff_max_s=0.1, jitter=0.0, stale_after_s=1e9)
    stream = AccountStream(
        client, [watched_instrument("bybit", "BTCUSD")], lambda e: None, url=server.url, config=fast
    )
    task = asyncio.create_task(stream.run())
    try:
        await wait_until(lambda: stream.failure is not None and stream.failure.kind.value == "auth")
        assert stream.status.failure == stream.failure
        server.protocol.creds = SimCredentials()  # the venue now knows the key
        await wait_until(lambda: stream.state is FeedState.LIVE)
        assert stream.failure is None and stream.status.failure is None
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.aclose()
        await server.close()


async def test_timeout_when_the_server_never_answers_the_upgrade() -> None:
    """A loopback TCP server that accepts and says nothing: the handshake times out."""
    from hedgetui.feeds.base import Feed
    from hedgetui.feeds.loop_config import FeedConfig

    held: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = FeedConfig(open_timeout_s=0.2, backoff_initial_s=5.0, jitter=0.0)
    feed = Feed(
        "kraken", ["PI_XBTUSD"], lambda e: None, url=f"ws://127.0.0.1:{port}", config=config
    )
    task = asyncio.create_task(feed.run())
    try:
        await wait_until(lambda: feed.failure is not None and feed.failure.retry_at is not None)
        failure = feed.failure
        assert failure is not None and failure.kind is FailureKind.TIMEOUT
        assert failure.reason == f"no answer from 127.0.0.1:{port} within the connect timeout"
        assert failure.short == "timeout"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        for writer in held:
            writer.close()
        server.close()


def test_classify_the_kinds_no_loopback_server_makes() -> None:
    import errno

    from websockets.exceptions import ConnectionClosedError

    from hedgetui.feeds.failure import classify

    url = "wss://ws.okx.com:8443/ws/v5/public"
    unreachable = classify(OSError(errno.ENETUNREACH, "Network is unreachable"), url)
    assert (unreachable.kind, unreachable.short) == (FailureKind.UNREACHABLE, "no route")
    assert unreachable.reason == "no route to ws.okx.com:8443 (Network is unreachable)"
    lost = classify(ConnectionClosedError(None, None), url)
    assert (lost.kind, lost.reason) == (FailureKind.LOST, "connection lost (no close frame)")
    reset = classify(ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), url)
    assert reset.kind is FailureKind.LOST
    other = classify(ValueError("something odd"), "wss://[::1]/x")
    assert (other.kind, other.reason) == (FailureKind.ERROR, "ValueError: something odd")
    assert classify(ConnectionRefusedError(), "wss://[::1]/x").reason == (
        "connection refused by [::1]:443"
    )


def test_resolve_table_skips_what_is_not_host_equals_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import socket as sockets

    from hedgetui.feeds.resolve import pinned_address, resolve_table

    table = resolve_table({"HEDGETUI_RESOLVE": " WS.OKX.com=10.0.0.1, nonsense ,gone.test= ,"})
    assert table == {"ws.okx.com": "10.0.0.1", "gone.test": ""}
    assert "'nonsense' is not host=address" in caplog.text
    assert pinned_address("ws.okx.com", table) == "10.0.0.1"
    assert pinned_address("stream.bybit.com", table) is None
    with pytest.raises(sockets.gaierror):
        pinned_address("gone.test", table)


def test_the_connection_log_rotates_and_stays_private(tmp_path: Path) -> None:
    import logging

    from hedgetui.feeds.journal import CONNECTION_LOG, note
    from hedgetui.runtime.connection_log import ConnectionLogHandler

    path = tmp_path / "logs" / "connections.log"
    handler = ConnectionLogHandler(path, max_bytes=300)
    logging.getLogger(CONNECTION_LOG).addHandler(handler)
    try:
        for i in range(10):  # ~95 bytes each: rotated after the 4th and the 8th
            note("okx", f"down: connection refused by 127.0.0.1:9; retry in {i}.0s\nsecond line")
    finally:
        logging.getLogger(CONNECTION_LOG).removeHandler(handler)
        handler.close()
    rotated = path.with_name("connections.log.1")
    assert rotated.exists() and path.stat().st_size < 300 + 120
    for p in (path, rotated):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
        for line in p.read_text().splitlines():  # one line per event, whatever the words held
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z okx: down: .*", line)


def test_watch_status_line_says_why() -> None:
    from hedgetui.alerts.report import status_line

    down = replace(
        feed("okx", state=FeedState.DOWN, age=None),
        failure=FeedFailure(FailureKind.REFUSED, "connection refused by 127.0.0.1:9", None, 12.2),
    )
    text = status_line(replace(view(feeds=(feed("bybit"), down)), at=0.0), [])
    assert text.endswith("| feeds stale: okx (refused, retry in 13s)")


def test_the_feed_alert_says_why() -> None:
    from hedgetui.alerts.engine import AlertEngine
    from hedgetui.clock import ManualClock
    from hedgetui.config import AlertSettings
    from tests.alerts_views import hedge

    clock = ManualClock()
    engine = AlertEngine(AlertSettings(feed_stale_after_s=10.0), clock=clock)
    failure = FeedFailure(FailureKind.HTTP, "HTTP 451 Unavailable For Legal Reasons", 451)
    down = view(hedge(), feeds=(replace(feed(state=FeedState.DOWN, age=None), failure=failure),))
    engine.evaluate(down)
    clock.advance(10.5)
    [fired] = [e for e in engine.evaluate(down) if e.rule == "feed_stale"]
    assert fired.message.startswith("bybit feed down (http 451): 10.5s"), fired.message
