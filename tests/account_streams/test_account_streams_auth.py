"""The login builders against the venues' published examples and their documented shapes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import orjson
import pytest

from hedgetui.account_streams import auth
from hedgetui.account_streams.logins import LoginKeys
from tests.conftest import SAMPLES_DIR, SHARED_DIR

VECTORS = {
    v["id"]: v for v in json.loads((SHARED_DIR / "exchanges/signing_vectors.json").read_text())
}


def _vector(name: str) -> dict[str, Any]:
    vector: dict[str, Any] = VECTORS[name]
    return vector


def test_deribit_client_signature_matches_the_docs_example() -> None:
    v = _vector("deribit-docs-ws-client-signature")
    frame = orjson.loads(
        auth.deribit_auth(v["api_key"], v["api_secret"], 1554883365000, "fdbmmz79", 9929)
    )
    docs = json.loads(
        (SAMPLES_DIR / "deribit/public_auth_client_signature_request_docs.json").read_text()
    )
    assert frame == docs  # the whole request, byte for byte in content
    assert frame["params"]["signature"] == v["expected_signature"]


def test_kraken_signed_challenge_matches_the_docs_example() -> None:
    v = _vector("krakenfutures-docs-ws-challenge")
    assert auth.kraken_sign_challenge(v["api_secret"], v["prehash"]) == v["expected_signature"]


def test_kraken_subscribe_has_the_docs_fields() -> None:
    docs = json.loads(
        (SAMPLES_DIR / "kraken_futures/open_positions_subscribe_request_docs.json").read_text()
    )
    frame = orjson.loads(
        auth.kraken_subscribe(
            "open_positions",
            docs["api_key"],
            docs["original_challenge"],
            docs["signed_challenge"],
        )
    )
    assert frame == docs


def test_kraken_secret_that_is_not_base64_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not valid base64"):
        auth.kraken_sign_challenge("not base64 !!", "c100b894")


def _hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def test_bitmex_auth_key_expires() -> None:
    frame = orjson.loads(auth.bitmex_auth("KEY", "SECRET", 1518064237))
    assert frame == {
        "op": "authKeyExpires",
        "args": ["KEY", 1518064237, _hex("SECRET", "GET/realtime1518064237")],
    }


def test_bybit_auth() -> None:
    frame = orjson.loads(auth.bybit_auth("KEY", "SECRET", 1662350400000))
    assert frame["op"] == "auth"
    assert frame["args"] == ["KEY", 1662350400000, _hex("SECRET", "GET/realtime1662350400000")]


def test_okx_login_signs_the_verify_path_in_seconds() -> None:
    frame = orjson.loads(auth.okx_login("KEY", "SECRET", "PASS", 1538054050))
    (arg,) = frame["args"]
    expected = base64.b64encode(
        hmac.new(b"SECRET", b"1538054050GET/users/self/verify", hashlib.sha256).digest()
    ).decode()
    assert frame["op"] == "login"
    assert arg == {
        "apiKey": "KEY",
        "passphrase": "PASS",
        "timestamp": "1538054050",
        "sign": expected,
    }


def test_login_keys_never_print_the_secret() -> None:
    keys = LoginKeys("the-key", "the-secret", "the-passphrase")
    text = repr(keys) + str(keys)
    assert "the-secret" not in text and "the-passphrase" not in text and "the-key" not in text
