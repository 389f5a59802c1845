"""Each simulated venue, spoken to by a plain websockets client with the real subscribe forms.

Frames are compared with the venues' real sample messages: same keys (in the same order
where the sample is the template), and the same JSON types (strings stay strings).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from hedgetui.clock import ManualClock
from hedgetui.sim import Simulator, start_simulator
from tests.conftest import SAMPLES_DIR

TIMEOUT = 5.0


def sample(venue_dir: str, name: str) -> Any:
    return json.loads((SAMPLES_DIR / venue_dir / name).read_text())


def shape(x: Any) -> Any:
    """The JSON type structure of a value: numbers are 'number', dict keys kept in order."""
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int | float):
        return "number"
    if isinstance(x, str):
        return "str"
    if x is None:
        return "null"
    if isinstance(x, dict):
        return {k: shape(v) for k, v in x.items()}
    if isinstance(x, list):
        return [shape(x[0])] if x else []
    raise TypeError(type(x))


def assert_like(ours: Any, real: Any) -> None:
    """Same key set, same key order and same value types as the real message."""
    assert shape(ours) == shape(real)
    if isinstance(ours, dict):
        assert list(ours) == list(real)


async def recv_json(ws: ClientConnection, pred: Callable[[Any], bool] = lambda _: True) -> Any:
    async def loop() -> Any:
        while True:
            raw = await ws.recv()
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            if pred(msg):
                return msg

    return await asyncio.wait_for(loop(), TIMEOUT)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with await start_simulator(scenario="crash", speed=20, control=False) as s:
        yield s


@pytest.fixture
async def frozen() -> AsyncIterator[tuple[Simulator, ManualClock]]:
    clock = ManualClock()
    async with await start_simulator(scenario="calm", clock=clock, control=False) as s:
        yield s, clock


# --------------------------------------------------------------------------- routing


@pytest.mark.parametrize("venue", ["bitmex", "bybit", "deribit", "okx", "kraken"])
async def test_unknown_path_is_404(sim: Simulator, venue: str) -> None:
    base = sim.ws_url(venue).rsplit("/", 1)[0]
    with pytest.raises(InvalidStatus) as e:
        async with connect(base + "/nope"):
            pass
    assert e.value.response.status_code == 404


async def test_binance_unknown_path_is_404(sim: Simulator) -> None:
    with pytest.raises(InvalidStatus) as e:
        async with connect(sim.ws_url("binance") + "/realtime"):
            pass
    assert e.value.response.status_code == 404


# --------------------------------------------------------------------------- bitmex


async def test_bitmex_welcome_subscribe_partial_update(sim: Simulator) -> None:
    request = sample("bitmex", "subscribe_request_recorded.json")
    request["args"] = ["instrument:XBTUSD", "funding:XBTUSD"]
    async with connect(sim.ws_url("bitmex")) as ws:
        welcome = await recv_json(ws)
        assert_like(welcome, sample("bitmex", "welcome_mainnet_recorded.json"))
        await ws.send(json.dumps(request))
        ack = await recv_json(ws, lambda m: "success" in m)
        assert ack == {"success": True, "subscribe": "instrument:XBTUSD", "request": request}
        assert_like(ack, sample("bitmex", "subscribe_ack_list_args_recorded.json"))
        partial = await recv_json(ws, lambda m: m.get("action") == "partial")
        assert partial["keys"] == ["symbol"]
        real_row = sample("bitmex", "instrument_partial_XBTUSD_testnet_2021.json")["data"][0]
        row = partial["data"][0]
        assert_like(
            {k: v for k, v in row.items() if v is not None},
            {k: v for k, v in real_row.items() if v is not None},
        )
        assert list(row) == list(real_row)
        assert row["markPrice"] == pytest.approx(row["indicativeSettlePrice"] + row["fairBasis"])
        funding = await recv_json(ws, lambda m: m.get("table") == "funding")
        assert funding["action"] == "partial"
        assert_like(
            funding["data"][0], sample("bitmex", "funding_partial_recorded.json")["data"][0]
        )
        assert funding["data"][0]["timestamp"][11:] in (
            "04:00:00.000Z",
            "12:00:00.000Z",
            "20:00:00.000Z",
        )
        assert row["fundingTimestamp"][11:] in ("04:00:00.000Z", "12:00:00.000Z", "20:00:00.000Z")
        update = await recv_json(ws, lambda m: m.get("action") == "update")
        assert update["table"] == "instrument"
        urow = update["data"][0]
        assert urow["symbol"] == "XBTUSD"
        assert set(urow) < set(real_row)  # key + changed fields only
        assert "timestamp" in urow


async def test_bitmex_single_string_arg_url_subscribe_ping_help_errors(sim: Simulator) -> None:
    async with connect(sim.ws_url("bitmex") + "?subscribe=instrument:.BXBT") as ws:
        await recv_json(ws)  # welcome
        ack = await recv_json(ws, lambda m: "success" in m)
        assert ack["subscribe"] == "instrument:.BXBT"
        index_row = (await recv_json(ws, lambda m: m.get("action") == "partial"))["data"][0]
        assert index_row["symbol"] == ".BXBT"
        assert index_row["lastPrice"] > 0
        await ws.send('{"op":"subscribe","args":"funding:XBTUSD"}')
        single = await recv_json(ws, lambda m: "success" in m)
        assert_like(single, sample("bitmex", "subscribe_ack_single_arg.json"))
        assert single["request"]["args"] == "funding:XBTUSD"
        await ws.send("ping")
        assert await asyncio.wait_for(_recv_text(ws, "pong"), TIMEOUT) == "pong"
        await ws.send("help")
        help_reply = await recv_json(ws, lambda m: "ops" in m)
        assert help_reply == sample("bitmex", "help_response_testnet.json")
        await ws.send('{"op":"subscribe","args":["foo:XBTUSD"]}')
        err = await recv_json(ws, lambda m: "error" in m)
        assert err["status"] == 400
        assert err["error"] == "Unknown table: foo"
        assert list(err) == ["status", "error", "meta", "request"]
        await ws.send('{"op":"subscribe","args":["funding:XBTUSD"]}')
        err = await recv_json(ws, lambda m: "error" in m)
        assert "already subscribed" in err["error"]
        await ws.send("{nonsense")
        err = await recv_json(ws, lambda m: "error" in m)
        assert err["status"] == 400 and "help" in err["error"]


async def _recv_text(ws: ClientConnection, wanted: str) -> str:
    while True:
        msg = await ws.recv()
        if msg == wanted:
            return str(msg)


# --------------------------------------------------------------------------- bybit


async def test_bybit_snapshot_then_deltas_and_ping(sim: Simulator) -> None:
    async with connect(sim.ws_url("bybit")) as ws:
        await ws.send(json.dumps({"req_id": "abc", "op": "subscribe", "args": ["tickers.BTCUSD"]}))
        ack = await recv_json(ws)
        assert_like(ack, sample("bybit", "subscribe_ack_public_linear_inverse.json"))
        assert ack["success"] is True and ack["req_id"] == "abc"
        snap = await recv_json(ws)
        real = sample("bybit", "tickers_inverse_snapshot_recorded.json")
        assert_like(snap, real)
        assert snap["type"] == "snapshot" and snap["topic"] == "tickers.BTCUSD"
        assert float(snap["data"]["markPrice"]) > 0
        delta = await recv_json(ws, lambda m: m.get("type") == "delta")
        assert delta["data"]["symbol"] == "BTCUSD"
        assert set(delta["data"]) < set(real["data"])
        assert all(isinstance(v, str) for v in delta["data"].values())
        assert delta["cs"] > snap["cs"] and isinstance(delta["ts"], int)
        await ws.send('{"req_id":"p1","op":"ping"}')
        pong = await recv_json(ws, lambda m: m.get("op") == "ping")
        assert_like(pong, sample("bybit", "pong_public_linear_inverse.json"))
        assert pong["ret_msg"] == "pong" and pong["req_id"] == "p1"


async def test_bybit_errors(sim: Simulator) -> None:
    async with connect(sim.ws_url("bybit")) as ws:
        await ws.send('{"op":"subscribe","args":["tickers.BTCUSDX"]}')
        bad = await recv_json(ws)
        assert bad["success"] is False and "tickers.BTCUSDX" in bad["ret_msg"]
        await ws.send('{"op":"subscribe","args":["nosuch.BTCUSD"]}')
        bad = await recv_json(ws)
        assert bad["success"] is False and "handler not found" in bad["ret_msg"]
        await ws.send(json.dumps(sample("bybit", "unsubscribe_request.json")))
        bad = await recv_json(ws)
        assert bad["success"] is False and bad["op"] == "unsubscribe"


async def test_bybit_eth_and_unsubscribe(sim: Simulator) -> None:
    async with connect(sim.ws_url("bybit")) as ws:
        await ws.send('{"op":"subscribe","args":["tickers.ETHUSD"]}')
        await recv_json(ws)
        snap = await recv_json(ws, lambda m: m.get("type") == "snapshot")
        assert snap["data"]["symbol"] == "ETHUSD"
        assert 2_000 < float(snap["data"]["indexPrice"]) < 4_000
        await ws.send('{"op":"unsubscribe","args":["tickers.ETHUSD"],"req_id":"u"}')
        ack = await recv_json(ws, lambda m: m.get("op") == "unsubscribe")
        assert ack["success"] is True


# --------------------------------------------------------------------------- binance


async def test_binance_combined_stream(sim: Simulator) -> None:
    url = sim.ws_url("binance") + "/stream?streams=btcusd_perp@markPrice@1s/ethusd_perp@markPrice"
    async with connect(url) as ws:
        seen: dict[str, Any] = {}
        while len(seen) < 2:
            msg = await recv_json(ws)
            seen[msg["stream"]] = msg
        real_env = sample("binance_coinm", "markPrice_combined_recorded_2021.json")
        real_row = sample("binance_coinm", "markPrice_pair_array_docs.json")[1]
        btc = seen["btcusd_perp@markPrice@1s"]
        assert list(btc) == list(real_env)
        assert_like(btc["data"], real_row)
        assert btc["data"]["s"] == "BTCUSD_PERP"
        assert seen["ethusd_perp@markPrice"]["data"]["s"] == "ETHUSD_PERP"
        assert btc["data"]["T"] % (8 * 3_600_000) == 0


async def test_binance_raw_stream_and_live_methods(sim: Simulator) -> None:
    async with connect(sim.ws_url("binance") + "/ws/btcusd_perp@markPrice") as ws:
        raw = await recv_json(ws)
        assert_like(raw, sample("binance_coinm", "markPrice_pair_array_docs.json")[1])
    async with connect(sim.ws_url("binance") + "/ws") as ws:
        request = sample("binance_coinm", "subscribe_request.json")
        await ws.send(json.dumps(request))
        assert await recv_json(ws) == sample("binance_coinm", "subscribe_response.json")
        push = await recv_json(ws, lambda m: m.get("e") == "markPriceUpdate")
        assert push["s"] == "BTCUSD_PERP"
        await ws.send('{"method":"LIST_SUBSCRIPTIONS","id":7}')
        listed = await recv_json(ws, lambda m: m.get("id") == 7)
        assert listed == {"result": ["btcusd_perp@markPrice@1s"], "id": 7}
        await ws.send('{"method":"SUBSCRIBE","params":["btcusd@markPrice@1s"],"id":8}')
        await recv_json(ws, lambda m: m.get("id") == 8)
        pair = await recv_json(ws, lambda m: isinstance(m, list))
        assert [r["s"] for r in pair] == ["BTCUSD_PERP"]
        await ws.send('{"method":"NOPE","id":9}')
        err = await recv_json(ws, lambda m: "error" in m)
        assert err["error"]["code"] == 2 and err["id"] == 9


async def test_binance_all_mark_prices_array(sim: Simulator) -> None:
    async with connect(sim.ws_url("binance") + "/stream?streams=!markPrice@arr@1s") as ws:
        msg = await recv_json(ws)
        real = sample("binance_coinm", "markPrice_all_arr_recorded_2021.json")
        assert list(msg) == list(real)
        assert {r["s"] for r in msg["data"]} == {"BTCUSD_PERP", "ETHUSD_PERP"}


async def test_binance_server_sends_ws_pings(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    sim.set_rules("binance", "ping=1")
    caplog.set_level(logging.DEBUG, logger="websockets.client")
    async with connect(sim.ws_url("binance") + "/ws/btcusd_perp@markPrice@1s") as ws:
        for _ in range(3):
            await recv_json(ws)
    assert any("< PING" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- deribit


async def test_deribit_subscribe_and_ticker(sim: Simulator) -> None:
    async with connect(sim.ws_url("deribit")) as ws:
        await ws.send(json.dumps(sample("deribit", "ticker_subscribe_request_docs.json")))
        resp = await recv_json(ws, lambda m: m.get("id") == 42)
        assert_like(resp, sample("deribit", "public_subscribe_result_mainnet_recorded.json"))
        assert resp["result"] == ["ticker.BTC-PERPETUAL.100ms"]
        note = await recv_json(ws, lambda m: m.get("method") == "subscription")
        real = sample("deribit", "ticker_perpetual_recorded_2019a.json")
        assert list(note) == list(real) and list(note["params"]) == list(real["params"])
        data = note["params"]["data"]
        assert_like(data, sample("deribit", "ticker_data_payload_docs.json"))
        assert data["instrument_name"] == "BTC-PERPETUAL"
        assert data["mark_price"] > 0 and isinstance(data["funding_8h"], float)


async def test_deribit_errors(sim: Simulator) -> None:
    async with connect(sim.ws_url("deribit")) as ws:
        await ws.send('{"jsonrpc":"2.0","id":1,"method":"public/nope","params":{}}')
        assert (await recv_json(ws))["error"]["code"] == -32601
        await ws.send(
            '{"jsonrpc":"2.0","id":2,"method":"public/set_heartbeat","params":{"interval":5}}'
        )
        err = await recv_json(ws)
        assert err["id"] == 2 and err["error"]["code"] == -32602
        await ws.send("not json")
        assert (await recv_json(ws))["error"]["code"] == -32700


async def test_deribit_heartbeat_test_request_cycle(
    frozen: tuple[Simulator, ManualClock],
) -> None:
    sim, clock = frozen
    async with connect(sim.ws_url("deribit")) as ws:
        await ws.send(
            '{"jsonrpc":"2.0","id":9098,"method":"public/set_heartbeat","params":{"interval":10}}'
        )
        ok = await recv_json(ws)
        assert (
            ok["result"] == sample("deribit", "public_set_heartbeat_response_docs.json")["result"]
        )
        clock.advance(10)
        hb = await recv_json(ws, lambda m: m.get("method") == "heartbeat")
        assert hb["params"] == {"type": "test_request"}
        await ws.send('{"jsonrpc":"2.0","id":8212,"method":"public/test","params":{}}')
        test = await recv_json(ws, lambda m: m.get("id") == 8212)
        assert_like(test["result"], sample("deribit", "public_test_response_docs.json")["result"])
        clock.advance(10)
        await recv_json(ws, lambda m: m.get("method") == "heartbeat")  # answered: still open
        clock.advance(10)  # this one goes unanswered: the server hangs up
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), TIMEOUT)


# --------------------------------------------------------------------------- okx


async def test_okx_subscribe_three_channels(sim: Simulator) -> None:
    request = {
        "id": "1512",
        "op": "subscribe",
        "args": [
            {"channel": "mark-price", "instId": "BTC-USD-SWAP"},
            {"channel": "funding-rate", "instId": "BTC-USD-SWAP"},
            {"channel": "index-tickers", "instId": "BTC-USD"},
        ],
    }
    async with connect(sim.ws_url("okx")) as ws:
        await ws.send(json.dumps(request))
        acks: list[Any] = []
        pushes: dict[str, Any] = {}
        while len(acks) < 3 or len(pushes) < 3:
            msg = await recv_json(ws)
            if "event" in msg:
                acks.append(msg)
            else:
                pushes[msg["arg"]["channel"]] = msg
        for ack in acks:
            assert_like(ack, sample("okx", "mark-price_subscribe_ack_docs.json"))
        assert_like(pushes["mark-price"], sample("okx", "mark-price_push_docs.json"))
        assert pushes["mark-price"]["data"][0]["instType"] == "SWAP"
        assert_like(
            pushes["index-tickers"], sample("okx", "index-tickers_BTC-USD_recorded_2023.json")
        )
        assert pushes["index-tickers"]["arg"]["instId"] == "BTC-USD"
        funding = pushes["funding-rate"]
        assert_like(funding, sample("okx", "funding-rate_push_docs.json"))
        row = funding["data"][0]
        assert int(row["nextFundingTime"]) - int(row["fundingTime"]) == 8 * 3_600_000
        assert int(row["fundingTime"]) % (8 * 3_600_000) == 0


async def test_okx_ping_and_errors(sim: Simulator) -> None:
    async with connect(sim.ws_url("okx")) as ws:
        await ws.send("ping")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT) == "pong"
        await ws.send('{"op": "subscribe", "argss":[{ "channel" : "mark-price"}]}')
        err = await recv_json(ws)
        assert_like(
            err,
            {
                k: v
                for k, v in sample("okx", "mark-price_subscribe_error_docs.json").items()
                if k != "id"
            },
        )
        assert err["code"] == "60012" and err["msg"].startswith("Invalid request: ")
        await ws.send(
            '{"op":"subscribe","args":[{"channel":"mark-price","instId":"BTC-USD-SWAPX"}]}'
        )
        err = await recv_json(ws)
        assert err["code"] == "60018" and "BTC-USD-SWAPX" in err["msg"]
        await ws.send(
            '{"op":"subscribe","args":[{"channel":"mark-price","instId":"ETH-USD-SWAP"}]}'
        )
        ack = await recv_json(ws)
        assert list(ack) == ["event", "arg", "connId"]  # no id sent, none echoed


# --------------------------------------------------------------------------- kraken


async def test_kraken_info_subscribe_ticker(sim: Simulator) -> None:
    request = sample("kraken_futures", "subscribe_request_recorded.json")
    request.update({"feed": "ticker", "product_ids": ["pi_xbtusd"]})
    async with connect(sim.ws_url("kraken")) as ws:
        assert await recv_json(ws) == sample("kraken_futures", "info_event_recorded.json")
        await ws.send(json.dumps(request))
        ack = await recv_json(ws)
        assert_like(ack, sample("kraken_futures", "subscribed_ack_recorded.json"))
        assert ack == {"event": "subscribed", "feed": "ticker", "product_ids": ["PI_XBTUSD"]}
        ticker = await recv_json(ws, lambda m: m.get("feed") == "ticker")
        assert_like(ticker, sample("kraken_futures", "ticker_PI_XBTUSD_recorded_2022.json"))
        assert ticker["next_funding_rate_time"] % 3_600_000 == 0
        assert ticker["funding_rate"] == pytest.approx(
            ticker["relative_funding_rate"] / ticker["markPrice"]
        )


async def test_kraken_errors_heartbeat_and_lite(sim: Simulator) -> None:
    sim.protocols["kraken"].heartbeat_every_s = 1.0  # type: ignore[attr-defined]
    async with connect(sim.ws_url("kraken")) as ws:
        await recv_json(ws)
        await ws.send('{"event":"subscribe","feed":"ticker","product_ids":["PI_NOPE"]}')
        assert await recv_json(ws) == sample("kraken_futures", "error_invalid_product_id_docs.json")
        await ws.send('{"event":"subscribe","feed":"nope","product_ids":["PI_XBTUSD"]}')
        assert (await recv_json(ws))["message"] == "Invalid feed"
        await ws.send("{{")
        assert (await recv_json(ws))["message"] == "Json Error"
        await ws.send('{"event":"subscribe","feed":"ticker_lite","product_ids":["PI_ETHUSD"]}')
        lite = await recv_json(ws, lambda m: m.get("feed") == "ticker_lite" and "event" not in m)
        assert lite["product_id"] == "PI_ETHUSD" and "funding_rate" not in lite
        await ws.send('{"event":"subscribe","feed":"heartbeat"}')
        assert await recv_json(ws, lambda m: m.get("event") == "subscribed")
        hb = await recv_json(ws, lambda m: m.get("feed") == "heartbeat")
        assert isinstance(hb["time"], int)
