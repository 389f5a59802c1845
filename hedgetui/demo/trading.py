"""``hedgetui unwind --demo``: the simulator's REST side for one demo hedge, its books seeded
with the demo portfolio so that the hedge's position lives in a demo account, and the clients
pointed at loopback with the simulator's public demo credentials. No keys, no network.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from hedgetui.clock import SYSTEM_CLOCK, Clock
from hedgetui.config import Settings
from hedgetui.demo.accounts import (
    account_backed,
    demo_account_name,
    demo_credentials,
    seed_demo_books,
)
from hedgetui.domain import MarkPrice
from hedgetui.runtime.accounts import AccountReadings, account_client, poller_for
from hedgetui.runtime.unwind import audit_log_for, service_for_store
from hedgetui.store import Store
from hedgetui.trading.account_poller import AccountPoller
from hedgetui.trading.service import UnwindService

DEMO_SCENARIO = "calm"

DEMO_REPLY_DELAY_ENV = "HEDGETUI_DEMO_ORDER_REPLY_DELAY_S"


def demo_reply_delay(env: Mapping[str, str]) -> float:
    """Seconds the demo simulator holds its reply to the first order (it executes the order
    at once), from ``HEDGETUI_DEMO_ORDER_REPLY_DELAY_S``: a way to try Ctrl-C while an order
    is in flight. 0 when unset; ValueError (saying why) unless a number from 0 to 3600."""
    raw = env.get(DEMO_REPLY_DELAY_ENV, "").strip()
    try:
        delay = float(raw or 0)
    except ValueError:
        delay = math.nan
    if not 0 <= delay <= 3600:
        raise ValueError(
            f"{DEMO_REPLY_DELAY_ENV}: must be seconds from 0 to 3600, got {raw[:20]!r}"
        )
    return delay


@dataclass
class DemoTrading:
    settings: Settings  # account-backed demo settings
    store: Store
    service: UnwindService
    poller: AccountPoller
    accounts: object  # hedgetui.sim.rest.SimAccounts (the simulator's books)
    prices: Mapping[str, float]


@asynccontextmanager
async def demo_trading(
    hedge_name: str,
    *,
    accounts: object | None = None,
    audit_log: str | Path | None = None,
    clock: Clock | None = None,
    scenario: str = DEMO_SCENARIO,
    reply_delay_s: float = 0.0,
) -> AsyncIterator[DemoTrading]:
    """The simulator's REST side for ``hedge_name``'s venue, seeded with the demo portfolio.

    ``reply_delay_s``: the simulator executes the first order at once but replies that late.

    ``accounts`` may pass a ``SimAccounts`` in (tests inspect the order list afterwards).
    Raises ``KeyError`` for an unknown demo hedge.
    """
    from hedgetui.demo.portfolio import demo_settings
    from hedgetui.sim.rest import SimAccounts, start_rest_server
    from hedgetui.sim.scenarios import get_scenario

    clock = clock or SYSTEM_CLOCK
    scen = get_scenario(scenario)
    prices = {coin: scen.initial(coin).mark for coin in ("BTC", "ETH")}
    manual = demo_settings(prices["BTC"], prices["ETH"], {})
    manual.hedge(hedge_name)  # KeyError naming the demo hedges
    books = accounts if isinstance(accounts, SimAccounts) else SimAccounts(clock)
    seed_demo_books(books, manual)
    if reply_delay_s > 0:
        books.inject(manual.hedge(hedge_name).venue, "timeout", delay=reply_delay_s)
    settings = account_backed(manual, str(audit_log) if audit_log else None)
    hedge = settings.hedge(hedge_name)
    coin_of = {h.symbol: h.coin for h in settings.hedges}
    server = await start_rest_server(
        hedge.venue, accounts=books, mark=lambda symbol: prices[coin_of.get(symbol, "BTC")]
    )
    settings = dataclasses.replace(
        settings,
        venues={
            **settings.venues,
            hedge.venue: dataclasses.replace(settings.venues[hedge.venue], rest_url=server.url),
        },
    )
    store = Store(settings, clock=clock)
    creds = demo_credentials(demo_account_name(hedge.venue))
    client = account_client(settings, hedge, clock=clock, credentials=creds)
    assert client is not None
    try:
        store.apply(
            MarkPrice(hedge.venue, hedge.symbol, prices[hedge.coin], int(clock.time() * 1000))
        )
        readings = AccountReadings(store.apply, client.base_url)
        poller = poller_for(client, hedge, store, readings)
        audit = audit_log_for(settings, client, clock)
        service = service_for_store(
            settings, store, client=client, audit=audit, simulated=True, readings=readings
        )
        yield DemoTrading(settings, store, service, poller, books, prices)
    finally:
        await client.aclose()
        await server.close()
        await asyncio.sleep(0.01)  # let the server's aborted connections finish before exit
