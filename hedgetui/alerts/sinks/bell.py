"""The terminal bell (BEL) for new, escalated and repeated warnings and criticals."""

from __future__ import annotations

from hedgetui.alerts.model import AlertEvent
from hedgetui.alerts.sinks.base import SinkError, TextStream, is_push_worthy


class BellSink:
    def __init__(self, stream: TextStream) -> None:
        self._stream = stream

    @property
    def name(self) -> str:
        return "bell"

    def wants(self, event: AlertEvent) -> bool:
        return is_push_worthy(event, resolved_too=False)

    async def deliver(self, event: AlertEvent) -> None:
        try:
            self._stream.write("\a")
            self._stream.flush()
        except (OSError, ValueError) as exc:
            raise SinkError(f"cannot ring the bell: {exc}") from None
