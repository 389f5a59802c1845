"""The I/O of ``hedgetui doctor`` for a venue: each step of its public feed, timed, as a Step.

A venue's public feed: the host name resolves (``HEDGETUI_RESOLVE`` pins first, as the feeds
do), TCP connects, the TLS handshake verifies the certificate, the websocket upgrade is
accepted, the feed adapter's own subscriptions are accepted and a first value of each channel
(mark, index, funding of each symbol) arrives, and the venue's clock is read from its public
time endpoint. Failures are worded by ``feeds.failure`` (the words the dashboard uses). An
account's steps are :mod:`hedgetui.doctor.account_probes`' (on this module's
:class:`StepTimer` and :func:`failed_step`), the whole check :mod:`hedgetui.doctor.check`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.proxy import get_proxy
from websockets.uri import parse_uri

from hedgetui.config import Settings
from hedgetui.doctor.server_time import TIME_ENDPOINTS, TimeReplyError, server_time_ms
from hedgetui.doctor.verdicts import (
    TLS_ADVICE,
    Step,
    Target,
    Verdict,
    clock_step,
    tls_check,
)
from hedgetui.domain import Funding, IndexPrice, MarkPrice, Ticker
from hedgetui.feeds import failure as failures
from hedgetui.feeds.adapter import VenueAdapter
from hedgetui.feeds.errors import VenueErrorReply
from hedgetui.feeds.registry import get_adapter
from hedgetui.feeds.resolve import ENV_RESOLVE, pinned_address, resolve_table
from hedgetui.trading.venues import CLIENTS

DEFAULT_TIMEOUT_S = 10.0
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_VENUE_STEPS = ("dns", "tcp", "tls", "upgrade", "data")


class StepTimer:
    """The time a step took, from when it began (``time.monotonic()``)."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def seconds(self) -> float:
        return time.monotonic() - self.start


def failed_step(name: str, what: str, timer: StepTimer, advice: str) -> Step:
    return Step(name, Verdict.FAIL, what, timer.seconds(), advice)


# -------------------------------------------------------------------------- a venue's feed


async def check_venue(
    venue: str,
    symbols: Sequence[str],
    settings: Settings,
    *,
    env: Mapping[str, str],
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Target:
    """Every step of ``venue``'s public feed, stopping (the rest ``skipped``) at a failure;
    the clock step runs whatever the feed did (it asks the REST side)."""
    configured = settings.venues.get(venue)
    testnet = configured.testnet if configured is not None else False
    adapter = get_adapter(venue)
    base = (configured.ws_url if configured is not None else None) or adapter.default_url(testnet)
    url = adapter.connect_url(base, symbols)
    where = failures.host_port(url)[1]
    target = Target("venue", venue, venue, f"{urlsplit(url).scheme}://{where}")
    await _feed_steps(target, adapter, url, symbols, env, timeout_s)
    rest = (configured.rest_url if configured is not None else None) or rest_default(venue)
    if rest is not None:
        target.steps.append(await clock(venue, rest, timeout_s))
    return target


def rest_default(venue: str) -> str | None:
    """The venue's REST base URL when the config names none (its trading client's)."""
    client = CLIENTS.get(venue)
    return client.default_url if client is not None else None


async def _feed_steps(
    target: Target,
    adapter: VenueAdapter,
    url: str,
    symbols: Sequence[str],
    env: Mapping[str, str],
    timeout_s: float,
) -> None:
    parts = urlsplit(url)
    host, where = failures.host_port(url)
    port = int(where.rsplit(":", 1)[1])
    steps = list(_VENUE_STEPS)

    def done(step: Step) -> bool:
        target.steps.append(step)
        steps.remove(step.name)
        if step.verdict is Verdict.FAIL:
            target.skip_rest(steps, step.name)
            return False
        return True

    proxy = _proxy(url, host, env)
    if proxy is not None:  # the proxy resolves and connects: the upgrade step goes through it
        shown = failures.host_port(proxy)[1]  # never the proxy's credentials
        for name in ("dns", "tcp", "tls"):
            done(Step(name, Verdict.SKIPPED, f"skipped: through the proxy {shown}"))
        await _upgrade(target, done, steps, adapter, url, symbols, None, timeout_s, proxy)
        return
    pinned, step = await _dns(host, port, url, env, timeout_s)
    if not done(step):
        return
    address = pinned or host
    if not done(await _tcp(address, port, url, timeout_s)):
        return
    if parts.scheme == "wss":
        step = await _tls(address, port, host, url, timeout_s)
    else:
        step = Step("tls", Verdict.SKIPPED, f"skipped: {parts.scheme}:// is not encrypted")
    if not done(step):
        return
    await _upgrade(target, done, steps, adapter, url, symbols, pinned, timeout_s)


def _proxy(url: str, host: str, env: Mapping[str, str]) -> str | None:
    """The proxy URL the feed's websocket goes through (as websockets picks it from the
    environment), None when it connects directly (loopback, a pinned name)."""
    if host in _LOOPBACK or host.lower() in resolve_table(env):
        return None
    return get_proxy(parse_uri(url))


async def _upgrade(
    target: Target,
    done: Callable[[Step], bool],
    steps: list[str],
    adapter: VenueAdapter,
    url: str,
    symbols: Sequence[str],
    pinned: str | None,
    timeout_s: float,
    proxy: str | None = None,
) -> None:
    """The websocket upgrade, then the subscriptions over it (as the feed connects)."""
    timer = StepTimer()
    options: dict[str, Any] = {} if pinned is None else {"host": pinned}
    host = failures.host_port(url)[0]
    try:
        async with connect(
            url,
            open_timeout=timeout_s,
            close_timeout=1.0,
            proxy=None if pinned is not None or host in _LOOPBACK else True,
            **options,
        ) as ws:
            status = ws.response.status_code if ws.response is not None else 101
            done(Step("upgrade", Verdict.OK, f"HTTP {status}: websocket open", timer.seconds()))
            done(await _data(ws, adapter, symbols, url, timeout_s))
    except Exception as exc:  # the upgrade (or the socket under it) failed
        if "upgrade" in steps:
            if proxy is not None and not isinstance(exc, InvalidStatus):  # the proxy failed
                what = f"proxy: {failures.classify(exc, proxy).reason}"
                done(failed_step("upgrade", what, timer, "check HTTPS_PROXY / NO_PROXY"))
                return
            advice = "check the URL's path"
            done(failed_step("upgrade", failures.classify(exc, url).reason, timer, advice))
        elif "data" in steps:  # the connection broke while waiting for the first values
            done(failed_step("data", failures.classify(exc, url).reason, timer, "retry later"))


async def _dns(
    host: str, port: int, url: str, env: Mapping[str, str], timeout_s: float
) -> tuple[str | None, Step]:
    timer = StepTimer()
    advice = "check the URL's host and DNS"
    try:
        pinned = pinned_address(host, resolve_table(env))
        if pinned is not None:
            what = f"{host} -> {pinned} (pinned by {ENV_RESOLVE})"
            return pinned, Step("dns", Verdict.OK, what, timer.seconds())
        with contextlib.suppress(ValueError):
            ipaddress.ip_address(host)
            return None, Step("dns", Verdict.OK, f"{host}: an address, nothing to resolve", 0.0)
        loop = asyncio.get_running_loop()
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout_s
        )
    except Exception as exc:
        return None, failed_step("dns", failures.classify(exc, url).reason, timer, advice)
    addresses = ", ".join(dict.fromkeys(str(info[4][0]) for info in infos))
    return None, Step("dns", Verdict.OK, f"{host} -> {addresses}", timer.seconds())


async def _tcp(address: str, port: int, url: str, timeout_s: float) -> Step:
    timer = StepTimer()
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(address, port), timeout_s)
    except Exception as exc:
        advice = "check the port and firewall"
        return failed_step("tcp", failures.classify(exc, url).reason, timer, advice)
    seconds = timer.seconds()
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return Step("tcp", Verdict.OK, f"connected to {address} port {port}", seconds)


async def _tls(address: str, port: int, host: str, url: str, timeout_s: float) -> Step:
    timer = StepTimer()
    context = ssl.create_default_context()  # what the feeds use (SSL_CERT_FILE honoured)
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(address, port, ssl=context, server_hostname=host), timeout_s
        )
    except Exception as exc:
        code = exc.verify_code if isinstance(exc, ssl.SSLCertVerificationError) else None
        which = tls_check(code)
        what = f"{which}: {failures.classify(exc, url).reason}"
        return failed_step("tls", what, timer, TLS_ADVICE[which])
    seconds = timer.seconds()
    tls = writer.get_extra_info("ssl_object")
    version = tls.version() if isinstance(tls, ssl.SSLObject) else "TLS"
    writer.close()
    with contextlib.suppress(OSError, ssl.SSLError):
        await writer.wait_closed()
    return Step("tls", Verdict.OK, f"{version}, certificate valid for {host}", seconds)


def _channels(adapter: VenueAdapter, symbols: Sequence[str]) -> set[tuple[str, str]]:
    """(kind, symbol) of the first values a feed must bring: each symbol's mark, index and
    funding rate."""
    wanted: set[tuple[str, str]] = set()
    for symbol in symbols:
        wanted |= {("mark", symbol), ("index", adapter.index_symbol(symbol))}
        wanted.add(("funding", symbol))
    return wanted


def _seen(event: object) -> list[tuple[str, str]]:
    parts = event.parts() if isinstance(event, Ticker) else (event,)
    kinds: list[tuple[str, str]] = []
    for part in parts:
        if isinstance(part, MarkPrice):
            kinds.append(("mark", part.symbol))
        elif isinstance(part, IndexPrice):
            kinds.append(("index", part.symbol))
        elif isinstance(part, Funding):
            kinds.append(("funding", part.symbol))
    return kinds


async def _data(
    ws: ClientConnection,
    adapter: VenueAdapter,
    symbols: Sequence[str],
    url: str,
    timeout_s: float,
) -> Step:
    """Send the adapter's subscriptions; wait for a first value of every channel."""
    timer = StepTimer()
    adapter.reset()
    wanted = _channels(adapter, symbols)
    names = ", ".join(symbols)
    try:
        for message in adapter.subscribe_messages(symbols):
            await ws.send(message)
        async with asyncio.timeout(timeout_s):
            while wanted:
                frame = await ws.recv()
                reply = adapter.answer(frame)
                if reply is not None:
                    await ws.send(reply)
                try:
                    events = adapter.parse(frame)
                except VenueErrorReply:
                    raise  # the venue refused a subscription: said below
                except Exception:  # a frame the adapter does not know (or an adapter bug):
                    continue  # the feed counts it as malformed and goes on
                for event in events:
                    wanted.difference_update(_seen(event))
    except VenueErrorReply as exc:
        what = failures.rejected(exc).reason
        if not any(s in what for s in symbols):
            what = f"{what} (subscribing {names})"
        return failed_step("data", what, timer, "check the [[hedges]] symbol")
    except TimeoutError:
        missing = ", ".join(f"{k} {s}" for k, s in sorted(wanted))
        what = f"no first value of {missing} within {timeout_s:g} s"
        return failed_step("data", what, timer, "check the symbol, --timeout")
    except ConnectionClosed as exc:
        what = failures.classify(exc, url).reason
        return failed_step("data", what, timer, "retry later")
    return Step("data", Verdict.OK, f"subscribed {names}: mark, index, funding", timer.seconds())


# -------------------------------------------------------------------------- the venue's clock


async def clock(venue: str, rest_url: str, timeout_s: float) -> Step:
    """The venue's time from its public time endpoint against this machine's clock."""
    timer = StepTimer()
    path = TIME_ENDPOINTS[venue][0]
    advice = "check the venue's rest_url"
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as http:
            before = time.time()
            reply = await http.get(rest_url.rstrip("/") + path)
            after = time.time()
        server_ms = server_time_ms(venue, orjson.loads(reply.content))
    except httpx.HTTPError as exc:
        why = failures.classify(exc, rest_url).reason  # the feeds' words: refused, dns, tls
        return failed_step("clock", f"could not ask {venue} the time: {why}", timer, advice)
    except (orjson.JSONDecodeError, TimeReplyError) as exc:
        what = f"GET {path} answered HTTP {reply.status_code} without a time ({exc})"
        return failed_step("clock", what, timer, advice)
    skew = (before + after) / 2 - server_ms / 1000.0
    return clock_step(venue, skew, timer.seconds(), after - before)
