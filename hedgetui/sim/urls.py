"""The host part of a URL to a simulator server bound to ``host`` (shared by the servers and
the control channel)."""

from __future__ import annotations


def url_host(host: str) -> str:
    """``host`` as a URL names it: a wildcard bind becomes loopback, IPv6 gets brackets."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
