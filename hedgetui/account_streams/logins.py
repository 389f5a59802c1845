"""Per venue: where the private stream lives, how to log in on a fresh socket, what to subscribe.

``login`` runs right after every handshake, before the connection loop starts reading: it
sends the venue's login message, waits (bounded) for the venue's answer and raises
:class:`LoginRefused` with the venue's own words when the keys are refused. Frames that are
not the answer (welcome, info) are skipped. Secrets only ever go into the signed frames.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import orjson

from hedgetui.account_streams import auth
from hedgetui.clock import Clock
from hedgetui.venues import get_instrument


class LoginRefused(Exception):
    """The venue refused the login (bad key, signature, passphrase, expired timestamp)."""


class Socket(Protocol):
    async def send(self, message: str) -> None: ...

    async def recv(self) -> str | bytes: ...


@dataclass(frozen=True, slots=True)
class Watched:
    """One instrument whose position the stream reports."""

    symbol: str
    coin: str
    contract_size: float


@dataclass(frozen=True, slots=True)
class LoginKeys:
    """Revealed key material for one login (built right before use, never stored or logged)."""

    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    passphrase: str = field(default="", repr=False)


async def await_reply(
    ws: Socket, match: Callable[[Any], bool | None], timeout_s: float, what: str
) -> Any:
    """The first JSON frame for which ``match`` is not None/False, within ``timeout_s``."""

    async def wait() -> Any:
        while True:
            frame = await ws.recv()
            try:
                msg = orjson.loads(frame)
            except orjson.JSONDecodeError:
                continue  # "pong" and other text
            if match(msg):
                return msg

    try:
        return await asyncio.wait_for(wait(), timeout_s)
    except TimeoutError:
        raise LoginRefused(f"no answer to {what} within {timeout_s:g}s") from None


def watched_instrument(venue: str, symbol: str) -> Watched:
    """The instrument as the venue profiles describe it (UnknownInstrumentError if unlisted)."""
    profile = get_instrument(venue, symbol)
    return Watched(profile.symbol, profile.coin, profile.contract_size)


class PrivateVenue:
    """Base: the venue's private URL, login and subscriptions."""

    venue: ClassVar[str] = ""
    mainnet_url: ClassVar[str] = ""
    testnet_url: ClassVar[str] = ""
    needs_listen_key: ClassVar[bool] = False

    def default_url(self, testnet: bool = False) -> str:
        return self.testnet_url if testnet else self.mainnet_url

    async def login(self, ws: Socket, keys: LoginKeys, clock: Clock, timeout_s: float) -> None:
        """Log in; the default is a venue without a login message."""

    def subscribe_messages(self, watched: tuple[Watched, ...]) -> list[str]:
        return []


def _dumps(obj: object) -> str:
    return orjson.dumps(obj).decode()


def _coins(watched: tuple[Watched, ...]) -> list[str]:
    return list(dict.fromkeys(w.coin for w in watched))


class BitmexVenue(PrivateVenue):
    venue = "bitmex"
    mainnet_url = "wss://ws.bitmex.com/realtime"
    testnet_url = "wss://ws.testnet.bitmex.com/realtime"

    async def login(self, ws: Socket, keys: LoginKeys, clock: Clock, timeout_s: float) -> None:
        expires = int(clock.time()) + 60
        await ws.send(auth.bitmex_auth(keys.api_key, keys.api_secret, expires))

        def answer(msg: Any) -> bool:
            return isinstance(msg, dict) and ("error" in msg or "success" in msg)

        reply = await await_reply(ws, answer, timeout_s, "authKeyExpires")
        if "error" in reply:
            raise LoginRefused(f"bitmex {reply.get('status', '')}: {reply['error']}")

    def subscribe_messages(self, watched: tuple[Watched, ...]) -> list[str]:
        return [_dumps({"op": "subscribe", "args": ["position", "margin"]})]


class BybitVenue(PrivateVenue):
    venue = "bybit"
    mainnet_url = "wss://stream.bybit.com/v5/private"
    testnet_url = "wss://stream-testnet.bybit.com/v5/private"

    async def login(self, ws: Socket, keys: LoginKeys, clock: Clock, timeout_s: float) -> None:
        expires_ms = int(clock.time() * 1000) + 10_000
        await ws.send(auth.bybit_auth(keys.api_key, keys.api_secret, expires_ms))

        def answer(msg: Any) -> bool:
            return isinstance(msg, dict) and msg.get("op") == "auth"

        reply = await await_reply(ws, answer, timeout_s, "auth")
        if reply.get("success") is not True:
            raise LoginRefused(f"bybit auth: {reply.get('ret_msg') or 'refused'}")

    def subscribe_messages(self, watched: tuple[Watched, ...]) -> list[str]:
        args = ["position.inverse", "wallet"]
        return [_dumps({"req_id": "hedgetui-account", "op": "subscribe", "args": args})]


class BinanceVenue(PrivateVenue):
    """No login message: the listen key in the URL (``/ws/<listenKey>``) is the credential."""

    venue = "binance"
    mainnet_url = "wss://dstream.binance.com/ws"
    testnet_url = "wss://dstream.binancefuture.com/ws"
    needs_listen_key = True


class DeribitVenue(PrivateVenue):
    venue = "deribit"
    mainnet_url = "wss://www.deribit.com/ws/api/v2"
    testnet_url = "wss://test.deribit.com/ws/api/v2"
    AUTH_ID: ClassVar[int] = 9929
    HEARTBEAT_S: ClassVar[int] = 30

    async def login(self, ws: Socket, keys: LoginKeys, clock: Clock, timeout_s: float) -> None:
        ts = int(clock.time() * 1000)
        nonce = secrets.token_hex(8)
        await ws.send(auth.deribit_auth(keys.api_key, keys.api_secret, ts, nonce, self.AUTH_ID))

        def answer(msg: Any) -> bool:
            return isinstance(msg, dict) and msg.get("id") == self.AUTH_ID

        reply = await await_reply(ws, answer, timeout_s, "public/auth")
        error = reply.get("error")
        if error is not None or "result" not in reply:
            detail = error.get("message", error) if isinstance(error, dict) else error
            code = error.get("code", "") if isinstance(error, dict) else ""
            raise LoginRefused(f"deribit {code}: {detail}")

    def subscribe_messages(self, watched: tuple[Watched, ...]) -> list[str]:
        channels = [f"user.changes.{w.symbol}.100ms" for w in watched]
        channels += [f"user.portfolio.{c.lower()}" for c in _coins(watched)]
        heartbeat = {"interval": self.HEARTBEAT_S}
        return [
            _dumps(
                {"jsonrpc": "2.0", "id": 1, "method": "public/set_heartbeat", "params": heartbeat}
            ),
            _dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "private/subscribe",
                    "params": {"channels": channels},
                }
            ),
        ]


class OkxVenue(PrivateVenue):
    venue = "okx"
    mainnet_url = "wss://ws.okx.com:8443/ws/v5/private"
    testnet_url = "wss://wspap.okx.com:8443/ws/v5/private"

    async def login(self, ws: Socket, keys: LoginKeys, clock: Clock, timeout_s: float) -> None:
        ts = int(clock.time())
        await ws.send(auth.okx_login(keys.api_key, keys.api_secret, keys.passphrase, ts))

        def answer(msg: Any) -> bool:
            return isinstance(msg, dict) and msg.get("event") in ("login", "error")

        reply = await await_reply(ws, answer, timeout_s, "login")
        if reply.get("event") != "login" or str(reply.get("code")) != "0":
            raise LoginRefused(f"okx {reply.get('code', '')}: {reply.get('msg', 'refused')}")

    def subscribe_messages(self, watched: tuple[Watched, ...]) -> list[str]:
        args: list[dict[str, str]] = [
            {"channel": "positions", "instType": "SWAP", "instId": w.symbol} for w in watched
        ]
        args += [{"channel": "account", "ccy": c} for c in _coins(watched)]
        return [_dumps({"id": "hedgetuiacct", "op": "subscribe", "args": args})]


class KrakenVenue(PrivateVenue):
    """Challenge, then every private subscription carries the signed challenge.

    The first subscription's answer is awaited: that is where Kraken refuses a bad secret.
    """

    venue = "kraken"
    mainnet_url = "wss://futures.kraken.com/ws/v1"
    testnet_url = "wss://demo-futures.kraken.com/ws/v1"
    FEEDS: ClassVar[tuple[str, ...]] = ("open_positions", "balances")

    def __init__(self) -> None:
        self._signed: tuple[str, str, str] | None = None  # key, challenge, signature

    async def login(self, ws: Socket, keys: LoginKeys, clock: Clock, timeout_s: float) -> None:
        self._signed = None
        await ws.send(auth.kraken_challenge_request(keys.api_key))

        def challenge(msg: Any) -> bool:
            return isinstance(msg, dict) and msg.get("event") in ("challenge", "error", "alert")

        reply = await await_reply(ws, challenge, timeout_s, "challenge")
        if reply.get("event") != "challenge":
            raise LoginRefused(f"kraken: {reply.get('message', 'challenge refused')}")
        original = str(reply["message"])
        try:
            signed = auth.kraken_sign_challenge(keys.api_secret, original)
        except ValueError as exc:
            raise LoginRefused(f"kraken: {exc}") from None
        self._signed = (keys.api_key, original, signed)
        await ws.send(auth.kraken_subscribe(self.FEEDS[0], *self._signed))

        def subscribed(msg: Any) -> bool:
            return isinstance(msg, dict) and msg.get("event") in ("subscribed", "error", "alert")

        ack = await await_reply(ws, subscribed, timeout_s, f"subscribe {self.FEEDS[0]}")
        if ack.get("event") != "subscribed":
            raise LoginRefused(f"kraken: {ack.get('message', 'subscription refused')}")

    def subscribe_messages(self, watched: tuple[Watched, ...]) -> list[str]:
        if self._signed is None:
            return []
        return [auth.kraken_subscribe(feed, *self._signed) for feed in self.FEEDS[1:]]


VENUES: dict[str, type[PrivateVenue]] = {
    cls.venue: cls
    for cls in (BitmexVenue, BybitVenue, BinanceVenue, DeribitVenue, OkxVenue, KrakenVenue)
}


def private_venue(venue: str) -> PrivateVenue:
    try:
        return VENUES[venue.lower()]()
    except KeyError:
        raise ValueError(f"unknown venue {venue!r} (known: {', '.join(VENUES)})") from None
