"""``hedgetui doctor`` against loopback servers that fail each step in turn: a name pinned
away by HEDGETUI_RESOLVE, a closed port, a certificate of a CA the client does not trust and
one for another host, an upgrade answered 403, a subscription the venue rejects, a server
clock 10 s (and 2 s) ahead, a wrong secret, a key that cannot do what the account says, a
credentials file others can read. Each checks the step's one line (what failed; what to try)
and the exit code; the steps after a failure say they were skipped.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from hedgetui.cli import main
from hedgetui.clock import OffsetClock
from hedgetui.sim import start_simulator
from hedgetui.sim.rest.accounts import DEMO_API_KEY, DEMO_API_SECRET
from hedgetui.sim.rest.attach import RestSide, attach_rest_servers
from hedgetui.sim.server import Simulator
from hedgetui.sim.tls import SimCA, make_test_ca

pytestmark = pytest.mark.timeout(60)

WRONG_SECRET = "d3JvbmctYnV0LWxvbmctZW5vdWdoLXNlY3JldA=="
STEP_TIMEOUT = "3"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SSL_CERT_FILE", "HEDGETUI_RESOLVE", "HEDGETUI_CONFIG"):
        monkeypatch.delenv(var, raising=False)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(
    path: Path,
    venue: str,
    ws_url: str,
    rest_url: str,
    *,
    symbol: str = "",
    coin: str = "BTC",
    account: str = "",
) -> Path:
    sym = f'symbol = "{symbol}"\n' if symbol else ""
    position = 'position = { side = "short", contracts = 1000, entry = 60000, leverage = 2 }'
    path.write_text(
        f"""
[venues.{venue}]
ws_url = "{ws_url}"
rest_url = "{rest_url}"
{account}
[[hedges]]
name = "h"
coin = "{coin}"
venue = "{venue}"
{sym}{position}
"""
    )
    return path


async def doctor(cfg: Path, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[int, str]:
    """``hedgetui doctor --config cfg`` (its own event loop, in a thread while the servers
    serve on this one): the exit code and what it printed (every line within 80 columns)."""
    args = ["doctor", "--config", str(cfg), "--timeout", STEP_TIMEOUT, *more]
    code = await asyncio.to_thread(main, args)
    out = capsys.readouterr().out
    if "--json" not in more:
        assert all(len(line) <= 80 for line in out.splitlines()), out
    return code, out


def step(out: str, name: str) -> str:
    """The one line of step ``name`` (exactly one)."""
    lines = [line for line in out.splitlines() if re.match(rf"  \S+ +{name} ", line)]
    assert len(lines) == 1, out
    return lines[0]


def json_step(out: str, name: str) -> dict[str, Any]:
    targets = json.loads(out)["targets"]
    [found] = [s for t in targets for s in t["steps"] if s["step"] == name]
    assert isinstance(found, dict)
    return found


async def check_failure(
    cfg: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    words: str,
    advice: str,
    *,
    verdict: str = "fail",
    code: int = 2,
) -> str:
    """Step ``name`` is a ``verdict`` whose words match ``words`` and whose advice is
    ``advice``: in ``--json`` whole, in the text ONE line (``FAIL name N ms what; try:
    advice``, the words clipped to 80 columns, the advice whole). Returns the text."""
    got, out = await doctor(cfg, capsys, "--json")
    assert got == code == json.loads(out)["exit_code"], out
    found = json_step(out, name)
    assert found["verdict"] == verdict and found["advice"] == advice, found
    assert re.fullmatch(words, found["message"]), found
    got, text = await doctor(cfg, capsys)
    assert got == code
    line = step(text, name)
    shown = verdict.upper()
    parsed = re.fullmatch(rf"  {shown} +{name} +\d+ ms  (.+); try: {re.escape(advice)}", line)
    assert parsed is not None, line
    what = parsed.group(1)  # clipped to 80 columns (the runs may differ in a digit)
    assert re.fullmatch(words, what) if not what.endswith("…") else len(what) >= 20, line
    assert what[:5] == found["message"][:5], line
    return text


def assert_skipped_after(out: str, failed: str, names: tuple[str, ...]) -> None:
    for name in names:
        assert re.fullmatch(rf"  skip +{name} +skipped: {failed} failed", step(out, name))


@asynccontextmanager
async def simulator(venue: str, **options: object) -> AsyncIterator[tuple[Simulator, RestSide]]:
    async with await start_simulator(venues=[venue], scenario="calm", **options) as sim:  # type: ignore[arg-type]
        rest = await attach_rest_servers(sim, clock=options.get("clock"))  # type: ignore[arg-type]
        try:
            yield sim, rest
        finally:
            await rest.close()


# --------------------------------------------------------------------------- the feed


async def test_a_name_that_does_not_resolve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEDGETUI_RESOLVE", "okx.venue.test=")
    rest = f"http://127.0.0.1:{closed_port()}"
    cfg = write_config(tmp_path / "c.toml", "okx", "wss://okx.venue.test:8443/ws/v5/public", rest)
    words = (
        r"name does not resolve: okx\.venue\.test \(Name or service not known, by "
        r"HEDGETUI_RESOLVE\)"
    )
    out = await check_failure(cfg, capsys, "dns", words, "check the URL's host and DNS")
    assert out.splitlines()[0] == "venue okx  wss://okx.venue.test:8443"
    assert_skipped_after(out, "dns", ("tcp", "tls", "upgrade", "data"))
    assert out.splitlines()[-1] == "doctor: failures (2 fail, 4 skipped); exit 2"


async def test_an_invalid_host_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A name no resolver knows (``.invalid``, RFC 2606): the resolver's own words."""
    rest = f"http://127.0.0.1:{closed_port()}"
    cfg = write_config(tmp_path / "c.toml", "bybit", "wss://nowhere.invalid/v5/public", rest)
    words = r"name does not resolve: nowhere\.invalid \(.+\)"
    await check_failure(cfg, capsys, "dns", words, "check the URL's host and DNS")


async def test_connection_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    rest = f"http://127.0.0.1:{port}"
    cfg = write_config(tmp_path / "c.toml", "bybit", f"ws://127.0.0.1:{port}/v5/public", rest)
    words = rf"connection refused by 127\.0\.0\.1:{port}"
    out = await check_failure(cfg, capsys, "tcp", words, "check the port and firewall")
    dns = r"  ok +dns +\d+ ms  127\.0\.0\.1: an address, nothing to resolve"
    assert re.fullmatch(dns, step(out, "dns"))
    assert_skipped_after(out, "tcp", ("tls", "upgrade", "data"))
    # the REST side is the same closed port: the clock cannot be read either
    assert re.match(
        r"  FAIL clock +\d+ ms  could not ask bybit th.*; try: check the", step(out, "clock")
    )


async def test_through_a_proxy_the_upgrade_step_says_what_the_proxy_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With HTTPS_PROXY set the feed connects through the proxy (websockets' rule): the name,
    TCP and TLS are the proxy's business, so those steps say so; the proxy's password is
    never printed."""
    port = closed_port()
    for var in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "WSS_PROXY", "wss_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://me:s3cret-pw@127.0.0.1:{port}")
    rest = f"http://127.0.0.1:{closed_port()}"
    cfg = write_config(tmp_path / "c.toml", "okx", "wss://ws.okx.example/ws/v5/public", rest)
    words = rf"proxy: connection refused by 127\.0\.0\.1:{port}"
    out = await check_failure(cfg, capsys, "upgrade", words, "check HTTPS_PROXY / NO_PROXY")
    for name in ("dns", "tcp", "tls"):
        line = step(out, name)
        assert line == f"  skip {name:<7}          skipped: through the proxy 127.0.0.1:{port}"
    assert "s3cret-pw" not in out


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> SimCA:
    return make_test_ca(tmp_path_factory.mktemp("ca"))


async def test_a_certificate_of_an_unknown_ca(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], test_ca: SimCA
) -> None:
    async with simulator("deribit", tls=test_ca.server_context()) as (sim, rest):
        url, rest_url = sim.ws_url("deribit"), rest.url("deribit")
        cfg = write_config(tmp_path / "c.toml", "deribit", url, rest_url)
        words = r"unknown CA: TLS certificate not trusted: .+"
        out = await check_failure(cfg, capsys, "tls", words, "a proxy? set SSL_CERT_FILE")
    assert step(out, "tcp").startswith("  ok ")
    assert_skipped_after(out, "tls", ("upgrade", "data"))
    assert step(out, "clock").startswith("  ok ")  # the REST side is plain http here


async def test_a_certificate_for_another_host(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    test_ca: SimCA,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The CA is trusted, but the certificate is the simulator's (127.0.0.1, localhost), not
    the name the URL asks for (pinned to loopback)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca_file))
    monkeypatch.setenv("HEDGETUI_RESOLVE", "okx.venue.test=127.0.0.1")
    async with simulator("okx", tls=test_ca.server_context()) as (sim, rest):
        url = sim.ws_url("okx").replace("127.0.0.1", "okx.venue.test")
        cfg = write_config(tmp_path / "c.toml", "okx", url, rest.url("okx"))
        words = r"wrong host: TLS certificate not trusted: .*okx\.venue\.test.*"
        out = await check_failure(cfg, capsys, "tls", words, "check the URL's host name")
    pinned = r"  ok +dns +\d+ ms  okx\.venue\.test -> 127\.0\.0\.1 \(pinned by HEDGETUI_RESOLVE\)"
    assert re.fullmatch(pinned, step(out, "dns"))


def expired_certificate(ca: SimCA, folder: Path) -> ssl.SSLContext:
    """A server context whose certificate for 127.0.0.1, signed by ``ca``, expired in 2020
    (``openssl ca`` sets the dates that ``openssl x509 -days`` cannot)."""
    (folder / "index.txt").write_text("")
    (folder / "serial").write_text("01\n")
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    (folder / "ca.cnf").write_text(
        "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\n"
        "serial = serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n"
    )
    ca_key = str(ca.ca_file.parent / "ca-key.pem")
    for cmd in (
        "req -newkey rsa:2048 -nodes -keyout old-key.pem -subj /CN=127.0.0.1 -out old.csr",
        f"ca -batch -config ca.cnf -cert {ca.ca_file} -keyfile {ca_key} -in old.csr -out old.pem"
        " -startdate 20200101000000Z -enddate 20200102000000Z -extfile ext.cnf",
    ):
        subprocess.run(["openssl", *cmd.split()], cwd=folder, check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "old.pem", folder / "old-key.pem")
    return context


async def test_an_expired_certificate(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    test_ca: SimCA,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca_file))
    tls = expired_certificate(test_ca, tmp_path)
    async with simulator("bitmex", tls=tls) as (sim, rest):
        cfg = write_config(tmp_path / "c.toml", "bitmex", sim.ws_url("bitmex"), rest.url("bitmex"))
        words = r"expired: TLS certificate not trusted: certificate has expired"
        await check_failure(cfg, capsys, "tls", words, "check this machine's date")


async def test_a_trusted_certificate_is_ok(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    test_ca: SimCA,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca_file))
    """By name: ``localhost`` resolves (the resolver's answer shown) and is in the certificate."""
    async with simulator("kraken", tls=test_ca.server_context()) as (sim, rest):
        url = sim.ws_url("kraken").replace("127.0.0.1", "localhost")
        cfg = write_config(tmp_path / "c.toml", "kraken", url, rest.url("kraken"))
        code, out = await doctor(cfg, capsys)
    assert code == 0, out
    assert re.fullmatch(r"  ok +dns +\d+ ms  localhost -> .*127\.0\.0\.1.*", step(out, "dns"))
    tls = r"  ok +tls +\d+ ms  TLSv1\.[23], certificate valid for localhost"
    assert re.fullmatch(tls, step(out, "tls"))
    assert out.splitlines()[-1] == "doctor: all good (6 ok); exit 0"


async def test_the_upgrade_refused_with_an_http_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with simulator("okx") as (sim, rest):
        await sim.fault("okx", "reject_upgrade", status=403)
        cfg = write_config(tmp_path / "c.toml", "okx", sim.ws_url("okx"), rest.url("okx"))
        words = r"HTTP 403 Forbidden on the websocket upgrade"
        out = await check_failure(cfg, capsys, "upgrade", words, "check the URL's path")
    assert_skipped_after(out, "upgrade", ("data",))


async def test_a_rejected_subscription_names_the_symbol(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with simulator("okx") as (sim, rest):
        await sim.fault("okx", "delist", symbol="ETH-USD-SWAP")
        url, rest_url = sim.ws_url("okx"), rest.url("okx")
        cfg = write_config(
            tmp_path / "c.toml", "okx", url, rest_url, coin="ETH", symbol="ETH-USD-SWAP"
        )
        words = r"subscription rejected: okx error 60018: .*instId:ETH-USD-SWAP doesn't exist.*"
        await check_failure(cfg, capsys, "data", words, "check the [[hedges]] symbol")


async def test_the_venue_closes_before_the_first_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with simulator("kraken") as (sim, rest):
        await sim.fault("kraken", "accept_then_close", enabled=1, code=1013, reason="try later")
        cfg = write_config(tmp_path / "c.toml", "kraken", sim.ws_url("kraken"), rest.url("kraken"))
        words = r"closed by the venue \(code 1013: try later\)"
        out = await check_failure(cfg, capsys, "data", words, "retry later")
    assert step(out, "upgrade").startswith("  ok ")


async def test_no_first_values_within_the_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The venue accepts and then sends nothing: the channels that never came are named."""
    async with simulator("bybit") as (sim, rest):
        await sim.fault("bybit", "stall")
        cfg = write_config(tmp_path / "c.toml", "bybit", sim.ws_url("bybit"), rest.url("bybit"))
        words = r"no first value of funding BTCUSD, index BTCUSD, mark BTCUSD within 3 s"
        await check_failure(cfg, capsys, "data", words, "check the symbol, --timeout")


# --------------------------------------------------------------------------- the clock


async def test_a_server_clock_outside_the_signed_request_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with simulator("bybit", clock=OffsetClock(10.0)) as (sim, rest):
        cfg = write_config(tmp_path / "c.toml", "bybit", sim.ws_url("bybit"), rest.url("bybit"))
        words = (
            r"skew -(9\.9\d\d|10\.0\d\d) s: outside bybit's signed-request window \(-5 s/\+1 s\)"
        )
        out = await check_failure(cfg, capsys, "clock", words, "sync the clock (NTP)")
    assert step(out, "data").startswith("  ok ")


async def test_a_server_clock_two_seconds_off_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2 s is inside OKX's 30 s window: signed requests work, but the clock wants fixing."""
    async with simulator("okx", clock=OffsetClock(2.0)) as (sim, rest):
        cfg = write_config(tmp_path / "c.toml", "okx", sim.ws_url("okx"), rest.url("okx"))
        words = r"skew -(1\.9\d\d|2\.0\d\d) s \(signed-request window ±30 s\)"
        advice = "sync the clock (NTP)"
        out = await check_failure(cfg, capsys, "clock", words, advice, verdict="warn", code=1)
    assert out.splitlines()[-1] == "doctor: warnings (4 ok, 1 warn, 1 skipped); exit 1"


# --------------------------------------------------------------------------- accounts


def account_table(permissions: str = "trade", extra: str = "") -> str:
    return f"""
[[accounts]]
name = "main"
venue = "bybit"
permissions = "{permissions}"
{extra}
"""


def env_keys(monkeypatch: pytest.MonkeyPatch, secret: str) -> str:
    monkeypatch.setenv("HT_DOCTOR_KEY", DEMO_API_KEY)
    monkeypatch.setenv("HT_DOCTOR_SECRET", secret)
    return 'api_key_env = "HT_DOCTOR_KEY"\napi_secret_env = "HT_DOCTOR_SECRET"'


@asynccontextmanager
async def bybit_account(
    tmp_path: Path, table: str, *, read_only: bool = False
) -> AsyncIterator[Path]:
    """A config whose Bybit feed and REST side are the simulator's, with the account ``table``
    (its key the simulator's read-only one with ``read_only``)."""
    async with simulator("bybit") as (sim, rest):
        rest.accounts.set_read_only("bybit", read_only)
        url, rest_url = sim.ws_url("bybit"), rest.url("bybit")
        yield write_config(tmp_path / "c.toml", "bybit", url, rest_url, account=table)


def account_step(out: str, name: str) -> dict[str, Any]:
    [account] = [t for t in json.loads(out)["targets"] if t["kind"] == "account"]
    [found] = [s for s in account["steps"] if s["step"] == name]
    assert isinstance(found, dict)
    return found


async def test_a_wrong_secret_is_refused_and_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    table = account_table(extra=env_keys(monkeypatch, WRONG_SECRET))
    async with bybit_account(tmp_path, table) as cfg:
        words = r"keys refused: bybit: authentication failed \[10004\]: .*"
        out = await check_failure(cfg, capsys, "auth", words, "check key, secret, testnet")
        _, json_out = await doctor(cfg, capsys, "--json")
    assert re.search(r"^account main \(bybit\)  http://127\.0\.0\.1:\d+$", out, re.MULTILINE)
    assert_skipped_after(out, "auth", ("perms",))
    for text in (out, json_out):
        assert WRONG_SECRET not in text and DEMO_API_SECRET not in text


async def test_good_keys_of_the_configured_kind_are_ok(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    table = account_table("trade", env_keys(monkeypatch, DEMO_API_SECRET))
    async with bybit_account(tmp_path, table) as cfg:
        code, out = await doctor(cfg, capsys)
        assert code == 0, out
        _, json_out = await doctor(cfg, capsys, "--json")
    auth = r"  ok +auth +\d+ ms  keys accepted \(read-only BTC balance\)"
    assert re.fullmatch(auth, step(out, "auth"))
    assert re.fullmatch(r"  skip +keyfile +skipped: no credentials_file", step(out, "keyfile"))
    perms = account_step(json_out, "perms")
    assert perms["verdict"] == "ok"
    assert perms["message"].startswith("configured trade, key can trade (readOnly: 0")


async def test_a_monitoring_key_that_can_trade_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    table = account_table("read", env_keys(monkeypatch, DEMO_API_SECRET))
    async with bybit_account(tmp_path, table) as cfg:
        got, out = await doctor(cfg, capsys, "--json")
        text_code, text = await doctor(cfg, capsys)
    assert got == text_code == 1
    perms = account_step(out, "perms")
    assert perms["verdict"] == "warn" and perms["advice"] == "use a read-only key here"
    assert re.fullmatch(r"a key for monitoring can trade \(readOnly: 0, .*\)", perms["message"])
    line = step(text, "perms")
    assert line.startswith("  WARN perms ") and line.endswith("; try: use a read-only key here")


async def test_a_trading_account_with_a_read_only_key_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    table = account_table("trade", env_keys(monkeypatch, DEMO_API_SECRET))
    async with bybit_account(tmp_path, table, read_only=True) as cfg:
        got, out = await doctor(cfg, capsys, "--json")
        text_code, text = await doctor(cfg, capsys)
    assert got == text_code == 2
    perms = account_step(out, "perms")
    assert perms["verdict"] == "fail" and perms["advice"] == "give the key trade rights"
    words = r'configured permissions = "trade" but the key is read only \(readOnly: 1.*\)'
    assert re.fullmatch(words, perms["message"]), perms
    line = step(text, "perms")
    assert line.startswith("  FAIL perms ") and line.endswith("; try: give the key trade rights")


async def test_a_credentials_file_others_can_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "k.toml"
    keys.write_text(f'api_key = "{DEMO_API_KEY}"\napi_secret = "{DEMO_API_SECRET}"\n')
    keys.chmod(0o644)
    table = account_table(extra=f'credentials_file = "{keys}"')
    async with bybit_account(tmp_path, table) as cfg:
        code, out = await doctor(cfg, capsys)
        assert code == 2
        line = step(out, "keyfile")  # a long path: the advice is clipped at 80 columns
        assert line.startswith("  FAIL keyfile          mode 0644: group/others may read it; try: ")
        _, json_out = await doctor(cfg, capsys, "--json")
        keyfile = json_step(json_out, "keyfile")
        assert keyfile["advice"] == f"chmod 600 {keys}" and keyfile["verdict"] == "fail"
        assert_skipped_after(out, "keyfile", ("auth", "perms"))
        keys.chmod(0o600)
        code, out = await doctor(cfg, capsys)
    assert code == 0, out
    assert step(out, "keyfile").startswith("  ok   keyfile          mode 0600 (owner only): /")
    assert DEMO_API_SECRET not in out


async def test_a_credentials_file_the_environment_overrides_is_not_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys come from the environment first: the file is not read, its mode not judged."""
    keys = tmp_path / "k.toml"
    keys.write_text("")
    keys.chmod(0o644)
    extra = env_keys(monkeypatch, DEMO_API_SECRET) + f'\ncredentials_file = "{keys}"'
    async with bybit_account(tmp_path, account_table(extra=extra)) as cfg:
        code, out = await doctor(cfg, capsys)
    assert code == 0, out
    said = "  skip keyfile          skipped: the keys come from the env, not the file"
    assert step(out, "keyfile") == said


def test_a_config_that_cannot_be_read_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["doctor", "--config", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith("hedgetui doctor: ")
    assert "Traceback" not in err


@pytest.mark.parametrize("value", ["inf", "nan", "0", "-1", "601"])
def test_a_bad_timeout_is_one_line_exit_2(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor", "--demo", "--timeout", value])
    err = capsys.readouterr().err
    assert code == 2 and err == "hedgetui doctor: --timeout must be > 0 and at most 600\n"
