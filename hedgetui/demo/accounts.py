"""The demo's accounts: one per venue, their (public, simulator-only) credentials, the demo
portfolio moved into them, and the simulator's books seeded with it."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from hedgetui.config import AccountSettings, Settings, TradingSettings
from hedgetui.trading.credentials import Credentials, Secret

if TYPE_CHECKING:
    from hedgetui.sim.rest import SimAccounts


def demo_account_name(venue: str) -> str:
    return f"demo-{venue}"


def demo_credentials(account: str) -> Credentials:
    from hedgetui.sim.rest import DEMO_API_KEY, DEMO_API_SECRET, DEMO_PASSPHRASE

    return Credentials(
        account, Secret(DEMO_API_KEY), Secret(DEMO_API_SECRET), Secret(DEMO_PASSPHRASE), "demo"
    )


DEMO_KEY_ENV = "HEDGETUI_DEMO_API_KEY"
DEMO_SECRET_ENV = "HEDGETUI_DEMO_API_SECRET"
DEMO_PASSPHRASE_ENV = "HEDGETUI_DEMO_PASSPHRASE"


def demo_account_env() -> dict[str, str]:
    """The environment the demo accounts read their keys from: the simulator's public demo
    credentials (they open nothing but the loopback simulator). Pass it as ``Runtime(env=...)``."""
    from hedgetui.sim.rest import DEMO_API_KEY, DEMO_API_SECRET, DEMO_PASSPHRASE

    return {
        DEMO_KEY_ENV: DEMO_API_KEY,
        DEMO_SECRET_ENV: DEMO_API_SECRET,
        DEMO_PASSPHRASE_ENV: DEMO_PASSPHRASE,
    }


def account_backed(settings: Settings, audit_log: str | None) -> Settings:
    """The demo portfolio with each hand-entered position moved into a demo account.

    The accounts read their keys from the variables :func:`demo_account_env` fills in.
    """
    hedges = tuple(
        dataclasses.replace(h, position=None, account=demo_account_name(h.venue))
        for h in settings.hedges
    )
    accounts = tuple(
        AccountSettings(
            name=demo_account_name(v),
            venue=v,
            api_key_env=DEMO_KEY_ENV,
            api_secret_env=DEMO_SECRET_ENV,
            passphrase_env=DEMO_PASSPHRASE_ENV,
            permissions="trade",
        )
        for v in dict.fromkeys(h.venue for h in settings.hedges)
    )
    trading = TradingSettings(enabled=True, audit_log=audit_log)
    return dataclasses.replace(settings, hedges=hedges, accounts=accounts, trading=trading)


def seed_demo_books(books: SimAccounts, manual: Settings) -> None:
    """Put every hand-entered position of ``manual`` (and its collateral as the wallet
    balance) into the simulator's books, under the hedge's venue."""
    for h in manual.hedges:
        pos = h.position
        if pos is None:
            continue
        signed = -pos.contracts if pos.side == "short" else pos.contracts
        books.set_position(h.venue, h.symbol, signed, pos.entry, collateral=pos.collateral)
