"""Pure request signers, one per venue, exactly as each venue documents them.

Each function takes the text that goes on the wire (already serialised) and returns the
signature; the clients serialise once, sign those bytes and send the same bytes. Tested
against the venues' published examples in ``signing_vectors.json``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def hmac_sha256_hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def hmac_sha256_b64(secret: str, text: str) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    ).decode()


# --------------------------------------------------------------------------- BitMEX


def bitmex_prehash(verb: str, path_with_query: str, expires: int | str, body: str) -> str:
    """``VERB + /api/v1/path[?query] + expires + body`` (body empty for GET)."""
    return f"{verb.upper()}{path_with_query}{expires}{body}"


def bitmex_signature(
    secret: str, verb: str, path_with_query: str, expires: int | str, body: str
) -> str:
    return hmac_sha256_hex(secret, bitmex_prehash(verb, path_with_query, expires, body))


# --------------------------------------------------------------------------- Bybit v5


def bybit_prehash(
    timestamp_ms: int | str, api_key: str, recv_window: int | str, payload: str
) -> str:
    """``timestamp + api_key + recv_window + (GET: query string; POST: raw JSON body)``."""
    return f"{timestamp_ms}{api_key}{recv_window}{payload}"


def bybit_signature(
    secret: str, timestamp_ms: int | str, api_key: str, recv_window: int | str, payload: str
) -> str:
    return hmac_sha256_hex(secret, bybit_prehash(timestamp_ms, api_key, recv_window, payload))


# --------------------------------------------------------------------------- Binance COIN-M


def binance_prehash(query: str, body: str) -> str:
    """totalParams: the query string glued to the form body, no ``&`` in between."""
    return f"{query}{body}"


def binance_signature(secret: str, query: str, body: str = "") -> str:
    return hmac_sha256_hex(secret, binance_prehash(query, body))


# --------------------------------------------------------------------------- Deribit


def deribit_http_prehash(
    timestamp_ms: int | str, nonce: str, method: str, uri: str, body: str
) -> str:
    """``ts\\nnonce\\nMETHOD\\nURI\\nbody\\n``; URI = path + query including ``/api/v2``."""
    return f"{timestamp_ms}\n{nonce}\n{method.upper()}\n{uri}\n{body}\n"


def deribit_http_signature(
    secret: str, timestamp_ms: int | str, nonce: str, method: str, uri: str, body: str
) -> str:
    return hmac_sha256_hex(secret, deribit_http_prehash(timestamp_ms, nonce, method, uri, body))


def deribit_authorization(
    client_id: str, secret: str, timestamp_ms: int, nonce: str, method: str, uri: str, body: str
) -> str:
    sig = deribit_http_signature(secret, timestamp_ms, nonce, method, uri, body)
    return f"deri-hmac-sha256 id={client_id},ts={timestamp_ms},sig={sig},nonce={nonce}"


def deribit_ws_prehash(timestamp_ms: int | str, nonce: str, data: str) -> str:
    """WebSocket ``client_signature``: ``ts\\nnonce\\ndata`` with NO trailing newline."""
    return f"{timestamp_ms}\n{nonce}\n{data}"


def deribit_ws_signature(secret: str, timestamp_ms: int | str, nonce: str, data: str) -> str:
    return hmac_sha256_hex(secret, deribit_ws_prehash(timestamp_ms, nonce, data))


# --------------------------------------------------------------------------- OKX


def okx_prehash(timestamp_iso: str, method: str, path_with_query: str, body: str) -> str:
    """``ISO timestamp + METHOD + /api/v5/path[?query] + body``; passphrase is not signed."""
    return f"{timestamp_iso}{method.upper()}{path_with_query}{body}"


def okx_signature(
    secret: str, timestamp_iso: str, method: str, path_with_query: str, body: str
) -> str:
    return hmac_sha256_b64(secret, okx_prehash(timestamp_iso, method, path_with_query, body))


def okx_timestamp(epoch_s: float) -> str:
    """``2020-12-08T09:08:57.715Z`` from epoch seconds."""
    import datetime as _dt

    ms = round(epoch_s * 1000)
    moment = _dt.datetime.fromtimestamp(ms // 1000, tz=_dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


# --------------------------------------------------------------------------- Kraken Futures


def kraken_endpoint_path(path: str) -> str:
    """The signed path drops the ``/derivatives`` prefix."""
    return path.removeprefix("/derivatives")


def kraken_prehash(post_data: str, nonce: str, path: str) -> str:
    return f"{post_data}{nonce}{kraken_endpoint_path(path)}"


def kraken_mac(secret_b64: str, message: str) -> str:
    """base64(HMAC-SHA512(key=b64decode(secret), msg=SHA-256(message) raw bytes))."""
    try:
        key = base64.b64decode(secret_b64, validate=True)
    except ValueError:
        raise ValueError("the Kraken API secret is not valid base64") from None
    digest = hashlib.sha256(message.encode()).digest()
    return base64.b64encode(hmac.new(key, digest, hashlib.sha512).digest()).decode()


def kraken_authent(secret_b64: str, post_data: str, nonce: str, path: str) -> str:
    return kraken_mac(secret_b64, kraken_prehash(post_data, nonce, path))
