"""Wiring of the funding history: settings -> one history client per venue of the hedges (and
per account with keys) -> :class:`~hedgetui.history.funding.service.FundingHistoryService`.

The REST base URL of a venue is chosen as for its orders: ``venues.<venue>.rest_url``, else the
venue's own (the demo and the tests point it at the simulator).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from hedgetui.clock import Clock
from hedgetui.config import Settings
from hedgetui.history.funding.base import FundingHistoryClient, Sleep
from hedgetui.history.funding.cache import FundingCache
from hedgetui.history.funding.clients import make_history_client
from hedgetui.history.funding.service import FundingHistoryService, PaymentsSpec, RatesSpec
from hedgetui.runtime.accounts import account_hedges
from hedgetui.trading.credentials import Credentials

log = logging.getLogger(__name__)


def funding_service(
    settings: Settings,
    *,
    credentials: Mapping[str, Credentials] | None = None,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
    since_ms: Mapping[tuple[str, str], int] | None = None,
) -> FundingHistoryService | None:
    """The service for the configured hedges (None when ``funding_history.enabled`` is off).

    ``credentials``: account name -> keys (the accounts the runtime could load); each such
    account's realised payments are tracked too. ``since_ms``: (venue, symbol) -> the start of
    that series (default: ``funding_history.lookback_days`` before now).
    """
    config = settings.funding_history
    if not config.enabled:
        return None
    starts = since_ms or {}

    def client(venue: str, keys: Credentials | None = None) -> FundingHistoryClient | None:
        configured = settings.venues.get(venue)
        return make_history_client(
            venue,
            base_url=configured.rest_url if configured is not None else None,
            credentials=keys,
            clock=clock,
            sleep=sleep,
        )

    rate_clients: dict[str, FundingHistoryClient] = {}
    rates: list[RatesSpec] = []
    for hedge in settings.hedges:
        venue = settings.venues.get(hedge.venue)
        if venue is not None and not venue.enabled:
            continue
        if hedge.venue not in rate_clients:
            made = client(hedge.venue)
            if made is None:
                log.info("funding history: no client for %s yet; not fetched", hedge.venue)
                continue
            rate_clients[hedge.venue] = made
        rates.append(RatesSpec(hedge.venue, hedge.symbol, starts.get((hedge.venue, hedge.symbol))))
    payment_clients: dict[str, FundingHistoryClient] = {}
    payments: list[PaymentsSpec] = []
    for account, hedges in account_hedges(settings).items():
        keys = (credentials or {}).get(account)
        made = client(hedges[0].venue, keys) if keys is not None else None
        if made is None:
            continue
        payment_clients[account] = made
        for hedge in hedges:
            payments.append(
                PaymentsSpec(account, hedge.symbol, starts.get((hedge.venue, hedge.symbol)))
            )
    root = Path(config.cache_dir).expanduser() if config.cache_dir else None
    return FundingHistoryService(
        rate_clients,
        rates,
        payment_clients=payment_clients,
        payments=payments,
        cache=FundingCache(root),
        clock=clock,
        sleep=sleep,
        lookback_days=config.lookback_days,
        delay_s=config.fetch_delay_s,
    )
