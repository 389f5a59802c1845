"""Signature VERIFICATION, per venue, as each venue documents it (see rest.md, section "Signing").

Written independently of the trading client's signer (hedgetui/trading): the two check each
other. Each `verify_<venue>` raises `AuthError` (kind + detail) or returns None; the venue
modules turn the kind into the venue's real error reply. `now` is epoch seconds from the
injected clock, so the timestamp / expiry windows are testable without sleeping.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from hedgetui.sim.rest.http import HttpRequest

AuthKind = Literal["missing", "bad_key", "bad_signature", "expired", "bad_passphrase", "nonce"]


@dataclass(frozen=True, slots=True)
class Credentials:
    api_key: str
    api_secret: str
    passphrase: str = ""

    def __repr__(self) -> str:  # never show the secret
        return f"Credentials(api_key={self.api_key!r}, api_secret='***')"


class AuthError(Exception):
    def __init__(self, kind: AuthKind, detail: str) -> None:
        super().__init__(detail)
        self.kind: AuthKind = kind
        self.detail = detail


def _hmac_hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def _need(req: HttpRequest, name: str) -> str:
    value = req.header(name)
    if not value:
        raise AuthError("missing", f"missing header {name}")
    return value


def _check_key(given: str, creds: Credentials) -> None:
    if not _same(creds.api_key, given):
        raise AuthError("bad_key", "unknown API key")


def _body(req: HttpRequest) -> str:
    return req.body.decode("utf-8", "replace")


# -- BitMEX: hex HMAC-SHA256(secret, VERB + path?query + expires + body) ----------------------
def bitmex_prehash(req: HttpRequest, expires: str) -> str:
    return req.method + req.target + expires + _body(req)


def verify_bitmex(req: HttpRequest, creds: Credentials, now: float) -> None:
    key = _need(req, "api-key")
    expires = _need(req, "api-expires")
    signature = _need(req, "api-signature")
    _check_key(key, creds)
    try:
        expires_s = int(expires)
    except ValueError:
        raise AuthError("expired", f"api-expires {expires!r} is not unix seconds") from None
    if expires_s < int(now):
        raise AuthError("expired", f"Current time: {int(now)}")
    if not _same(_hmac_hex(creds.api_secret, bitmex_prehash(req, expires)), signature.lower()):
        raise AuthError("bad_signature", "signature does not match")


# -- Bybit v5: hex HMAC-SHA256(secret, ts + key + recv_window + (query | body)) --------------
def bybit_prehash(req: HttpRequest, ts: str, key: str, recv_window: str) -> str:
    payload = req.query if req.method == "GET" else _body(req)
    return ts + key + recv_window + payload


def verify_bybit(req: HttpRequest, creds: Credentials, now: float) -> None:
    key = _need(req, "X-BAPI-API-KEY")
    ts = _need(req, "X-BAPI-TIMESTAMP")
    signature = _need(req, "X-BAPI-SIGN")
    recv_window = req.header("X-BAPI-RECV-WINDOW") or "5000"
    _check_key(key, creds)
    try:
        ts_ms, window = int(ts), int(recv_window)
    except ValueError:
        raise AuthError("expired", "timestamp and recv_window must be integers") from None
    server_ms = int(now * 1000)
    if not server_ms - window <= ts_ms < server_ms + 1000:
        raise AuthError(
            "expired",
            f"req_timestamp[{ts_ms}],server_timestamp[{server_ms}],recv_window[{window}]",
        )
    prehash = bybit_prehash(req, ts, key, recv_window)
    if not _same(_hmac_hex(creds.api_secret, prehash), signature.lower()):
        raise AuthError("bad_signature", f"origin_string[{prehash}]")


# -- Binance COIN-M: hex HMAC-SHA256(secret, query + body), `signature` param last ----------
def _split_signature(params: str) -> tuple[str, str | None]:
    """Remove the `signature=` parameter from a raw parameter string, keep the rest verbatim."""
    kept: list[str] = []
    signature: str | None = None
    for part in params.split("&") if params else []:
        if part.startswith("signature="):
            signature = part[len("signature=") :]
        else:
            kept.append(part)
    return "&".join(kept), signature


def binance_prehash(req: HttpRequest) -> tuple[str, str | None]:
    """(totalParams, signature): query and body glued with no separator, signature removed."""
    query, sig_q = _split_signature(req.query)
    body, sig_b = _split_signature(_body(req))
    return query + body, sig_q or sig_b


def verify_binance(req: HttpRequest, creds: Credentials, now: float) -> None:
    key = _need(req, "X-MBX-APIKEY")
    _check_key(key, creds)
    total, signature = binance_prehash(req)
    if not signature:
        raise AuthError("missing", "Mandatory parameter 'signature' was not sent")
    params = {**req.form_params(), **req.query_params()}  # the query wins
    try:
        ts_ms = int(params.get("timestamp", "").strip())
        window = int(params.get("recvWindow", "5000"))
    except ValueError:
        raise AuthError("missing", "Mandatory parameter 'timestamp' was not sent") from None
    server_ms = int(now * 1000)
    if not (ts_ms < server_ms + 1000 and server_ms - ts_ms <= window):
        raise AuthError("expired", "Timestamp for this request is outside of the recvWindow.")
    if not _same(_hmac_hex(creds.api_secret, total), signature.lower()):
        raise AuthError("bad_signature", "Signature for this request is not valid.")


# -- Deribit: Authorization: deri-hmac-sha256 id=..,ts=..,sig=..,nonce=.. ---------------------
def deribit_prehash(req: HttpRequest, ts: str, nonce: str) -> str:
    return f"{ts}\n{nonce}\n{req.method}\n{req.target}\n{_body(req)}\n"


def parse_deribit_authorization(value: str) -> dict[str, str]:
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "deri-hmac-sha256":
        raise AuthError("missing", f"unsupported authorization scheme {scheme!r}")
    fields: dict[str, str] = {}
    for item in rest.split(","):
        name, sep, val = item.strip().partition("=")
        if sep:
            fields[name.strip()] = val.strip()
    for name in ("id", "ts", "sig", "nonce"):
        if name not in fields:
            raise AuthError("missing", f"authorization header lacks {name}=")
    return fields


def verify_deribit(req: HttpRequest, creds: Credentials, now: float) -> None:
    fields = parse_deribit_authorization(_need(req, "Authorization"))
    _check_key(fields["id"], creds)
    try:
        ts_ms = int(fields["ts"])
    except ValueError:
        raise AuthError("expired", "ts must be milliseconds") from None
    if abs(int(now * 1000) - ts_ms) > 60_000:
        raise AuthError("expired", "ts outside the 60 s validity window")
    prehash = deribit_prehash(req, fields["ts"], fields["nonce"])
    if not _same(_hmac_hex(creds.api_secret, prehash), fields["sig"].lower()):
        raise AuthError("bad_signature", "invalid signature")


def verify_deribit_client_signature(params: dict[str, str], creds: Credentials, now: float) -> None:
    """``public/auth`` with ``grant_type=client_signature``: hex HMAC(secret, ts\nnonce\ndata)."""
    if params.get("grant_type") != "client_signature":
        raise AuthError("bad_key", "the simulator grants client_signature only")
    _check_key(params.get("client_id", ""), creds)
    ts = params.get("timestamp", "")
    if not ts.isdigit() or abs(int(now * 1000) - int(ts)) > 60_000:
        raise AuthError("expired", "timestamp outside the 60 s validity window")
    text = f"{ts}\n{params.get('nonce', '')}\n{params.get('data', '')}"
    if not _same(_hmac_hex(creds.api_secret, text), params.get("signature", "").lower()):
        raise AuthError("bad_signature", "invalid signature")


# -- OKX: base64 HMAC-SHA256(secret, ts + METHOD + path?query + body) + passphrase ------------
def okx_prehash(req: HttpRequest, ts: str) -> str:
    return ts + req.method + req.target + _body(req)


def verify_okx(req: HttpRequest, creds: Credentials, now: float) -> None:
    key = _need(req, "OK-ACCESS-KEY")
    signature = _need(req, "OK-ACCESS-SIGN")
    ts = _need(req, "OK-ACCESS-TIMESTAMP")
    passphrase = req.header("OK-ACCESS-PASSPHRASE")
    if not passphrase:
        raise AuthError("missing", "OK-ACCESS-PASSPHRASE header is empty")
    _check_key(key, creds)
    try:
        sent = datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise AuthError("expired", f"Invalid OK-ACCESS-TIMESTAMP {ts!r}") from None
    if abs(now - sent) > 30.0:
        raise AuthError("expired", "Timestamp request expired")
    if not _same(creds.passphrase, passphrase):
        raise AuthError("bad_passphrase", "Invalid OK-ACCESS-PASSPHRASE")
    digest = hmac.new(creds.api_secret.encode(), okx_prehash(req, ts).encode(), hashlib.sha256)
    if not _same(base64.b64encode(digest.digest()).decode(), signature):
        raise AuthError("bad_signature", "Invalid Sign")


# -- Kraken Futures: base64 HMAC-SHA512(b64decode(secret), SHA256(postData + nonce + path)) ---
def kraken_prehash(req: HttpRequest, nonce: str) -> str:
    endpoint = req.path.removeprefix("/derivatives")
    return req.query + _body(req) + nonce + endpoint


def verify_kraken(
    req: HttpRequest, creds: Credentials, seen_nonces: set[str] | None = None
) -> None:
    key = _need(req, "APIKey")
    authent = _need(req, "Authent")
    nonce = req.header("Nonce") or ""
    _check_key(key, creds)
    try:
        secret = base64.b64decode(creds.api_secret, validate=True)
    except binascii.Error:
        raise AuthError("bad_key", "API secret is not valid base64") from None
    inner = hashlib.sha256(kraken_prehash(req, nonce).encode()).digest()
    expected = base64.b64encode(hmac.new(secret, inner, hashlib.sha512).digest()).decode()
    if not _same(expected, authent):
        raise AuthError("bad_signature", "authenticationError")
    if nonce and seen_nonces is not None:
        if nonce in seen_nonces:
            raise AuthError("nonce", "nonceDuplicate")
        seen_nonces.add(nonce)
