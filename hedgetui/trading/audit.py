"""Append-only audit log of every trading step, one JSON object per line.

Each entry is written, flushed and fsynced before the call returns, so the file tells the
whole story even if the process dies right after sending an order. Every string in an
entry passes through :func:`redact` with the account's secrets.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.files import InputError, open_private_append
from hedgetui.trading.credentials import Secret, redact

AUDIT_FILE_NAME = "audit.jsonl"


class AuditLogError(InputError):
    """The audit log cannot be written (a directory, a read-only place...): nothing is sent
    without it. ``str(e)`` is one line naming the path."""


def default_audit_path() -> Path:
    """``audit.jsonl`` in the user state dir (``~/.local/state/hedgetui`` on Linux)."""
    from hedgetui.config import default_state_dir

    return default_state_dir() / AUDIT_FILE_NAME


def _scrub(value: Any, secrets: tuple[Secret, ...]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {str(k): _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, Secret):
        return "***"
    return value


class AuditLog:
    """``log.write("send", order=..., ...)`` appends ``{"ts", "event", ...}`` durably."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        clock: Clock | None = None,
        secrets: Iterable[Secret] = (),
    ) -> None:
        self.path = Path(path).expanduser() if path else default_audit_path()
        self.clock = clock or SYSTEM_CLOCK
        self._secrets: tuple[Secret, ...] = tuple(secrets)

    def add_secrets(self, secrets: Iterable[Secret]) -> None:
        self._secrets = (*self._secrets, *secrets)

    def write(self, event: str, **fields: Any) -> dict[str, Any]:
        entry = _scrub({"ts": round(self.clock.time(), 3), "event": event, **fields}, self._secrets)
        line = json.dumps(entry, separators=(",", ":"), default=str) + "\n"
        try:
            fd = open_private_append(self.path)
            try:
                os.write(fd, line.encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise AuditLogError(f"audit log {self.path}: {exc.strerror or exc}") from None
        assert isinstance(entry, dict)
        return entry

    def read(self) -> list[dict[str, Any]]:
        """All entries (for tests and `unwind --json` summaries)."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
