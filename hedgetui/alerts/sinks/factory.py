"""Build the configured sinks from ``AlertSettings``."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from hedgetui.alerts.sinks.base import Sink, TextStream
from hedgetui.alerts.sinks.bell import BellSink
from hedgetui.alerts.sinks.desktop_osc import DesktopOscSink
from hedgetui.alerts.sinks.log_file import JsonLinesLogSink
from hedgetui.alerts.sinks.notify_send import NotifySendSink, find_notify_send
from hedgetui.alerts.sinks.push import AppriseSink


class SinkSettingsLike(Protocol):
    """The sink fields of ``hedgetui.config.AlertSettings``."""

    @property
    def bell(self) -> bool: ...
    @property
    def desktop_osc(self) -> bool: ...
    @property
    def notify_send(self) -> bool: ...
    @property
    def apprise_urls(self) -> tuple[str, ...]: ...
    @property
    def apprise_timeout_s(self) -> float: ...
    @property
    def log_path(self) -> str | None: ...


def default_log_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir("hedgetui")) / "alerts.jsonl"


def build_sinks(
    settings: SinkSettingsLike,
    *,
    terminal: TextStream | None = None,
    env: Mapping[str, str] | None = None,
    terminal_sinks: bool = True,
) -> tuple[list[Sink], list[str]]:
    """The sinks the settings ask for, and notes about ones that cannot work here.

    ``terminal``: where the bell and OSC sequences go (default stderr, only if it is a
    TTY). ``terminal_sinks=False`` leaves the bell and OSC out (the dashboard rings
    through Textual instead).
    """
    env = os.environ if env is None else env
    term = sys.stderr if terminal is None else terminal
    sinks: list[Sink] = [JsonLinesLogSink(Path(settings.log_path or default_log_path()))]
    notes: list[str] = []
    tty = _isatty(term)
    if terminal_sinks and settings.bell and tty:
        sinks.append(BellSink(term))
    if terminal_sinks and settings.desktop_osc:
        if tty:
            sinks.append(DesktopOscSink(term, env))
        else:
            notes.append("desktop_osc is on but the output is not a terminal: skipped")
    if settings.notify_send:
        program = find_notify_send()
        if program is None:
            notes.append("notify_send is on but notify-send is not installed: skipped")
        else:
            sinks.append(NotifySendSink(program))
    if settings.apprise_urls:
        sinks.append(AppriseSink(settings.apprise_urls, timeout_s=settings.apprise_timeout_s))
    return sinks, notes


def _isatty(stream: TextStream) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False
