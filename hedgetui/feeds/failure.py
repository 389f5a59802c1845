"""Why a connection failed, in words: one exception -> one :class:`FeedFailure` (pure).

The connection loop (``feeds.base``) classifies every failed or ended session here, so the
status line, ``hedgetui status``/``watch`` and the connection log all say the same thing:

=============  =====================================================================
kind           words
=============  =====================================================================
dns            ``name does not resolve: <host> (<resolver's words>)``
refused        ``connection refused by <host>:<port>``
unreachable    ``no route to <host>:<port> (<OS words>)``
timeout        ``no answer from <host>:<port> within the connect timeout``
tls            ``TLS certificate not trusted: <why>`` / ``TLS error: <why>``
http           ``HTTP 403 Forbidden on the websocket upgrade``
closed         ``closed by the venue (code 1013: try again later)``
lost           ``connection lost (no close frame)``
rejected       ``subscription rejected: <the venue's own message>``
auth           ``auth failed: <the venue's own message>`` (account streams)
silent         ``no data for 30.0s (watchdog)``
error          anything else, with its type and message
=============  =====================================================================

``FeedFailure.short`` is the few characters the status line has room for (``refused``,
``http 403``, ``closed 1013``).
"""

from __future__ import annotations

import errno
import http
import socket
import ssl
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidStatus

from hedgetui.domain import FailureKind, FeedFailure
from hedgetui.feeds.errors import VenueErrorReply

MAX_REASON = 200
_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}


def host_port(url: str) -> tuple[str, str]:
    """``(host, host:port)`` of ``url`` (the port the scheme implies when none is given)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme in ("wss", "https") else 80
    shown = f"[{host}]" if ":" in host else host
    return host, f"{shown}:{port}"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def closed(code: int | None, reason: str) -> FeedFailure:
    """The venue closed the connection (``code`` None: it dropped without a close frame)."""
    if code is None:
        return FeedFailure(FailureKind.LOST, "connection lost (no close frame)")
    words = f": {reason}" if reason else ""
    return FeedFailure(FailureKind.CLOSED, _clip(f"closed by the venue (code {code}{words})"), code)


def rejected(reply: VenueErrorReply) -> FeedFailure:
    """The venue answered a subscription with an error (its own words)."""
    return FeedFailure(FailureKind.REJECTED, _clip(f"subscription rejected: {reply}"))


def auth_failed(words: str) -> FeedFailure:
    """The venue refused an account stream's login (its words, secrets already redacted)."""
    return FeedFailure(FailureKind.AUTH, _clip(f"auth failed: {words}"))


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it (websockets wraps socket and TLS errors), outermost first."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain and len(chain) < 8:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    return chain


def _tls(exc: ssl.SSLError) -> FeedFailure:
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = exc.verify_message or exc.reason or "verification failed"
        return FeedFailure(FailureKind.TLS, _clip(f"TLS certificate not trusted: {why}"))
    why = exc.reason or exc.strerror or str(exc)
    return FeedFailure(FailureKind.TLS, _clip(f"TLS error: {str(why).lower().replace('_', ' ')}"))


def classify(exc: BaseException, url: str) -> FeedFailure:
    """Why a session on ``url`` ended with ``exc`` (the handshake or a later read failing)."""
    host, where = host_port(url)
    for cause in _causes(exc):
        if isinstance(cause, InvalidStatus):
            status = cause.response.status_code
            try:
                phrase = f" {http.HTTPStatus(status).phrase}"
            except ValueError:
                phrase = ""
            words = f"HTTP {status}{phrase} on the websocket upgrade"
            return FeedFailure(FailureKind.HTTP, words, status)
        if isinstance(cause, ConnectionClosed):
            frame = cause.rcvd
            if frame is None:
                return closed(None, "")
            return closed(frame.code, frame.reason)
        if isinstance(cause, VenueErrorReply):
            return rejected(cause)
        if isinstance(cause, socket.gaierror):
            why = cause.strerror or str(cause)
            return FeedFailure(FailureKind.DNS, _clip(f"name does not resolve: {host} ({why})"))
        if isinstance(cause, ssl.SSLError):
            return _tls(cause)
        if isinstance(cause, ConnectionRefusedError):
            return FeedFailure(FailureKind.REFUSED, f"connection refused by {where}")
        if isinstance(cause, TimeoutError):
            words = f"no answer from {where} within the connect timeout"
            return FeedFailure(FailureKind.TIMEOUT, words)
        if isinstance(cause, OSError) and cause.errno in _UNREACHABLE:
            why = cause.strerror or str(cause)
            return FeedFailure(FailureKind.UNREACHABLE, _clip(f"no route to {where} ({why})"))
        if isinstance(cause, ConnectionResetError | BrokenPipeError):
            return closed(None, "")
    if isinstance(exc, OSError):
        return FeedFailure(FailureKind.ERROR, _clip(f"connection failed: {exc.strerror or exc}"))
    return FeedFailure(FailureKind.ERROR, _clip(f"{type(exc).__name__}: {exc}"))
