"""Each venue's simulated REST endpoints, over loopback, with a plain httpx client and a tiny
signer written here from the venues' docs (independent of the simulator and of hedgetui.trading).

Per venue: a signed reduce-only buy shrinks a seeded short by exactly its size and credits the
realised PnL; a bad signature gets the venue's auth error; a reduce-only order that would
increase the position gets the venue's code; a duplicate client id is refused (not on Deribit);
lookup by client id returns the order; position and balance replies have the real samples'
keys and value types."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from hedgetui.clock import ManualClock
from hedgetui.sim.rest import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_PASSPHRASE,
    RestServer,
    SimAccounts,
    start_rest_server,
)
from tests.conftest import SAMPLES_DIR

ENTRY = 60_000.0
MARK = 48_000.0
COLLATERAL = 2.0
_nonce = itertools.count(1)


# -- a client-side signer per venue, written from rest.md ---------------------------------------
@dataclass
class Client:
    venue: str
    http: httpx.AsyncClient
    clock: ManualClock
    secret: str = DEMO_API_SECRET

    async def call(
        self, method: str, path: str, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        params = dict(params or {})
        sign = getattr(self, f"_{self.venue}")
        target, headers, body = sign(method, path, params)
        return await self.http.request(method, target, headers=headers, content=body)

    def _mac(self, text: str) -> str:
        return hmac.new(self.secret.encode(), text.encode(), hashlib.sha256).hexdigest()

    def _ms(self) -> int:
        return int(self.clock.time() * 1000)

    def _bitmex(
        self, method: str, path: str, p: dict[str, Any]
    ) -> tuple[str, dict[str, str], bytes]:
        query = urlencode(p) if method == "GET" else ""
        target = f"{path}?{query}" if query else path
        body = json.dumps(p, separators=(",", ":")) if method != "GET" else ""
        expires = str(int(self.clock.time()) + 60)
        sig = self._mac(method + target + expires + body)
        headers = {"api-key": DEMO_API_KEY, "api-expires": expires, "api-signature": sig}
        if body:
            headers["Content-Type"] = "application/json"
        return target, headers, body.encode()

    def _bybit(
        self, method: str, path: str, p: dict[str, Any]
    ) -> tuple[str, dict[str, str], bytes]:
        query = urlencode(p) if method == "GET" else ""
        body = json.dumps(p) if method != "GET" else ""
        ts = str(self._ms())
        sig = self._mac(ts + DEMO_API_KEY + "5000" + (query if method == "GET" else body))
        headers = {
            "X-BAPI-API-KEY": DEMO_API_KEY,
            "X-BAPI-TIMESTAMP": ts,
            "X-BAPI-RECV-WINDOW": "5000",
            "X-BAPI-SIGN": sig,
            "X-BAPI-SIGN-TYPE": "2",
            "Content-Type": "application/json",
        }
        return (f"{path}?{query}" if query else path), headers, body.encode()

    def _binance(
        self, method: str, path: str, p: dict[str, Any]
    ) -> tuple[str, dict[str, str], bytes]:
        p["timestamp"] = self._ms()
        total = urlencode(p)
        query = f"{total}&signature={self._mac(total)}"
        return f"{path}?{query}", {"X-MBX-APIKEY": DEMO_API_KEY}, b""

    def _deribit(
        self, method: str, path: str, p: dict[str, Any]
    ) -> tuple[str, dict[str, str], bytes]:
        query = urlencode({k: (str(v).lower() if isinstance(v, bool) else v) for k, v in p.items()})
        target = f"{path}?{query}" if query else path
        ts, nonce = str(self._ms()), f"n{next(_nonce)}"
        sig = self._mac(f"{ts}\n{nonce}\n{method}\n{target}\n\n")
        auth = f"deri-hmac-sha256 id={DEMO_API_KEY},ts={ts},sig={sig},nonce={nonce}"
        return target, {"Authorization": auth}, b""

    def _okx(self, method: str, path: str, p: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
        query = urlencode(p) if method == "GET" else ""
        target = f"{path}?{query}" if query else path
        body = json.dumps(p) if method != "GET" else ""
        when = datetime.fromtimestamp(self.clock.time(), tz=UTC)
        ts = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
        mac = hmac.new(self.secret.encode(), (ts + method + target + body).encode(), hashlib.sha256)
        headers = {
            "OK-ACCESS-KEY": DEMO_API_KEY,
            "OK-ACCESS-SIGN": base64.b64encode(mac.digest()).decode(),
            "OK-ACCESS-TIMESTAMP": ts,
            "OK-ACCESS-PASSPHRASE": DEMO_PASSPHRASE,
            "Content-Type": "application/json",
        }
        return target, headers, body.encode()

    def _kraken(
        self, method: str, path: str, p: dict[str, Any]
    ) -> tuple[str, dict[str, str], bytes]:
        data = urlencode(p)
        query, body = (data, "") if method == "GET" else ("", data)
        nonce = str(self._ms() * 1000 + next(_nonce))
        digest = hashlib.sha256((query + body + nonce + path.removeprefix("/derivatives")).encode())
        mac = hmac.new(base64.b64decode(self.secret), digest.digest(), hashlib.sha512)
        headers = {
            "APIKey": DEMO_API_KEY,
            "Authent": base64.b64encode(mac.digest()).decode(),
            "Nonce": nonce,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return (f"{path}?{query}" if query else path), headers, body.encode()


# -- per-venue requests and reply readers --------------------------------------------------------
@dataclass(frozen=True)
class Venue:
    name: str
    symbol: str
    contract_size: float
    seed: float  # signed contracts
    qty: float  # reduce-only buy size (a lot multiple)
    order: Callable[[str, str, float, str | None, bool], tuple[str, str, dict[str, Any]]]
    lookup: Callable[[str], tuple[str, str, dict[str, Any]]]
    position: tuple[str, str, dict[str, Any]]
    balance: tuple[str, str, dict[str, Any]]


def _bitmex_order(cid: str, side: str, qty: float, price: str | None, ro: bool) -> Any:
    p: dict[str, Any] = {"symbol": "XBTUSD", "side": side.title(), "orderQty": int(qty)}
    p.update(ordType="Limit", price=float(price)) if price else p.update(ordType="Market")
    if ro:
        p["execInst"] = "ReduceOnly"
    p["clOrdID"] = cid
    return "POST", "/api/v1/order", p


def _bybit_order(cid: str, side: str, qty: float, price: str | None, ro: bool) -> Any:
    p: dict[str, Any] = {"category": "inverse", "symbol": "BTCUSD", "side": side.title()}
    p.update(orderType="Limit", price=price) if price else p.update(orderType="Market")
    p.update(qty=str(int(qty)), reduceOnly=ro, positionIdx=0, orderLinkId=cid)
    return "POST", "/v5/order/create", p


def _binance_order(cid: str, side: str, qty: float, price: str | None, ro: bool) -> Any:
    p: dict[str, Any] = {"symbol": "BTCUSD_PERP", "side": side.upper()}
    p.update(type="LIMIT", price=price, timeInForce="GTC") if price else p.update(type="MARKET")
    p.update(quantity=int(qty), reduceOnly=str(ro).lower(), newClientOrderId=cid)
    p["newOrderRespType"] = "RESULT"
    return "POST", "/dapi/v1/order", p


def _deribit_order(cid: str, side: str, qty: float, price: str | None, ro: bool) -> Any:
    p: dict[str, Any] = {"instrument_name": "BTC-PERPETUAL", "amount": int(qty * 10)}
    p.update(type="limit", price=price) if price else p.update(type="market")
    p.update(reduce_only=ro, label=cid)
    return "GET", f"/api/v2/private/{side}", p


def _okx_order(cid: str, side: str, qty: float, price: str | None, ro: bool) -> Any:
    p: dict[str, Any] = {"instId": "BTC-USD-SWAP", "tdMode": "cross", "side": side}
    p.update(ordType="limit", px=price) if price else p.update(ordType="market")
    p.update(sz=str(int(qty)), reduceOnly=ro, clOrdId=cid)
    return "POST", "/api/v5/trade/order", p


def _kraken_order(cid: str, side: str, qty: float, price: str | None, ro: bool) -> Any:
    p: dict[str, Any] = {
        "orderType": "lmt" if price else "mkt",
        "symbol": "PI_XBTUSD",
        "side": side,
    }
    p["size"] = int(qty)
    if price:
        p["limitPrice"] = price
    p.update(reduceOnly=str(ro).lower(), cliOrdId=cid)
    return "POST", "/derivatives/api/v3/sendorder", p


VENUES: dict[str, Venue] = {
    "bitmex": Venue(
        "bitmex", "XBTUSD", 1, -3000, 1200, _bitmex_order,
        lambda cid: ("GET", "/api/v1/order", {"filter": json.dumps({"clOrdID": cid})}),
        ("GET", "/api/v1/position", {"filter": json.dumps({"symbol": "XBTUSD"})}),
        ("GET", "/api/v1/user/margin", {"currency": "XBt"}),
    ),
    "bybit": Venue(
        "bybit", "BTCUSD", 1, -3000, 1200, _bybit_order,
        lambda cid: ("GET", "/v5/order/realtime",
                     {"category": "inverse", "symbol": "BTCUSD", "orderLinkId": cid}),
        ("GET", "/v5/position/list", {"category": "inverse", "symbol": "BTCUSD"}),
        ("GET", "/v5/account/wallet-balance", {"accountType": "UNIFIED", "coin": "BTC"}),
    ),
    "binance": Venue(
        "binance", "BTCUSD_PERP", 100, -30, 12, _binance_order,
        lambda cid: ("GET", "/dapi/v1/order", {"symbol": "BTCUSD_PERP", "origClientOrderId": cid}),
        ("GET", "/dapi/v1/positionRisk", {"pair": "BTCUSD"}),
        ("GET", "/dapi/v1/balance", {}),
    ),
    "deribit": Venue(
        "deribit", "BTC-PERPETUAL", 10, -300, 120, _deribit_order,
        lambda cid: ("GET", "/api/v2/private/get_order_state_by_label",
                     {"currency": "BTC", "label": cid}),
        ("GET", "/api/v2/private/get_position", {"instrument_name": "BTC-PERPETUAL"}),
        ("GET", "/api/v2/private/get_account_summary", {"currency": "BTC"}),
    ),
    "okx": Venue(
        "okx", "BTC-USD-SWAP", 100, -30, 12, _okx_order,
        lambda cid: ("GET", "/api/v5/trade/order", {"instId": "BTC-USD-SWAP", "clOrdId": cid}),
        ("GET", "/api/v5/account/positions", {"instType": "SWAP", "instId": "BTC-USD-SWAP"}),
        ("GET", "/api/v5/account/balance", {"ccy": "BTC"}),
    ),
    "kraken": Venue(
        "kraken", "PI_XBTUSD", 1, -3000, 1200, _kraken_order,
        lambda cid: ("POST", "/derivatives/api/v3/orders/status", {"cliOrdIds": cid}),
        ("GET", "/derivatives/api/v3/openpositions", {}),
        ("GET", "/derivatives/api/v3/accounts", {}),
    ),
}  # fmt: skip


def order_of(venue: str, reply: Any) -> dict[str, Any]:
    """The single order row of a lookup-by-client-id reply."""
    readers: dict[str, Callable[[Any], list[Any]]] = {
        "bitmex": lambda r: r,
        "bybit": lambda r: r["result"]["list"],
        "binance": lambda r: [r],
        "deribit": lambda r: r["result"],
        "okx": lambda r: r["data"],
        "kraken": lambda r: [o["order"] for o in r["orders"]],
    }
    rows = readers[venue](reply)
    assert len(rows) == 1, rows
    return dict(rows[0])


def filled_qty(venue: str, row: dict[str, Any]) -> float:
    key = {
        "bitmex": "cumQty",
        "bybit": "cumExecQty",
        "binance": "executedQty",
        "deribit": "filled_amount",
        "okx": "accFillSz",
        "kraken": "filled",
    }[venue]
    value = float(row[key])
    return value / 10 if venue == "deribit" else value


def client_id(venue: str, row: dict[str, Any]) -> str:
    key = {
        "bitmex": "clOrdID",
        "bybit": "orderLinkId",
        "binance": "clientOrderId",
        "deribit": "label",
        "okx": "clOrdId",
        "kraken": "cliOrdId",
    }[venue]
    return str(row[key])


def _sample(path: str) -> Any:
    return json.loads((SAMPLES_DIR / path).read_text())


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def assert_same_shape(actual: dict[str, Any], sample: dict[str, Any]) -> None:
    """Same keys; same JSON type wherever both values are non-null (strings stay strings)."""
    assert set(actual) == set(sample), set(actual) ^ set(sample)
    for key, expected in sample.items():
        if expected is None or actual[key] is None:
            continue
        assert _kind(actual[key]) == _kind(expected), (key, actual[key], expected)


def position_row_and_sample(venue: str, reply: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if venue == "bitmex":
        return reply[0], _sample("bitmex/position_partial_flat_testnet_2021.json")["data"][0]
    if venue == "bybit":
        sample = _sample("bybit/rest_position_list_inverse_docs.json")["result"]["list"][0]
        return reply["result"]["list"][0], sample
    if venue == "binance":
        row = next(r for r in reply if r["symbol"] == "BTCUSD_PERP")
        return row, _sample("binance_coinm/rest_positionRisk_response_docs.json")[0]
    if venue == "deribit":
        return reply["result"], _sample("deribit/private_get_position_response_docs.json")["result"]
    if venue == "okx":
        return reply["data"][0], _sample("okx/rest_positions_response_docs.json")["data"][0]
    row = next(r for r in reply["openPositions"] if r["symbol"] == "PI_XBTUSD")
    return row, _sample("kraken_futures/rest_openpositions_short_docs.json")["openPositions"][0]


def position_contracts(venue: str, reply: Any) -> float:
    row, _ = position_row_and_sample(venue, reply)
    if venue == "bitmex":
        return float(row["currentQty"])
    if venue == "bybit":
        return float(row["size"]) * (-1 if row["side"] == "Sell" else 1)
    if venue == "binance":
        return float(row["positionAmt"])
    if venue == "deribit":
        return float(row["size"]) / 10
    if venue == "okx":
        return float(row["pos"])
    return float(row["size"]) * (-1 if row["side"] == "short" else 1)


def balance_and_sample(venue: str, reply: Any) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """(wallet balance in coin, our row, the sample row) for the BTC wallet."""
    if venue == "bitmex":
        return reply["walletBalance"] / 1e8, reply, reply  # no recorded margin sample exists
    if venue == "bybit":
        row = reply["result"]["list"][0]["coin"][0]
        sample = _sample("bybit/rest_wallet_balance_unified_docs.json")
        return float(row["walletBalance"]), row, sample["result"]["list"][0]["coin"][0]
    if venue == "binance":
        row = next(r for r in reply if r["asset"] == "BTC")
        return (
            float(row["balance"]),
            row,
            _sample("binance_coinm/rest_balance_response_docs.json")[0],
        )
    if venue == "deribit":
        sample = _sample("deribit/private_get_account_summary_response_docs.json")["result"]
        return float(reply["result"]["balance"]), reply["result"], sample
    if venue == "okx":
        row = reply["data"][0]["details"][0]
        sample = _sample("okx/rest_balance_response_docs.json")["data"][0]["details"][0]
        return float(row["cashBal"]), row, sample
    row = reply["accounts"]["fi_xbtusd"]
    sample = _sample("kraken_futures/rest_accounts_docs.json")["accounts"]["fi_xbtusd"]
    return float(row["balances"]["xbt"]), {k: row[k] for k in row}, sample


# -- fixtures --------------------------------------------------------------------------------
@dataclass
class Rig:
    venue: Venue
    accounts: SimAccounts
    server: RestServer
    client: Client
    clock: ManualClock


@asynccontextmanager
async def open_rig(name: str, http_timeout: float = 5.0) -> AsyncIterator[Rig]:
    """A venue's REST server over fresh books holding a short, and a signed client for it."""
    venue = VENUES[name]
    clock = ManualClock(1_750_000_000.0)
    accounts = SimAccounts(clock)
    accounts.set_position(venue.name, venue.symbol, venue.seed, ENTRY, collateral=COLLATERAL)
    server = await start_rest_server(venue.name, accounts=accounts, mark=lambda _s: MARK)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=http_timeout) as http:
            yield Rig(venue, accounts, server, Client(venue.name, http, clock), clock)
    finally:
        await server.close()


@pytest.fixture(params=list(VENUES))
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    async with open_rig(request.param) as opened:
        yield opened


async def send(rig: Rig, call: tuple[str, str, dict[str, Any]]) -> httpx.Response:
    return await rig.client.call(*call)


def accepted(venue: str, response: httpx.Response) -> bool:
    body = response.json()
    if response.status_code != 200:
        return False
    if venue == "bybit":
        return bool(body["retCode"] == 0)
    if venue == "okx":
        return bool(body["code"] == "0")
    if venue == "deribit":
        return "result" in body
    if venue == "kraken":
        return bool(body["result"] == "success" and body["sendStatus"]["status"] == "placed")
    return True


# -- tests -------------------------------------------------------------------------------------
async def test_reduce_only_buy_shrinks_the_short_by_exactly_its_size(rig: Rig) -> None:
    v = rig.venue
    response = await send(rig, v.order("close-1", "buy", v.qty, None, True))
    assert accepted(v.name, response), response.text
    assert rig.accounts.position(v.name, v.symbol) == v.seed + v.qty
    [logged] = rig.accounts.orders(v.name)
    assert (logged["client_id"], logged["filled"], logged["status"]) == ("close-1", v.qty, "filled")
    pnl = v.qty * v.contract_size * (1 / MARK - 1 / ENTRY)  # a short gains when price falls
    assert rig.accounts.balance(v.name, "BTC") == pytest.approx(COLLATERAL + pnl, rel=1e-12)

    position = (await send(rig, v.position)).json()
    assert position_contracts(v.name, position) == v.seed + v.qty
    row, sample = position_row_and_sample(v.name, position)
    assert_same_shape(row, sample)

    if v.name == "bitmex":
        assert int(response.headers["X-RateLimit-Remaining"]) > 0
    if v.name == "binance":
        assert "X-MBX-USED-WEIGHT-1M" in response.headers
    balance_reply = (await send(rig, v.balance)).json()
    wallet, row, sample = balance_and_sample(v.name, balance_reply)
    assert wallet == pytest.approx(COLLATERAL + pnl, abs=1e-8)
    if v.name == "kraken":
        assert set(row) == set(sample)
    else:
        assert_same_shape(row, sample)


async def test_lookup_by_client_id_returns_the_filled_order(rig: Rig) -> None:
    v = rig.venue
    assert accepted(v.name, await send(rig, v.order("look-me-up", "buy", v.qty, None, True)))
    response = await send(rig, v.lookup("look-me-up"))
    assert response.status_code == 200, response.text
    row = order_of(v.name, response.json())
    assert client_id(v.name, row) == "look-me-up"
    assert filled_qty(v.name, row) == v.qty


async def test_a_bad_signature_gets_the_venues_auth_error(rig: Rig) -> None:
    v = rig.venue
    rig.client.secret = base64.b64encode(b"not-the-demo-secret").decode()
    response = await send(rig, v.order("bad-sig", "buy", v.qty, None, True))
    body = response.json()
    expected: dict[str, Callable[[httpx.Response, Any], bool]] = {
        "bitmex": lambda r, b: (
            r.status_code == 401
            and b == {"error": {"message": "Signature not valid.", "name": "HTTPError"}}
        ),
        "bybit": lambda r, b: b["retCode"] == 10004 and b["retMsg"].startswith("Error sign"),
        "binance": lambda r, b: (
            r.status_code == 400
            and b == {"code": -1022, "msg": "Signature for this request is not valid."}
        ),
        "deribit": lambda r, b: r.status_code == 401 and b["error"]["code"] == 13009,
        "okx": lambda r, b: r.status_code == 401 and b == {"msg": "Invalid Sign", "code": "50113"},
        "kraken": lambda r, b: r.status_code == 401 and b["error"] == "authenticationError",
    }
    assert expected[v.name](response, body), (response.status_code, body)
    assert rig.accounts.orders(v.name) == []
    assert rig.accounts.position(v.name, v.symbol) == v.seed


@pytest.mark.parametrize("name", [v for v in VENUES if v != "kraken"])  # Kraken: nonce only
async def test_an_expired_timestamp_is_refused(name: str) -> None:
    """Sign with a clock 2 minutes behind the server's (beyond every venue's window)."""
    async with open_rig(name) as rig:
        await _expired(rig)


async def _expired(rig: Rig) -> None:
    v = rig.venue
    rig.client.clock = ManualClock(rig.clock.time() - 120)
    response = await send(rig, v.order("late", "buy", v.qty, None, True))
    body = response.json()
    expected: dict[str, Callable[[httpx.Response, Any], bool]] = {
        "bitmex": lambda r, b: (
            r.status_code == 401 and b["error"]["message"].startswith("This request has expired")
        ),
        "bybit": lambda r, b: b["retCode"] == 10002,
        "binance": lambda r, b: r.status_code == 400 and b["code"] == -1021,
        "deribit": lambda r, b: r.status_code == 401 and b["error"]["code"] == 13009,
        "okx": lambda r, b: r.status_code == 401 and b["code"] == "50102",
    }
    assert expected[v.name](response, body), body
    assert rig.accounts.orders(v.name) == []


async def test_reduce_only_that_would_increase_the_short_is_rejected(rig: Rig) -> None:
    v = rig.venue
    response = await send(rig, v.order("grow", "sell", v.qty, None, True))
    body = response.json()
    expected: dict[str, Callable[[httpx.Response, Any], bool]] = {
        "bitmex": lambda r, b: r.status_code == 400 and "ReduceOnly" in b["error"]["message"],
        "bybit": lambda r, b: (
            (b["retCode"], b["retMsg"]) == (110017, "Reduce-only rule not satisfied")
        ),
        "binance": lambda r, b: r.status_code == 400 and b["code"] == -2022,
        "deribit": lambda r, b: b["error"]["code"] == 11030,
        "okx": lambda r, b: b["code"] == "1" and b["data"][0]["sCode"] == "51170",
        "kraken": lambda r, b: b["sendStatus"]["status"] == "wouldNotReducePosition",
    }
    assert expected[v.name](response, body), body
    assert rig.accounts.position(v.name, v.symbol) == v.seed
    # ... and one that would flip the short into a long:
    flip = await send(rig, v.order("flip", "buy", v.qty * 5, None, True))
    assert not accepted(v.name, flip)
    assert rig.accounts.position(v.name, v.symbol) == v.seed


async def test_duplicate_client_id_is_rejected_except_deribit_labels(rig: Rig) -> None:
    v = rig.venue
    # Binance and OKX only enforce uniqueness among OPEN orders: use a resting limit order.
    price = "30000" if v.name in ("binance", "okx") else None
    first = await send(rig, v.order("dup-1", "buy", v.qty, price, True))
    assert accepted(v.name, first), first.text
    second = await send(rig, v.order("dup-1", "buy", v.qty, price, True))
    body = second.json()
    if v.name == "deribit":
        assert accepted(v.name, second)
        labelled = (await send(rig, v.lookup("dup-1"))).json()["result"]
        assert len(labelled) == 2
        return
    expected: dict[str, Callable[[httpx.Response, Any], bool]] = {
        "bitmex": lambda r, b: (
            r.status_code == 400 and "duplicate clordid" in b["error"]["message"].lower()
        ),
        "bybit": lambda r, b: (
            b["retCode"] == 110072 and b["retMsg"] == "OrderLinkedID is duplicate"
        ),
        "binance": lambda r, b: b["code"] == -4116,
        "okx": lambda r, b: b["data"][0]["sCode"] == "51016",
        "kraken": lambda r, b: b["sendStatus"]["status"] == "clientOrderIdAlreadyExist",
    }
    assert expected[v.name](second, body), body
    assert len(rig.accounts.orders(v.name)) == 1


async def test_lot_size_is_enforced(rig: Rig) -> None:
    v = rig.venue
    if v.name == "deribit":
        params = {"instrument_name": "BTC-PERPETUAL", "amount": 15, "type": "market"}
        call = ("GET", "/api/v2/private/buy", {**params, "reduce_only": "true"})
    elif v.name == "bitmex":
        call = v.order("odd-lot", "buy", 150, None, True)
    else:
        call = v.order("odd-lot", "buy", 1.5, None, True)
        call[2].update(  # a fractional contract count, sent as text
            {"qty": "1.5"} if v.name == "bybit" else {"quantity": "1.5"} if v.name == "binance"
            else {"sz": "1.5"} if v.name == "okx" else {"size": "1.5"}
        )  # fmt: skip
    response = await send(rig, call)
    assert not accepted(v.name, response), response.text
    assert rig.accounts.position(v.name, v.symbol) == v.seed


async def test_resting_limit_order_fills_once_the_mark_reaches_it(rig: Rig) -> None:
    v = rig.venue
    marks = {"now": MARK}
    rig.server.api.mark = lambda _s: marks["now"]
    response = await send(rig, v.order("rest-1", "buy", v.qty, "40000", True))
    assert accepted(v.name, response), response.text
    assert rig.accounts.orders(v.name)[0]["status"] == "new"
    assert rig.accounts.position(v.name, v.symbol) == v.seed
    marks["now"] = 39_000.0
    row = order_of(v.name, (await send(rig, v.lookup("rest-1"))).json())
    assert filled_qty(v.name, row) == v.qty
    assert rig.accounts.position(v.name, v.symbol) == v.seed + v.qty


async def test_unknown_path_is_404(rig: Rig) -> None:
    response = await rig.client.http.get("/no/such/endpoint")
    assert response.status_code == 404
