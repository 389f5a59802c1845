"""The simulator's PRIVATE websocket streams: login, then positions and balances, per venue.

Each venue's private endpoint speaks that venue's real protocol (login op and signature,
subscription names, message shapes) and pushes from the SAME :class:`SimAccounts` books the
REST side trades on, so an order placed over REST shows up on the stream. The books have no
listeners: every ``push_interval_s`` each logged-in connection compares the books with what it
last sent and pushes what changed (as the venues push on change).

The signature checks here are written independently of ``hedgetui.account_streams.auth``
(the client's builders), so that the two check each other.

    accounts = SimAccounts()
    server = await start_private_server("bybit", accounts=accounts, mark=lambda s: 50_000.0)
    ... connect to server.url ...; server.drop() aborts every connection; await server.close()

Binance has no login message: a listen key from ``POST /dapi/v1/listenKey`` on the REST side
(see :func:`add_listen_key_routes`) is the URL path ``/ws/<listenKey>``.
"""

from __future__ import annotations

from hedgetui.sim.private.base import Held, PrivateProtocol, PrivateSession, SimCredentials
from hedgetui.sim.private.binance import LISTEN_KEY_PATH, ListenKeys, add_listen_key_routes
from hedgetui.sim.private.server import (
    PRIVATE_PROTOCOLS,
    PrivateServer,
    PrivateSide,
    attach_private_servers,
    start_private_server,
)

__all__ = [
    "LISTEN_KEY_PATH",
    "PRIVATE_PROTOCOLS",
    "Held",
    "ListenKeys",
    "PrivateProtocol",
    "PrivateServer",
    "PrivateSession",
    "PrivateSide",
    "SimCredentials",
    "add_listen_key_routes",
    "attach_private_servers",
    "start_private_server",
]
