"""Append-only JSON-lines alert log, one event per line, flushed per line.

The file is private like the trading audit log: created 0600, and an existing file that
group or others can read is tightened to 0600 when it is opened. ``/dev/null`` turns it off.

Bounded on disk (:class:`hedgetui.files.RotatingLog`): once the file reaches
:data:`MAX_LOG_BYTES` it is renamed to ``<name>.1`` (replacing the previous one; the mode goes
with it) and a new file is started, so a pane left open for months keeps at most twice that
(a transition is ~400 bytes: 10 MiB is ~25,000).
"""

from __future__ import annotations

from pathlib import Path

import orjson

from hedgetui.alerts.model import AlertEvent
from hedgetui.alerts.sinks.base import SinkError
from hedgetui.files import RotatingLog

MAX_LOG_BYTES = 10 * 1024 * 1024


class JsonLinesLogSink:
    def __init__(self, path: Path, max_bytes: int = MAX_LOG_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._log = RotatingLog(path, max_bytes)

    @property
    def name(self) -> str:
        return f"log {self.path}"

    def wants(self, event: AlertEvent) -> bool:
        return True  # the log records every transition, pushed or suppressed

    async def deliver(self, event: AlertEvent) -> None:
        try:
            self._log.write(orjson.dumps(event.to_json()) + b"\n")
        except OSError as exc:
            raise SinkError(f"cannot write the alert log {self.path}: {exc.strerror}") from None

    def close(self) -> None:
        self._log.close()
