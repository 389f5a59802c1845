"""The gate every order passes right before it is sent: refuse what must never go out.

Pure checks first (:func:`account_refusal`, :func:`order_refusal`): the account must be
configured to trade (``permissions = "trade"`` in its ``[[accounts]]`` table; the default is
"read"), and the order must have a finite, positive quantity, contract size and (for a limit)
price. Then, once per client, the venue's own word on the key where the venue reports it
(:func:`key_refusal`): a key the venue calls read-only is refused with the venue's words.
Each refusal is one line saying what was refused and how to allow it; nothing is sent.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from hedgetui.trading.orders import KeyPermissions, OrderRequest, TradingError

if TYPE_CHECKING:
    from hedgetui.trading.audit import AuditLog
    from hedgetui.trading.venues.base import VenueClient


def account_refusal(account: str, permissions: str) -> str | None:
    """Why ``account`` may not send orders (None when its permissions say "trade")."""
    if permissions == "trade":
        return None
    return (
        f'account {account!r} is read-only (permissions = "{permissions}"): nothing was sent; '
        'to allow orders, set permissions = "trade" in its [[accounts]] table'
    )


def _positive(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value > 0


def order_refusal(order: OrderRequest) -> str | None:
    """Why ``order`` is malformed (None when its numbers can be sent)."""
    head = f"{order.side} {order.contracts:g} {order.symbol} on {order.venue}"
    if not _positive(order.contracts):
        return f"{head}: the quantity must be a finite number above zero; nothing was sent"
    if not _positive(order.contract_size):
        return f"{head}: contract size {order.contract_size:g} is not above zero; nothing was sent"
    if order.order_type == "limit" and not _positive(order.price):
        return f"{head}: a limit price must be a finite number above zero, got {order.price}"
    if order.order_type == "market" and order.price is not None:
        return f"{head}: a market order carries no price, got {order.price:g}; nothing was sent"
    return None


def key_refusal(account: str, report: KeyPermissions | None) -> str | None:
    """Why the venue's report on the key forbids orders (None: it allows them, or says nothing)."""
    if report is None or report.can_trade:
        return None
    return (
        f"{report.venue} says the API key of account {account!r} cannot trade ({report.detail}): "
        f"nothing was sent; give the key trade permission on {report.venue} or use one that has it"
    )


async def check_order(client: VenueClient, order: OrderRequest, audit: AuditLog) -> str | None:
    """Every check, in order; the refusal text, or None to go ahead and send.

    The venue's key report is asked once per client. When it cannot be read (timeout, 5xx)
    the order goes ahead, with the failure audited: the venue enforces its keys itself.
    """
    refusal = account_refusal(client.account, client.permissions) or order_refusal(order)
    if refusal is not None:
        return refusal
    try:
        report = await client.key_permissions()
    except TradingError as exc:
        audit.write("key_check_failed", client_order_id=order.client_order_id, error=str(exc))
        return None
    return key_refusal(client.account, report)
