"""Where alert events go: the log file, the terminal bell, desktop notifications, push services.

Every sink implements :class:`~hedgetui.alerts.sinks.base.Sink`; the
:class:`~hedgetui.alerts.sinks.dispatch.AlertDispatcher` feeds them from bounded queues,
retries failures with backoff and reports a failing sink once. ``build_sinks`` turns the
config's ``AlertSettings`` into the list of sinks.
"""

from __future__ import annotations

from hedgetui.alerts.sinks.base import Sink, SinkError
from hedgetui.alerts.sinks.dispatch import AlertDispatcher
from hedgetui.alerts.sinks.factory import SinkSettingsLike, build_sinks, default_log_path

__all__ = [
    "AlertDispatcher",
    "Sink",
    "SinkError",
    "SinkSettingsLike",
    "build_sinks",
    "default_log_path",
]
