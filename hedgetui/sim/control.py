"""The HTTP control channel: ``GET /status`` and ``GET /fault?venue=..&kind=..&param=..``.

Served by the simulator's own small HTTP/1.1 server (``hedgetui.sim.rest.http``), loopback by
default. Every answer is JSON; a bad request gets status 400 and ``{"error": "..."}``.
It talks to the simulator through :class:`Controlled` (what it needs of it), so it does not
import the server that starts it.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import orjson

from hedgetui.sim.faults import FAULT_KINDS
from hedgetui.sim.rest.http import HttpRequest, HttpResponse, HttpServer
from hedgetui.sim.urls import url_host


class Controlled(Protocol):
    """What the control channel needs of the simulator (``server.Simulator``)."""

    @property
    def venues(self) -> tuple[str, ...]: ...

    def status(self) -> dict[str, Any]: ...

    async def fault(self, venue: str, kind: str, **params: float | int | str) -> None: ...


async def handle_request(sim: Controlled, method: str, target: str) -> tuple[int, str, Any]:
    """Answer one request: (status, reason, JSON body). Pure routing, no socket."""
    split = urlsplit(target)
    if method != "GET":
        return 405, "Method Not Allowed", {"error": f"only GET is supported, not {method}"}
    if split.path == "/status":
        return 200, "OK", sim.status()
    if split.path == "/fault":
        params: dict[str, float | int | str] = dict(parse_qsl(split.query))
        venue = str(params.pop("venue", ""))
        kind = str(params.pop("kind", ""))
        if not kind:
            return 400, "Bad Request", {"error": "kind= is required", "kinds": FAULT_KINDS}
        if not venue and kind != "jump":
            return 400, "Bad Request", {"error": "venue= is required", "venues": sim.venues}
        try:
            await sim.fault(venue or "all", kind, **params)
        except ValueError as e:
            return 400, "Bad Request", {"error": str(e)}
        return 200, "OK", {"ok": True, "venue": venue or "all", "kind": kind, "params": params}
    if split.path in ("/", "/help"):
        return (
            200,
            "OK",
            {"endpoints": ["/status", "/fault?venue=V&kind=K&..."], "kinds": FAULT_KINDS},
        )
    return 404, "Not Found", {"error": f"no such endpoint: {split.path}"}


async def start_control_server(sim: Controlled, host: str, port: int) -> tuple[HttpServer, str]:
    """Serve the control channel on the simulator's own small HTTP server (``sim.rest.http``)."""

    async def handler(request: HttpRequest) -> HttpResponse:
        status, _reason, body = await handle_request(sim, request.method, request.target)
        return HttpResponse(status, orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n")

    server = HttpServer(handler)
    await server.start(host, port)
    return server, f"http://{url_host(host)}:{server.port}"
