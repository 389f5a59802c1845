"""A loopback HTTP server that records the JSON bodies POSTed to it (apprise's ``json://``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        payload = json.loads(self.rfile.read(length))
        server = self.server
        assert isinstance(server, RecordingServer)
        server.requests += 1
        if server.requests <= server.fail_first:
            self.send_response(500)
        else:
            server.bodies.append(payload)
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class RecordingServer(ThreadingHTTPServer):
    """Answers 500 to the first ``fail_first`` POSTs, then 200; keeps the accepted bodies."""

    def __init__(self, fail_first: int = 0) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.bodies: list[dict[str, object]] = []
        self.requests = 0
        self.fail_first = fail_first

    @property
    def port(self) -> int:
        return int(self.server_address[1])


@contextmanager
def recording_server(fail_first: int = 0) -> Iterator[RecordingServer]:
    server = RecordingServer(fail_first=fail_first)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
