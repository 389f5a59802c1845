"""Recording the public feeds: a :class:`~hedgetui.feeds.base.Feed` that also writes what it
receives, and the loop that runs one per venue until a duration or a stop.

The tap is at the frame level and only in :class:`RecordingFeed`: it wraps the feed's
``parse_frame`` hook (every raw frame, before parsing) and its ``_on_open`` / ``_receive``
hooks (the connection opened with its URL, the subscriptions sent, the close with its code
and reason). A plain ``Feed`` — the dashboard's — is untouched, so not recording costs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.domain import Event, Funding, IndexPrice, MarkPrice, Ticker
from hedgetui.feeds.base import Feed
from hedgetui.feeds.loop_config import FeedConfig
from hedgetui.history.recording import RecordingWriter

FLUSH_EVERY_S = 1.0  # a killed recorder loses at most about this much
MARKET_EVENTS = (MarkPrice, IndexPrice, Funding, Ticker)


class RecordingFeed(Feed):
    """A market-data feed that writes every raw frame and connection event to ``writer``."""

    def __init__(
        self,
        venue: str,
        symbols: Sequence[str],
        sink: Callable[[Event], None],
        writer: RecordingWriter,
        **options: Any,
    ) -> None:
        super().__init__(venue, symbols, sink, **options)
        self._writer = writer
        self._conn = 0
        parse = self.parse_frame
        write = writer.frame
        name = self.venue

        def tapped(frame: str | bytes) -> Any:
            write(name, self._conn, frame)
            return parse(frame)

        self.parse_frame = tapped

    async def _on_open(self, ws: ClientConnection) -> None:
        writer = self._writer
        self._conn = writer.opened(self.venue, self.url)
        for message in self.adapter.subscribe_messages(self.symbols):
            writer.sent(self.venue, self._conn, message)
            await ws.send(message)

    async def _receive(self, ws: ClientConnection) -> None:
        writer = self._writer
        try:
            await super()._receive(ws)
        except asyncio.CancelledError:
            writer.closed(self.venue, self._conn, None, "recording stopped", stop=True)
            raise
        except BaseException:
            writer.closed(self.venue, self._conn, ws.close_code, ws.close_reason or "")
            raise
        writer.closed(self.venue, self._conn, ws.close_code, ws.close_reason or "")


@dataclass
class RecordResult:
    """What a recording run wrote."""

    frames: Counter[str] = field(default_factory=Counter)  # venue -> frames
    events: Counter[str] = field(default_factory=Counter)  # venue -> market events parsed
    connects: Counter[str] = field(default_factory=Counter)  # venue -> sessions opened
    seconds: float = 0.0


async def record_feeds(
    plan: Mapping[str, Sequence[str]],
    writer: RecordingWriter,
    *,
    urls: Mapping[str, str | None] | None = None,
    testnet: Mapping[str, bool] | None = None,
    duration_s: float | None = None,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
    feed_config: FeedConfig | None = None,
    sink: Callable[[Event], None] | None = None,
) -> RecordResult:
    """Run one :class:`RecordingFeed` per venue of ``plan`` (venue -> symbols) until
    ``duration_s`` passed or ``stop`` is set; flushes the writer every second and at the end
    (the caller closes it). ``sink``: also gets every event the feeds parse (a store)."""
    clock = clock or SYSTEM_CLOCK
    result = RecordResult()
    urls = urls or {}
    testnet = testnet or {}

    also = sink

    def count(event: Event) -> None:
        if also is not None:
            also(event)
        if isinstance(event, MARKET_EVENTS):
            result.events[event.venue] += 1

    feeds = [
        RecordingFeed(
            venue,
            symbols,
            count,
            writer,
            url=urls.get(venue),
            testnet=testnet.get(venue, False),
            config=feed_config,
            clock=clock,
        )
        for venue, symbols in plan.items()
    ]
    tasks = [asyncio.create_task(f.run(), name=f"record-{f.venue}") for f in feeds]
    stop = stop or asyncio.Event()
    started = clock.monotonic()
    try:
        while not stop.is_set():
            left = None if duration_s is None else duration_s - (clock.monotonic() - started)
            if left is not None and left <= 0:
                break
            wait = FLUSH_EVERY_S if left is None else min(FLUSH_EVERY_S, left)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            writer.flush()
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        writer.flush()
    result.seconds = clock.monotonic() - started
    for f in feeds:
        result.frames[f.venue] = f.stats.frames
        result.connects[f.venue] = f.stats.sessions
    return result
