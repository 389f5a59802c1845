"""The connection loop, written once for every venue.

One :class:`Feed` keeps one websocket to one venue open for as long as ``run()`` is awaited:

* reconnects with exponential backoff, jitter and a cap; the backoff resets only after a session
  stayed healthy for ``healthy_after_s`` (a venue that accepts and then closes at once cannot cause
  a tight loop);
* resubscribes on every connect and resets the adapter's merge state;
* sends the venue's keep-alive (text/JSON ping, protocol pings) and answers heartbeat test requests;
* marks the feed STALE when no market data arrived for ``stale_after_s`` and closes a socket that
  has been silent for ``idle_timeout_s`` (watchdog), which leads to a reconnect;
* receives through websockets' bounded queue (``max_queue`` frames, then TCP back-pressure), so a
  slow sink cannot grow memory without limit;
* counts and logs malformed frames (logger ``hedgetui.feeds.<venue>``, excerpt <= 120 chars) and
  carries on;
* notices a freeze: when the process did not run for ``freeze_after_s`` (SIGSTOP, a suspended
  machine) or the wall clock jumped that far against the monotonic one, the frames waiting in
  the socket are old and the venue may have cut the connection meanwhile, so the feed turns
  STALE at once, drops the socket without reading them and reconnects (a fresh snapshot).

Everything is reported to the sink as events: market events as parsed, and :class:`FeedStatus` on
every state change and about once a second. Why the feed is not live is its ``failure``
(``feeds.failure`` classifies: dns, refused, tls, http 403, closed with a code, subscription
rejected, ...) with the time of the next attempt; connects, disconnects with their reason,
subscription results and retries are recorded on the connection log's logger
(``feeds.journal``), which the runtime writes to a file (``runtime.connection_log``).

The ``Feed`` is put together from parts: its tuning and counters are ``feeds.loop_config``, what
it reports (state, status, connection-log lines) ``feeds.reporting``, and its timers (keep-alive,
stale, watchdog, freeze) ``feeds.timers``; this module holds the connection loop itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.domain import (
    BalanceUpdate,
    Event,
    FailureKind,
    FeedFailure,
    FeedState,
    MarketEvent,
    PositionUpdate,
)
from hedgetui.feeds import failure as failures
from hedgetui.feeds.errors import FeedParseError, VenueErrorReply
from hedgetui.feeds.loop_config import FeedConfig, FeedStats, backoff_delay
from hedgetui.feeds.registry import get_adapter
from hedgetui.feeds.resolve import pinned_address, resolve_table
from hedgetui.feeds.timers import FeedTimers
from hedgetui.feeds.values import excerpt

FeedEvent = MarketEvent | PositionUpdate | BalanceUpdate
_LOGGED_MALFORMED = 20  # log the first N malformed frames of a feed, then every 1000th
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_RUNNING: weakref.WeakSet[Feed] = weakref.WeakSet()  # feeds inside run(), for debug_stats


def running_feeds() -> list[Feed]:
    """The feeds whose ``run()`` is being awaited (``hedgetui.debug_stats`` reports them)."""
    return list(_RUNNING)


class ReadPasses(Protocol):
    """What a feed needs of a read gate (``feeds.read_gate.ReadGate``): its socket is read only
    during the gate's passes while attached."""

    def attach(self, ws: ClientConnection) -> None: ...

    def detach(self, ws: ClientConnection) -> None: ...


class Feed(FeedTimers):
    """A venue's market data, live, as events pushed to ``sink``."""

    def __init__(
        self,
        venue: str,
        symbols: Sequence[str],
        sink: Callable[[Event], None],
        *,
        url: str | None = None,
        testnet: bool = False,
        config: FeedConfig | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        read_gate: ReadPasses | None = None,
    ) -> None:
        """``read_gate``: read the socket only during its passes (``feeds.read_gate``), as the
        dashboard does; without one every frame is read as it arrives."""
        self.adapter = get_adapter(venue)
        self.venue = self.adapter.name
        self.symbols = tuple(symbols)
        if not self.symbols:
            raise ValueError(f"{self.venue}: no symbols to subscribe")
        self.config = config or FeedConfig()
        # Hook for subclasses (the private account streams): how one frame becomes events.
        self.parse_frame: Callable[[str | bytes], Sequence[FeedEvent]] = self.adapter.parse
        base_url = url or self.adapter.default_url(testnet)
        self.url = self.adapter.connect_url(base_url, self.symbols)
        self._sink = sink
        self._clock = clock or SYSTEM_CLOCK
        self._rng = rng or random.Random()
        self._read_gate = read_gate
        self._resolve = resolve_table(os.environ)  # HEDGETUI_RESOLVE: host pins (feeds.resolve)
        self._log = logging.getLogger(f"hedgetui.feeds.{self.venue}")
        self.stats = FeedStats()
        self._state = FeedState.DOWN
        self._ws: ClientConnection | None = None
        self._last_data_at: float | None = None  # monotonic
        self._last_frame_at: float | None = None
        self._last_ping_at = 0.0
        self._latency_ms: float | None = None
        self._closed_because: FeedFailure | None = None  # set when we close the socket ourselves
        self._failure: FeedFailure | None = None  # why it is not live (None once it is)
        self._retry_at: float | None = None  # wall time of the next attempt, while waiting
        self._ticked_at: tuple[float, float] | None = None  # (monotonic, wall) of the last tick
        keepalive = self.adapter.keepalive
        self._ping_interval = self.config.ping_interval_s or keepalive.interval_s
        self._ping_message = keepalive.message
        self._protocol_ping = keepalive.protocol_ping
        self._answers = keepalive.answers_test_request

    # ------------------------------------------------------------------ public

    async def run(self) -> None:
        """Connect, stream and reconnect until cancelled. Never raises on network trouble."""
        ticker = asyncio.create_task(self._tick_forever(), name=f"feed-{self.venue}-ticker")
        attempt = 0
        _RUNNING.add(self)
        try:
            while True:
                self._set_state(FeedState.CONNECTING)
                healthy = await self._session()
                attempt = 0 if healthy else attempt + 1
                delay = backoff_delay(max(attempt - 1, 0), self.config, self._rng)
                self._retry_at = self._clock.time() + delay
                self.stats.reconnects += 1
                self._set_state(FeedState.DOWN)
                self._log.info(
                    "%s: reconnecting in %.2fs (%s)", self.venue, delay, self.stats.last_error
                )
                self._note(f"down: {self.stats.last_error}; retry in {delay:.1f}s")
                await asyncio.sleep(delay)
                self._retry_at = None
        finally:
            _RUNNING.discard(self)
            self._retry_at = None
            self._note("stopped")
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            self._ws = None
            self._set_state(FeedState.DOWN)

    # ------------------------------------------------------------------ one session

    async def _session(self) -> bool:
        """One connection, start to end. Returns True when it stayed up long enough to count."""
        cfg = self.config
        self.stats.connects += 1
        self._closed_because = None
        opened_at: float | None = None
        try:
            url = await self._connect_url()
            host = urlsplit(url).hostname
            pinned = pinned_address(host, self._resolve)  # a pinned-away name fails here
            where: dict[str, Any] = {} if pinned is None else {"host": pinned}
            async with connect(
                url,
                open_timeout=cfg.open_timeout_s,
                close_timeout=cfg.close_timeout_s,
                ping_interval=self._ping_interval if self._protocol_ping else None,
                ping_timeout=self._ping_interval if self._protocol_ping else None,
                max_queue=cfg.max_queue,
                max_size=cfg.max_frame_bytes,
                proxy=None if pinned is not None or host in _LOOPBACK else True,
                **where,
            ) as ws:
                opened_at = self._clock.monotonic()
                self.stats.sessions += 1
                self._note(f"connected to {self._where()}")
                if self._failure is not None and self._failure.kind is FailureKind.REJECTED:
                    self._failure = None  # the subscriptions are sent again
                self.adapter.reset()
                self._last_frame_at = opened_at
                self._last_ping_at = opened_at
                await self._on_open(ws)
                self._ws = ws
                gate = self._read_gate
                if gate is not None:
                    gate.attach(ws)
                try:
                    await self._receive(ws)
                finally:
                    if gate is not None:  # the close handshake must not wait for a pass
                        gate.detach(ws)
                ended = failures.closed(ws.close_code, ws.close_reason or "")
                self._fail(self._closed_because or ended)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any handshake, network or protocol failure: retry later
            self._fail(self._closed_because or self._failure_of(exc))
        finally:
            self._ws = None
        if opened_at is None:
            return False
        return self._clock.monotonic() - opened_at >= cfg.healthy_after_s

    def _failure_of(self, exc: Exception) -> FeedFailure:
        """Why a session ended with ``exc`` (a hook: private streams add their login refusal)."""
        return failures.classify(exc, self.url)

    def _fail(self, failure: FeedFailure) -> None:
        """The session ended: remember why (a subscription rejection of this session stays
        the reason when the socket then closes without saying more)."""
        before = self._failure
        if (
            before is not None
            and before.kind is FailureKind.REJECTED
            and failure.kind in (FailureKind.LOST, FailureKind.CLOSED)
            and self._state is not FeedState.LIVE
        ):
            failure = before
        self._failure = failure
        self.stats.last_error = failure.reason

    def _where(self) -> str:
        """``scheme://host:port`` of the feed (never the path: a listen key may be in it)."""
        return f"{urlsplit(self.url).scheme}://{failures.host_port(self.url)[1]}"

    async def _connect_url(self) -> str:
        """The URL of the next connection (a hook: private streams fetch a listen key here)."""
        return self.url

    async def _on_open(self, ws: ClientConnection) -> None:
        """Right after every handshake: subscribe (a hook: private streams log in first)."""
        for message in self.adapter.subscribe_messages(self.symbols):
            await ws.send(message)

    async def _receive(self, ws: ClientConnection) -> None:
        parse = self.parse_frame
        answer = self.adapter.answer if self._answers else None
        sink = self._sink
        clock = self._clock
        stats = self.stats
        async for frame in ws:
            now = clock.monotonic()
            if self._ws is not ws or self._frozen_since_tick(now):
                break  # dropped (watchdog, freeze): what is still queued is old
            self._last_frame_at = now
            stats.frames += 1
            if answer is not None:
                reply = answer(frame)
                if reply is not None:
                    await ws.send(reply)
            try:
                events = parse(frame)
            except VenueErrorReply as exc:
                stats.error_replies += 1
                self._failure = failures.rejected(exc)
                stats.last_error = self._failure.reason
                self._log.warning("%s: %s", self.venue, exc)
                self._note(self._failure.reason)
                self._emit_status()
                continue
            except FeedParseError as exc:
                self._malformed(frame, str(exc))
                continue
            except Exception as exc:  # an adapter bug must not kill the feed
                self._malformed(frame, f"{type(exc).__name__}: {exc}")
                continue
            if not events:
                continue
            self._last_data_at = now
            stats.events += len(events)
            ts = events[-1].ts
            if ts is not None:
                self._latency_ms = max(0.0, clock.time() * 1000.0 - ts)
            if self._state is not FeedState.LIVE:
                self._went_live()
            for event in events:
                try:
                    sink(event)
                except Exception:
                    self._log.exception("%s: the event sink failed", self.venue)

    def _went_live(self) -> None:
        """Data flows (again): the reason it did not is over, unless a subscription of this
        session was rejected (the other symbols stream, that one never will)."""
        failure = self._failure
        if failure is not None and failure.kind is FailureKind.REJECTED:
            self._note(f"live, but {failure.reason}")
        else:
            self._failure = None
            self._note("live: data flowing")
        self._set_state(FeedState.LIVE)

    def _malformed(self, frame: str | bytes, reason: str) -> None:
        self.stats.malformed += 1
        n = self.stats.malformed
        if n <= _LOGGED_MALFORMED or n % 1000 == 0:
            self._log.warning(
                "%s: malformed frame #%d (%s): %s", self.venue, n, reason, excerpt(frame)
            )
