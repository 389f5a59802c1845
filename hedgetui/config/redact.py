"""Show URLs and values that may carry credentials without the credentials.

Config errors echo the offending value; every echo passes :func:`may_be_secret`, and a value
that may be one is shown only as :func:`masked` (its length and at most two characters):
any value of a key that names a secret (``*key*``, ``*secret*``, ``*token*``, ``*pass*``,
``*url*``...), any value that looks like a key (long, no spaces, mixed letters and digits),
and - decided by the caller - any value that came from an environment variable.

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
_SECRET_KEY = re.compile(
    r"key|secret|token|pass|private|auth|credential|cookie|session|signature|url|webhook", re.I
)
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9+/=_.:-]+$")


def secret_key(key: str) -> bool:
    """Whether the (dotted) key's own name says its value is, or may carry, a secret."""
    last = key.rsplit(".", 1)[-1].split("[", 1)[0]
    return bool(_SECRET_KEY.search(last))


def secret_like(text: str) -> bool:
    """Whether ``text`` looks like an API key or token (whatever key it was written under)."""
    if any(c.isspace() for c in text):
        return False
    digits = any(c.isdigit() for c in text)
    lower, upper = any(c.islower() for c in text), any(c.isupper() for c in text)
    if len(text) >= 16 and digits and lower and upper:
        return True
    return len(text) >= 24 and digits and (lower or upper) and bool(_TOKEN_CHARS.match(text))


def may_be_secret(key: str, value: object) -> bool:
    return secret_key(key) or (isinstance(value, str) and secret_like(value))


def masked(value: object) -> str:
    """``<32 chars, starts 'ab'>``: the length, and the first two characters of a value of
    eight or more (``<5 chars>`` below that)."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, int | float):
        text = format(value, ".15g")  # 50.0 -> "50", as it was typed
    else:
        text = str(value)
    if len(text) >= 8:
        return f"<{len(text)} chars, starts {text[:2]!r}>"
    return f"<{len(text)} char{'s' if len(text) != 1 else ''}>"


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
