"""Alerts: rules over the risk view, a lifecycle engine, and the sinks that deliver them.

``AlertEngine.evaluate(view)`` turns each ``DashboardView`` into lifecycle events;
``AlertDispatcher`` delivers them to the sinks ``build_sinks(settings.alerts)`` made.
"""

from __future__ import annotations

from hedgetui.alerts.engine import AlertEngine
from hedgetui.alerts.model import Alert, AlertEvent, AlertState, EventKind, Severity
from hedgetui.alerts.sinks import AlertDispatcher, build_sinks

__all__ = [
    "Alert",
    "AlertDispatcher",
    "AlertEngine",
    "AlertEvent",
    "AlertState",
    "EventKind",
    "Severity",
    "build_sinks",
]
