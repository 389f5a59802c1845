"""The sink interface."""

from __future__ import annotations

from typing import Protocol

from hedgetui.alerts.model import AlertEvent, EventKind, Severity


class TextStream(Protocol):
    """Where the terminal sinks write: a text file, or the watcher's queued output."""

    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...
    def isatty(self) -> bool: ...


class SinkError(Exception):
    """A delivery failed. ``str(e)`` is shown to the user: it must never carry a secret."""


class Sink(Protocol):
    @property
    def name(self) -> str:
        """Human name for reports, secrets redacted (``apprise ntfy://ntfy.sh/***``)."""
        ...

    def wants(self, event: AlertEvent) -> bool:
        """Whether this sink delivers ``event`` at all (filtering happens before queueing)."""
        ...

    async def deliver(self, event: AlertEvent) -> None:
        """Deliver one event; raise :class:`SinkError` (or anything) on failure."""
        ...


def is_push_worthy(event: AlertEvent, *, resolved_too: bool = True) -> bool:
    """Notifying sinks push warnings and criticals that the engine did not suppress;
    info-level alerts (basis) stay in the log, the panel and the watcher's output."""
    if not event.notify or event.severity == Severity.INFO:
        return False
    return resolved_too or event.kind != EventKind.RESOLVED


def headline(event: AlertEvent) -> str:
    """``[CRITICAL] btc-lev liquidation distance 6.1%`` / ``[RESOLVED] ...``."""
    tag = "RESOLVED" if event.kind == EventKind.RESOLVED else event.severity.value.upper()
    title = event.title.removeprefix("resolved: ")
    return f"[{tag}] {title}"
