"""Show URLs that may carry credentials without the credentials.

Push-service URLs (apprise) put the token wherever they like — ``tgram://BOTTOKEN/CHAT``,
``ntfy://secret-topic`` — so every part but the scheme and a real host name is hidden.
Exchange URLs keep their ordinary path words and lose only user info, query values and
path parts that look like tokens (e.g. a Binance listen key).
"""

from __future__ import annotations

import re

REDACTED = "***"
_HOSTNAME = re.compile(
    r"^((?=.*[a-zA-Z])[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+|\d{1,3}(\.\d{1,3}){3}|localhost|\[[0-9a-fA-F:]+\])"
    r"(:\d{1,5})?$"
)
_PLAIN_SEGMENT = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,19}$")


def _split(url: str) -> tuple[str, str, str, str] | None:
    """``(scheme, netloc, path, query)`` without trusting ``urllib`` on odd netlocs."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        return None
    rest = rest.split("#", 1)[0]
    rest, _, query = rest.partition("?")
    netloc, slash, path = rest.partition("/")
    return scheme, netloc, slash + path, query


def _host(netloc: str) -> str:
    _userinfo, at, host = netloc.rpartition("@")
    shown = host if _HOSTNAME.match(host) else REDACTED
    return f"{REDACTED}@{shown}" if at else shown


def _query(query: str) -> str:
    if not query:
        return ""
    keys = [pair.partition("=")[0] for pair in query.split("&")]
    return "?" + "&".join(f"{k}={REDACTED}" for k in keys)


def redact_url(url: str) -> str:
    """An exchange URL with credentials and token-like path parts replaced by ``***``."""
    parts = _split(url)
    if parts is None:
        return REDACTED
    scheme, netloc, path, query = parts
    segments = [s if (not s or _PLAIN_SEGMENT.match(s)) else REDACTED for s in path.split("/")]
    return f"{scheme}://{_host(netloc)}{'/'.join(segments)}{_query(query)}"


def redact_secret_url(url: str) -> str:
    """A push-service URL reduced to its scheme and (real) host name: ``tgram://***``."""
    parts = _split(url)
    if parts is None:
        return REDACTED
    scheme, netloc, path, query = parts
    tail = f"/{REDACTED}" if path.strip("/") or query else ""
    return f"{scheme}://{_host(netloc)}{tail}"
