"""One account's live position and balance over the venue's private websocket.

:class:`AccountStream` runs on the market feeds' connection loop (``hedgetui.feeds.Feed``:
backoff, keep-alive, watchdog, malformed-frame accounting) and adds, on every (re)connect:

1. Binance only: a fresh listen key (``POST /dapi/v1/listenKey``) that becomes the URL;
2. the venue's login, awaited — refused keys end the session with the venue's own words as
   ``last_error`` and the loop retries with backoff;
3. the private subscriptions;
4. a REST snapshot of each watched position and coin balance through the trading client, so
   that nothing that changed while disconnected is missed (Bybit's wallet topic, Deribit's
   user.changes and Binance's ACCOUNT_UPDATE push changes only).

Events go to ``sink`` as ``PositionUpdate`` / ``BalanceUpdate`` tagged with the account name.
The connection's own health goes to ``on_status`` (never into the market feed's status).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from websockets.asyncio.client import ClientConnection

from hedgetui.account_streams.logins import LoginKeys, LoginRefused, Watched, private_venue
from hedgetui.account_streams.parsers import AccountEvent, ListenKeyExpired, private_parser
from hedgetui.clock import Clock
from hedgetui.domain import (
    BalanceUpdate,
    Event,
    FailureKind,
    FeedFailure,
    FeedStatus,
    PositionUpdate,
)
from hedgetui.feeds.base import Feed
from hedgetui.feeds.failure import auth_failed
from hedgetui.feeds.loop_config import FeedConfig
from hedgetui.trading.credentials import Credentials, redact
from hedgetui.trading.orders import TradingError
from hedgetui.trading.venues.base import VenueClient

LISTEN_KEY_PATH = "/dapi/v1/listenKey"
LISTEN_KEY_KEEPALIVE_S = 30 * 60.0  # Binance keys expire after 60 min without a PUT

# Account data has no natural cadence (it changes when you trade), so "no events for a while"
# is not staleness; a dead socket is caught by keep-alive pings and the idle watchdog instead.
ACCOUNT_FEED_CONFIG = FeedConfig(stale_after_s=1e9, idle_timeout_s=90.0)


class AccountStream(Feed):
    """Live account data of one venue account, resynced over REST on every connect."""

    def __init__(
        self,
        client: VenueClient,
        watched: Iterable[Watched],
        sink: Callable[[AccountEvent], None],
        *,
        url: str | None = None,
        testnet: bool = False,
        config: FeedConfig | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        on_status: Callable[[FeedStatus], None] | None = None,
        login_timeout_s: float = 10.0,
    ) -> None:
        self.watched = tuple(watched)
        if not self.watched:
            raise ValueError(f"{client.venue}: no instruments to watch")
        self.client = client
        self.private = private_venue(client.venue)
        self.account = client.account
        self.on_status = on_status
        self.login_timeout_s = login_timeout_s
        self.snapshots = 0  # REST resyncs done
        self.logins = 0
        self._account_sink = sink
        self._base_url = url or self.private.default_url(testnet)
        super().__init__(
            client.venue,
            [w.symbol for w in self.watched],
            self._forward,
            url=self._base_url,
            config=config or ACCOUNT_FEED_CONFIG,
            clock=clock,
            rng=rng,
        )
        self.url = self._base_url
        self.parser = private_parser(
            self.venue, {w.symbol: w.contract_size for w in self.watched}, self.account
        )
        self.parse_frame = self._parse
        self._log = logging.getLogger(f"hedgetui.account_streams.{self.venue}")
        if self._ping_message is None:
            # No application ping/pong (Binance, Kraken, Deribit): a quiet account sends no
            # frames at all, so silence proves nothing. Websocket pings (answered by the peer's
            # websocket layer) detect a dead connection instead of the idle watchdog.
            self._protocol_ping = True
            self._ping_interval = min(self._ping_interval, 20.0)
            self.config = replace(self.config, idle_timeout_s=math.inf)
        self._listen_key: str | None = None

    @property
    def stats_name(self) -> str:
        return f"account:{self.account or self.venue}"

    @property
    def credentials(self) -> Credentials:
        return self.client.credentials

    # ------------------------------------------------------------------ Feed hooks

    async def run(self) -> None:
        keeper = None
        if self.private.needs_listen_key:
            keeper = asyncio.create_task(self._keep_listen_key(), name="listen-key-keepalive")
        try:
            await super().run()
        finally:
            if keeper is not None:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper

    async def _connect_url(self) -> str:
        if not self.private.needs_listen_key:
            return self.url
        self._listen_key = await self._new_listen_key()
        return f"{self._base_url.rstrip('/')}/{self._listen_key}"

    async def _on_open(self, ws: ClientConnection) -> None:
        self.parser.reset()
        try:
            await self.private.login(ws, self._keys(), self._clock, self.login_timeout_s)
        except LoginRefused as exc:
            raise LoginRefused(self._redact(str(exc))) from None
        self.logins += 1
        self._note("logged in")
        for message in self.private.subscribe_messages(self.watched):
            await ws.send(message)
        await self.resync()
        # logged in, subscribed and resynced: the account is live even if nothing changes
        self._last_data_at = self._clock.monotonic()
        self._went_live()  # and the reason it was down is over

    def _failure_of(self, exc: Exception) -> FeedFailure:
        if isinstance(exc, LoginRefused):  # already redacted by _on_open / _new_listen_key
            return auth_failed(str(exc))
        return super()._failure_of(exc)

    def _emit_status(self) -> None:
        if self.on_status is None:
            return
        try:
            self.on_status(self.status)
        except Exception:
            self._log.exception("%s: the status callback failed", self.venue)

    # ------------------------------------------------------------------ REST

    async def resync(self) -> bool:
        """The REST snapshot of every watched position and coin balance; False on any error."""
        ok = True
        coins: list[str] = []
        for w in self.watched:
            try:
                pos = await self.client.position(w.symbol, w.contract_size)
                self._forward(replace(pos, account=self.account))
            except TradingError as exc:
                ok = False
                self._rest_failed("position", exc)
            if w.coin not in coins:
                coins.append(w.coin)
        for coin in coins:
            try:
                bal = await self.client.balance(coin)
                self._forward(replace(bal, account=self.account))
            except TradingError as exc:
                ok = False
                self._rest_failed("balance", exc)
        if ok:
            self.snapshots += 1
        return ok

    def _rest_failed(self, what: str, exc: TradingError) -> None:
        text = self._redact(str(exc))
        self.stats.last_error = f"REST {what} snapshot failed: {text}"
        self._log.warning("%s: %s", self.venue, self.stats.last_error)

    async def _new_listen_key(self) -> str:
        status, payload = await self._listen_key_call("POST")
        key = payload.get("listenKey") if isinstance(payload, dict) else None
        if status != 200 or not isinstance(key, str) or not key:
            raise LoginRefused(self._redact(f"binance listenKey: HTTP {status} {payload!r:.120}"))
        return key

    async def _listen_key_call(self, method: str) -> tuple[int, Any]:
        headers = {"X-MBX-APIKEY": self.credentials.api_key.reveal()}
        status, payload, _ = await self.client.request(method, LISTEN_KEY_PATH, headers=headers)
        return status, payload

    async def _keep_listen_key(self) -> None:
        while True:
            await asyncio.sleep(LISTEN_KEY_KEEPALIVE_S)
            if self._listen_key is None:
                continue
            try:
                await self._listen_key_call("PUT")
            except TradingError as exc:
                self._rest_failed("listenKey keep-alive", exc)

    # ------------------------------------------------------------------ plumbing

    def _parse(self, frame: str | bytes) -> list[AccountEvent]:
        try:
            return self.parser.parse(frame)
        except ListenKeyExpired:
            ws = self._ws
            if ws is not None:  # the stream is dead: reconnect with a fresh key
                self._closed_because = FeedFailure(FailureKind.CLOSED, "listen key expired")
                ws.transport.abort()
            raise

    def _forward(self, event: Event) -> None:
        if isinstance(event, PositionUpdate | BalanceUpdate):  # the loop's FeedStatus: on_status
            self._account_sink(event)

    def _keys(self) -> LoginKeys:
        c = self.credentials
        passphrase = c.passphrase.reveal() if c.passphrase is not None else ""
        return LoginKeys(c.api_key.reveal(), c.api_secret.reveal(), passphrase)

    def _redact(self, text: str) -> str:
        return redact(text, self.credentials.secrets())
