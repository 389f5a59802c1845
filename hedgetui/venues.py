"""Contract profiles of the supported inverse perpetuals, loaded from ``data/venues.toml``.

The profiles are data, not code: defaults for offline use that live exchange data (instrument
info, leverage brackets, the account's fee tier) should override once connected.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

from hedgetui.domain import MmBasis, Side
from hedgetui.risk import InversePosition, MaintenanceTier

__all__ = [
    "InstrumentProfile",
    "NotInverseError",
    "UnknownInstrumentError",
    "default_symbol",
    "get_instrument",
    "instruments",
    "load_profiles",
    "position_for",
    "round_liquidation",
    "venue_names",
]

LiqRounding = Literal["none", "nearest", "long_up_short_down"]
_ROUNDINGS: tuple[str, ...] = ("none", "nearest", "long_up_short_down")
_COIN_ALIASES = {"XBT": "BTC"}


class UnknownInstrumentError(KeyError):
    """An unknown venue or symbol. ``str()`` is the plain message (not KeyError's repr)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown instrument"


class NotInverseError(ValueError):
    """The instrument exists but is not an inverse contract (e.g. BitMEX ETHUSD, a quanto)."""


@dataclass(frozen=True, slots=True)
class InstrumentProfile:
    venue: str
    symbol: str
    coin: str
    contract_size: float
    tick_size: float
    lot_size: float
    mmr: float
    tiers: tuple[MaintenanceTier, ...]
    mm_basis: MmBasis
    funding_interval_hours: float
    taker_fee: float
    liq_rounding: str
    inverse: bool = True
    mmr_per_coin: float = 0.0
    funding_offset_hours: float = 0.0  # the first funding time of the day, hours past 00:00 UTC
    default: bool = field(default=False, compare=False)


def _number(
    row: dict[str, Any],
    key: str,
    where: str,
    *,
    default: float | None = None,
    allow_inf: bool = False,
) -> float:
    value = row.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{where}: '{key}' must be a number, got {value!r}")
    if math.isinf(value) and not allow_inf:
        raise ValueError(f"{where}: '{key}' must be finite, got {value!r}")
    return float(value)


def _tier(raw: Any, where: str) -> MaintenanceTier:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: each tier must be a table, got {raw!r}")
    imr = raw.get("imr")
    return MaintenanceTier(
        floor_coin=_number(raw, "floor_coin", where),
        cap_coin=_number(raw, "cap_coin", where, allow_inf=True),
        mmr=_number(raw, "mmr", where),
        deduction=_number(raw, "deduction", where, default=0.0),
        imr=None if imr is None else _number(raw, "imr", where),
    )


def _profile(row: dict[str, Any], index: int) -> InstrumentProfile:
    where = f"venues.toml instrument #{index + 1}"
    for key in ("venue", "symbol", "coin"):
        if not isinstance(row.get(key), str) or not row[key]:
            raise ValueError(f"{where}: '{key}' must be a non-empty string")
    where = f"venues.toml {row['venue']} {row['symbol']}"
    basis = row.get("mm_basis", "mark")
    if basis not in ("mark", "entry"):
        raise ValueError(f"{where}: 'mm_basis' must be 'mark' or 'entry', got {basis!r}")
    rounding = row.get("liq_rounding", "none")
    if rounding not in _ROUNDINGS:
        raise ValueError(f"{where}: 'liq_rounding' must be one of {_ROUNDINGS}, got {rounding!r}")
    raw_tiers = row.get("tiers", [])
    if not isinstance(raw_tiers, list):
        raise ValueError(f"{where}: 'tiers' must be an array of tables")
    tiers = tuple(_tier(raw, f"{where} tier #{i + 1}") for i, raw in enumerate(raw_tiers))
    for lower, upper in itertools.pairwise(tiers):
        if upper.floor_coin != lower.cap_coin:
            raise ValueError(f"{where}: tier floors must continue the previous tier's cap")
    profile = InstrumentProfile(
        venue=row["venue"].lower(),
        symbol=row["symbol"],
        coin=row["coin"].upper(),
        contract_size=_number(row, "contract_size", where),
        tick_size=_number(row, "tick_size", where),
        lot_size=_number(row, "lot_size", where),
        mmr=_number(row, "mmr", where),
        tiers=tiers,
        mm_basis=cast(MmBasis, basis),
        funding_interval_hours=_number(row, "funding_interval_hours", where),
        taker_fee=_number(row, "taker_fee", where),
        liq_rounding=rounding,
        inverse=bool(row.get("inverse", True)),
        mmr_per_coin=_number(row, "mmr_per_coin", where, default=0.0),
        funding_offset_hours=_number(row, "funding_offset_hours", where, default=0.0),
        default=bool(row.get("default", False)),
    )
    if min(profile.contract_size, profile.tick_size, profile.lot_size) <= 0:
        raise ValueError(f"{where}: contract_size, tick_size and lot_size must be > 0")
    return profile


def load_profiles(text: str) -> tuple[InstrumentProfile, ...]:
    """Parse a venues TOML document (the packaged one, or another with the same layout)."""
    document = tomllib.loads(text)
    rows = document.get("instrument")
    if not isinstance(rows, list) or not rows:
        raise ValueError("venues.toml: expected at least one [[instrument]] table")
    return tuple(_profile(row, index) for index, row in enumerate(rows))


@cache
def _packaged() -> tuple[InstrumentProfile, ...]:
    text = resources.files("hedgetui").joinpath("data", "venues.toml").read_text("utf-8")
    return load_profiles(text)


def venue_names() -> tuple[str, ...]:
    """The venues with at least one profile, in file order."""
    return tuple(dict.fromkeys(p.venue for p in _packaged()))


def _check_venue(venue: str) -> str:
    key = venue.strip().lower()
    if key not in venue_names():
        known = ", ".join(venue_names())
        raise UnknownInstrumentError(f"unknown venue {venue!r} (known: {known})")
    return key


def instruments(
    venue: str | None = None, *, include_non_inverse: bool = False
) -> tuple[InstrumentProfile, ...]:
    """All inverse profiles, or those of one venue."""
    key = None if venue is None else _check_venue(venue)
    return tuple(
        p
        for p in _packaged()
        if (key is None or p.venue == key) and (p.inverse or include_non_inverse)
    )


def get_instrument(venue: str, symbol: str) -> InstrumentProfile:
    """The profile of ``symbol`` on ``venue`` (case-insensitive).

    Raises ``UnknownInstrumentError`` (a ``KeyError``) naming the known symbols, or
    ``NotInverseError`` for a listed contract that is not inverse.
    """
    key = _check_venue(venue)
    wanted = symbol.strip().upper()
    for profile in instruments(key, include_non_inverse=True):
        if profile.symbol.upper() == wanted:
            if not profile.inverse:
                raise NotInverseError(
                    f"{profile.venue} {profile.symbol} is not an inverse contract "
                    "(a quanto); hedgetui's inverse-contract math does not apply to it"
                )
            return profile
    known = ", ".join(p.symbol for p in instruments(key))
    raise UnknownInstrumentError(f"unknown symbol {symbol!r} on {key} (known: {known})")


def default_symbol(venue: str, coin: str = "BTC") -> str:
    """The venue's default inverse perpetual for ``coin`` (``XBT`` is accepted for BTC)."""
    key = _check_venue(venue)
    wanted = coin.strip().upper()
    wanted = _COIN_ALIASES.get(wanted, wanted)
    matches = [p for p in instruments(key) if p.coin == wanted]
    for profile in matches:
        if profile.default:
            return profile.symbol
    if matches:
        return matches[0].symbol
    coins = ", ".join(sorted({p.coin for p in instruments(key)}))
    raise UnknownInstrumentError(f"no inverse {coin} perpetual on {key} (coins: {coins})")


def round_liquidation(profile: InstrumentProfile, side: Side, price: float) -> float:
    """Round a liquidation (or bankruptcy) price the way the venue displays it.

    ``long_up_short_down`` (Bybit): a long's price up, a short's down, to the tick: the
    conservative side for the holder. ``nearest``: to the nearest tick. ``none``: unchanged.
    """
    tick = profile.tick_size
    steps = price / tick
    if profile.liq_rounding == "long_up_short_down":
        # tolerate float noise so an exact multiple of the tick is left alone
        nearest = round(steps)
        if abs(steps - nearest) < 1e-9:
            steps = nearest
        rounded = math.ceil(steps) if side == "long" else math.floor(steps)
    elif profile.liq_rounding == "nearest":
        rounded = round(steps)
    else:
        return price
    return round(rounded * tick, 10)


def position_for(
    profile: InstrumentProfile,
    side: Side,
    contracts: float,
    entry: float,
    collateral: float,
    *,
    leverage: float | None = None,
    fee: float | None = None,
) -> InversePosition:
    """An ``InversePosition`` with the profile's contract size, tiers, convention and taker fee
    (the closing-fee allowance; pass ``fee=0.0`` to leave it out)."""
    return InversePosition(
        side=side,
        contracts=contracts,
        contract_size=profile.contract_size,
        entry=entry,
        collateral=collateral,
        mmr=profile.mmr,
        tiers=profile.tiers,
        mm_basis=profile.mm_basis,
        fee=profile.taker_fee if fee is None else fee,
        leverage=leverage,
        mmr_per_coin=profile.mmr_per_coin,
    )
