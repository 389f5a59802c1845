"""Push to a phone or chat through apprise (Telegram, ntfy, Pushover, email, ...).

apprise is imported lazily (only when URLs are configured, at the first delivery) and runs
in its own small thread pool, never on the event loop, under a timeout, so a slow or dead
service cannot stall the feeds. Its own connect/read socket timeouts are capped at the same
value (apprise's ``cto``/``rto`` URL options) so a hung request frees its thread too.
apprise URLs carry tokens: they only ever appear redacted in names and messages.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hedgetui.alerts.model import AlertEvent, EventKind, Severity
from hedgetui.alerts.sinks.base import SinkError, headline, is_push_worthy
from hedgetui.config.redact import redact_secret_url

_NOTIFY_TYPE = {Severity.INFO: "info", Severity.WARNING: "warning", Severity.CRITICAL: "failure"}


def with_socket_timeouts(url: str, timeout_s: float) -> str:
    """Add apprise's connect/read timeouts (``cto``/``rto``) unless the URL sets them."""
    if "cto=" in url or "rto=" in url:
        return url
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}cto={timeout_s:g}&rto={timeout_s:g}"


def notify_type(event: AlertEvent) -> str:
    """apprise's NotifyType value: resolved -> success, critical -> failure."""
    return "success" if event.kind == EventKind.RESOLVED else _NOTIFY_TYPE[event.severity]


class AppriseSink:
    def __init__(self, urls: Sequence[str], *, timeout_s: float = 10.0) -> None:
        if not urls:
            raise ValueError("AppriseSink needs at least one URL")
        self._urls = tuple(urls)
        self._timeout_s = timeout_s
        self._shown = ", ".join(redact_secret_url(u) for u in self._urls)
        self._apprise: Any = None
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hedgetui-apprise")

    @property
    def name(self) -> str:
        return f"apprise {self._shown}"

    def wants(self, event: AlertEvent) -> bool:
        return is_push_worthy(event)

    def _client(self) -> Any:
        """Build the apprise object (in a worker thread: the import is not free)."""
        if self._apprise is None:
            with warnings.catch_warnings():  # apprise's plugins import the deprecated imghdr
                warnings.simplefilter("ignore", DeprecationWarning)
                self._apprise = self._build()
        return self._apprise

    def _build(self) -> Any:
        import apprise

        # apprise logs through its own logger; keep it off stderr (Python's last-resort
        # handler): failures are reported by the dispatcher, redacted.
        logging.getLogger("apprise").addHandler(logging.NullHandler())
        client = apprise.Apprise()
        for url in self._urls:
            if not client.add(with_socket_timeouts(url, self._timeout_s)):
                raise SinkError(f"apprise does not understand {redact_secret_url(url)}")
        return client

    def _send(self, title: str, body: str, kind: str) -> bool:
        client = self._client()
        return bool(client.notify(title=title, body=body, notify_type=kind))

    async def deliver(self, event: AlertEvent) -> None:
        loop = asyncio.get_running_loop()
        call = loop.run_in_executor(
            self._pool, self._send, headline(event), event.message, notify_type(event)
        )
        try:
            ok = await asyncio.wait_for(call, self._timeout_s)
        except TimeoutError:
            raise SinkError(f"{self.name}: no answer in {self._timeout_s:g} s") from None
        if not ok:
            raise SinkError(f"{self.name}: delivery failed")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
