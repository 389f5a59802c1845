"""Issue 17 item 15: control characters from a venue frame (ESC sequences) never reach a log or
stderr raw; the malformed-frame log and venue error replies escape them. Over loopback."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys

import pytest
from websockets.asyncio.server import ServerConnection, serve

from hedgetui.feeds import Feed
from hedgetui.feeds.values import excerpt

HOSTILE = "\x1b[2J\x1b]0;owned\x07\x9b31m\u202etxt"


def test_excerpt_escapes_control_characters() -> None:
    text = excerpt(f"not json {HOSTILE}\nnext line")
    assert text == "not json \\x1b[2J\\x1b]0;owned\\x07\\x9b31m\\u202etxt next line"
    assert excerpt(HOSTILE.encode() * 40).endswith("...")
    assert len(excerpt(HOSTILE * 40)) == 120


async def test_the_malformed_frame_log_and_venue_errors_are_escaped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    frames = [
        f"{HOSTILE} not JSON",
        '{"success":false,"op":"subscribe","ret_msg":"\\u001b[31mboom\\u0007"}',
        '{"topic":"tickers.BTCUSD","type":"snapshot","ts":"\\u001b[2J","data":{}}',
    ]

    async def handler(ws: ServerConnection) -> None:
        await ws.recv()
        for frame in frames:
            await ws.send(frame)
        await ws.wait_closed()

    caplog.set_level(logging.WARNING, logger="hedgetui.feeds")
    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        feed = Feed("bybit", ["BTCUSD"], lambda e: None, url=f"ws://127.0.0.1:{port}")
        task = asyncio.create_task(feed.run())
        try:
            for _ in range(200):
                if feed.stats.malformed >= 2 and feed.stats.error_replies >= 1:
                    break
                await asyncio.sleep(0.02)
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    assert feed.stats.malformed == 2 and feed.stats.error_replies == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "malformed frame #1" in logged and "boom" in logged
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in logged
    assert "\\x1b[2J" in logged and "\\x1b[31mboom\\x07" in logged


def test_decode_stderr_has_no_raw_escape_sequences() -> None:
    frames = (
        f"{HOSTILE}\n"
        '{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"\\u001b]0;x\\u0007"}}\n'
        '{"jsonrpc":"2.0","id":2,"error":"\\u001b[5m"}\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "hedgetui", "decode", "--venue", "deribit"],
        input=frames.encode(),
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 1
    err = done.stderr.decode()
    assert err.count("hedgetui decode: line") == 3, err
    assert "\x1b" not in err and "\x07" not in err and "\x9b" not in err
