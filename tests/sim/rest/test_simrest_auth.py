"""Signature verification of the simulator's REST side, with the venues' published examples
(signing_vectors.json) as the oracle: a request signed as in the vector verifies, a flipped
byte does not, and the time windows come from an injected clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from hedgetui.sim.rest.auth import (
    AuthError,
    Credentials,
    binance_prehash,
    bitmex_prehash,
    bybit_prehash,
    deribit_prehash,
    kraken_prehash,
    okx_prehash,
    verify_binance,
    verify_bitmex,
    verify_bybit,
    verify_deribit,
    verify_kraken,
    verify_okx,
)
from hedgetui.sim.rest.http import HttpRequest
from tests.conftest import SHARED_DIR

VECTORS: dict[str, dict[str, Any]] = {
    v["id"]: v for v in json.loads((SHARED_DIR / "exchanges" / "signing_vectors.json").read_text())
}


def _request(
    method: str, path: str, query: str = "", body: str = "", headers: dict[str, str] | None = None
) -> HttpRequest:
    target = f"{path}?{query}" if query else path
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    return HttpRequest(method, target, path, query, lowered, body.encode())


def _flip(text: str) -> str:
    """Change one character (the first hex/base64 digit) so the signature no longer matches."""
    first = text[0]
    return ("b" if first != "b" else "c") + text[1:]


# -- BitMEX -----------------------------------------------------------------------------------
@pytest.mark.parametrize("vector_id", ["bitmex-docs-expires-get", "bitmex-docs-expires-post"])
def test_bitmex_vector_verifies_and_a_flipped_byte_does_not(vector_id: str) -> None:
    v = VECTORS[vector_id]
    creds = Credentials(v["api_key"], v["api_secret"])
    expires = v["timestamp_or_expires_or_nonce"]

    def req(signature: str, body: str = v["body"]) -> HttpRequest:
        headers = {"api-key": v["api_key"], "api-expires": expires, "api-signature": signature}
        return _request(v["method"], v["path"], v["query"], body, headers)

    good = req(v["expected_signature"])
    assert bitmex_prehash(good, expires) == v["prehash"]
    verify_bitmex(good, creds, now=int(expires) - 5)
    with pytest.raises(AuthError) as err:
        verify_bitmex(req(_flip(v["expected_signature"])), creds, now=int(expires) - 5)
    assert err.value.kind == "bad_signature"
    if v["body"]:
        with pytest.raises(AuthError):
            verify_bitmex(req(v["expected_signature"], v["body"].replace("98", "99")), creds, 0)


def test_bitmex_expired_request_and_unknown_key_are_refused() -> None:
    v = VECTORS["bitmex-docs-expires-get"]
    creds = Credentials(v["api_key"], v["api_secret"])
    headers = {
        "api-key": v["api_key"],
        "api-expires": v["timestamp_or_expires_or_nonce"],
        "api-signature": v["expected_signature"],
    }
    req = _request("GET", v["path"], headers=headers)
    with pytest.raises(AuthError) as err:
        verify_bitmex(req, creds, now=int(v["timestamp_or_expires_or_nonce"]) + 1)
    assert err.value.kind == "expired"
    with pytest.raises(AuthError) as err:
        verify_bitmex(req, Credentials("another-key", v["api_secret"]), now=0)
    assert err.value.kind == "bad_key"


# -- Binance ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "vector_id",
    [
        "binance-usdm-docs-hmac-example1",
        "binance-spot-docs-hmac-example1",
        "binance-coinm-docs-hmac-example3-mixed",
    ],
)
def test_binance_vector_verifies_and_a_flipped_byte_does_not(vector_id: str) -> None:
    v = VECTORS[vector_id]
    creds = Credentials(v["api_key"], v["api_secret"])
    ts_ms = int(v["timestamp_or_expires_or_nonce"].strip())

    def req(signature: str) -> HttpRequest:
        headers = {"X-MBX-APIKEY": v["api_key"]}
        if v["body"]:  # mixed: the signature ends the body
            return _request(
                "POST", v["path"], v["query"], f"{v['body']}&signature={signature}", headers
            )
        return _request("POST", v["path"], f"{v['query']}&signature={signature}", "", headers)

    good = req(v["expected_signature"])
    assert binance_prehash(good) == (v["prehash"], v["expected_signature"])
    verify_binance(good, creds, now=ts_ms / 1000)
    verify_binance(req(v["expected_signature"].upper()), creds, now=ts_ms / 1000)  # any case
    with pytest.raises(AuthError) as err:
        verify_binance(req(_flip(v["expected_signature"])), creds, now=ts_ms / 1000)
    assert err.value.kind == "bad_signature"


def test_binance_unreproducible_coinm_example_is_rejected() -> None:
    """rest.md: the COIN-M page's example 1 does not reproduce — a correct verifier refuses it."""
    v = VECTORS["binance-coinm-docs-hmac-example1"]
    assert v["recomputed_matches"] is False
    req = _request(
        "POST",
        v["path"],
        f"{v['query']}&signature={v['expected_signature']}",
        headers={"X-MBX-APIKEY": v["api_key"]},
    )
    with pytest.raises(AuthError):
        verify_binance(req, Credentials(v["api_key"], v["api_secret"]), now=1591702613.943)


def test_binance_recv_window_is_enforced() -> None:
    v = VECTORS["binance-usdm-docs-hmac-example1"]
    creds = Credentials(v["api_key"], v["api_secret"])
    query = f"{v['query']}&signature={v['expected_signature']}"
    req = _request("POST", v["path"], query, headers={"X-MBX-APIKEY": v["api_key"]})
    ts = 1591702613.943
    verify_binance(req, creds, now=ts + 4.9)  # recvWindow=5000 in the vector
    for now in (ts + 5.1, ts - 1.1):  # too old; more than 1 s in the future
        with pytest.raises(AuthError) as err:
            verify_binance(req, creds, now=now)
        assert err.value.kind == "expired"


# -- OKX --------------------------------------------------------------------------------------
def test_okx_vector_verifies_and_a_flipped_byte_does_not() -> None:
    v = VECTORS["okx-thirdparty-rest-post-order"]
    creds = Credentials("okx-key", v["api_secret"], "pass")
    ts = v["timestamp_or_expires_or_nonce"]

    def req(signature: str, passphrase: str = "pass") -> HttpRequest:
        headers = {
            "OK-ACCESS-KEY": "okx-key",
            "OK-ACCESS-SIGN": signature,
            "OK-ACCESS-TIMESTAMP": ts,
            "OK-ACCESS-PASSPHRASE": passphrase,
        }
        return _request("POST", v["path"], "", v["body"], headers)

    now = 1607418537.715  # 2020-12-08T09:08:57.715Z
    good = req(v["expected_signature"])
    assert okx_prehash(good, ts) == v["prehash"]
    verify_okx(good, creds, now=now + 10)
    with pytest.raises(AuthError) as err:
        verify_okx(req(_flip(v["expected_signature"])), creds, now=now)
    assert err.value.kind == "bad_signature"
    with pytest.raises(AuthError) as err:
        verify_okx(good, creds, now=now + 31)
    assert err.value.kind == "expired"
    with pytest.raises(AuthError) as err:
        verify_okx(req(v["expected_signature"], "wrong"), creds, now=now)
    assert err.value.kind == "bad_passphrase"


# -- Kraken Futures ---------------------------------------------------------------------------
def test_kraken_vector_verifies_with_and_without_the_derivatives_prefix() -> None:
    v = VECTORS["krakenfutures-thirdparty-rest-authent"]
    creds = Credentials("kraken-key", v["api_secret"])
    nonce = v["timestamp_or_expires_or_nonce"]

    def req(authent: str, path: str = v["path"]) -> HttpRequest:
        headers = {"APIKey": "kraken-key", "Authent": authent, "Nonce": nonce}
        return _request("POST", path, "", v["body"], headers)

    good = req(v["expected_signature"])
    assert kraken_prehash(good, nonce) == v["prehash"]
    verify_kraken(good, creds)
    verify_kraken(req(v["expected_signature"], "/api/v3/sendorder"), creds)
    with pytest.raises(AuthError) as err:
        verify_kraken(req(_flip(v["expected_signature"])), creds)
    assert err.value.kind == "bad_signature"
    seen: set[str] = set()
    verify_kraken(good, creds, seen)
    with pytest.raises(AuthError) as err:
        verify_kraken(good, creds, seen)  # the same nonce twice
    assert err.value.kind == "nonce"


# -- Bybit (published examples have no secret: their pre-hash strings are the oracle) ---------
@pytest.mark.parametrize(
    "vector_id", ["bybit-docs-get-unverifiable", "bybit-docs-post-unverifiable"]
)
def test_bybit_prehash_matches_the_docs(vector_id: str) -> None:
    v = VECTORS[vector_id]
    req = _request(v["method"], v["path"], v["query"], v["body"])
    assert (
        bybit_prehash(req, v["timestamp_or_expires_or_nonce"], v["api_key"], "5000") == v["prehash"]
    )


def test_bybit_signature_and_window() -> None:
    creds = Credentials("bybit-key", "bybit-secret")
    ts = "1658384314791"
    query = "category=inverse&symbol=BTCUSD"
    text = ts + "bybit-key" + "5000" + query  # written from the docs, not from the sim's code
    sig = hmac.new(b"bybit-secret", text.encode(), hashlib.sha256).hexdigest()

    def req(signature: str) -> HttpRequest:
        headers = {
            "X-BAPI-API-KEY": "bybit-key",
            "X-BAPI-TIMESTAMP": ts,
            "X-BAPI-SIGN": signature,
            "X-BAPI-RECV-WINDOW": "5000",
        }
        return _request("GET", "/v5/position/list", query, headers=headers)

    verify_bybit(req(sig), creds, now=1658384314.791 + 4.9)
    with pytest.raises(AuthError) as err:
        verify_bybit(req(_flip(sig)), creds, now=1658384314.791)
    assert err.value.kind == "bad_signature"
    for now in (1658384314.791 + 5.1, 1658384314.791 - 1.1):
        with pytest.raises(AuthError) as err:
            verify_bybit(req(sig), creds, now=now)
        assert err.value.kind == "expired"


# -- Deribit (no fixed-input HTTP example is published: an independent signer) ----------------
def test_deribit_header_signature_in_any_field_order() -> None:
    creds = Credentials("deribit-id", "deribit-secret")
    ts, nonce = "1554883365000", "fdbmmz79"
    uri = "/api/v2/private/get_position?instrument_name=BTC-PERPETUAL"
    text = f"{ts}\n{nonce}\nGET\n{uri}\n\n"
    sig = hmac.new(b"deribit-secret", text.encode(), hashlib.sha256).hexdigest()
    path, _, query = uri.partition("?")
    for header in (
        f"deri-hmac-sha256 id=deribit-id,ts={ts},sig={sig},nonce={nonce}",
        f"deri-hmac-sha256 id=deribit-id, ts={ts}, nonce={nonce}, sig={sig}",
    ):
        req = _request("GET", path, query, headers={"Authorization": header})
        assert deribit_prehash(req, ts, nonce) == text
        verify_deribit(req, creds, now=1554883365.0 + 59)
    flipped = f"deri-hmac-sha256 id=deribit-id,ts={ts},sig={_flip(sig)},nonce={nonce}"
    bad = _request("GET", path, query, headers={"Authorization": flipped})
    with pytest.raises(AuthError) as err:
        verify_deribit(bad, creds, now=1554883365.0)
    assert err.value.kind == "bad_signature"
    with pytest.raises(AuthError) as err:
        verify_deribit(req, creds, now=1554883365.0 + 61)
    assert err.value.kind == "expired"


def test_credentials_repr_hides_the_secret() -> None:
    creds = Credentials("k", "very-secret")
    assert "very-secret" not in repr(creds)
    assert base64.b64decode("aGVkZ2V0dWktZGVtby1zZWNyZXQtbm90LXJlYWw=")  # demo secret is base64
