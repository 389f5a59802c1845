"""Desktop notifications through ``notify-send`` (libnotify), run as an asyncio subprocess."""

from __future__ import annotations

import asyncio
import shutil

from hedgetui.alerts.model import AlertEvent, EventKind, Severity
from hedgetui.alerts.sinks.base import SinkError, headline, is_push_worthy


def find_notify_send() -> str | None:
    return shutil.which("notify-send")


def notify_send_argv(program: str, event: AlertEvent) -> list[str]:
    urgency = "critical" if event.severity == Severity.CRITICAL else "normal"
    if event.kind == EventKind.RESOLVED:
        urgency = "low"
    return [program, "-a", "hedgetui", "-u", urgency, headline(event), event.message]


class NotifySendSink:
    def __init__(self, program: str, *, timeout_s: float = 5.0) -> None:
        self._program = program
        self._timeout_s = timeout_s

    @property
    def name(self) -> str:
        return "notify-send"

    def wants(self, event: AlertEvent) -> bool:
        return is_push_worthy(event)

    async def deliver(self, event: AlertEvent) -> None:
        try:
            proc = await asyncio.create_subprocess_exec(
                *notify_send_argv(self._program, event),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise SinkError(f"cannot run {self._program}: {exc.strerror}") from None
        try:
            _, err = await asyncio.wait_for(proc.communicate(), self._timeout_s)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise SinkError(f"notify-send did not finish in {self._timeout_s:g} s") from None
        if proc.returncode != 0:
            why = err.decode(errors="replace").strip().splitlines()
            raise SinkError(f"notify-send failed: {why[-1] if why else proc.returncode}")
