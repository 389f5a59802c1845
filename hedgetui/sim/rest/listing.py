"""What the simulated exchange lists: its venues, their instruments, and each venue's rules.

The six venues (`VENUES`), each one's inverse perpetuals (`INSTRUMENTS`, looked up by
`instrument`), the leverage a position gets by default and at most, what `hedgetui sim` funds
a wallet with, and where a venue wants client order ids unique. Static data: the books
(`hedgetui.sim.rest.accounts`) and every venue's REST module read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

VENUES: tuple[str, ...] = ("bitmex", "bybit", "binance", "deribit", "okx", "kraken")


@dataclass(frozen=True, slots=True)
class InstrumentSpec:
    """What the simulated exchange lists: contract size in USD and the order lot."""

    venue: str
    symbol: str
    coin: str
    contract_size: float
    lot_size: float
    tick_size: float


def _spec(
    venue: str, symbol: str, coin: str, size: float, lot: float, tick: float
) -> InstrumentSpec:
    return InstrumentSpec(venue, symbol, coin, size, lot, tick)


# Contract sizes, lots and ticks as in /work/shared/exchanges/README.md (contract specs) and
# the venue profiles (hedgetui/data/venues.toml).
INSTRUMENTS: dict[str, dict[str, InstrumentSpec]] = {
    "bitmex": {"XBTUSD": _spec("bitmex", "XBTUSD", "BTC", 1.0, 100.0, 0.5)},
    "bybit": {
        "BTCUSD": _spec("bybit", "BTCUSD", "BTC", 1.0, 1.0, 0.5),
        "ETHUSD": _spec("bybit", "ETHUSD", "ETH", 1.0, 1.0, 0.05),
    },
    "binance": {
        "BTCUSD_PERP": _spec("binance", "BTCUSD_PERP", "BTC", 100.0, 1.0, 0.1),
        "ETHUSD_PERP": _spec("binance", "ETHUSD_PERP", "ETH", 10.0, 1.0, 0.01),
    },
    "deribit": {
        "BTC-PERPETUAL": _spec("deribit", "BTC-PERPETUAL", "BTC", 10.0, 1.0, 0.5),
        "ETH-PERPETUAL": _spec("deribit", "ETH-PERPETUAL", "ETH", 1.0, 1.0, 0.05),
    },
    "okx": {
        "BTC-USD-SWAP": _spec("okx", "BTC-USD-SWAP", "BTC", 100.0, 1.0, 0.1),
        "ETH-USD-SWAP": _spec("okx", "ETH-USD-SWAP", "ETH", 10.0, 1.0, 0.01),
    },
    "kraken": {
        "PI_XBTUSD": _spec("kraken", "PI_XBTUSD", "BTC", 1.0, 1.0, 0.5),
        "PI_ETHUSD": _spec("kraken", "PI_ETHUSD", "ETH", 1.0, 1.0, 0.05),
    },
}

# Each venue's leverage for a position nobody set one for (what the replies showed before
# leverage was modelled): BitMEX cross (its maximum, 100x), Bybit 10x, Binance COIN-M 20x,
# Deribit 50x (its 2% initial margin), OKX 10x, Kraken cross (50x).
DEFAULT_LEVERAGE: dict[str, float] = {
    "bitmex": 100.0,
    "bybit": 10.0,
    "binance": 20.0,
    "deribit": 50.0,
    "okx": 10.0,
    "kraken": 50.0,
}
# The highest leverage each venue lets a position have (its first risk tier).
MAX_LEVERAGE: dict[str, float] = {
    "bitmex": 100.0,
    "bybit": 100.0,
    "binance": 125.0,
    "deribit": 50.0,
    "okx": 125.0,
    "kraken": 50.0,
}

# What `hedgetui sim` credits every venue's wallet with at start (a testnet faucet): a bot
# pointed at it can open positions. `SimAccounts()` alone starts empty (tests seed it).
STARTING_WALLET: dict[str, float] = {"BTC": 1.0, "ETH": 10.0}

# Where a client order id must be unique. "all": every order the account ever sent (BitMEX,
# Bybit, Kraken); "open": only resting orders (Binance: "unique among open orders", OKX: "among
# pending orders" — a filled order's id may be reused there); "none": Deribit labels.
CLIENT_ID_SCOPE: dict[str, Literal["all", "open", "none"]] = {
    "bitmex": "all",
    "bybit": "all",
    "binance": "open",
    "deribit": "none",
    "okx": "open",
    "kraken": "all",
}


def instrument(venue: str, symbol: str) -> InstrumentSpec | None:
    """The listed instrument, or None (symbols are matched case-insensitively)."""
    listed = INSTRUMENTS.get(venue, {})
    return listed.get(symbol) or listed.get(symbol.upper())
