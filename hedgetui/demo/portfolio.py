"""The ready-made portfolio of ``hedgetui demo``, sized from the scenario's opening prices.

Entries equal the scenario's first mark, so every hedge opens flat and the numbers that move are
the scenario's doing:

- ``btc-core``  BitMEX XBTUSD: 5 BTC held as the margin of a 1x short of 5 × P0 USD (the classic
  $300,000 at $60,000): fully collateralised, no liquidation price, hedge ratio 1.0 ± 0.05.
- ``eth-half``  OKX ETH-USD-SWAP: 10 ETH, 9 in cold storage + 1 as isolated collateral of a short
  worth 5 ETH (a 50% hedge), target 0.5 ± 0.05.
- ``btc-desk``  Deribit BTC-PERPETUAL: 2 BTC, 5/3 on a cold wallet + 1/3 as isolated collateral
  of a 6x short of 2 BTC worth (hedge ratio 1.0 ± 0.1); liquidation about 19% above entry: the
  hedge closest to liquidation, clear of the default 15% warning in calm markets, while a ~3.3%
  rally trips it.
- ``btc-lev``   Bybit BTCUSD: a 3x isolated LONG of 1 BTC worth (collateral = initial margin);
  liquidation about 25% below entry, the position a crash threatens.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from hedgetui.config import HedgeSettings, ManualPosition, Settings, SpotHolding, VenueSettings
from hedgetui.domain import VENUES
from hedgetui.venues import get_instrument

DEMO_HEDGES = ("btc-core", "eth-half", "btc-desk", "btc-lev")
DESK_LEVERAGE = 6.0
DESK_COLLATERAL = 2.0 / DESK_LEVERAGE  # BTC: the initial margin of a short of 2 BTC worth


def _contracts(venue: str, symbol: str, usd: float) -> float:
    """``usd`` of face value as a whole number of lots, rounded to a multiple of four lots so
    that the dialog's 25%, 50% and 100% unwinds come out exact on the lot."""
    profile = get_instrument(venue, symbol)
    lots = max(4, 4 * round(usd / profile.contract_size / profile.lot_size / 4))
    return lots * profile.lot_size


def demo_hedges(btc: float, eth: float) -> tuple[HedgeSettings, ...]:
    """The four demo hedges for opening prices ``btc`` and ``eth`` (USD)."""
    return (
        HedgeSettings(
            name="btc-core",
            coin="BTC",
            venue="bitmex",
            symbol="XBTUSD",
            position=ManualPosition(
                side="short",
                contracts=_contracts("bitmex", "XBTUSD", 5 * btc),
                entry=btc,
                collateral=5.0,
                leverage=1.0,
                margin_mode="cross",
            ),
            target_hedge_ratio=1.0,
            hedge_band=0.05,
        ),
        HedgeSettings(
            name="eth-half",
            coin="ETH",
            venue="okx",
            symbol="ETH-USD-SWAP",
            spot=(SpotHolding(9.0, "cold storage"),),
            position=ManualPosition(
                side="short",
                contracts=_contracts("okx", "ETH-USD-SWAP", 5 * eth),
                entry=eth,
                collateral=1.0,
                margin_mode="isolated",
            ),
            target_hedge_ratio=0.5,
            hedge_band=0.05,
        ),
        HedgeSettings(
            name="btc-desk",
            coin="BTC",
            venue="deribit",
            symbol="BTC-PERPETUAL",
            spot=(SpotHolding(2.0 - DESK_COLLATERAL, "cold wallet"),),
            position=ManualPosition(
                side="short",
                contracts=_contracts("deribit", "BTC-PERPETUAL", 2 * btc),
                entry=btc,
                collateral=DESK_COLLATERAL,
                leverage=DESK_LEVERAGE,
                margin_mode="isolated",
            ),
            target_hedge_ratio=1.0,
            hedge_band=0.1,
        ),
        HedgeSettings(
            name="btc-lev",
            coin="BTC",
            venue="bybit",
            symbol="BTCUSD",
            position=ManualPosition(
                side="long",
                contracts=_contracts("bybit", "BTCUSD", btc),
                entry=btc,
                collateral=1.0 / 3.0,
                leverage=3.0,
                margin_mode="isolated",
            ),
        ),
    )


def demo_settings(
    btc: float,
    eth: float,
    ws_urls: Mapping[str, str],
    *,
    base: Settings | None = None,
) -> Settings:
    """Demo settings: the four hedges, every venue pointed at ``ws_urls`` (the simulator)."""
    base = base or Settings()
    venues: dict[str, VenueSettings] = {
        name: dataclasses.replace(venue, ws_url=ws_urls.get(name, venue.ws_url), testnet=False)
        for name, venue in base.venues.items()
        if name in VENUES
    }
    return dataclasses.replace(base, hedges=demo_hedges(btc, eth), venues=venues, path=None)
