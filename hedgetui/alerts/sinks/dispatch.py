"""Fan alert events out to the sinks without ever blocking the caller.

``submit`` only enqueues (each sink has its own bounded queue, oldest dropped on overflow);
one task per sink delivers in order. A failing delivery is retried with exponential backoff
(bounded attempts) and the sink's trouble is reported once - to the log and to
``on_problem`` (a status line) - until it works again. Nothing a sink does can raise into
the watcher or the dashboard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from hedgetui.alerts.model import AlertEvent
from hedgetui.alerts.sinks.base import Sink, SinkError

log = logging.getLogger("hedgetui.alerts")


@dataclass(slots=True)
class SinkStats:
    delivered: int = 0
    failed_attempts: int = 0
    given_up: int = 0
    dropped: int = 0  # queue overflow
    problem: str | None = None  # the current trouble, None when healthy


class _Lane:
    """One sink's bounded queue and delivery task."""

    def __init__(self, sink: Sink, size: int) -> None:
        self.sink = sink
        self.queue: deque[AlertEvent] = deque()
        self.size = size
        self.ready = asyncio.Event()
        self.idle = asyncio.Event()
        self.idle.set()
        self.stats = SinkStats()
        self.task: asyncio.Task[None] | None = None


class AlertDispatcher:
    def __init__(
        self,
        sinks: Sequence[Sink],
        *,
        on_problem: Callable[[str], None] | None = None,
        queue_size: int = 100,
        max_attempts: int = 5,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 60.0,
    ) -> None:
        self._lanes = [_Lane(s, queue_size) for s in sinks]
        self._on_problem = on_problem
        self._max_attempts = max_attempts
        self._backoff_initial_s = backoff_initial_s
        self._backoff_max_s = backoff_max_s

    @property
    def sinks(self) -> list[Sink]:
        return [lane.sink for lane in self._lanes]

    def stats(self) -> dict[str, SinkStats]:
        return {lane.sink.name: lane.stats for lane in self._lanes}

    def problems(self) -> list[str]:
        """Current trouble, one line per failing sink (for a status line)."""
        return [f"{n}: {s.problem}" for n, s in self.stats().items() if s.problem]

    def start(self) -> None:
        for lane in self._lanes:
            if lane.task is None:
                lane.task = asyncio.create_task(
                    self._run(lane), name=f"alert-sink {lane.sink.name}"
                )

    def submit(self, events: Iterable[AlertEvent]) -> None:
        """Queue events for every sink that wants them. Never blocks, never raises."""
        for event in events:
            for lane in self._lanes:
                try:
                    wanted = lane.sink.wants(event)
                except Exception:  # a sink's filter must not break the caller
                    wanted = False
                if not wanted:
                    continue
                if len(lane.queue) >= lane.size:
                    lane.queue.popleft()
                    lane.stats.dropped += 1
                lane.queue.append(event)
                lane.idle.clear()
                lane.ready.set()

    async def drain(self, timeout_s: float) -> bool:
        """Wait (bounded) until every queue is empty; True if they all are."""
        waits = [lane.idle.wait() for lane in self._lanes]
        if not waits:
            return True
        try:
            await asyncio.wait_for(asyncio.gather(*waits), timeout_s)
        except TimeoutError:
            return False
        return True

    async def close(self, timeout_s: float = 2.0) -> None:
        """Deliver what is queued (for at most ``timeout_s``), then stop."""
        await self.drain(timeout_s)
        for lane in self._lanes:
            if lane.task is not None:
                lane.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await lane.task
                lane.task = None
            close = getattr(lane.sink, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()

    async def _run(self, lane: _Lane) -> None:
        while True:
            if not lane.queue:
                lane.idle.set()
                lane.ready.clear()
                await lane.ready.wait()
                continue
            event = lane.queue[0]
            await self._deliver_with_retry(lane, event)
            if lane.queue and lane.queue[0] is event:
                lane.queue.popleft()

    async def _deliver_with_retry(self, lane: _Lane, event: AlertEvent) -> None:
        delay = self._backoff_initial_s
        for attempt in range(1, self._max_attempts + 1):
            try:
                await lane.sink.deliver(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                lane.stats.failed_attempts += 1
                # SinkError texts are written to be shown; anything else only by type.
                why = str(exc) if isinstance(exc, SinkError) else type(exc).__name__
                self._report(lane, why)
                if attempt == self._max_attempts:
                    lane.stats.given_up += 1
                    log.warning(
                        "alert sink %s: gave up on %s after %d attempts",
                        lane.sink.name,
                        event.key,
                        attempt,
                    )
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2.0, self._backoff_max_s)
            else:
                lane.stats.delivered += 1
                if lane.stats.problem is not None:
                    lane.stats.problem = None
                    self._emit(f"alert sink {lane.sink.name} works again")
                return

    def _report(self, lane: _Lane, why: str) -> None:
        if lane.stats.problem is not None:
            return  # reported once until it recovers
        lane.stats.problem = why
        self._emit(f"alert sink {lane.sink.name} failed: {why} (retrying with backoff)")

    def _emit(self, line: str) -> None:
        log.warning("%s", line)
        if self._on_problem is not None:
            with contextlib.suppress(Exception):
                self._on_problem(line)
