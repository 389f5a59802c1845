"""Run the dashboard over a :class:`~hedgetui.runtime.Runtime` until the user quits.

Shared by ``hedgetui`` (real venues) and ``hedgetui demo`` (the simulator). Mounts the alerts
panel with the runtime's alert engine and its dispatcher to the configured sinks (log file,
notify-send, apprise; the bell rings through Textual; desktop OSC is for ``hedgetui watch``
only, as it would write escape sequences into Textual's screen), and closes the dispatcher on
exit. Handles SIGHUP and SIGTERM (SSH dropped, tmux pane killed) by exiting
cleanly instead of spinning, and guarantees the exit with :func:`start_hangup_guard`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from hedgetui.alerts import AlertDispatcher
from hedgetui.heap import HeapTidier, freeze_after_start_up
from hedgetui.runtime import Runtime
from hedgetui.theme_files import user_theme_dir, user_themes
from hedgetui.ui.adjust_screen import adjust_factory_for
from hedgetui.ui.app import HedgeApp, read_period, terminal_alive
from hedgetui.ui.unwind_screen import unwind_factory_for
from hedgetui.ui.widgets import DashboardAlertsPanel

ALERT_INTERVAL_S = 1.0
HANGUP_GRACE_S = 5.0
HANGUP_EXIT_CODE = 129  # 128 + SIGHUP, as a shell reports a hung-up process


def start_hangup_guard(
    *,
    alive: Callable[[], bool] = terminal_alive,
    grace_s: float = HANGUP_GRACE_S,
    poll_s: float = 1.0,
    exit_process: Callable[[int], object] = os._exit,
    stop: threading.Event | None = None,
) -> threading.Thread:
    """End the process once its terminal has been gone for ``grace_s``, whatever the loop does.

    The clean exit (SIGHUP handler, the app's terminal watchdog) runs on the event loop, and a
    hung-up terminal can block that loop for good: Textual's output thread dies on its first
    failed write, and its bounded queue then blocks the next screen update (and the driver's
    close) forever. This daemon thread does not depend on the loop; it gives the clean path
    ``grace_s`` and then exits hard (nothing is lost: audit entries are fsynced when written,
    sockets close with the process). Setting ``stop`` ends the guard (the dashboard exited
    cleanly). Returns the started thread.
    """
    stopped = stop or threading.Event()

    def watch() -> None:
        gone_since: float | None = None
        while not stopped.wait(poll_s):
            if alive():
                gone_since = None
            elif gone_since is None:
                gone_since = time.monotonic()
            elif time.monotonic() - gone_since >= grace_s:
                exit_process(HANGUP_EXIT_CODE)
                return

    thread = threading.Thread(target=watch, name="hedgetui-hangup-guard", daemon=True)
    thread.start()
    return thread


def dashboard_alerts(runtime: Runtime) -> tuple[DashboardAlertsPanel, AlertDispatcher, list[str]]:
    """The alerts panel for ``runtime``'s store, its dispatcher and notes about skipped sinks."""
    store = runtime.store
    panels: list[DashboardAlertsPanel] = []

    def on_problem(line: str) -> None:
        for mounted in panels:
            mounted.report_problem(line)

    dispatcher, notes = runtime.alert_dispatcher(on_problem, terminal_sinks=False)
    panel = DashboardAlertsPanel(
        runtime.alert_engine(),
        snapshot=store.snapshot,
        dispatcher=dispatcher,
        bell=runtime.settings.alerts.bell,
        interval_s=ALERT_INTERVAL_S,
    )
    panels.append(panel)
    return panel, dispatcher, notes


async def run_dashboard(
    runtime: Runtime,
    *,
    theme: str | None = None,
    ascii: bool | None = None,
    companion: Callable[[HedgeApp], Coroutine[Any, Any, None]] | None = None,
) -> int:
    """Start the feeds, show the dashboard, stop the feeds. Returns the exit code.

    ``ascii``: draw ASCII only (None: the config's ``display.ascii``). ``companion``: a task
    run beside the app once the feeds started (a replay's playback), cancelled at exit."""
    panel, dispatcher, notes = dashboard_alerts(runtime)
    # the feeds' sockets are read in one pass per repaint, right before it (feeds.read_gate)
    gate = runtime.read_in_passes(read_period(runtime.settings.display.refresh_hz))
    app = HedgeApp(
        runtime.store,
        read_gate=gate,
        theme=theme,
        ascii=ascii,
        watchdog=True,
        alerts_panel=panel,
        # the runtime's own signed client for the account; the position re-reads after an order
        unwind_factory=unwind_factory_for(runtime),
        adjust_factory=adjust_factory_for(runtime),
        user_themes=user_themes(user_theme_dir(runtime.settings.path)),
    )
    if notes:  # one notification (the dashboard shows one at a time)
        app.notify("\n".join(notes), title="alerts", severity="warning", timeout=8)
    guard_stop = threading.Event()
    if terminal_alive():  # a real terminal (not a pipe, not a test harness)
        start_hangup_guard(stop=guard_stop)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGHUP, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, app.exit)
    freeze = freeze_after_start_up(loop)
    tidier = HeapTidier(loop)  # RSS flat for days (hedgetui/heap.py)
    await runtime.start()
    beside: asyncio.Task[None] | None = None
    if companion is not None:
        beside = asyncio.create_task(companion(app))
    try:
        await app.run_async()
    finally:
        if beside is not None:
            beside.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await beside
        freeze.cancel()
        tidier.cancel()
        guard_stop.set()
        await dispatcher.close(timeout_s=1.0)
        await runtime.stop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    return app.return_code or 0
