"""What a feed reports: its state, its :class:`FeedStatus` to the sink, its connection-log lines.

:class:`FeedReporting` is the part of :class:`~hedgetui.feeds.base.Feed` that says how the feed
is: the ``state``, ``status`` and ``failure`` it shows (the failure with the time of the next
attempt while it waits), the status event sent to the sink on every state change, and the lines
of the connection log (``feeds.journal``). A failing sink is logged, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from hedgetui.clock import Clock
from hedgetui.domain import Event, FeedFailure, FeedState, FeedStatus
from hedgetui.feeds.journal import note
from hedgetui.feeds.loop_config import FeedStats


class FeedReporting:
    """A feed's state and status, as shown and as sent (set up by ``Feed.__init__``)."""

    venue: str
    stats: FeedStats
    _sink: Callable[[Event], None]
    _clock: Clock
    _log: logging.Logger
    _state: FeedState
    _last_data_at: float | None  # monotonic
    _latency_ms: float | None
    _failure: FeedFailure | None  # why it is not live (None once it is)
    _retry_at: float | None  # wall time of the next attempt, while waiting

    @property
    def state(self) -> FeedState:
        return self._state

    @property
    def status(self) -> FeedStatus:
        age = None
        if self._last_data_at is not None:
            age = max(0.0, self._clock.monotonic() - self._last_data_at)
        return FeedStatus(
            venue=self.venue,
            state=self._state,
            last_error=self.stats.last_error,
            reconnects=self.stats.reconnects,
            last_message_age=age,
            latency_ms=self._latency_ms,
            malformed=self.stats.malformed,
            failure=self.failure,
        )

    @property
    def failure(self) -> FeedFailure | None:
        """Why the feed is not live (or a subscription of a live one was rejected), with the
        time of the next attempt while it waits for one; None when nothing is wrong."""
        failure = self._failure
        if failure is None or self._retry_at is None:
            return failure
        return replace(failure, retry_at=self._retry_at)

    @property
    def stats_name(self) -> str:
        """How ``hedgetui.debug_stats`` names this feed: its venue."""
        return self.venue

    def _note(self, text: str) -> None:
        """One line in the connection log (``feeds.journal``)."""
        note(self.stats_name, text)

    def _set_state(self, state: FeedState) -> None:
        if state is self._state:
            return
        self._state = state
        self._emit_status()

    def _emit_status(self) -> None:
        try:
            self._sink(self.status)
        except Exception:
            self._log.exception("%s: the event sink failed", self.venue)
