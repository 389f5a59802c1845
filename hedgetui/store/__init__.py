"""The reactive store (``Store``): latest market/account state, freshness, and the risk view.

``core`` holds the ``Store`` itself (its set-up and the derived view), put together from
``ingest`` (applying events), ``accounts`` (account health, positions, balances) and ``history``
(funding history, history rings); ``state`` its records and history rings, ``funding`` the
funding-carried rules, ``positions`` the risk engine's position of a hedge, ``views`` the derived
rows and totals.
"""

from __future__ import annotations

from hedgetui.domain import AccountView
from hedgetui.store.core import Store, adapter_index_symbol
from hedgetui.store.ingest import WALL_REREAD_S
from hedgetui.store.positions import manual_position
from hedgetui.store.state import HISTORY_BUCKET_S

__all__ = [
    "HISTORY_BUCKET_S",
    "WALL_REREAD_S",
    "AccountView",
    "Store",
    "adapter_index_symbol",
    "manual_position",
]
