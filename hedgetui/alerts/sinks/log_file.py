"""Append-only JSON-lines alert log, one event per line, flushed per line.

The file is private like the trading audit log: created 0600, and an existing file that
group or others can read is tightened to 0600 when it is opened. ``/dev/null`` turns it off.

Bounded on disk: once the file reaches :data:`MAX_LOG_BYTES` it is renamed to ``<name>.1``
(replacing the previous one; the mode goes with it) and a new file is started, so a pane left
open for months keeps at most twice that (a transition is ~400 bytes: 10 MiB is ~25,000).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import IO

import orjson

from hedgetui.alerts.model import AlertEvent
from hedgetui.alerts.sinks.base import SinkError
from hedgetui.files import open_private_append

MAX_LOG_BYTES = 10 * 1024 * 1024


class JsonLinesLogSink:
    def __init__(self, path: Path, max_bytes: int = MAX_LOG_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._file: IO[bytes] | None = None
        self._rotates = False  # only a regular file is rotated (not /dev/null, not a tty)

    @property
    def name(self) -> str:
        return f"log {self.path}"

    def wants(self, event: AlertEvent) -> bool:
        return True  # the log records every transition, pushed or suppressed

    async def deliver(self, event: AlertEvent) -> None:
        try:
            if self._file is None:
                self._file = os.fdopen(open_private_append(self.path, devices_ok=True), "ab")
                self._rotates = stat.S_ISREG(os.fstat(self._file.fileno()).st_mode)
            self._file.write(orjson.dumps(event.to_json()) + b"\n")
            self._file.flush()
            if self._rotates and self._file.tell() >= self.max_bytes:
                self.close()
                self.path.replace(self.path.with_name(self.path.name + ".1"))
        except OSError as exc:
            self.close()
            raise SinkError(f"cannot write the alert log {self.path}: {exc.strerror}") from None

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
