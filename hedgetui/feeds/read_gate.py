"""Read the feeds' sockets together, once per screen refresh, instead of once per frame.

Each websocket frame used to wake the process on its own: five venues at ten frames a second
are ~50 wake-ups a second, and on a small VM a wake-up costs ~90 µs of CPU before any work is
done (``benchmarks/wake_cost.py``). The dashboard only shows the data ten times a second, so
the frames can wait in the kernel's socket buffer until the screen is about to be refreshed,
and then be read, parsed and applied in one go.

:class:`ReadGate` does that with asyncio's own flow control: between passes every attached
connection's transport is paused (``pause_reading``); at each multiple of ``period_s`` on the
event loop's clock it resumes them all, lets the loop read what is waiting, pauses them again
and, once the frames have been handed to the store, tells its listeners (the dashboard's
painter), which repaint right away. A frame therefore still reaches the screen within one
period of its arrival plus the few milliseconds a pass and a repaint take; what changed is that
it waits in the kernel, not in the store.

Guarantees and limits:

* websockets' own back-pressure wins: a connection whose frame queue is full (websockets paused
  it) is not resumed by the gate;
* over TLS (``wss://``, the real venues) the TLS layer keeps reading the socket as data arrives
  (asyncio's and uvloop's TLS transports pause only the delivery); the frames are still
  decrypted, parsed and applied once per pass;
* a connection being closed is detached first and reads freely, so the close handshake does
  not wait for a pass;
* timestamps: a frame's receive time is when it was read, up to one period after it arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from hedgetui.feeds.grid import ticker_delay

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

log = logging.getLogger(__name__)

# Event-loop iterations a pass lets run. Reading: the loop polls the resumed sockets right after
# the callback that resumed them, and websockets queues the frames; the second is a margin.
# Applying: the feeds' tasks wake, and parse and apply every queued frame without suspending;
# the second is a margin (on asyncio's own loop the reads run one iteration later than on
# uvloop). What a pass did not read (a frame cut mid-way) is read by the next one.
_READ_ITERATIONS = 2
_APPLY_ITERATIONS = 2


class ReadGate:
    """Pauses attached websocket connections between passes made every ``period_s``."""

    def __init__(self, period_s: float) -> None:
        if not period_s > 0:
            raise ValueError(f"read period must be > 0 seconds, not {period_s!r}")
        self.period_s = period_s
        self.passes = 0
        self.in_pass = False  # from resuming the sockets to waking the listeners
        self._connections: list[ClientConnection] = []
        self._waiters: list[asyncio.Future[None]] = []

    def attach(self, ws: ClientConnection) -> None:
        """Read ``ws`` only during passes, from the end of the next pass on."""
        if ws not in self._connections:
            self._connections.append(ws)

    def detach(self, ws: ClientConnection) -> None:
        """Stop gating ``ws`` and let it read freely again (before it is closed)."""
        with contextlib.suppress(ValueError):
            self._connections.remove(ws)
        _set_reading(ws, True)

    @property
    def attached(self) -> int:
        return len(self._connections)

    async def passed(self) -> None:
        """Return once the next pass has read the sockets and applied their frames."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if waiter.cancelled():  # the listener gave up (a pass takes it off the list)
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)

    async def run(self) -> None:
        """Make a pass at every multiple of ``period_s`` until cancelled (the feeds' tickers
        sleep to the same grid of the loop's clock: ticks and passes that coincide share a
        wake-up)."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                await asyncio.sleep(ticker_delay(loop.time(), self.period_s))
                await self.read_once()
        finally:
            for ws in list(self._connections):  # whatever is left reads freely again
                self.detach(ws)

    async def read_once(self) -> None:
        """One pass: resume, let the loop read and apply, pause, then wake the listeners."""
        connections = list(self._connections)
        self.in_pass = True
        for ws in connections:
            if not ws.recv_messages.paused:  # websockets' back-pressure stays in charge
                _set_reading(ws, True)
        for _ in range(_READ_ITERATIONS):
            await asyncio.sleep(0)
        for ws in connections:
            if ws in self._connections and not ws.recv_messages.paused:
                _set_reading(ws, False)
        for _ in range(_APPLY_ITERATIONS):
            await asyncio.sleep(0)
        self.in_pass = False
        self.passes += 1
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


def _set_reading(ws: ClientConnection, reading: bool) -> None:
    """Resume or pause ``ws``'s transport; a transport already closing is left alone."""
    transport = ws.transport
    if transport.is_closing():
        return
    try:
        if reading:
            transport.resume_reading()
        else:
            transport.pause_reading()
    except (RuntimeError, NotImplementedError) as exc:  # closed in between, or cannot pause
        log.debug("read gate: cannot %s %r: %s", "resume" if reading else "pause", ws, exc)
