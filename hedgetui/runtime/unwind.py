"""Wiring of the unwind: settings, store and an account's client -> audit log and UnwindService.

The UI and ``hedgetui unwind`` get their :class:`~hedgetui.trading.service.UnwindService`
from here (``Runtime.unwind_service(hedge)`` over a running runtime); they build none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.config import HedgeSettings, Settings
from hedgetui.domain import FeedState, HedgeView, PositionUpdate
from hedgetui.store import Store
from hedgetui.trading.audit import AuditLog
from hedgetui.trading.service import UnwindService
from hedgetui.trading.venues import VenueClient

if TYPE_CHECKING:
    from hedgetui.runtime.accounts import AccountReadings
    from hedgetui.runtime.core import Runtime


def audit_log_for(settings: Settings, client: VenueClient | None, clock: Clock | None) -> AuditLog:
    secrets = client.credentials.secrets() if client is not None else ()
    return AuditLog(settings.trading.audit_log, clock=clock, secrets=secrets)


def hedge_view_of(store: Store, name: str) -> HedgeView | None:
    for view in store.snapshot().hedges:
        if view.name == name:
            return view
    return None


def service_for_store(
    settings: Settings,
    store: Store,
    *,
    client: VenueClient | None,
    audit: AuditLog,
    clock: Clock | None = None,
    simulated: bool = False,
    on_executed: Callable[[], None] | None = None,
    no_client_reason: str | None = None,
    readings: AccountReadings | None = None,
) -> UnwindService:
    """``simulated``: the account is on the built-in simulator (its orders move no money);
    ``on_executed``: called after an order went out, e.g. ``lambda: runtime.poke(account)``;
    ``no_client_reason``: the dry-run reason shown when ``client`` is None (keys not loaded);
    ``readings``: what the command's own position reads said (flat positions, read errors)."""

    def account_position(name: str) -> PositionUpdate | None:
        return readings.position_of(settings.hedge(name)) if readings is not None else None

    def account_error(name: str) -> str | None:
        said = readings.error if readings is not None else None
        return said or account_error_of(store, settings, name)

    return UnwindService(
        settings=settings,
        view=lambda name: hedge_view_of(store, name),
        audit=audit,
        client=client,
        risk_position=store.position,
        clock=clock or SYSTEM_CLOCK,
        simulated=simulated,
        on_executed=on_executed,
        no_client_reason=no_client_reason,
        account_position=account_position,
        account_error=account_error,
        balance=store.balance,
    )


def account_error_of(store: Store, settings: Settings, name: str) -> str | None:
    """Why hedge ``name``'s account gives no position, as its data source last said it
    (None while it is live or has said nothing)."""
    account = settings.hedge(name).account
    for view in store.account_views():
        if view.name == account and view.state is not FeedState.LIVE and view.last_error:
            return f"account {account!r} is {view.state}: {view.last_error}"
    return None


def service_for_runtime(runtime: Runtime, hedge_name: str) -> UnwindService:
    """The unwind service of ``hedge_name`` over a running :class:`Runtime`.

    It trades through the signed client the runtime already holds for the hedge's account
    (None -- a typed-in position or keys that did not load -- is a dry run), and after an
    order it pokes that account (``Runtime.after_order``) so the card shows the new position
    at once. A runtime whose venues are the built-in simulator (``Runtime.simulated``) makes
    a simulated service: its accounts count as trading enabled.
    """
    settings = runtime.settings
    account = settings.hedge(hedge_name).account
    client = runtime.account_clients.get(account) if account is not None else None
    reason = None
    if account is not None and client is None:
        said = [p for p in runtime.problems if p.startswith(f"account {account!r}")]
        reason = said[0] if said else f"account {account!r} has no trading client"
    audit = audit_log_for(settings, client, runtime.clock)
    return service_for_store(
        settings,
        runtime.store,
        client=client,
        audit=audit,
        clock=runtime.clock,
        simulated=runtime.simulated,
        on_executed=runtime.after_order(hedge_name),
        no_client_reason=reason,
    )


def service_from_store(store: Store, hedge_name: str) -> UnwindService:
    """A service over a bare store (no runtime); it trades only if the hedge's account keys
    load, and its client is the caller's to close."""
    from hedgetui.runtime.accounts import account_client
    from hedgetui.trading.credentials import CredentialsError

    settings = store.settings
    client = None
    reason = None
    try:
        client = account_client(settings, settings.hedge(hedge_name))
    except (CredentialsError, KeyError) as exc:
        reason = str(exc).strip("'\"")  # no usable keys: the dialog runs as a dry run, says why
    audit = audit_log_for(settings, client, None)
    return service_for_store(settings, store, client=client, audit=audit, no_client_reason=reason)


def command_unwind(
    settings: Settings, hedge_name: str
) -> AbstractAsyncContextManager[tuple[UnwindService, Callable[[], Awaitable[bool]] | None]]:
    """What ``hedgetui unwind`` needs for ``hedge_name``: the service over a running
    :class:`Runtime`, trading through the hedge's account client, and the command's own read of
    that account (None for a typed-in position; the service remembers what the reads said: a
    flat position, a failed read). Use as ``async with command_unwind(...) as (service, poll)``.

    Raises ``CredentialsError`` / ``KeyError`` at once (nothing started) when the hedge is
    unknown or its account's keys cannot be loaded. The client is closed on exit.
    """
    from hedgetui.runtime.accounts import account_client

    hedge = settings.hedge(hedge_name)
    client = account_client(settings, hedge)
    return _command_unwind(settings, hedge, client, audit_log_for(settings, client, None))


@asynccontextmanager
async def _command_unwind(
    settings: Settings, hedge: HedgeSettings, client: VenueClient | None, audit: AuditLog
) -> AsyncIterator[tuple[UnwindService, Callable[[], Awaitable[bool]] | None]]:
    from hedgetui.runtime.accounts import AccountReadings, poller_for
    from hedgetui.runtime.core import Runtime

    try:
        async with Runtime(settings) as runtime:
            readings = None
            poll: Callable[[], Awaitable[bool]] | None = None
            if client is not None:
                readings = AccountReadings(runtime.store.apply, client.base_url)
                poll = poller_for(client, hedge, runtime.store, readings).poll_once
            service = service_for_store(
                settings, runtime.store, client=client, audit=audit, readings=readings
            )
            yield service, poll
    finally:
        if client is not None:
            await client.aclose()
