"""Other request forms the real venues accept: Deribit JSON-RPC POST, BitMEX form bodies,
Binance parameters in the form body, Kraken lower-case symbols, BitMEX `Close`."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlencode

from hedgetui.sim.rest import DEMO_API_KEY
from tests.sim.rest.test_simrest_venues import open_rig


def _mac(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


async def test_deribit_json_rpc_post_echoes_the_id_and_fills() -> None:
    async with open_rig("deribit") as rig:
        path = "/api/v2/private/buy"
        params = {"instrument_name": "BTC-PERPETUAL", "contracts": 12, "type": "market"}
        body = json.dumps(
            {"jsonrpc": "2.0", "id": 77, "method": "private/buy",
             "params": {**params, "reduce_only": True, "label": "rpc-1"}}
        )  # fmt: skip
        ts, nonce = str(int(rig.clock.time() * 1000)), "abc123"
        sig = _mac(rig.client.secret, f"{ts}\n{nonce}\nPOST\n{path}\n{body}\n")
        auth = f"deri-hmac-sha256 id={DEMO_API_KEY},ts={ts},nonce={nonce},sig={sig}"
        response = await rig.client.http.post(
            path, content=body, headers={"Authorization": auth, "Content-Type": "application/json"}
        )
        reply = response.json()
        assert response.status_code == 200, reply
        assert reply["id"] == 77
        assert reply["result"]["order"]["filled_amount"] == 120  # 12 contracts x 10 USD
        assert reply["result"]["trades"][0]["amount"] == 120
        assert rig.accounts.position("deribit", "BTC-PERPETUAL") == -300 + 12


async def test_bitmex_form_body_and_close_exec_inst() -> None:
    async with open_rig("bitmex") as rig:
        path = "/api/v1/order"
        body = urlencode({"symbol": "XBTUSD", "side": "Buy", "execInst": "Close", "clOrdID": "f1"})
        expires = str(int(rig.clock.time()) + 30)
        headers = {
            "api-key": DEMO_API_KEY,
            "api-expires": expires,
            "api-signature": _mac(rig.client.secret, f"POST{path}{expires}{body}"),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        response = await rig.client.http.post(path, content=body, headers=headers)
        assert response.status_code == 200, response.text
        row = response.json()
        assert (row["ordStatus"], row["cumQty"], row["execInst"]) == ("Filled", 3000, "Close")
        assert rig.accounts.position("bitmex", "XBTUSD") == 0


async def test_binance_parameters_in_the_form_body() -> None:
    async with open_rig("binance") as rig:
        path = "/dapi/v1/order"
        query = "symbol=BTCUSD_PERP&side=BUY&type=MARKET"
        ts = int(rig.clock.time() * 1000)
        body = f"quantity=3&reduceOnly=true&newClientOrderId=form-1&timestamp={ts}"
        body += "&signature=" + _mac(rig.client.secret, query + body)  # glued, no "&"
        response = await rig.client.http.post(
            f"{path}?{query}",
            content=body,
            headers={
                "X-MBX-APIKEY": DEMO_API_KEY,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "NEW"  # the default ACK reply
        assert rig.accounts.position("binance", "BTCUSD_PERP") == -30 + 3


async def test_kraken_accepts_a_lower_case_symbol() -> None:
    async with open_rig("kraken") as rig:
        call = ("POST", "/derivatives/api/v3/sendorder",
                {"orderType": "mkt", "symbol": "pi_xbtusd", "side": "buy", "size": 7,
                 "reduceOnly": "true", "cliOrdId": "lc-1"})  # fmt: skip
        body = (await rig.client.call(*call)).json()
        assert body["sendStatus"]["status"] == "placed"
        assert rig.accounts.position("kraken", "PI_XBTUSD") == -3000 + 7
