"""The HTTP control channel: ``GET /status`` and ``GET /fault?venue=..&kind=..&param=..``.

A tiny HTTP/1.1 server on plain asyncio streams (no new dependency), loopback by default.
Every answer is JSON; a bad request gets status 400 and ``{"error": "..."}``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from hedgetui.sim.faults import FAULT_KINDS

if TYPE_CHECKING:
    from hedgetui.sim.server import Simulator

MAX_REQUEST_BYTES = 16_384
READ_TIMEOUT_S = 5.0


def _response(status: int, reason: str, body: Any) -> bytes:
    payload = orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n"
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + payload


async def handle_request(sim: Simulator, method: str, target: str) -> tuple[int, str, Any]:
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


async def _serve_one(
    sim: Simulator, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_S)
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            writer.write(_response(400, "Bad Request", {"error": "malformed request line"}))
        else:
            status, reason, body = await handle_request(sim, parts[0], parts[1])
            writer.write(_response(status, reason, body))
        await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
        writer.write(_response(400, "Bad Request", {"error": "incomplete or oversized request"}))
    except ConnectionError:
        pass
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def start_control_server(sim: Simulator, host: str, port: int) -> tuple[asyncio.Server, str]:
    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _serve_one(sim, reader, writer)

    server = await asyncio.start_server(on_client, host, port, limit=MAX_REQUEST_BYTES)
    actual = server.sockets[0].getsockname()[1]
    from hedgetui.sim.server import _url_host

    return server, f"http://{_url_host(host)}:{actual}"
