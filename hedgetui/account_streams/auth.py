"""Pure builders of each venue's websocket login message (the text sent right after connect).

Signatures reuse the trading client's signers (``hedgetui.trading.signing``); the websocket
variants differ only in the signed text. Every function returns the exact frame to send and
is deterministic given its inputs (timestamp, nonce), so it is tested against the venues'
published examples. Nothing here logs: the frames contain a signature and the key id.
"""

from __future__ import annotations

import orjson

from hedgetui.trading.signing import (
    bitmex_signature,
    deribit_ws_signature,
    hmac_sha256_hex,
    kraken_mac,
    okx_signature,
)

WS_VERIFY_TEXT = "GET/realtime"  # BitMEX and Bybit sign this + expires
OKX_VERIFY_PATH = "/users/self/verify"


def _dumps(obj: object) -> str:
    return orjson.dumps(obj).decode()


def bitmex_auth(api_key: str, secret: str, expires_s: int) -> str:
    """``authKeyExpires`` op: args key, expires (s), hex HMAC(secret, "GET/realtime"+expires)."""
    signature = bitmex_signature(secret, "GET", "/realtime", expires_s, "")
    return _dumps({"op": "authKeyExpires", "args": [api_key, expires_s, signature]})


def bybit_auth(api_key: str, secret: str, expires_ms: int) -> str:
    """``{"op":"auth","args":[key, expires ms, hex HMAC(secret, "GET/realtime"+expires)]}``."""
    signature = hmac_sha256_hex(secret, f"{WS_VERIFY_TEXT}{expires_ms}")
    return _dumps(
        {"req_id": "hedgetui-auth", "op": "auth", "args": [api_key, expires_ms, signature]}
    )


def deribit_auth(
    client_id: str, secret: str, timestamp_ms: int, nonce: str, request_id: int
) -> str:
    """``public/auth`` with ``grant_type=client_signature`` (data empty)."""
    signature = deribit_ws_signature(secret, timestamp_ms, nonce, "")
    params = {
        "grant_type": "client_signature",
        "client_id": client_id,
        "timestamp": str(timestamp_ms),
        "nonce": nonce,
        "data": "",
        "signature": signature,
    }
    return _dumps({"jsonrpc": "2.0", "id": request_id, "method": "public/auth", "params": params})


def okx_login(api_key: str, secret: str, passphrase: str, timestamp_s: int) -> str:
    """``login`` op; sign = base64 HMAC(secret, ts + "GET" + "/users/self/verify")."""
    sign = okx_signature(secret, str(timestamp_s), "GET", OKX_VERIFY_PATH, "")
    arg = {"apiKey": api_key, "passphrase": passphrase, "timestamp": str(timestamp_s), "sign": sign}
    return _dumps({"op": "login", "args": [arg]})


def kraken_challenge_request(api_key: str) -> str:
    return _dumps({"event": "challenge", "api_key": api_key})


def kraken_sign_challenge(secret_b64: str, challenge: str) -> str:
    """base64(HMAC-SHA512(b64decode(secret), SHA-256(challenge)))."""
    return kraken_mac(secret_b64, challenge)


def kraken_subscribe(feed: str, api_key: str, challenge: str, signed: str) -> str:
    return _dumps(
        {
            "event": "subscribe",
            "feed": feed,
            "api_key": api_key,
            "original_challenge": challenge,
            "signed_challenge": signed,
        }
    )
