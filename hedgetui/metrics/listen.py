"""The ``--metrics`` address: ``HOST:PORT``, ``:PORT`` or ``PORT`` (loopback by default)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"


class ListenError(ValueError):
    """One line for the user: the address cannot be used."""


@dataclass(frozen=True, slots=True)
class Listen:
    host: str
    port: int

    @property
    def loopback(self) -> bool:
        """Only this machine can connect (127.0.0.0/8, ::1 or ``localhost``)."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:  # a host name: it may resolve to anything
            return False

    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"


def parse_listen(text: str) -> Listen:
    """``9108`` and ``:9108`` -> 127.0.0.1:9108; ``0.0.0.0:9108``; ``[::1]:9108``."""
    raw = text.strip()
    host, sep, port_text = raw.rpartition(":")
    if not sep:
        host, port_text = "", raw
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ListenError(f"{text!r}: write an IPv6 address in brackets, e.g. [::1]:9108")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ListenError(f"{text!r}: the port must be a number from 1 to 65535 (HOST:PORT)")
    return Listen(host or DEFAULT_HOST, int(port_text))
