"""What client libraries call around an order, in each venue's own shapes: server time and the
instrument list (public, unsigned), OKX batch orders, Bybit key and account info, and the
venues' set-leverage endpoints (the margin check then uses the new leverage)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hedgetui.sim.rest.listing import INSTRUMENTS
from tests.sim.rest.test_simrest_venues import MARK, VENUES, Rig, open_rig, position_row_and_sample

NOW_MS = 1_750_000_000_000  # the rigs' ManualClock

# (path, query, server time in ms from the reply)
TIME: dict[str, tuple[str, dict[str, str], Callable[[Any], int]]] = {
    "bitmex": ("/api/v1", {}, lambda b: int(b["timestamp"])),
    "bybit": ("/v5/market/time", {}, lambda b: int(b["result"]["timeSecond"]) * 1000),
    "binance": ("/dapi/v1/time", {}, lambda b: int(b["serverTime"])),
    "deribit": ("/api/v2/public/get_time", {}, lambda b: int(b["result"])),
    "okx": ("/api/v5/public/time", {}, lambda b: int(b["data"][0]["ts"])),
}

# (path, query, rows, row -> (symbol, contract size, tick, lot))
INSTR: dict[str, tuple[str, dict[str, str], Callable[[Any], list[Any]], Callable[[Any], Any]]] = {
    "bitmex": (
        "/api/v1/instrument/active",
        {},
        lambda b: b,
        lambda r: (r["symbol"], 1.0, r["tickSize"], r["lotSize"]),
    ),
    "bybit": (
        "/v5/market/instruments-info",
        {"category": "inverse"},
        lambda b: b["result"]["list"],
        lambda r: (
            r["symbol"],
            1.0,
            float(r["priceFilter"]["tickSize"]),
            float(r["lotSizeFilter"]["qtyStep"]),
        ),
    ),
    "binance": (
        "/dapi/v1/exchangeInfo",
        {},
        lambda b: b["symbols"],
        lambda r: (
            r["symbol"],
            r["contractSize"],
            float(r["filters"][0]["tickSize"]),
            float(r["filters"][1]["stepSize"]),
        ),
    ),
    "deribit": (
        "/api/v2/public/get_instruments",
        {"currency": "any", "kind": "future"},
        lambda b: b["result"],
        lambda r: (r["instrument_name"], r["contract_size"], r["tick_size"], 1.0),
    ),
    "okx": (
        "/api/v5/public/instruments",
        {"instType": "SWAP"},
        lambda b: b["data"],
        lambda r: (r["instId"], float(r["ctVal"]), float(r["tickSz"]), float(r["lotSz"])),
    ),
    "kraken": (
        "/derivatives/api/v3/instruments",
        {},
        lambda b: b["instruments"],
        lambda r: (r["symbol"], r["contractSize"], r["tickSize"], 1.0),
    ),
}


@pytest.mark.parametrize("name", list(TIME))
async def test_server_time_unsigned_in_the_venues_shape(name: str) -> None:
    async with open_rig(name) as rig:
        path, query, read = TIME[name]
        response = await rig.client.http.get(path, params=query)  # no signature
        assert response.status_code == 200, response.text
        assert abs(read(response.json()) - NOW_MS) < 1000


@pytest.mark.parametrize("name", list(INSTR))
async def test_the_instrument_list_unsigned_in_the_venues_shape(name: str) -> None:
    async with open_rig(name) as rig:
        path, query, rows, read = INSTR[name]
        response = await rig.client.http.get(path, params=query)
        assert response.status_code == 200, response.text
        listed = {read(r)[0]: read(r)[1:] for r in rows(response.json())}
        expected = {
            s: (spec.contract_size, spec.tick_size, spec.lot_size)
            for s, spec in INSTRUMENTS[name].items()
        }
        assert listed == expected


async def test_a_private_route_still_needs_the_signature() -> None:
    async with open_rig("okx") as rig:
        response = await rig.client.http.get("/api/v5/account/balance")
        assert response.status_code == 401


# -- OKX batch orders ----------------------------------------------------------------------------
def _okx(cid: str, side: str, sz: str, **extra: Any) -> dict[str, Any]:
    order = {"instId": "BTC-USD-SWAP", "tdMode": "cross", "side": side, "ordType": "market"}
    return {**order, "sz": sz, "clOrdId": cid, **extra}


async def _batch(rig: Rig, orders: Any) -> Any:
    """POST a JSON array, signed as the test client signs any OKX body."""
    target, headers, body = rig.client._okx("POST", "/api/v5/trade/batch-orders", orders)
    response = await rig.client.http.post(target, content=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_okx_batch_orders_place_each_order_and_report_each() -> None:
    async with open_rig("okx") as rig:  # short 30 BTC-USD-SWAP, 2 BTC collateral
        body = await _batch(rig, [_okx("b-1", "sell", "5"), _okx("b-2", "buy", "10")])
        assert (body["code"], body["msg"]) == ("0", "")
        assert [(r["clOrdId"], r["sCode"], r["sMsg"]) for r in body["data"]] == [
            ("b-1", "0", "Order placed"),
            ("b-2", "0", "Order placed"),
        ]
        assert all(r["ordId"] for r in body["data"])
        assert sorted(body) == ["code", "data", "inTime", "msg", "outTime"]
        assert rig.accounts.position("okx", "BTC-USD-SWAP") == -30 - 5 + 10

        # one malformed, one refused for margin, one fine: "2", each with its own code
        rig.accounts.set_leverage("okx", "BTC-USD-SWAP", 1)
        body = await _batch(
            rig,
            [
                _okx("b-3", "sell", "abc"),
                _okx("b-4", "sell", "100000"),
                _okx("b-5", "buy", "1", reduceOnly=True),
            ],
        )
        assert (body["code"], body["msg"]) == ("2", "Bulk operation partially succeeded.")
        codes = [(r["clOrdId"], r["sCode"]) for r in body["data"]]
        assert codes == [("b-3", "51000"), ("b-4", "51008"), ("b-5", "0")]
        assert rig.accounts.position("okx", "BTC-USD-SWAP") == -24

        body = await _batch(rig, [_okx("b-6", "sell", "100000")])
        assert (body["code"], body["msg"]) == ("1", "All operations failed")
        body = await _batch(rig, [_okx(f"x{i}", "buy", "1") for i in range(21)])
        assert body["code"] == "51000" and "1 to 20" in body["msg"]
        assert rig.accounts.position("okx", "BTC-USD-SWAP") == -24


async def test_okx_batch_orders_take_the_order_faults() -> None:
    async with open_rig("okx") as rig:
        rig.accounts.inject("okx", "reject")
        body = await _batch(rig, [_okx("f-1", "sell", "1"), _okx("f-2", "sell", "1")])
        assert body["code"] == "1"
        assert [(r["clOrdId"], r["sCode"]) for r in body["data"]] == [
            ("f-1", "51008"),
            ("f-2", "51008"),
        ]
        assert rig.accounts.orders("okx") == []


# -- key info, account info, leverage ------------------------------------------------------------
async def test_bybit_key_and_account_info_as_ccxt_reads_them() -> None:
    async with open_rig("bybit") as rig:
        key = (await rig.client.call("GET", "/v5/user/query-api")).json()
        assert key["retCode"] == 0 and key["result"]["readOnly"] == 0
        assert {"unified", "uta"} <= set(key["result"])
        info = (await rig.client.call("GET", "/v5/account/info")).json()
        assert info["retCode"] == 0
        assert info["result"]["unifiedMarginStatus"] in (1, 2, 3, 4, 5, 6)


def _leverage_of(name: str, reply: Any) -> float:
    row, _ = position_row_and_sample(name, reply)
    return float(row["lever" if name == "okx" else "leverage"])


# venue -> its set-leverage call for x; and how it refuses an out-of-range leverage
SET_LEVERAGE: dict[str, Callable[[float], tuple[str, str, dict[str, Any]]]] = {
    "bitmex": lambda x: ("POST", "/api/v1/position/leverage", {"symbol": "XBTUSD", "leverage": x}),
    "bybit": lambda x: (
        "POST",
        "/v5/position/set-leverage",
        {"category": "inverse", "symbol": "BTCUSD", "buyLeverage": str(x), "sellLeverage": str(x)},
    ),
    "binance": lambda x: ("POST", "/dapi/v1/leverage", {"symbol": "BTCUSD_PERP", "leverage": x}),
    "okx": lambda x: (
        "POST",
        "/api/v5/account/set-leverage",
        {"instId": "BTC-USD-SWAP", "lever": str(x), "mgnMode": "cross"},
    ),
}
REFUSED: dict[str, Callable[[int, Any], bool]] = {
    "bitmex": lambda status, b: status == 400 and "Invalid leverage" in b["error"]["message"],
    "bybit": lambda status, b: b["retCode"] == 10001,
    "binance": lambda status, b: (
        status == 400
        and b
        == {
            "code": -4028,
            "msg": "Leverage 500 is not valid",
        }
    ),
    "okx": lambda status, b: b == {"code": "51000", "data": [], "msg": "Parameter lever error"},
}


@pytest.mark.parametrize("name", list(SET_LEVERAGE))
async def test_set_leverage_moves_the_margin_check(name: str) -> None:
    async with open_rig(name) as rig:
        v = VENUES[name]
        response = await rig.client.call(*SET_LEVERAGE[name](5))
        assert response.status_code == 200, response.text
        assert rig.accounts.leverage(name, v.symbol) == 5
        position = (await rig.client.call(*v.position)).json()
        assert _leverage_of(name, position) == 5
        refused = await rig.client.call(*SET_LEVERAGE[name](500))
        assert REFUSED[name](refused.status_code, refused.json()), refused.text
        assert rig.accounts.leverage(name, v.symbol) == 5
        # at 1x an increase needs its whole value: a wallet of 2 BTC holds ~96,000 USD at MARK
        rig.accounts.set_leverage(name, v.symbol, 1)
        too_big = v.qty * 1000
        before = rig.accounts.position(name, v.symbol)
        await rig.client.call(*v.order("big", "sell", too_big, None, False))
        assert rig.accounts.position(name, v.symbol) == before
        assert rig.accounts.orders(name) == []  # refused, not executed
        assert too_big * v.contract_size / MARK > 2.0


async def test_bybit_says_when_the_leverage_is_unchanged() -> None:
    async with open_rig("bybit") as rig:
        again = await rig.client.call(*SET_LEVERAGE["bybit"](10))  # the default
        assert again.json()["retCode"] == 110043


async def test_okx_leverage_info() -> None:
    async with open_rig("okx") as rig:
        await rig.client.call(*SET_LEVERAGE["okx"](7))
        reply = await rig.client.call(
            "GET", "/api/v5/account/leverage-info", {"instId": "BTC-USD-SWAP", "mgnMode": "cross"}
        )
        assert reply.json()["data"] == [
            {"instId": "BTC-USD-SWAP", "lever": "7", "mgnMode": "cross", "posSide": "net"}
        ]
