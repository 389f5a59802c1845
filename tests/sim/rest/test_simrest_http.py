"""The minimal HTTP/1.1 server under the REST simulator, and bad input on the venues:
each gets a clear, specific reply and the server keeps serving."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hedgetui.sim.rest.http import HttpRequest, HttpResponse, HttpServer
from tests.sim.rest.test_simrest_venues import open_rig, send


async def _echo(req: HttpRequest) -> HttpResponse:
    text = f"{req.method} {req.path} q={req.query} body={req.body.decode()}"
    return HttpResponse(200, text.encode(), "text/plain")


@pytest.fixture
async def echo_server() -> AsyncIterator[HttpServer]:
    server = HttpServer(_echo)
    await server.start("127.0.0.1", 0)
    yield server
    await server.close()


async def _raw(server: HttpServer, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(payload)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()
    return data


async def test_keep_alive_serves_many_requests_on_one_connection(echo_server: HttpServer) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{echo_server.port}") as client:
        for i in range(5):
            response = await client.post(f"/p{i}?a=1", content=b"x=%d" % i)
            assert response.text == f"POST /p{i} q=a=1 body=x={i}"
        assert echo_server.connections == 1


async def test_connection_close_is_honoured(echo_server: HttpServer) -> None:
    reply = await _raw(echo_server, b"GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Connection: close" in reply
    assert reply.endswith(b"GET /x q= body=")


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (b"NONSENSE\r\n\r\n", b"400"),
        (b"GET /x HTTP/1.1\r\nbroken header\r\n\r\n", b"400"),
        (b"POST /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n", b"400"),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", b"411"),
        (b"POST /x HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", b"413"),
    ],
)
async def test_malformed_requests_get_a_clear_status(
    echo_server: HttpServer, payload: bytes, status: bytes
) -> None:
    reply = await _raw(echo_server, payload)
    assert reply.startswith(b"HTTP/1.1 " + status), reply
    # ... and the server still serves the next client
    assert (await _raw(echo_server, b"GET /ok HTTP/1.0\r\n\r\n")).endswith(b"GET /ok q= body=")


async def test_a_handler_crash_is_a_500_and_the_connection_survives() -> None:
    async def crash(req: HttpRequest) -> HttpResponse:
        if req.path == "/boom":
            raise RuntimeError("bug")
        return HttpResponse(200, b"fine")

    server = HttpServer(crash)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            assert (await client.get("/boom")).status_code == 500
            assert (await client.get("/ok")).text == "fine"
    finally:
        await server.close()


async def test_bad_parameters_get_the_venues_error_shape() -> None:
    call: tuple[str, str, dict[str, Any]]
    async with open_rig("bybit") as rig:
        call = ("POST", "/v5/order/create", {"category": "inverse"})
        body = (await send(rig, call)).json()
        assert body["retCode"] == 10001 and "side" in body["retMsg"]
    async with open_rig("binance") as rig:
        call = ("POST", "/dapi/v1/order", {"symbol": "BTCUSD_PERP", "side": "BUY"})
        body = (await send(rig, call)).json()
        assert body["code"] == -1102 and "orderType" in body["msg"]
    async with open_rig("okx") as rig:
        call = ("POST", "/api/v5/trade/order", {"instId": "BTC-USD-SWAP", "side": "buy"})
        body = (await send(rig, call)).json()
        assert body == {"code": "51000", "data": [], "msg": "Parameter ordType error"}
    async with open_rig("deribit") as rig:
        call = ("GET", "/api/v2/private/buy", {"instrument_name": "NOPE", "amount": 10})
        body = (await send(rig, call)).json()
        assert body["error"]["code"] == -32602
        assert body["error"]["data"]["param"] == "instrument_name"
    async with open_rig("kraken") as rig:
        call = ("POST", "/derivatives/api/v3/sendorder", {"orderType": "mkt", "side": "buy"})
        body = (await send(rig, call)).json()
        assert (body["result"], body["error"]) == ("error", "requiredArgumentMissing")
        ok = await send(rig, rig.venue.position)
        assert ok.status_code == 200


async def test_non_json_body_on_a_json_venue_is_a_clear_error() -> None:
    async with open_rig("bitmex") as rig:
        # sign a body that claims to be JSON but is not: the auth passes, parsing fails
        target, headers, _ = rig.client._bitmex("POST", "/api/v1/order", {})
        body = "{not json"
        expires = headers["api-expires"]
        mac = hmac.new(
            rig.client.secret.encode(), f"POST{target}{expires}{body}".encode(), hashlib.sha256
        )
        headers.update({"api-signature": mac.hexdigest(), "Content-Type": "application/json"})
        response = await rig.client.http.post(target, headers=headers, content=body)
        assert response.status_code == 400
        assert "not valid JSON" in response.json()["error"]["message"]
