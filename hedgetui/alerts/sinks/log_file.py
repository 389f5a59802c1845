"""Append-only JSON-lines alert log, one event per line, flushed per line.

The file is private like the trading audit log: created 0600, and an existing file that
group or others can read is tightened to 0600 when it is opened. ``/dev/null`` turns it off.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

import orjson

from hedgetui.alerts.model import AlertEvent
from hedgetui.alerts.sinks.base import SinkError
from hedgetui.files import open_private_append


class JsonLinesLogSink:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    @property
    def name(self) -> str:
        return f"log {self.path}"

    def wants(self, event: AlertEvent) -> bool:
        return True  # the log records every transition, pushed or suppressed

    async def deliver(self, event: AlertEvent) -> None:
        try:
            if self._file is None:
                self._file = os.fdopen(open_private_append(self.path, devices_ok=True), "ab")
            self._file.write(orjson.dumps(event.to_json()) + b"\n")
            self._file.flush()
        except OSError as exc:
            self.close()
            raise SinkError(f"cannot write the alert log {self.path}: {exc.strerror}") from None

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
