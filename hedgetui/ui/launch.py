"""Run the dashboard over a :class:`~hedgetui.runtime.Runtime` until the user quits.

Shared by ``hedgetui`` (real venues) and ``hedgetui demo`` (the simulator). Handles SIGHUP and
SIGTERM (SSH dropped, tmux pane killed) by exiting cleanly instead of spinning.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from hedgetui.runtime import Runtime
from hedgetui.ui.app import HedgeApp


async def run_dashboard(runtime: Runtime, *, theme: str | None = None) -> int:
    """Start the feeds, show the dashboard, stop the feeds. Returns the exit code."""
    app = HedgeApp(runtime.store, theme=theme, watchdog=True)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGHUP, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, app.exit)
    await runtime.start()
    try:
        await app.run_async()
    finally:
        await runtime.stop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    return app.return_code or 0
