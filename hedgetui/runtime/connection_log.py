"""The connection log file: what every feed and account stream went through, one line each.

The connection loop (``hedgetui.feeds.base``) records connects, disconnects with their reason
(dns, refused, tls, HTTP status, close code, rejected subscription, auth failed), the retry
delay, data flowing and staleness on the :data:`~hedgetui.feeds.journal.CONNECTION_LOG` logger;
:func:`connection_log` writes them, stamped in UTC, to ``[logging] connection_log`` (default
``connections.log`` in the user state dir: ``$XDG_STATE_HOME/hedgetui``, else
``~/.local/state/hedgetui``), private (0600) and rotated at 10 MiB to ``<name>.1``
(:class:`hedgetui.files.RotatingLog`, the alert log's rotation). Nothing secret reaches it:
the loop logs no frame, no URL path (a Binance listen key lives there), and the account
streams redact the venue's login refusal before it is raised.

A log that cannot be written is said once (a warning on ``hedgetui.runtime``) and the feeds
carry on without it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

from hedgetui.config import Settings, default_state_dir
from hedgetui.feeds.journal import CONNECTION_LOG
from hedgetui.files import MIB, RotatingLog

CONNECTION_LOG_FILE = "connections.log"
MAX_CONNECTION_LOG_BYTES = 10 * MIB

log = logging.getLogger(__name__)


def connection_log_path(settings: Settings) -> Path:
    """``[logging] connection_log``, else ``connections.log`` in the user state dir."""
    configured = settings.logging.connection_log
    return Path(configured) if configured else default_state_dir() / CONNECTION_LOG_FILE


class ConnectionLogHandler(logging.Handler):
    """Log records as ``2026-12-07T00:12:03.120Z <message>`` lines in a :class:`RotatingLog`."""

    def __init__(self, path: Path, max_bytes: int = MAX_CONNECTION_LOG_BYTES) -> None:
        super().__init__(logging.INFO)
        self.path = path
        self._file = RotatingLog(path, max_bytes)
        self._broken = False

    def emit(self, record: logging.LogRecord) -> None:
        if self._broken:
            return
        try:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            millis = int(record.created % 1 * 1000)
            text = " ".join(record.getMessage().split())  # one line, whatever the venue said
            self._file.write(f"{stamp}.{millis:03d}Z {text}\n".encode())
        except OSError as exc:
            self._broken = True
            log.warning("cannot write the connection log %s: %s", self.path, exc.strerror)
        except Exception:
            self.handleError(record)

    def close(self) -> None:
        self._file.close()
        super().close()


@contextlib.contextmanager
def connection_log(path: Path) -> Iterator[ConnectionLogHandler]:
    """While inside, the connection events go to the file at ``path``."""
    handler = ConnectionLogHandler(path)
    target = logging.getLogger(CONNECTION_LOG)
    target.addHandler(handler)
    try:
        yield handler
    finally:
        target.removeHandler(handler)
        handler.close()
