"""The connection log's logger: one INFO line per connection event of a feed or account stream.

``note("okx", "connected to wss://ws.okx.com:8443")``. The logger does not propagate and has a
null handler, so without the connection log file (``hedgetui.runtime.connection_log``) its
lines go nowhere: never to the terminal under the dashboard, never through Python's last-resort
handler.
"""

from __future__ import annotations

import logging

CONNECTION_LOG = "hedgetui.connections"

_journal = logging.getLogger(CONNECTION_LOG)
_journal.setLevel(logging.INFO)
_journal.propagate = False
_journal.addHandler(logging.NullHandler())


def note(name: str, text: str) -> None:
    """Record ``<name>: <text>`` (``name``: a venue, or ``account:<name>``)."""
    _journal.info("%s: %s", name, text)
