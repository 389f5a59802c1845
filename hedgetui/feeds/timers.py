"""A feed's timers: keep-alive, stale detection, the silence watchdog and freeze detection.

:class:`FeedTimers` is the part of :class:`~hedgetui.feeds.base.Feed` that runs beside the
socket (``_tick_forever``, a few times a second): it sends the venue's keep-alive, turns the feed
STALE when no market data came for ``stale_after_s``, aborts a socket silent for
``idle_timeout_s`` (which leads to a reconnect), and notices a freeze (the process did not run,
or the wall clock jumped, for ``freeze_after_s``); ``_frozen_since_tick`` makes the same check
for each frame before it is applied. It emits the periodic status event.
"""

from __future__ import annotations

import asyncio
import contextlib

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from hedgetui.domain import FailureKind, FeedFailure, FeedState
from hedgetui.feeds.grid import ticker_delay
from hedgetui.feeds.loop_config import FeedConfig
from hedgetui.feeds.reporting import FeedReporting

_STATUS_EVERY_S = 1.0


class FeedTimers(FeedReporting):
    """The ticker beside a feed's socket, and the freeze check per frame."""

    config: FeedConfig
    _ws: ClientConnection | None
    _last_frame_at: float | None
    _last_ping_at: float
    _ping_interval: float
    _ping_message: str | None
    _closed_because: FeedFailure | None  # set when we close the socket ourselves
    _ticked_at: tuple[float, float] | None  # (monotonic, wall) of the last tick

    async def _tick_forever(self) -> None:
        """Keep-alive, stale detection, silence watchdog and the periodic status event."""
        cfg = self.config
        period = max(0.01, min(0.25, cfg.stale_after_s / 4, cfg.idle_timeout_s / 4))
        last_status = self._clock.monotonic()
        self._ticked_at = (last_status, self._clock.time())
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(ticker_delay(loop.time(), period))
            now = self._clock.monotonic()
            self._check_freeze(now, self._clock.time())
            ws = self._ws
            if ws is not None:
                await self._keep_alive(ws, now)
            if (
                self._state is FeedState.LIVE
                and self._last_data_at is not None
                and now - self._last_data_at > cfg.stale_after_s
            ):
                self._set_state(FeedState.STALE)
                self._note(f"stale: no market data for {now - self._last_data_at:.1f}s")
                last_status = now
            if now - last_status >= _STATUS_EVERY_S:
                last_status = now
                self._emit_status()

    def _frozen_since_tick(self, now: float) -> bool:
        """True when the ticker has not run for ``freeze_after_s`` or the wall clock jumped
        since it last ran (then handles the freeze): for each frame, before it is applied."""
        ticked = self._ticked_at
        if ticked is None:
            return False
        limit = self.config.freeze_after_s
        gap = now - ticked[0]
        wall = self._clock.time()
        if gap <= limit and abs(wall - ticked[1] - gap) <= limit:
            return False
        self._check_freeze(now, wall)
        return True

    def _check_freeze(self, now: float, wall: float) -> None:
        """Notice a freeze from the last tick's times; then go STALE and drop the socket."""
        ticked, self._ticked_at = self._ticked_at, (now, wall)
        if ticked is None:
            return
        gap, wall_gap = now - ticked[0], wall - ticked[1]
        limit = self.config.freeze_after_s
        if gap <= limit and abs(wall_gap - gap) <= limit:
            return
        self.stats.freezes += 1
        what = f"frozen for {max(gap, wall_gap):.1f}s" if gap > limit else "the clock jumped"
        reason = f"{what} (process stopped or machine suspended): reconnecting"
        self._log.warning("%s: %s", self.venue, reason)
        if self._state is FeedState.LIVE:
            self._set_state(FeedState.STALE)  # what it shows is from before the freeze
        ws = self._ws
        if ws is not None:
            self._closed_because = FeedFailure(FailureKind.ERROR, reason)
            self.stats.last_error = reason
            self._ws = None
            ws.transport.abort()

    async def _keep_alive(self, ws: ClientConnection, now: float) -> None:
        if (
            self._last_frame_at is not None
            and now - self._last_frame_at > self.config.idle_timeout_s
        ):
            reason = f"no data for {now - self._last_frame_at:.1f}s (watchdog)"
            self._closed_because = FeedFailure(FailureKind.SILENT, reason)
            self.stats.last_error = reason
            self._log.warning("%s: %s, reconnecting", self.venue, reason)
            self._ws = None
            # abort rather than a polite close: the peer is not answering anyway
            ws.transport.abort()
            return
        if self._ping_message is not None and now - self._last_ping_at >= self._ping_interval:
            self._last_ping_at = now
            # bounded: a peer that stopped reading must not block stale detection
            with contextlib.suppress(ConnectionClosed, TimeoutError):
                await asyncio.wait_for(ws.send(self._ping_message), timeout=1.0)
