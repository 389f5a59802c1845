"""``HEDGETUI_RESOLVE``: pin a venue's host name to an address, or make it unresolvable.

Like curl's ``--resolve``: ``HEDGETUI_RESOLVE="ws.okx.com=127.0.0.1,www.bitmex.com="`` makes
the feeds connect to 127.0.0.1 for ``ws.okx.com`` (TLS still checks the certificate against
``ws.okx.com``) and fail ``www.bitmex.com`` as a name that does not resolve, without asking
any DNS server: how the tests produce a DNS failure with no network, and how a user points a
venue at a tunnel or checks what the screen says when DNS is down. Pure: the table is read
from the environment once per feed.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Mapping

ENV_RESOLVE = "HEDGETUI_RESOLVE"
NOT_RESOLVED = "Name or service not known"

log = logging.getLogger(__name__)


def resolve_table(env: Mapping[str, str]) -> dict[str, str]:
    """``host -> address`` (``""``: the host does not resolve) from ``$HEDGETUI_RESOLVE``.

    An item without ``=`` is skipped with one warning naming it."""
    table: dict[str, str] = {}
    for raw in env.get(ENV_RESOLVE, "").split(","):
        item = raw.strip()
        if not item:
            continue
        host, sep, address = item.partition("=")
        if not sep or not host.strip():
            log.warning(
                "%s: %r is not host=address (or host= for unresolvable): skipped", ENV_RESOLVE, item
            )
            continue
        table[host.strip().lower()] = address.strip()
    return table


def pinned_address(host: str | None, table: Mapping[str, str]) -> str | None:
    """The address ``host`` is pinned to, None when it is not pinned; a host pinned to nothing
    raises the resolver's own error (``socket.gaierror``, EAI_NONAME)."""
    if host is None or host.lower() not in table:
        return None
    address = table[host.lower()]
    if not address:
        raise socket.gaierror(socket.EAI_NONAME, f"{NOT_RESOLVED}, by {ENV_RESOLVE}")
    return address
