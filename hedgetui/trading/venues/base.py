"""What every venue client shares: the signed-request plumbing over httpx and reply helpers.

A venue module supplies pure builders (request text) and parsers (reply -> typed result or
typed error); this base turns transport failures into :class:`LostReply` (the order may
exist: look it up by client id before anything else) and redacts secrets from every error.
"""

from __future__ import annotations

import math
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NoReturn

import httpx
import orjson

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.domain import BalanceUpdate, PositionUpdate
from hedgetui.trading.credentials import Credentials, redact
from hedgetui.trading.orders import (
    AuthError,
    BadReply,
    KeyPermissions,
    LostReply,
    OrderRequest,
    OrderResult,
    RateLimited,
    ServerError,
    TradingError,
)


def fnum(value: Any, field: str, venue: str) -> float:
    """A number that venues send as a string or a number; '' -> error."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise BadReply(venue, f"field {field!r} is not a number: {value!r}") from None


def famount(value: Any) -> float | None:
    """An optional amount where 0 (and below) is a figure too: None only when absent or not
    a finite number."""
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def fopt(value: Any) -> float | None:
    """An optional number: '', None and 0 (venues' "none") become None."""
    number = famount(value)
    return number if number is not None and number > 0 else None


def fmt_qty(contracts: float) -> str:
    """Contracts as the shortest exact decimal text (``100`` not ``100.0``)."""
    return str(int(contracts)) if float(contracts).is_integer() else repr(float(contracts))


def fmt_price(price: float) -> str:
    text = f"{price:.8f}".rstrip("0").rstrip(".")
    return text or "0"


def _os_reason(exc: BaseException) -> str:
    """The operating system's words under a transport error ("connection refused"), or ''."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno:
            return os.strerror(seen.errno).lower()
        seen = seen.__cause__ or seen.__context__
    return ""


async def send_request(
    http: httpx.AsyncClient,
    venue: str,
    base_url: str,
    method: str,
    path: str,
    *,
    query: str = "",
    body: str = "",
    headers: Mapping[str, str] | None = None,
    redact: Callable[[str], str] = str,
) -> tuple[int, Any, Mapping[str, str]]:
    """Send exactly these bytes to ``base_url + path``; return (HTTP status, parsed JSON or
    None, headers). Transport failures are :class:`LostReply`; a reply that is not JSON is the
    typed error of its status; every text passes through ``redact`` (no secret leaves)."""
    url = f"{base_url}{path}" + (f"?{query}" if query else "")
    try:
        reply = await http.request(
            method, url, content=body.encode() if body else None, headers=dict(headers or {})
        )
    except httpx.TimeoutException as exc:
        raise LostReply(
            venue, f"timed out waiting for {method} {path} ({type(exc).__name__})"
        ) from None
    except httpx.ConnectError as exc:  # nothing was sent: say where it could not connect
        detail = redact(_os_reason(exc) or str(exc) or type(exc).__name__)
        raise LostReply(
            venue, f"could not connect to {base_url} for {method} {path}: {detail}"
        ) from None
    except httpx.TransportError as exc:
        detail = redact(str(exc) or type(exc).__name__)
        raise LostReply(venue, f"connection failed during {method} {path}: {detail}") from None
    payload: Any = None
    if reply.content:
        try:
            payload = orjson.loads(reply.content)
        except orjson.JSONDecodeError:
            payload = None
    if payload is None:
        text = redact(reply.text[:200])
        if reply.status_code == 429:
            raise RateLimited(venue, text or "too many requests", http=429)
        if reply.status_code >= 500:
            raise ServerError(venue, text or "server error", http=reply.status_code)
        if reply.status_code in (401, 403):
            raise AuthError(venue, text or "unauthorized", http=reply.status_code)
        raise BadReply(venue, f"not JSON: {text!r}", http=reply.status_code)
    return reply.status_code, payload, reply.headers


class VenueClient(ABC):
    """A small signed client for one venue: place, look up by client id, position, balance."""

    venue: ClassVar[str]
    default_url: ClassVar[str]

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str | None = None,
        clock: Clock | None = None,
        timeout_s: float = 10.0,
        http: httpx.AsyncClient | None = None,
        account: str | None = None,
        permissions: str = "read",
    ) -> None:
        self.credentials = credentials
        # The account's configured permissions ("read" or "trade"; the config's default is
        # "read"): the order gate refuses every order of a client that is not "trade".
        self.permissions = permissions
        self._key_report: KeyPermissions | None = None
        self._key_checked = False
        self.base_url = (base_url or self.default_url).rstrip("/")
        self.clock = clock or SYSTEM_CLOCK
        self.account = account or credentials.account
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout_s)
        self._nonce = 0

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> VenueClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ the venue API

    @abstractmethod
    async def place_order(self, order: OrderRequest) -> OrderResult: ...

    @abstractmethod
    async def order_by_client_id(self, order: OrderRequest) -> OrderResult | None:
        """The order with ``order.client_order_id`` (None when the venue has no such order)."""

    @abstractmethod
    async def cancel_order(self, order: OrderRequest) -> None:
        """Cancel the resting order ``order.client_order_id``; a refusal (already filled,
        unknown) raises a TradingError carrying the venue's words."""

    @abstractmethod
    async def position(self, symbol: str, contract_size: float) -> PositionUpdate: ...

    @abstractmethod
    async def balance(self, coin: str) -> BalanceUpdate: ...

    # ------------------------------------------------------------------ plumbing

    def now_ms(self) -> int:
        return int(self.clock.time() * 1000)

    def next_nonce(self) -> str:
        self._nonce += 1
        return f"{self.now_ms()}{self._nonce:04d}"

    def ts(self) -> int:
        return self.now_ms()

    def _redact(self, text: str) -> str:
        return redact(text, self.credentials.secrets())

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        body: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Send exactly these bytes; return (HTTP status, parsed JSON or None, headers)."""
        return await send_request(
            self._http,
            self.venue,
            self.base_url,
            method,
            path,
            query=query,
            body=body,
            headers=headers,
            redact=self._redact,
        )

    def raise_redacted(self, error: TradingError) -> NoReturn:
        error.message = self._redact(error.message)
        error.args = (error.describe(),)
        raise error

    @staticmethod
    def dumps(obj: Any) -> str:
        """Compact JSON, the exact text that is signed and sent."""
        return orjson.dumps(obj).decode()

    # ------------------------------------------------------------------ key permissions

    async def key_permissions(self) -> KeyPermissions | None:
        """What the venue says this key may do, asked once per client (None: it does not say).

        A failed request raises (``TradingError``) and is asked again next time.
        """
        if not self._key_checked:
            self._key_report = await self.fetch_key_permissions()
            self._key_checked = True
        return self._key_report

    async def fetch_key_permissions(self) -> KeyPermissions | None:
        """The venue's key-info call; venues that report nothing about a key return None."""
        return None
