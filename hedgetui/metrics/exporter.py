"""Serve the last evaluation's metrics over HTTP (prometheus-client's server, in a thread).

``watch`` calls :meth:`MetricsExporter.update` once per evaluation (every
``EVAL_EVERY_S``); a scrape reads the families built then, never the store: the numbers a
scrape sees are the ones the alerts were just judged on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, ProcessCollector, start_http_server
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from hedgetui.alerts.model import Alert
from hedgetui.domain import DashboardView
from hedgetui.metrics.families import build_info, view_families
from hedgetui.metrics.listen import Listen

Frames = Callable[[], Mapping[str, int]]


class MetricsExporter(Collector):
    """A collector holding the families of the last :meth:`update`."""

    def __init__(self) -> None:
        self._families: tuple[Metric, ...] = ()
        self._info = build_info()
        self._frames: Frames = dict

    def count_frames(self, frames: Frames) -> None:
        """Where :meth:`update` reads the feeds' frame counters (venue -> frames)."""
        self._frames = frames

    def update(self, view: DashboardView, alerts: Sequence[Alert]) -> None:
        # one reference swap: a scrape in the server's thread sees the old or the new set
        self._families = tuple(view_families(view, alerts, self._frames()))

    def collect(self) -> Iterable[Metric]:
        return (self._info, *self._families)


class MetricsServer:
    """The HTTP endpoint, started on :func:`serve`, stopped by :meth:`close`."""

    def __init__(self, httpd: WSGIServer, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=2.0)


def serve(exporter: MetricsExporter, listen: Listen) -> MetricsServer:
    """Bind ``listen`` and serve ``exporter`` (and the process's CPU/memory/fds) on
    ``/metrics``. Raises ``OSError`` when the address cannot be bound."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(exporter)
    ProcessCollector(registry=registry)
    httpd, thread = start_http_server(listen.port, addr=listen.host, registry=registry)
    return MetricsServer(httpd, thread)
